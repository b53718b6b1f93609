import net from 'node:net';
import { decode, encode, Token, Type } from 'cborg';

/** Dates as tag 1 around epoch milliseconds, as the Java SDK sends timestamps. */
const epochMillis = (d: unknown) => (d instanceof Date && !Number.isNaN(d.getTime()) ? [new Token(Type.tag, 1), new Token(d.getTime() < 0 ? Type.negint : Type.uint, d.getTime())] : null);
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kinesisModel } from '../../src/api/index.js';
import { startTestServer, type TestServer } from './helpers.js';
import { CBOR_TYPE, Http2Client, http1Request, JSON_TYPE, javaCbor, type RawResponse } from './raw.js';

/**
 * Request fuzzing over raw HTTP/1.1 and HTTP/2: bodies generated from the model (mostly valid), then mutated (wrong
 * types, bad base64, out-of-range values, truncation, random bytes), sent with good, unknown or missing headers. Every
 * answer must be a 200 or a well-formed 4xx error in the request's encoding with a known code, never a 5xx; and the
 * server must still answer afterwards.
 */
const model = kinesisModel().model;
const operations = Object.keys(model.operations);
const PROTOCOL_CODES = ['SerializationException', 'UnknownOperationException', 'ValidationException'];
const KNOWN_CODES = new Set([...Object.values(model.operations).flatMap((o) => o.errors), ...PROTOCOL_CODES]);

/** A value for a shape: usually within its constraints, sometimes not. */
function valueFor(shapeName: string, depth = 0): fc.Arbitrary<unknown> {
  const shape = model.shapes[shapeName]!;
  switch (shape.type) {
    case 'structure': {
      if (depth > 4) return fc.constant({});
      const members = Object.fromEntries(Object.entries(shape.members ?? {}).map(([m, s]) => [m, valueFor(s, depth + 1)]));
      return fc.record(members, { requiredKeys: [] });
    }
    case 'list':
      return fc.array(valueFor(shape.member!, depth + 1), { maxLength: 3 });
    case 'map':
      return fc.dictionary(fc.string({ minLength: 1, maxLength: 5 }), valueFor(shape.value!, depth + 1), { maxKeys: 3 });
    case 'string': {
      const options: fc.Arbitrary<unknown>[] = [fc.string({ maxLength: 20 })];
      if (shape.enum) options.push(fc.constantFrom(...shape.enum));
      if (shape.pattern) options.push(fc.stringMatching(new RegExp(`^(?:${shape.pattern})$`)).filter((s) => s.length <= (shape.max ?? 300)));
      if (shape.max !== undefined && shape.max <= 1000) options.push(fc.constant('x'.repeat(shape.max + 1)));
      return fc.oneof(...options);
    }
    case 'integer':
    case 'long':
      return fc.oneof(fc.integer({ min: -2, max: 12 }), fc.integer({ min: -20_000, max: 20_000 }), fc.constant(2 ** 31), fc.constant(-1));
    case 'boolean':
      return fc.boolean();
    case 'blob':
      return fc.uint8Array({ maxLength: 32 }).map((b) => Buffer.from(b));
    case 'timestamp':
      return fc.oneof(fc.date({ min: new Date(0), max: new Date(Date.UTC(2100, 0, 1)), noInvalidDate: true }), fc.constant(new Date(Date.UTC(2026, 0, 1))));
    default:
      return fc.anything();
  }
}

/** Replaces one member (at the top level) with junk of the wrong type. */
const junk = fc.oneof(
  fc.constant('not base64!'),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.string({ maxLength: 10 }),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.object({ maxDepth: 2 }),
  fc.constant(null),
);

interface Case {
  transport: 'http1' | 'http2';
  encoding: 'json' | 'cbor' | 'java-cbor';
  target: { kind: 'valid' | 'unknown' | 'missing' | 'prefix-only'; op: string };
  body: Record<string, unknown>;
  mutation: { kind: 'none' | 'wrong-type' | 'bad-base64' | 'truncate' | 'random-bytes' | 'drop-content-type'; member?: string; junk?: unknown; cut?: number; bytes?: Uint8Array };
}

const caseArb: fc.Arbitrary<Case> = fc
  .constantFrom(...operations)
  .chain((op) =>
    fc.record({
      transport: fc.constantFrom('http1' as const, 'http2' as const),
      encoding: fc.constantFrom('json' as const, 'cbor' as const, 'java-cbor' as const),
      target: fc.oneof(
        { weight: 8, arbitrary: fc.constant({ kind: 'valid' as const, op }) },
        { weight: 1, arbitrary: fc.string({ minLength: 1, maxLength: 12 }).map((s) => ({ kind: 'unknown' as const, op: `Nope${s.replace(/[^A-Za-z]/g, '')}` })) },
        { weight: 1, arbitrary: fc.constant({ kind: 'missing' as const, op }) },
        { weight: 1, arbitrary: fc.constant({ kind: 'prefix-only' as const, op }) },
      ),
      body: valueFor(model.operations[op]!.input!) as fc.Arbitrary<Record<string, unknown>>,
      mutation: fc.oneof(
        { weight: 4, arbitrary: fc.constant({ kind: 'none' as const }) },
        { weight: 3, arbitrary: fc.record({ kind: fc.constant('wrong-type' as const), member: fc.constantFrom(...membersOf(op)), junk }) },
        { weight: 1, arbitrary: fc.constant({ kind: 'bad-base64' as const }) },
        { weight: 2, arbitrary: fc.record({ kind: fc.constant('truncate' as const), cut: fc.nat() }) },
        { weight: 1, arbitrary: fc.record({ kind: fc.constant('random-bytes' as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 64 }) }) },
        { weight: 1, arbitrary: fc.constant({ kind: 'drop-content-type' as const }) },
      ),
    }),
  );

function membersOf(op: string): string[] {
  const members = Object.keys(model.shapes[model.operations[op]!.input!]!.members ?? {});
  return members.length > 0 ? members : ['Unmodelled'];
}

function toJson(value: unknown): unknown {
  if (Buffer.isBuffer(value)) return value.toString('base64');
  if (value instanceof Date) return value.getTime() / 1000;
  if (Array.isArray(value)) return value.map(toJson);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJson(v)]));
  return value;
}

function build(c: Case): { headers: Record<string, string>; body: Buffer; expect?: string } {
  const body: Record<string, unknown> = { ...c.body };
  let expected: string | undefined;
  if (c.mutation.kind === 'wrong-type' && c.mutation.member) body[c.mutation.member] = c.mutation.junk;
  if (c.mutation.kind === 'bad-base64' && c.encoding === 'json' && c.target.op === 'PutRecord') {
    body.Data = '@@@=';
    if (c.target.kind === 'valid') expected = 'SerializationException';
  }
  let bytes: Buffer =
    c.encoding === 'json' ? Buffer.from(JSON.stringify(toJson(body))) : c.encoding === 'cbor' ? Buffer.from(encode(body, { typeEncoders: { Date: epochMillis } })) : javaCbor(body);
  if (c.mutation.kind === 'truncate' && bytes.length > 1) {
    bytes = bytes.subarray(0, c.mutation.cut! % bytes.length);
    // A truncated CBOR item never decodes; a truncated JSON document might (e.g. "{}" cut to ""), so only CBOR is sure.
    if (c.encoding !== 'json' && bytes.length > 0 && c.target.kind === 'valid') expected = 'SerializationException';
  }
  if (c.mutation.kind === 'random-bytes') bytes = Buffer.from(c.mutation.bytes!);
  const headers: Record<string, string> = {};
  if (c.mutation.kind !== 'drop-content-type') headers['content-type'] = c.encoding === 'json' ? JSON_TYPE : CBOR_TYPE;
  if (c.target.kind === 'valid') headers['x-amz-target'] = `Kinesis_20131202.${c.target.op}`;
  if (c.target.kind === 'unknown') headers['x-amz-target'] = `Kinesis_20131202.${c.target.op}`;
  if (c.target.kind === 'prefix-only') headers['x-amz-target'] = 'Kinesis_20131202';
  if (c.target.kind !== 'valid') expected = 'UnknownOperationException';
  return { headers, body: bytes, expect: expected };
}

describe('request fuzzing', () => {
  let t: TestServer;
  let h2: Http2Client;
  beforeAll(async () => {
    t = await startTestServer({ shardLimit: 8 });
    h2 = new Http2Client(t.server.url);
    await t.log.createStream({ streamName: 'fuzz', shardCount: 2 });
  });
  afterAll(async () => {
    h2.close();
    await t.close();
  });

  it('always answers 200 or a well-formed 4xx error with a known code, in the request encoding', async () => {
    await fc.assert(
      fc.asyncProperty(caseArb, async (c) => {
        const req = build(c);
        const res: RawResponse = c.transport === 'http1' ? await http1Request(t.server.url, req) : await h2.request(req);
        expect(res.status === 200 || (res.status >= 400 && res.status < 500), `status ${res.status}: ${res.body.toString('utf8').slice(0, 300)}`).toBe(true);
        if (res.status === 200) return;
        const cborReply = req.headers['content-type'] === CBOR_TYPE && req.expect !== 'UnknownOperationException';
        const type = res.headers['content-type'];
        const err = (type === CBOR_TYPE ? decode(res.body) : JSON.parse(res.body.toString('utf8'))) as { __type: unknown; message: unknown };
        if (cborReply) expect(type).toBe(CBOR_TYPE);
        expect(Object.keys(err).sort()).toEqual(['__type', 'message']);
        expect(typeof err.message).toBe('string');
        expect(KNOWN_CODES.has(err.__type as string), String(err.__type)).toBe(true);
        expect(res.headers['x-amzn-errortype']).toBe(err.__type);
        if (req.expect) expect(err.__type).toBe(req.expect);
      }),
      { numRuns: 400 },
    );
    // Still up, over both protocols.
    const ok = { headers: { 'content-type': JSON_TYPE, 'x-amz-target': 'Kinesis_20131202.DescribeStreamSummary' }, body: Buffer.from('{"StreamName":"fuzz"}') };
    expect((await http1Request(t.server.url, ok)).status).toBe(200);
    expect((await h2.request(ok)).status).toBe(200);
  });

  it('answers bad base64 in every blob position and wrong scalar types with SerializationException', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('A', 'AB=', 'A===', '****', 'QQ==QQ==', ' QQ==', 'Q-_A'),
        fc.constantFrom('http1' as const, 'http2' as const),
        async (data, transport) => {
          const req = { headers: { 'content-type': JSON_TYPE, 'x-amz-target': 'Kinesis_20131202.PutRecords' }, body: Buffer.from(JSON.stringify({ StreamName: 'fuzz', Records: [{ PartitionKey: 'k', Data: 'QQ==' }, { PartitionKey: 'k', Data: data }] })) };
          const res = transport === 'http1' ? await http1Request(t.server.url, req) : await h2.request(req);
          expect(res.status).toBe(400);
          expect(JSON.parse(res.body.toString()).__type).toBe('SerializationException');
        },
      ),
    );
  });
});

describe('connection fuzzing', () => {
  it('survives random bytes on raw connections (after an HTTP/2 preface, an HTTP/1.1 request line, or nothing)', async () => {
    const t = await startTestServer();
    const h2 = new Http2Client(t.server.url);
    try {
      const { port } = t.server;
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom('', 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'PRI * HTTP/2', 'POST / HTTP/1.1\r\n', '\x16\x03\x01'),
          fc.uint8Array({ maxLength: 300 }),
          async (prefix, bytes) => {
            await new Promise<void>((resolve) => {
              const socket = net.connect(port, '127.0.0.1', () => {
                socket.end(Buffer.concat([Buffer.from(prefix, 'latin1'), Buffer.from(bytes)]));
              });
              socket.on('data', () => {});
              socket.on('error', () => resolve());
              socket.on('close', () => resolve());
              // The server closes what it cannot parse; a connection it keeps open waiting for more is closed here.
              socket.setTimeout(200, () => socket.destroy());
            });
          },
        ),
        { numRuns: 60 },
      );
      const ok = { headers: { 'content-type': JSON_TYPE, 'x-amz-target': 'Kinesis_20131202.ListStreams' }, body: Buffer.from('{}') };
      expect((await http1Request(t.server.url, ok)).status).toBe(200);
      expect((await h2.request(ok)).status).toBe(200);
    } finally {
      h2.close();
      await t.close();
    }
  });
});
