import { crc32 } from 'node:zlib';
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
  const body = ['v2', s.streamName, s.streamCreatedAtMs, s.shardId, s.counter, s.issuedAtMs].join('|');
  return Buffer.from(`${body}|${checksum(body)}`, 'utf8').toString('base64');
}

export function decodeIterator(text: unknown): IteratorState {
  if (typeof text !== 'string' || text.length === 0 || text.length > 512) {
    throw invalidArgument('ShardIterator must be a string of 1 to 512 characters', 'ShardIterator');
  }
  const bytes = Buffer.from(text, 'base64');
  const decoded = bytes.toString('utf8');
  const cut = decoded.lastIndexOf('|');
  const body = decoded.slice(0, cut);
  const parts = body.split('|');
  const [version, streamName, created, shardId, counter, issued] = parts;
  const numbers = [Number(created), Number(counter), Number(issued)];
  // Buffer's decoder skips characters it cannot read, so only the exact encoding of what it read is ours.
  const intact = cut > 0 && bytes.toString('base64') === text && decoded.slice(cut + 1) === checksum(body);
  if (!intact || parts.length !== 6 || version !== 'v2' || !streamName || !shardId || !numbers.every(Number.isSafeInteger)) {
    throw invalidArgument('Invalid ShardIterator: it was not issued by this log', 'ShardIterator');
  }
  return { streamName, streamCreatedAtMs: numbers[0]!, shardId, counter: numbers[1]!, issuedAtMs: numbers[2]! };
}

/**
 * A damaged or edited iterator must be refused, not read from another position or live past its expiry. A CRC
 * catches any change of a few characters; it is a check against mistakes, not a signature.
 */
function checksum(body: string): string {
  return crc32(body).toString(36);
}
