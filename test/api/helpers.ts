import { KinesisClient } from '@aws-sdk/client-kinesis';
import { NodeHttp2Handler, NodeHttpHandler } from '@smithy/node-http-handler';
import { kinesisService, startApiServer, type ApiServer, type KinesisServiceOptions } from '../../src/api/index.js';
import { openLog, VirtualClock, type Log, type LogOptions } from '../../src/index.js';

export interface TestServer {
  log: Log;
  server: ApiServer;
  clock: VirtualClock;
  close(): Promise<void>;
}

/** A real server on 127.0.0.1 and a free port, over an in-memory log on a virtual clock. */
export async function startTestServer(options: LogOptions = {}, service: KinesisServiceOptions = {}): Promise<TestServer> {
  const clock = new VirtualClock(Date.UTC(2026, 0, 1));
  const log = await openLog({ clock, ...options });
  const server = await startApiServer({ services: [kinesisService(log, service)], port: 0 });
  return {
    log,
    server,
    clock,
    async close() {
      await server.close();
      await log.close();
    },
  };
}

export type Transport = 'default' | 'http1';

/** An SDK client with its default request handler (HTTP/2 for Kinesis) or the HTTP/1.1 one. */
export function sdkClient(server: ApiServer, transport: Transport): KinesisClient {
  return new KinesisClient({
    endpoint: server.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' },
    maxAttempts: 1,
    ...(transport === 'http1' ? { requestHandler: new NodeHttpHandler() } : {}),
  });
}

export { NodeHttp2Handler };
