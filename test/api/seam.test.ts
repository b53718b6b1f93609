import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CompiledModel, kinesisService, startApiServer, type ApiServer, type Service } from '../../src/api/index.js';
import { openLog, SluiceError, type Log } from '../../src/index.js';
import { CBOR_TYPE, Http2Client, http1Request, JSON_TYPE } from './raw.js';

/**
 * The service seam: a second service (as Firehose and Analytics will be) answers on the same port beside Kinesis,
 * validated by its own model; JSON-only services refuse CBOR; unexpected handler errors are 500
 * InternalFailureException and the log's InternalFailure too.
 */
const toyModel = new CompiledModel({
  source: 'toy',
  targetPrefix: 'Toy_20200101',
  jsonVersion: '1.1',
  operations: { Echo: { input: 'EchoInput', output: 'EchoOutput', errors: [] }, Crash: { input: 'EchoInput', errors: [] }, Closed: { errors: [] } },
  shapes: {
    EchoInput: { type: 'structure', required: ['Text'], members: { Text: 'Text', At: 'When' } },
    EchoOutput: { type: 'structure', members: { Text: 'Text', At: 'When', Bytes: 'Bytes' } },
    Text: { type: 'string', min: 1, max: 5 },
    When: { type: 'timestamp' },
    Bytes: { type: 'blob' },
  },
});

const toy: Service = {
  targetPrefix: 'Toy_20200101',
  model: toyModel,
  cbor: false,
  operations: {
    Echo: (input) => ({ Text: input.Text, At: input.At, Bytes: Buffer.from(input.Text), Dropped: 'not in the model' }),
    Crash: () => {
      throw new TypeError('boom');
    },
    Closed: () => {
      throw new SluiceError('InternalFailure', 'The log is closed');
    },
  },
};

describe('several services on one port', () => {
  let log: Log;
  let server: ApiServer;
  let h2: Http2Client;
  const errors: unknown[] = [];
  beforeAll(async () => {
    log = await openLog();
    server = await startApiServer({ services: [kinesisService(log), toy], port: 0, onInternalError: (e) => errors.push(e) });
    h2 = new Http2Client(server.url);
  });
  afterAll(async () => {
    h2.close();
    await server.close();
    await log.close();
  });

  const call = (target: string, body: string, type = JSON_TYPE) => h2.request({ headers: { 'content-type': type, 'x-amz-target': target }, body });

  it('routes by target prefix; each service is validated and shaped by its own model', async () => {
    const echo = await call('Toy_20200101.Echo', JSON.stringify({ Text: 'hi', At: 1.5 }));
    expect(JSON.parse(echo.body.toString())).toEqual({ Text: 'hi', At: 1.5, Bytes: Buffer.from('hi').toString('base64') });
    const bad = JSON.parse((await call('Toy_20200101.Echo', JSON.stringify({ Text: 'too long' }))).body.toString());
    expect(bad).toEqual({ __type: 'ValidationException', message: "1 validation error detected: Value 'too long' at 'text' failed to satisfy constraint: Member must have length less than or equal to 5" });
    expect((await call('Kinesis_20131202.ListStreams', '{}')).status).toBe(200);
    expect(JSON.parse((await call('Toy_20200101.ListStreams', '{}')).body.toString()).__type).toBe('UnknownOperationException');
  });

  it('refuses CBOR for a JSON-only service', async () => {
    const res = await h2.request({ headers: { 'content-type': CBOR_TYPE, 'x-amz-target': 'Toy_20200101.Echo' }, body: Buffer.from([0xa0]) });
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toBe(JSON_TYPE);
    expect(JSON.parse(res.body.toString()).__type).toBe('SerializationException');
  });

  it('answers unexpected failures with 500 InternalFailureException and reports them', async () => {
    for (const [op, message] of [
      ['Crash', 'Internal failure: boom'],
      ['Closed', 'The log is closed'],
    ] as const) {
      const res = await http1Request(server.url, { headers: { 'content-type': JSON_TYPE, 'x-amz-target': `Toy_20200101.${op}` }, body: JSON.stringify({ Text: 'x' }) });
      expect(res.status).toBe(500);
      expect(JSON.parse(res.body.toString())).toEqual({ __type: 'InternalFailureException', message });
    }
    expect(errors).toHaveLength(2);
  });
});
