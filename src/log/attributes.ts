import { invalidArgument, limitExceeded } from '../util/errors.js';
import type { StreamSettings } from './metadata.js';
import { checkOneOf, checkTags, validationError } from './validate.js';

/**
 * Tags, resource policies and recorded settings of streams and consumers. Each function validates its whole input and
 * only then changes the metadata object it is given; the log saves the metadata afterwards.
 */

/** A stream may carry at most 50 tags (AWS's limit); CreateStream's own map may name up to 200 as the model allows. */
export const MAX_TAGS_PER_RESOURCE = 50;

export const SHARD_LEVEL_METRICS = [
  'IncomingBytes',
  'IncomingRecords',
  'OutgoingBytes',
  'OutgoingRecords',
  'WriteProvisionedThroughputExceeded',
  'ReadProvisionedThroughputExceeded',
  'IteratorAgeMilliseconds',
] as const;

/** Something that has tags: a stream's or a consumer's metadata. */
export interface Tagged {
  tags?: Record<string, string>;
}

export function addTags(target: Tagged, tags: unknown, resource: string): void {
  const add = checkTags(tags);
  if (Object.keys(add).length === 0) throw validationError('Tags', 'Member must have at least 1 entry', '<0 tags>');
  const merged = { ...(target.tags ?? {}), ...add };
  if (Object.keys(merged).length > MAX_TAGS_PER_RESOURCE) {
    throw limitExceeded(`Failed to add tags to ${resource}: it would have ${Object.keys(merged).length} tags, more than the ${MAX_TAGS_PER_RESOURCE} allowed`, 'Tags');
  }
  target.tags = merged;
}

export function removeTags(target: Tagged, tagKeys: unknown): void {
  if (!Array.isArray(tagKeys) || tagKeys.length < 1 || tagKeys.length > MAX_TAGS_PER_RESOURCE) {
    throw validationError('TagKeys', `Member must be a list of 1 to ${MAX_TAGS_PER_RESOURCE} tag keys`, tagKeys);
  }
  for (const key of tagKeys) {
    if (typeof key !== 'string' || key.length < 1 || key.length > 128) throw validationError('TagKeys.member', 'Member must have length between 1 and 128', key);
  }
  const kept = { ...(target.tags ?? {}) };
  for (const key of tagKeys as string[]) delete kept[key];
  target.tags = kept;
}

export function checkPolicy(policy: unknown): string {
  if (typeof policy !== 'string' || policy.length === 0) throw validationError('Policy', 'Member must be a non-empty string', policy);
  if (policy.length > 20_480) throw limitExceeded('Policy is larger than 20 KiB', 'Policy');
  let parsed: unknown;
  try {
    parsed = JSON.parse(policy);
  } catch {
    throw invalidArgument('Policy is not a valid JSON policy document', 'Policy');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw invalidArgument('Policy must be a JSON object', 'Policy');
  return policy;
}

/** A change to a stream's recorded settings: `null` clears a setting, undefined leaves it. */
export interface StreamSettingsChange {
  encryption?: { type: 'KMS'; keyId: string } | null;
  /** The metrics to add (`enable`) or remove; `ALL` means all seven. */
  shardLevelMetrics?: { enable: boolean; metrics: string[] };
  warmThroughputMiBps?: number;
}

/** Applies a settings change, validated first; returns the settings before and after. */
export function changeSettings(current: StreamSettings | undefined, change: StreamSettingsChange): { before: StreamSettings; after: StreamSettings } {
  const before: StreamSettings = { ...(current ?? {}) };
  const after: StreamSettings = { ...before };
  if (change.encryption !== undefined) {
    if (change.encryption === null) delete after.encryption;
    else {
      checkOneOf(change.encryption.type, 'EncryptionType', ['KMS']);
      if (typeof change.encryption.keyId !== 'string' || change.encryption.keyId.length < 1 || change.encryption.keyId.length > 2048) {
        throw validationError('KeyId', 'Member must have length between 1 and 2048', change.encryption.keyId);
      }
      after.encryption = { type: 'KMS', keyId: change.encryption.keyId };
    }
  }
  if (change.shardLevelMetrics !== undefined) {
    const { enable, metrics } = change.shardLevelMetrics;
    if (!Array.isArray(metrics) || metrics.length < 1) throw validationError('ShardLevelMetrics', 'Member must have length greater than or equal to 1', metrics);
    const named = new Set<string>();
    for (const m of metrics) {
      if (m === 'ALL') SHARD_LEVEL_METRICS.forEach((x) => named.add(x));
      else named.add(checkOneOf(m, 'ShardLevelMetrics.member', [...SHARD_LEVEL_METRICS, 'ALL']));
    }
    const set = new Set(before.shardLevelMetrics ?? []);
    for (const m of named) {
      if (enable) set.add(m);
      else set.delete(m);
    }
    after.shardLevelMetrics = SHARD_LEVEL_METRICS.filter((m) => set.has(m));
  }
  if (change.warmThroughputMiBps !== undefined) {
    const v = change.warmThroughputMiBps;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw validationError('WarmThroughputMiBps', 'Member must have value greater than or equal to 0', v);
    after.warmThroughputMiBps = v;
  }
  return { before, after };
}
