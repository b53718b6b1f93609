import { crc32 } from 'node:zlib';
import { ApiError } from '../errors.js';

/**
 * NextTokens of the paginated list operations: opaque base64 that carries where the next page starts (and for
 * ListShards, the stream and filter), so the server keeps no state per listing. They expire after 300 seconds, as
 * AWS's do (ExpiredNextTokenException).
 */
export const NEXT_TOKEN_LIFETIME_MS = 300_000;

export interface TokenState {
  /** Which operation issued it. */
  op: string;
  /** The stream and its creation time, for listings within a stream. */
  stream?: string;
  created?: number;
  /** The last item of the page before. */
  after: string;
  /** ListShards' filter, carried to the next pages. */
  filter?: { Type: string; ShardId?: string; Timestamp?: number };
  issued: number;
}

export function encodeToken(state: TokenState): string {
  const body = JSON.stringify(state);
  return Buffer.from(`${body}|${crc32(body).toString(36)}`, 'utf8').toString('base64');
}

export function decodeToken(token: string, op: string, nowMs: number): TokenState {
  const text = Buffer.from(token, 'base64').toString('utf8');
  const cut = text.lastIndexOf('|');
  const body = text.slice(0, cut);
  let state: TokenState | undefined;
  if (cut > 0 && text.slice(cut + 1) === crc32(body).toString(36)) {
    try {
      state = JSON.parse(body) as TokenState;
    } catch {
      state = undefined;
    }
  }
  if (!state || state.op !== op || typeof state.after !== 'string' || typeof state.issued !== 'number') {
    throw new ApiError('InvalidArgumentException', `Invalid NextToken for ${op}`);
  }
  if (nowMs - state.issued > NEXT_TOKEN_LIFETIME_MS) {
    throw new ApiError('ExpiredNextTokenException', `The NextToken has expired: it was issued more than ${NEXT_TOKEN_LIFETIME_MS / 1000} seconds ago`);
  }
  return state;
}
