import { KinesisClient, ListStreamsCommand } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kinesisService, startApiServer, type ApiServer } from '../../src/api/index.js';
import { openLog, VirtualClock, type Log } from '../../src/index.js';
import { http1Request, JSON_TYPE } from './raw.js';

/**
 * `--auth`: SigV4 checked with the AWS error codes. The server's clock is virtual; the SDK signs at that time through
 * its clock offset, so "now" and "10 minutes ago" are exact.
 */
const SERVER_NOW = Date.UTC(2026, 0, 1, 12);

describe('SigV4 verification', () => {
  let log: Log;
  let server: ApiServer;
  beforeAll(async () => {
    log = await openLog();
    server = await startApiServer({ services: [kinesisService(log)], port: 0, auth: { credentials: { AKIDGOOD: 'right-secret' }, clock: new VirtualClock(SERVER_NOW) } });
  });
  afterAll(async () => {
    await server.close();
    await log.close();
  });

  const client = (transport: 'default' | 'http1', accessKeyId: string, secretAccessKey: string, offsetMs = 0) =>
    new KinesisClient({
      endpoint: server.url,
      region: 'us-east-1',
      credentials: { accessKeyId, secretAccessKey },
      maxAttempts: 1,
      systemClockOffset: SERVER_NOW + offsetMs - Date.now(),
      ...(transport === 'http1' ? { requestHandler: new NodeHttpHandler() } : {}),
    });

  const failure = async (c: KinesisClient) => {
    try {
      await c.send(new ListStreamsCommand({}));
    } catch (err) {
      return err as Error & { $metadata: { httpStatusCode?: number } };
    } finally {
      c.destroy();
    }
    throw new Error('the request was accepted');
  };

  it.each(['default', 'http1'] as const)('accepts requests the SDK signs with a known key (%s handler)', async (transport) => {
    const c = client(transport, 'AKIDGOOD', 'right-secret');
    expect((await c.send(new ListStreamsCommand({}))).StreamNames).toEqual([]);
    c.destroy();
  });

  it.each(['default', 'http1'] as const)('refuses a wrong secret, an unknown key and an expired signature (%s handler)', async (transport) => {
    expect((await failure(client(transport, 'AKIDGOOD', 'wrong'))).name).toBe('InvalidSignatureException');
    expect((await failure(client(transport, 'AKIDWHO', 'right-secret'))).name).toBe('UnrecognizedClientException');
    const expired = await failure(client(transport, 'AKIDGOOD', 'right-secret', -10 * 60 * 1000));
    expect(expired.name).toBe('InvalidSignatureException');
    expect(expired.message).toMatch(/^Signature expired: 20260101T115000Z is now earlier than 20260101T115500Z/);
    expect((await failure(client(transport, 'AKIDGOOD', 'right-secret', 10 * 60 * 1000))).message).toMatch(/is now later than/);
  });

  it('refuses unsigned and malformed requests', async () => {
    const send = (headers: Record<string, string>) =>
      http1Request(server.url, { headers: { 'content-type': JSON_TYPE, 'x-amz-target': 'Kinesis_20131202.ListStreams', ...headers }, body: '{}' });
    const codeOf = async (headers: Record<string, string>) => JSON.parse((await send(headers)).body.toString()).__type;
    expect(await codeOf({})).toBe('MissingAuthenticationTokenException');
    expect(await codeOf({ authorization: 'Basic dXNlcjpwYXNz' })).toBe('IncompleteSignatureException');
    expect(await codeOf({ authorization: 'AWS4-HMAC-SHA256 Credential=AKIDGOOD/20260101/us-east-1/kinesis/aws4_request' })).toBe('IncompleteSignatureException');
    expect(
      await codeOf({
        authorization: 'AWS4-HMAC-SHA256 Credential=AKIDGOOD/20260101/us-east-1/kinesis/aws4_request, SignedHeaders=host;x-amz-date, Signature=00',
        'x-amz-date': '20260101T120000Z',
      }),
    ).toBe('InvalidSignatureException');
  });
});
