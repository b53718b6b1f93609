import { crc32 } from 'node:zlib';

/**
 * The AWS event stream framing (`application/vnd.amazon.eventstream`), used by SubscribeToShard replies. A message is
 * a 12-byte prelude (total length, headers length, CRC32 of those 8 bytes), the headers, the payload, and a CRC32 of
 * everything before it. Headers here are all strings (type 7): name length (1 byte), name, 7, value length (2 bytes),
 * value.
 */
export const EVENT_STREAM_CONTENT_TYPE = 'application/vnd.amazon.eventstream';

export function encodeMessage(headers: Record<string, string>, payload: Uint8Array): Buffer {
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(headers)) {
    const n = Buffer.from(name, 'utf8');
    const v = Buffer.from(value, 'utf8');
    const h = Buffer.allocUnsafe(1 + n.length + 1 + 2 + v.length);
    h.writeUInt8(n.length, 0);
    n.copy(h, 1);
    h.writeUInt8(7, 1 + n.length);
    h.writeUInt16BE(v.length, 2 + n.length);
    v.copy(h, 4 + n.length);
    parts.push(h);
  }
  const headerBytes = Buffer.concat(parts);
  const total = 12 + headerBytes.length + payload.byteLength + 4;
  const out = Buffer.allocUnsafe(total);
  out.writeUInt32BE(total, 0);
  out.writeUInt32BE(headerBytes.length, 4);
  out.writeUInt32BE(crc32(out.subarray(0, 8)), 8);
  headerBytes.copy(out, 12);
  out.set(payload, 12 + headerBytes.length);
  out.writeUInt32BE(crc32(out.subarray(0, total - 4)), total - 4);
  return out;
}

export interface DecodedMessage {
  headers: Record<string, string>;
  payload: Buffer;
}

/** Splits a buffer of whole messages (checking both CRCs); for tests and tools. */
export function decodeMessages(bytes: Buffer): DecodedMessage[] {
  const out: DecodedMessage[] = [];
  let at = 0;
  while (at < bytes.length) {
    const total = bytes.readUInt32BE(at);
    const headersLength = bytes.readUInt32BE(at + 4);
    if (bytes.readUInt32BE(at + 8) !== crc32(bytes.subarray(at, at + 8))) throw new Error('event stream: bad prelude CRC');
    if (bytes.readUInt32BE(at + total - 4) !== crc32(bytes.subarray(at, at + total - 4))) throw new Error('event stream: bad message CRC');
    const headers: Record<string, string> = {};
    let h = at + 12;
    while (h < at + 12 + headersLength) {
      const nameLength = bytes.readUInt8(h);
      const name = bytes.toString('utf8', h + 1, h + 1 + nameLength);
      const type = bytes.readUInt8(h + 1 + nameLength);
      if (type !== 7) throw new Error(`event stream: header type ${type} not supported here`);
      const valueLength = bytes.readUInt16BE(h + 2 + nameLength);
      headers[name] = bytes.toString('utf8', h + 4 + nameLength, h + 4 + nameLength + valueLength);
      h += 4 + nameLength + valueLength;
    }
    out.push({ headers, payload: bytes.subarray(at + 12 + headersLength, at + total - 4) });
    at += total;
  }
  return out;
}

/** What a handler returns to answer with an event stream instead of one reply. */
export class EventStreamReply {
  constructor(readonly run: (writer: EventStreamWriter) => Promise<void>) {}
}

export interface EventStreamWriter {
  /** True once the client went away or the stream was ended. */
  readonly closed: boolean;
  /** Sends an event whose payload is `value` shaped by the model's `shape`; resolves when the transport can take more. */
  event(eventType: string, shape: string, value: object): Promise<void>;
  /** Sends an exception event (the stream should end after it). */
  exception(code: string, message: string): void;
  end(): void;
  onClose(listener: () => void): void;
}
