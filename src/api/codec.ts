// CBOR through cborg: pure JavaScript, strict (one item per body, no trailing bytes), BigInt for integers past 2^53.
// cbor-x was tried first, but its optional native accelerator's platform packages are not in the registry this
// project installs from, which leaves `npm ci` unable to use the lock file.
import { decode, encode, Token, Type } from 'cborg';
import { serializationError } from './errors.js';
import { CborTimestamp, type Encoding } from './model.js';

/** Tag 1 carries the Java SDK's epoch *milliseconds* (not RFC 8949 seconds): kept as a CborTimestamp for the model. */
const tags: ((inner: unknown) => unknown)[] = [];
tags[1] = (inner) => new CborTimestamp(inner as number | bigint);

const typeEncoders = {
  Object: (value: unknown) =>
    value instanceof CborTimestamp ? [new Token(Type.tag, 1), new Token(Type.uint, value.value)] : null,
};

export const JSON_CONTENT_TYPE = 'application/x-amz-json-1.1';
export const CBOR_CONTENT_TYPE = 'application/x-amz-cbor-1.1';

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
    // A body is exactly one CBOR item; cborg refuses trailing bytes.
    return decode(body, { tags });
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw serializationError(`The request body is not valid ${encoding === 'json' ? 'JSON' : 'CBOR'}: ${why.slice(0, 200)}`);
  }
}

export function encodeBody(value: unknown, encoding: Encoding): Buffer {
  if (encoding === 'json') return Buffer.from(JSON.stringify(value), 'utf8');
  const bytes = encode(value, { typeEncoders, ignoreUndefinedProperties: true });
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
