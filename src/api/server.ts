import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import { createProtocolHandler, type ProtocolOptions } from './protocol.js';
import type { Service } from './service.js';

/** The client preface of HTTP/2 with prior knowledge (RFC 9113 §3.4). */
const H2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

export interface ApiServerOptions extends ProtocolOptions {
  services: readonly Service[];
  /** Default 127.0.0.1: loopback unless asked otherwise. */
  host?: string;
  /** Default 4567; 0 picks a free port. */
  port?: number;
  /** A connection must send its first bytes within this many ms (default 10 s). */
  firstBytesTimeoutMs?: number;
  /** Idle connections (HTTP/1.1 keep-alive, HTTP/2 sessions) are closed after this many ms (default 120 s). */
  idleTimeoutMs?: number;
  /** Also take TLS on the same port (HTTP/2 by ALPN, or HTTP/1.1), with this key and certificate (PEM). */
  tls?: { key: string; cert: string };
}

export interface ApiServer {
  readonly host: string;
  readonly port: number;
  /** `http://host:port`, for an SDK's `endpoint`. */
  readonly url: string;
  /** `https://host:port` when TLS is on. */
  readonly tlsUrl: string | undefined;
  /** Connections accepted so far, by the protocol their first bytes chose (TLS ones counted once, under `tls`). */
  readonly connections: { http1: number; http2: number; tls: number };
  /** Stops listening and closes every connection. */
  close(): Promise<void>;
}

/**
 * One port for HTTP/1.1, cleartext HTTP/2 with prior knowledge, and (with `tls`) TLS carrying either. A plain TCP server reads the first bytes of each
 * connection: the HTTP/2 preface sends it to an `http2` server, anything else to an `http` server. Both share one
 * request handler, so every service answers the same over either protocol.
 */
export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const handler = createProtocolHandler(options.services, options);
  const idleTimeoutMs = options.idleTimeoutMs ?? 120_000;
  const firstBytesTimeoutMs = options.firstBytesTimeoutMs ?? 10_000;
  const onRequest = (req: http.IncomingMessage | http2.Http2ServerRequest, res: http.ServerResponse | http2.Http2ServerResponse) => {
    void handler(req, res);
  };

  const h1 = http.createServer({ keepAliveTimeout: idleTimeoutMs, requestTimeout: 120_000, headersTimeout: 30_000 }, onRequest);
  const h2 = http2.createServer({
    // A client may not open more streams at once, nor make the session hold more memory, than this.
    settings: { maxConcurrentStreams: 128 },
    maxSessionMemory: 64,
  });
  h2.on('request', onRequest);
  const secure = options.tls
    ? http2.createSecureServer({ key: options.tls.key, cert: options.tls.cert, allowHTTP1: true, settings: { maxConcurrentStreams: 128 }, maxSessionMemory: 64 })
    : undefined;
  secure?.on('request', onRequest);
  secure?.setTimeout(idleTimeoutMs, (session?: unknown) => (session as http2.Http2Session | undefined)?.close?.());
  secure?.on('sessionError', () => {});
  secure?.on('tlsClientError', () => {});
  h2.setTimeout(idleTimeoutMs, (session?: unknown) => (session as http2.Http2Session | undefined)?.close?.());
  h2.on('sessionError', () => {});

  const connections = { http1: 0, http2: 0, tls: 0 };
  const sockets = new Set<net.Socket>();
  const sessions = new Set<http2.Http2Session>();
  const trackSession = (session: http2.Http2Session) => {
    sessions.add(session);
    session.on('close', () => sessions.delete(session));
    session.on('error', () => {});
  };
  h2.on('session', trackSession);
  secure?.on('session', trackSession);

  const front = net.createServer({ noDelay: true }, (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    socket.setTimeout(firstBytesTimeoutMs, () => socket.destroy());
    let seen: Buffer = Buffer.alloc(0);
    const onReadable = () => {
      let chunk: Buffer | null;
      while ((chunk = socket.read() as Buffer | null) !== null) {
        seen = seen.length === 0 ? chunk : Buffer.concat([seen, chunk]);
        if (secure && seen[0] === 0x16) {
          // A TLS handshake record: the secure server negotiates HTTP/2 or HTTP/1.1 by ALPN.
          socket.removeListener('readable', onReadable);
          socket.setTimeout(0);
          socket.unshift(seen);
          connections.tls++;
          secure.emit('connection', socket);
          return;
        }
        const n = Math.min(seen.length, H2_PREFACE.length);
        const prefix = seen.subarray(0, n).equals(H2_PREFACE.subarray(0, n));
        if (prefix && seen.length < H2_PREFACE.length) continue; // could still be HTTP/2: wait for more
        socket.removeListener('readable', onReadable);
        socket.setTimeout(0);
        socket.unshift(seen);
        connections[prefix ? 'http2' : 'http1']++;
        (prefix ? h2 : h1).emit('connection', socket);
        return;
      }
    };
    socket.on('readable', onReadable);
  });

  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    front.once('error', reject);
    front.listen(options.port ?? 4567, host, () => {
      front.removeListener('error', reject);
      resolve();
    });
  });
  const address = front.address() as net.AddressInfo;
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    host: address.address,
    port: address.port,
    url: `http://${urlHost}:${address.port}`,
    tlsUrl: secure ? `https://${urlHost}:${address.port}` : undefined,
    connections,
    async close() {
      const closed = new Promise<void>((resolve) => front.close(() => resolve()));
      for (const session of sessions) session.destroy();
      for (const socket of sockets) socket.destroy();
      h1.close();
      h2.close();
      secure?.close();
      await closed;
    },
  };
}
