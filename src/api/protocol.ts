import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { constants as h2constants, type Http2ServerRequest, type Http2ServerResponse } from 'node:http2';
import { contentTypeOf, decodeBody, encodeBody, encodingOf } from './codec.js';
import { ApiError, serializationError, toApiError, unknownOperation } from './errors.js';
import { encodeMessage, EVENT_STREAM_CONTENT_TYPE, EventStreamReply, type EventStreamWriter } from './eventstream.js';
import type { Encoding } from './model.js';
import { EncodedOutput, type RequestContext, type Service } from './service.js';
import { credentialScope, verifySigV4, type AuthOptions } from './sigv4.js';

export interface ProtocolOptions {
  /**
   * The largest request body taken, in bytes. The largest legal Kinesis request is a 10 MiB record (PutRecord after
   * UpdateMaxRecordSize, or PutRecords' 10 MiB total) in base64 JSON: 13.4 MiB plus partition keys. 15 MiB covers it.
   */
  maxBodyBytes?: number;
  /** Request bodies held in memory at once, across all connections, before new ones are refused (503). */
  maxInFlightBytes?: number;
  /** A request body must arrive within this many ms (slow clients are cut off with 408). */
  bodyTimeoutMs?: number;
  /** Verify SigV4 signatures against these credentials (default: accept any or none). */
  auth?: AuthOptions;
  /** Called with unexpected (500) errors. */
  onInternalError?: (err: unknown) => void;
}

export const DEFAULT_MAX_BODY_BYTES = 15 * 1024 * 1024;
const DEFAULT_MAX_IN_FLIGHT_BYTES = 256 * 1024 * 1024;
const DEFAULT_BODY_TIMEOUT_MS = 60_000;

type Request = IncomingMessage | Http2ServerRequest;
type Response = ServerResponse | Http2ServerResponse;

/** A body we will not read to the end: the reply goes out and the connection (or HTTP/2 stream) is closed after it. */
class BodyRefused extends ApiError {}

/**
 * The request handler both HTTP servers share: target → service and operation, body → input (decoded, validated
 * against the model), handler → reply in the request's encoding. Every failure is an AWS-shaped error.
 */
export function createProtocolHandler(services: readonly Service[], options: ProtocolOptions = {}) {
  const byPrefix = new Map(services.map((s) => [s.targetPrefix, s]));
  const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const maxInFlight = options.maxInFlightBytes ?? DEFAULT_MAX_IN_FLIGHT_BYTES;
  const bodyTimeoutMs = options.bodyTimeoutMs ?? DEFAULT_BODY_TIMEOUT_MS;
  let inFlight = 0;

  function readBody(req: Request): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const declared = Number(req.headers['content-length']);
      if (declared > maxBody) {
        reject(new BodyRefused('SerializationException', `Request body of ${declared} bytes is over the limit of ${maxBody} bytes`, 413));
        return;
      }
      const chunks: Buffer[] = [];
      let total = 0;
      let done = false;
      const finish = (err: Error | null) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        inFlight -= total;
        req.removeListener('data', onData);
        req.removeListener('end', onEnd);
        req.removeListener('error', onError);
        req.removeListener('aborted', onAborted);
        if (err) reject(err);
        else resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total));
      };
      const onData = (chunk: Buffer) => {
        total += chunk.length;
        inFlight += chunk.length;
        if (total > maxBody) return finish(new BodyRefused('SerializationException', `Request body is over the limit of ${maxBody} bytes`, 413));
        if (inFlight > maxInFlight) return finish(new BodyRefused('ServiceUnavailableException', 'The server is holding too many request bodies; retry later', 503));
        chunks.push(chunk);
      };
      const onEnd = () => finish(null);
      const onError = (err: Error) => finish(err);
      const onAborted = () => finish(new Error('request aborted'));
      const timer = setTimeout(() => finish(new BodyRefused('RequestTimeoutException', `The request body did not arrive within ${bodyTimeoutMs} ms`, 408)), bodyTimeoutMs);
      timer.unref();
      req.on('data', onData);
      req.on('end', onEnd);
      req.on('error', onError);
      req.on('aborted', onAborted);
    });
  }

  function send(req: Request, res: Response, status: number, encoding: Encoding, requestId: string, value: unknown, closeAfter = false): void {
    if (res.headersSent || res.destroyed) return;
    const body = encodeBody(value, encoding);
    const headers: Record<string, string | number> = {
      'content-type': contentTypeOf(encoding),
      'content-length': body.length,
      'x-amzn-requestid': requestId,
    };
    if (status >= 400) headers['x-amzn-errortype'] = (value as { __type: string }).__type;
    const h2 = req.httpVersionMajor === 2;
    if (closeAfter && !h2) headers.connection = 'close';
    res.writeHead(status, headers);
    res.end(body, () => {
      if (!closeAfter) return;
      // Stop reading a body we refused: HTTP/1.1 closes the connection, HTTP/2 resets just the stream.
      if (h2) (req as Http2ServerRequest).stream.close(h2constants.NGHTTP2_NO_ERROR);
      else req.socket.destroySoon?.();
    });
  }

  function sendEncoded(res: Response, encoding: Encoding, requestId: string, body: Buffer): void {
    if (res.headersSent || res.destroyed) return;
    res.writeHead(200, { 'content-type': contentTypeOf(encoding), 'content-length': body.length, 'x-amzn-requestid': requestId });
    res.end(body);
  }

  function sendError(req: Request, res: Response, encoding: Encoding, requestId: string, err: unknown): void {
    const apiError = toApiError(err);
    if (apiError.status >= 500 && apiError.code === 'InternalFailureException') options.onInternalError?.(err);
    send(req, res, apiError.status, encoding, requestId, { __type: apiError.code, message: apiError.message }, err instanceof BodyRefused);
  }

  /** An event-stream reply: headers now, an initial-response event, then whatever the handler sends until it ends. */
  async function streamEvents(res: Response, service: Service, encoding: Encoding, requestId: string, reply: EventStreamReply): Promise<void> {
    res.writeHead(200, { 'content-type': EVENT_STREAM_CONTENT_TYPE, 'x-amzn-requestid': requestId });
    let closed = false;
    const closeListeners: (() => void)[] = [];
    const onClosed = () => {
      if (closed) return;
      closed = true;
      for (const listener of closeListeners.splice(0)) listener();
    };
    res.on('close', onClosed);
    res.on('error', onClosed);
    const contentType = contentTypeOf(encoding);
    const write = (message: Buffer): Promise<void> => {
      if (closed) return Promise.resolve();
      if ((res as ServerResponse).write(message)) return Promise.resolve();
      return new Promise((resolve) => {
        const done = () => {
          res.removeListener('drain', done);
          res.removeListener('close', done);
          resolve();
        };
        res.on('drain', done);
        res.on('close', done);
      });
    };
    const writer: EventStreamWriter = {
      get closed() {
        return closed;
      },
      event(eventType, shape, value) {
        const payload = encodeBody(service.model.writeOutput(shape, value, encoding), encoding);
        return write(encodeMessage({ ':message-type': 'event', ':event-type': eventType, ':content-type': contentType }, payload));
      },
      exception(code, message) {
        const payload = encodeBody({ message }, encoding);
        void write(encodeMessage({ ':message-type': 'exception', ':exception-type': code, ':content-type': contentType }, payload));
      },
      end() {
        if (closed) return;
        res.end();
        onClosed();
      },
      onClose(listener) {
        if (closed) listener();
        else closeListeners.push(listener);
      },
    };
    await write(encodeMessage({ ':message-type': 'event', ':event-type': 'initial-response', ':content-type': contentType }, encodeBody({}, encoding)));
    try {
      await reply.run(writer);
    } catch (err) {
      const apiError = toApiError(err);
      if (apiError.status >= 500) options.onInternalError?.(err);
      writer.exception(apiError.code, apiError.message);
    } finally {
      writer.end();
    }
  }

  return async function handle(req: Request, res: Response): Promise<void> {
    const requestId = randomUUID();
    const contentType = req.headers['content-type'];
    const requested = encodingOf(typeof contentType === 'string' ? contentType : undefined);
    let encoding: Encoding = requested ?? 'json';
    try {
      const body = await readBody(req);
      const scope = options.auth
        ? verifySigV4({ method: String(req.method), url: req.url ?? '/', headers: req.headers, body }, options.auth)
        : credentialScope(req.headers.authorization);
      if (req.method !== 'POST') throw unknownOperation(`Only POST requests are served, not ${String(req.method)}`);
      const target = req.headers['x-amz-target'];
      if (typeof target !== 'string' || target === '') throw unknownOperation('The X-Amz-Target header is missing');
      const dot = target.lastIndexOf('.');
      const service = dot > 0 ? byPrefix.get(target.slice(0, dot)) : undefined;
      const operation = target.slice(dot + 1);
      if (!service || !service.model.hasOperation(operation)) throw unknownOperation(`Unknown operation: ${target.slice(0, 200)}`);
      if (requested === undefined) throw serializationError(`Unsupported Content-Type '${String(contentType).slice(0, 100)}'; use ${contentTypeOf('json')}${service.cbor ? ` or ${contentTypeOf('cbor')}` : ''}`);
      if (encoding === 'cbor' && !service.cbor) {
        encoding = 'json';
        throw serializationError(`${service.targetPrefix} does not take CBOR bodies; use ${contentTypeOf('json')}`);
      }
      const handler = service.operations[operation];
      if (!handler) throw unknownOperation(`Operation ${operation} is in the model but has no handler`);
      const input = service.model.readInput(operation, decodeBody(body, encoding), encoding);
      const context: RequestContext = { requestId, encoding, httpVersion: req.httpVersionMajor === 2 ? '2.0' : '1.1' };
      if (scope) {
        context.accessKeyId = scope.accessKeyId;
        context.region = scope.region;
      }
      const output = (await handler(input, context)) ?? {};
      if (output instanceof EncodedOutput) {
        sendEncoded(res, encoding, requestId, output.body);
        return;
      }
      if (output instanceof EventStreamReply) {
        await streamEvents(res, service, encoding, requestId, output);
        return;
      }
      const outputShape = service.model.model.operations[operation]!.output;
      send(req, res, 200, encoding, requestId, outputShape ? service.model.writeOutput(outputShape, output, encoding) : {});
    } catch (err) {
      sendError(req, res, encoding, requestId, err);
    }
  };
}
