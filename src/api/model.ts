import { ApiError, serializationError } from './errors.js';

/**
 * A service model as `scripts/gen-model.mjs` extracts it from an AWS model: operations and the shapes they reach, with
 * the constraints validation needs. The server reads requests and writes replies by walking these shapes, so blobs,
 * timestamps and constraints are handled in one place for every service.
 */
export interface ServiceModel {
  source: string;
  targetPrefix: string;
  jsonVersion: string;
  operations: Record<string, { input?: string; output?: string; errors: string[] }>;
  shapes: Record<string, Shape>;
}

export interface Shape {
  type: 'structure' | 'list' | 'map' | 'string' | 'integer' | 'long' | 'boolean' | 'blob' | 'timestamp' | 'double' | 'float';
  min?: number;
  max?: number;
  pattern?: string;
  enum?: string[];
  required?: string[];
  members?: Record<string, string>;
  member?: string;
  key?: string;
  value?: string;
  exception?: boolean;
  eventstream?: boolean;
}

export type Encoding = 'json' | 'cbor';

/** What the CBOR decoder makes of tag 1 (a timestamp); the number's unit depends on the sender (see codec.ts). */
export class CborTimestamp {
  constructor(readonly value: number | bigint) {}
}

/** Most validation errors listed in one message, as AWS does. */
const MAX_LISTED = 10;

/** A model with its patterns compiled once. */
export class CompiledModel {
  private readonly patterns = new Map<string, RegExp>();

  constructor(readonly model: ServiceModel) {
    for (const [name, shape] of Object.entries(model.shapes)) {
      // AWS patterns are Java regular expressions matched against the whole value.
      if (shape.pattern !== undefined) this.patterns.set(name, new RegExp(`^(?:${shape.pattern})$`));
    }
  }

  hasOperation(name: string): boolean {
    return Object.hasOwn(this.model.operations, name);
  }

  /**
   * Reads a decoded request body into the operation's input: PascalCase members as in the model, blobs as Buffers,
   * timestamps as milliseconds since the epoch. Wrong types raise SerializationException; constraint violations raise
   * one ValidationException that lists them all.
   */
  readInput(operation: string, body: unknown, encoding: Encoding): Record<string, unknown> {
    const op = this.model.operations[operation]!;
    if (!op.input) return {};
    const violations: string[] = [];
    const value = this.read(op.input, body ?? {}, '', encoding, violations);
    if (violations.length > 0) {
      const n = violations.length;
      const listed = violations.slice(0, MAX_LISTED).join('; ');
      throw new ApiError('ValidationException', `${n} validation error${n === 1 ? '' : 's'} detected: ${listed}`);
    }
    return value as Record<string, unknown>;
  }

  private read(shapeName: string, value: unknown, path: string, encoding: Encoding, violations: string[]): unknown {
    const shape = this.model.shapes[shapeName]!;
    const where = path || 'the request body';
    switch (shape.type) {
      case 'structure': {
        if (!isPlainObject(value)) throw typeError(where, 'a structure', value);
        const out: Record<string, unknown> = {};
        for (const [member, memberShape] of Object.entries(shape.members ?? {})) {
          const raw = Object.hasOwn(value, member) ? (value as Record<string, unknown>)[member] : undefined;
          const memberPath = path ? `${path}.${lowerFirst(member)}` : lowerFirst(member);
          if (raw === undefined || raw === null) {
            if (shape.required?.includes(member)) violations.push(violation(null, memberPath, 'Member must not be null'));
            continue;
          }
          out[member] = this.read(memberShape, raw, memberPath, encoding, violations);
        }
        return out;
      }
      case 'list': {
        if (!Array.isArray(value)) throw typeError(where, 'a list', value);
        this.checkLength(shape, value.length, value, path, violations);
        const out = new Array<unknown>(value.length);
        for (let i = 0; i < value.length; i++) {
          const item = value[i];
          const itemPath = `${path}.${i + 1}.member`;
          if (item === null || item === undefined) {
            violations.push(violation(null, itemPath, 'Member must not be null'));
            continue;
          }
          out[i] = this.read(shape.member!, item, itemPath, encoding, violations);
        }
        return out;
      }
      case 'map': {
        if (!isPlainObject(value)) throw typeError(where, 'a map', value);
        const entries = Object.entries(value);
        this.checkLength(shape, entries.length, value, path, violations);
        const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
        for (const [k, v] of entries) {
          this.read(shape.key!, k, `${path}.key`, encoding, violations);
          if (v === null || v === undefined) {
            violations.push(violation(null, `${path}.${k}`, 'Member must not be null'));
            continue;
          }
          out[k] = this.read(shape.value!, v, `${path}.${k}`, encoding, violations);
        }
        return { ...out };
      }
      case 'string': {
        if (typeof value !== 'string') throw typeError(where, 'a string', value);
        this.checkLength(shape, value.length, value, path, violations);
        const pattern = this.patterns.get(shapeName);
        // A value already too long is not also matched: patterns with several `.*` backtrack on long inputs.
        if (pattern && (shape.max === undefined || value.length <= shape.max) && !pattern.test(value)) {
          violations.push(violation(value, path, `Member must satisfy regular expression pattern: ${shape.pattern}`));
        }
        if (shape.enum && !shape.enum.includes(value)) {
          violations.push(violation(value, path, `Member must satisfy enum value set: [${shape.enum.join(', ')}]`));
        }
        return value;
      }
      case 'integer':
      case 'long': {
        const n = typeof value === 'bigint' && value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
        const int32 = shape.type === 'integer';
        if (typeof n !== 'number' || !Number.isSafeInteger(n) || (int32 && (n > 2 ** 31 - 1 || n < -(2 ** 31)))) {
          throw typeError(where, int32 ? 'an integer' : 'a long integer', value);
        }
        if (shape.min !== undefined && n < shape.min) violations.push(violation(n, path, `Member must have value greater than or equal to ${shape.min}`));
        if (shape.max !== undefined && n > shape.max) violations.push(violation(n, path, `Member must have value less than or equal to ${shape.max}`));
        return n;
      }
      case 'double':
      case 'float': {
        if (typeof value !== 'number') throw typeError(where, 'a number', value);
        return value;
      }
      case 'boolean': {
        if (typeof value !== 'boolean') throw typeError(where, 'a boolean', value);
        return value;
      }
      case 'blob': {
        let bytes: Buffer;
        if (encoding === 'json') {
          if (typeof value !== 'string') throw typeError(where, 'a base64-encoded string', value);
          bytes = decodeBase64(value, where);
        } else {
          if (!(value instanceof Uint8Array)) throw typeError(where, 'a byte string', value);
          bytes = Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
        }
        this.checkLength(shape, bytes.byteLength, bytes, path, violations);
        return bytes;
      }
      case 'timestamp':
        return readTimestamp(value, where, encoding);
      default:
        throw new ApiError('InternalFailureException', `The model's shape ${shapeName} has an unsupported type ${String(shape.type)}`, 500);
    }
  }

  private checkLength(shape: Shape, length: number, value: unknown, path: string, violations: string[]): void {
    if (shape.min !== undefined && length < shape.min) violations.push(violation(value, path, `Member must have length greater than or equal to ${shape.min}`));
    if (shape.max !== undefined && length > shape.max) violations.push(violation(value, path, `Member must have length less than or equal to ${shape.max}`));
  }

  /**
   * A handler's output as the wire wants it: members the shape does not name are dropped, blobs become base64 (JSON)
   * or stay bytes (CBOR), timestamps (ms since the epoch) become epoch seconds with a fraction (JSON) or integer
   * milliseconds (CBOR, as the Java SDK reads them).
   */
  writeOutput(shapeName: string, value: unknown, encoding: Encoding): unknown {
    const shape = this.model.shapes[shapeName]!;
    switch (shape.type) {
      case 'structure': {
        const source = value as Record<string, unknown>;
        const out: Record<string, unknown> = {};
        for (const [member, memberShape] of Object.entries(shape.members ?? {})) {
          const v = source[member];
          if (v !== undefined && v !== null) out[member] = this.writeOutput(memberShape, v, encoding);
        }
        return out;
      }
      case 'list':
        return (value as unknown[]).map((v) => this.writeOutput(shape.member!, v, encoding));
      case 'map': {
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(value as object)) out[k] = this.writeOutput(shape.value!, v, encoding);
        return out;
      }
      case 'blob': {
        const bytes = value as Uint8Array;
        if (encoding === 'cbor') return bytes;
        return (Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)).toString('base64');
      }
      case 'timestamp': {
        const ms = value as number;
        // A BigInt goes out as a CBOR integer whatever its size, as the Java SDK expects.
        if (encoding === 'cbor') return Number.isSafeInteger(ms) ? BigInt(ms) : ms;
        return ms / 1000;
      }
      default:
        return value;
    }
  }
}

function readTimestamp(value: unknown, where: string, encoding: Encoding): number {
  if (encoding === 'json') {
    // AWS JSON 1.1: epoch seconds, with a fraction. The CLI and SDKs send numbers; numeric strings are taken too.
    const seconds = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
    if (typeof seconds !== 'number' || !Number.isFinite(seconds)) throw typeError(where, 'a timestamp (epoch seconds)', value);
    return Math.round(seconds * 1000);
  }
  // CBOR: the Java SDK writes tag 1 around integer epoch milliseconds (not the seconds RFC 8949 gives tag 1).
  const inner = value instanceof CborTimestamp ? value.value : value;
  const ms = typeof inner === 'bigint' && inner <= BigInt(Number.MAX_SAFE_INTEGER) && inner >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(inner) : inner;
  if (typeof ms !== 'number' || !Number.isFinite(ms)) throw typeError(where, 'a timestamp (epoch milliseconds)', value);
  return Math.round(ms);
}

/** Standard base64 characters, then at most two '=' (one class, no groups: linear on 14 MB strings). */
const BASE64_CHARS = /^[A-Za-z0-9+/]*(={0,2})$/;

function decodeBase64(text: string, where: string): Buffer {
  // Buffer.from skips what it cannot read; AWS refuses it. The padding may be left out (Java's decoder allows it),
  // but if present it must complete a group of four.
  const m = BASE64_CHARS.exec(text);
  const padding = m ? m[1]!.length : 0;
  const bare = text.length - padding;
  if (!m || bare % 4 === 1 || (padding > 0 && (text.length % 4 !== 0 || bare % 4 === 0))) {
    throw serializationError(`Value at '${where}' is not valid base64`);
  }
  return Buffer.from(text, 'base64');
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array) && !(value instanceof CborTimestamp);
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}

function typeError(where: string, expected: string, value: unknown): ApiError {
  return serializationError(`Expected ${expected} at '${where}', got ${describeType(value)}`);
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (value instanceof Uint8Array) return 'a byte string';
  if (value instanceof CborTimestamp) return 'a timestamp';
  if (typeof value === 'bigint') return 'an integer out of range';
  if (typeof value === 'number') return Number.isInteger(value) ? 'an integer' : 'a number with a fraction';
  if (typeof value === 'object') return 'a structure';
  return `a ${typeof value}`;
}

/** `Value 'x' at 'streamName' failed to satisfy constraint: ...`, the way AWS words it. */
function violation(value: unknown, path: string, constraint: string): string {
  return `Value ${renderValue(value)} at '${path}' failed to satisfy constraint: ${constraint}`;
}

function renderValue(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (value instanceof Uint8Array) return `'<${value.byteLength} bytes>'`;
  if (Array.isArray(value)) return `'[<${value.length} items>]'`;
  if (typeof value === 'object') return `'{<${Object.keys(value).length} entries>}'`;
  const s = String(value);
  return `'${s.length > 256 ? `${s.slice(0, 253)}...` : s}'`;
}
