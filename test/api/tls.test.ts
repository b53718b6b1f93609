import crypto from 'node:crypto';
import fs from 'node:fs';
import http2 from 'node:http2';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { CreateStreamCommand, KinesisClient, ListStreamsCommand } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kinesisService, startApiServer, type ApiServer } from '../../src/api/index.js';
import { createSelfSignedCertificate, loadOrCreateCertificate } from '../../src/api/tls.js';
import { openLog, type Log } from '../../src/index.js';
import { Http2Client, http1Request, JSON_TYPE } from './raw.js';

describe('TLS on the same port', () => {
  const material = createSelfSignedCertificate();
  let log: Log;
  let server: ApiServer;
  beforeAll(async () => {
    log = await openLog();
    server = await startApiServer({ services: [kinesisService(log)], port: 0, tls: material });
  });
  afterAll(async () => {
    await server.close();
    await log.close();
  });

  it('makes a certificate for localhost and 127.0.0.1 that clients can pin', () => {
    const x509 = new crypto.X509Certificate(material.cert);
    expect(x509.checkHost('localhost')).toBe('localhost');
    expect(x509.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(x509.verify(x509.publicKey)).toBe(true);
  });

  it('serves the SDK over HTTPS (HTTP/1.1), HTTP/2 over TLS by ALPN, and still h2c and HTTP/1.1 in clear', async () => {
    const kinesis = new KinesisClient({
      endpoint: server.tlsUrl,
      region: 'us-east-1',
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
      maxAttempts: 1,
      requestHandler: new NodeHttpHandler({ httpsAgent: new https.Agent({ ca: material.cert }) }),
    });
    await kinesis.send(new CreateStreamCommand({ StreamName: 'secure', ShardCount: 1 }));
    expect((await kinesis.send(new ListStreamsCommand({}))).StreamNames).toEqual(['secure']);
    kinesis.destroy();
    expect(server.connections.tls).toBeGreaterThanOrEqual(1);
    expect(server.connections.http1 + server.connections.http2).toBe(0);

    const session = http2.connect(server.tlsUrl!, { ca: material.cert });
    const alpn = await new Promise<string | false>((resolve, reject) => {
      session.on('connect', () => resolve(session.alpnProtocol ?? false));
      session.on('error', reject);
    });
    expect(alpn).toBe('h2');
    const body = await new Promise<string>((resolve, reject) => {
      const req = session.request({ ':method': 'POST', ':path': '/', 'content-type': JSON_TYPE, 'x-amz-target': 'Kinesis_20131202.ListStreams' });
      let text = '';
      req.on('data', (c: Buffer) => (text += c.toString()));
      req.on('end', () => resolve(text));
      req.on('error', reject);
      req.end('{}');
    });
    expect(JSON.parse(body).StreamNames).toEqual(['secure']);
    session.close();

    const h2c = new Http2Client(server.url);
    const clear = { headers: { 'content-type': JSON_TYPE, 'x-amz-target': 'Kinesis_20131202.ListStreams' }, body: '{}' };
    expect((await h2c.request(clear)).status).toBe(200);
    h2c.close();
    expect((await http1Request(server.url, clear)).status).toBe(200);
  });

  it('keeps the generated certificate in the data directory and reuses it', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-tls-'));
    try {
      const first = loadOrCreateCertificate(dir);
      expect(loadOrCreateCertificate(dir)).toEqual(first);
      expect(fs.statSync(path.join(dir, 'tls-key.pem')).mode & 0o777).toBe(0o600);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
