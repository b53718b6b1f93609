import { SluiceError, invalidArgument } from '../util/errors.js';

/**
 * Checks of request fields against the constraints of the Kinesis service model. A failure names the field and the
 * limit, in the words AWS uses, and is raised before anything changes.
 */
const NAME = /^[a-zA-Z0-9_.-]+$/;

export function validationError(field: string, constraint: string, value: unknown): SluiceError {
  return new SluiceError(
    'ValidationException',
    `1 validation error detected: Value ${previewValue(value)} at '${field}' failed to satisfy constraint: ${constraint}`,
    field,
  );
}

export function checkName(value: unknown, field: string): string {
  if (typeof value !== 'string') throw validationError(field, 'Member must be a string', value);
  if (value.length < 1 || value.length > 128) {
    throw validationError(field, 'Member must have length between 1 and 128', value);
  }
  if (!NAME.test(value)) {
    throw validationError(field, 'Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+', value);
  }
  return value;
}

export function checkInteger(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) throw validationError(field, 'Member must be an integer', value);
  if (value < min) throw validationError(field, `Member must have value greater than or equal to ${min}`, value);
  if (value > max) throw validationError(field, `Member must have value less than or equal to ${max}`, value);
  return value;
}

export function checkPartitionKey(value: unknown, field: string): string {
  if (typeof value !== 'string') throw validationError(field, 'Member must be a string', value);
  if (value.length < 1) throw validationError(field, 'Member must have length greater than or equal to 1', value);
  if (value.length > 256) throw validationError(field, 'Member must have length less than or equal to 256', value);
  return value;
}

export function checkData(value: unknown, field: string): Uint8Array {
  if (!(value instanceof Uint8Array)) throw validationError(field, 'Member must be binary data (a Uint8Array)', value);
  return value;
}

export function checkOneOf<T extends string>(value: unknown, field: string, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !allowed.includes(value as T)) {
    throw validationError(field, `Member must satisfy enum value set: [${allowed.join(', ')}]`, value);
  }
  return value as T;
}

/**
 * Tags: a plain object of at most 200 string values (0 to 256 characters) under keys of 1 to 128 characters, as in the
 * service model. Checked because they are stored in the metadata as given.
 */
export function checkTags(value: unknown, field = 'Tags'): Record<string, string> {
  if (value === undefined) return {};
  const proto = typeof value === 'object' && value !== null ? Object.getPrototypeOf(value) : undefined;
  if (proto !== Object.prototype && proto !== null) throw validationError(field, 'Member must be a map of strings to strings', value);
  const entries = Object.entries(value as object);
  if (entries.length > 200) throw validationError(field, 'Member must have at most 200 entries', `<${entries.length} tags>`);
  for (const [key, tag] of entries) {
    if (key.length < 1 || key.length > 128) throw validationError(`${field}.key`, 'Member must have length between 1 and 128', key);
    if (typeof tag !== 'string') throw validationError(`${field}.${key}`, 'Member must be a string', tag);
    if (tag.length > 256) throw validationError(`${field}.${key}`, 'Member must have length less than or equal to 256', tag);
  }
  return Object.fromEntries(entries) as Record<string, string>;
}

/** A record's size for the per-record limit: its data plus its partition key's UTF-8 bytes. */
export function checkRecordSize(dataBytes: number, keyBytes: number, maxKiB: number, field: string): void {
  if (dataBytes + keyBytes > maxKiB * 1024) {
    throw invalidArgument(
      `${field}: record size ${dataBytes + keyBytes} bytes (data ${dataBytes} + partition key ${keyBytes}) exceeds the stream's limit of ${maxKiB} KiB`,
      field,
    );
  }
}

/** A short rendering of any input for an error message. It must not throw, whatever junk it is given. */
export function previewValue(value: unknown): string {
  if (value instanceof Uint8Array) return `<${value.byteLength} bytes>`;
  let s: string;
  try {
    s = typeof value === 'string' ? `'${value}'` : String(value);
  } catch {
    // An object without a prototype (or with a throwing toString) has no string form of its own.
    s = Object.prototype.toString.call(value);
  }
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}
