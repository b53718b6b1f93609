import { invalidArgument } from '../util/errors.js';

/**
 * Shard iterators are opaque base64 strings that carry the whole read position, so the log keeps no per-iterator
 * state and any number of consumers can read independently.
 */
export interface IteratorState {
  streamName: string;
  /** Creation time of the stream, so an iterator of a deleted stream never reads a new one of the same name. */
  streamCreatedAtMs: number;
  shardId: string;
  /** The next record to read is the first with a counter >= this. */
  counter: number;
  issuedAtMs: number;
}

/** Kinesis iterators expire five minutes after they are issued. */
export const ITERATOR_LIFETIME_MS = 5 * 60 * 1000;

export function encodeIterator(s: IteratorState): string {
  const body = [s.streamName, s.streamCreatedAtMs, s.shardId, s.counter, s.issuedAtMs].join('|');
  return Buffer.from(`v1|${body}`, 'utf8').toString('base64');
}

export function decodeIterator(text: unknown): IteratorState {
  if (typeof text !== 'string' || text.length === 0 || text.length > 512) {
    throw invalidArgument('ShardIterator must be a string of 1 to 512 characters', 'ShardIterator');
  }
  const parts = Buffer.from(text, 'base64').toString('utf8').split('|');
  const [version, streamName, created, shardId, counter, issued] = parts;
  const numbers = [Number(created), Number(counter), Number(issued)];
  if (parts.length !== 6 || version !== 'v1' || !streamName || !shardId || !numbers.every(Number.isSafeInteger)) {
    throw invalidArgument('Invalid ShardIterator: it was not issued by this log', 'ShardIterator');
  }
  return { streamName, streamCreatedAtMs: numbers[0]!, shardId, counter: numbers[1]!, issuedAtMs: numbers[2]! };
}
