// cbor-x is pinned (1.6.9, exact) because this module relies on details of its behaviour that a minor release could
// change: tag 1 is re-registered globally to keep the Java SDK's epoch *milliseconds* from being read as RFC 8949
// seconds, uint64 values decode as BigInt, `tagUint8Array: false` writes Buffers as plain byte strings, and
// `useRecords: false` keeps its record extension (tag 105) off the wire. Its optional native accelerator
// (cbor-extract) is not needed: the pure JavaScript decoder is used when the native one is not built.
import { addExtension, Decoder, Encoder } from 'cbor-x';
import { serializationError } from './errors.js';
import { CborTimestamp, type Encoding } from './model.js';

export const JSON_CONTENT_TYPE = 'application/x-amz-json-1.1';
export const CBOR_CONTENT_TYPE = 'application/x-amz-cbor-1.1';

addExtension({
  Class: CborTimestamp,
  tag: 1,
  encode(value: CborTimestamp, encode: (v: unknown) => Buffer) {
    return encode(value.value);
  },
  decode(value: unknown) {
    return new CborTimestamp(value as number | bigint);
  },
});

const decoder = new Decoder({ mapsAsObjects: true, useRecords: false });
const encoder = new Encoder({ mapsAsObjects: true, useRecords: false, tagUint8Array: false });

/** The encoding a Content-Type names; undefined for one we do not speak. A missing Content-Type means JSON. */
export function encodingOf(contentType: string | undefined): Encoding | undefined {
  if (contentType === undefined || contentType === '') return 'json';
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  if (type === JSON_CONTENT_TYPE || type === 'application/x-amz-json-1.0' || type === 'application/json') return 'json';
  if (type === CBOR_CONTENT_TYPE || type === 'application/cbor') return 'cbor';
  return undefined;
}

export function contentTypeOf(encoding: Encoding): string {
  return encoding === 'cbor' ? CBOR_CONTENT_TYPE : JSON_CONTENT_TYPE;
}

/** A request body as a plain value; an empty body is an empty structure. Anything unreadable is a SerializationException. */
export function decodeBody(body: Buffer, encoding: Encoding): unknown {
  if (body.length === 0) return {};
  try {
    if (encoding === 'json') return JSON.parse(body.toString('utf8'));
    // decodeMultiple would take trailing items; a body is exactly one CBOR item.
    return decoder.decode(body);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw serializationError(`The request body is not valid ${encoding === 'json' ? 'JSON' : 'CBOR'}: ${why.slice(0, 200)}`);
  }
}

export function encodeBody(value: unknown, encoding: Encoding): Buffer {
  if (encoding === 'json') return Buffer.from(JSON.stringify(value), 'utf8');
  return encoder.encode(value);
}
