import http from 'node:http';
import http2 from 'node:http2';
import { encode } from 'cborg';

/** Raw HTTP clients (node:http, node:http2) for requests the SDK would never send. */
export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export interface RawRequest {
  method?: string;
  headers?: Record<string, string>;
  body?: Buffer | string;
}

export function http1Request(url: string, req: RawRequest): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const body = typeof req.body === 'string' ? Buffer.from(req.body) : req.body;
    const r = http.request(url, { method: req.method ?? 'POST', headers: { ...(body ? { 'content-length': String(body.length) } : {}), ...req.headers }, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    r.on('error', reject);
    r.end(body);
  });
}

export class Http2Client {
  private readonly session: http2.ClientHttp2Session;

  constructor(url: string) {
    this.session = http2.connect(url);
    this.session.on('error', () => {});
  }

  request(req: RawRequest): Promise<RawResponse> {
    return new Promise((resolve, reject) => {
      const body = typeof req.body === 'string' ? Buffer.from(req.body) : req.body;
      const stream = this.session.request({ ':method': req.method ?? 'POST', ':path': '/', ...req.headers });
      let status = 0;
      let headers: RawResponse['headers'] = {};
      const chunks: Buffer[] = [];
      stream.on('response', (h) => {
        status = Number(h[':status']);
        headers = h as RawResponse['headers'];
      });
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => resolve({ status, headers, body: Buffer.concat(chunks) }));
      stream.on('close', () => {
        if (status) resolve({ status, headers, body: Buffer.concat(chunks) });
        else reject(new Error(`stream closed without a response (code ${stream.rstCode})`));
      });
      stream.on('error', (err) => (status ? resolve({ status, headers, body: Buffer.concat(chunks) }) : reject(err)));
      stream.end(body);
    });
  }

  close(): void {
    this.session.close();
  }
}

export const JSON_TYPE = 'application/x-amz-json-1.1';
export const CBOR_TYPE = 'application/x-amz-cbor-1.1';

export function target(op: string): string {
  return `Kinesis_20131202.${op}`;
}

const scalars = { encode: (v: unknown) => Buffer.from(encode(v)) };

/**
 * CBOR the way the AWS SDK for Java writes it (Jackson's CBORGenerator under SdkCborGenerator): maps and arrays of
 * indefinite length, blobs as byte strings, timestamps as tag 1 around integer epoch *milliseconds*. Scalars are
 * encoded with cborg.
 */
export function javaCbor(value: unknown): Buffer {
  if (value instanceof Date) return Buffer.concat([Buffer.from([0xc1]), scalars.encode(BigInt(value.getTime()))]);
  if (Array.isArray(value)) return Buffer.concat([Buffer.from([0x9f]), ...value.map(javaCbor), Buffer.from([0xff])]);
  if (value !== null && typeof value === 'object' && !(value instanceof Uint8Array)) {
    const parts: Buffer[] = [Buffer.from([0xbf])];
    for (const [k, v] of Object.entries(value)) parts.push(scalars.encode(k), javaCbor(v));
    parts.push(Buffer.from([0xff]));
    return Buffer.concat(parts);
  }
  return scalars.encode(value);
}
