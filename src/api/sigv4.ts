import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../util/clock.js';
import { ApiError } from './errors.js';

/**
 * AWS Signature Version 4 verification of `Authorization: AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…,
 * Signature=…` requests. Only with `--auth`: by default any (or no) credentials are accepted.
 */
export interface AuthOptions {
  /** Secret access keys by access key id. */
  credentials: Readonly<Record<string, string>>;
  /** The server's time, to refuse requests signed more than 5 minutes away from it (default: the wall clock). */
  clock?: Clock;
}

export const MAX_SKEW_MS = 5 * 60 * 1000;

const AUTH = /^AWS4-HMAC-SHA256\s+(.*)$/;

export interface SignedRequest {
  method: string;
  /** Path and query, as received. */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** The access key and credential scope of a correctly signed request; raises the AWS error otherwise. */
export function verifySigV4(req: SignedRequest, auth: AuthOptions): { accessKeyId: string; region: string; service: string } {
  const header = req.headers.authorization;
  if (typeof header !== 'string' || header === '') {
    throw new ApiError('MissingAuthenticationTokenException', 'Missing Authentication Token', 400);
  }
  const m = AUTH.exec(header);
  if (!m) throw incomplete(`Authorization header requires the AWS4-HMAC-SHA256 algorithm. Authorization=${header.slice(0, 100)}`);
  const parts: Record<string, string> = {};
  for (const piece of m[1]!.split(',')) {
    const eq = piece.indexOf('=');
    if (eq > 0) parts[piece.slice(0, eq).trim()] = piece.slice(eq + 1).trim();
  }
  for (const name of ['Credential', 'SignedHeaders', 'Signature']) {
    if (!parts[name]) throw incomplete(`Authorization header requires '${name}' parameter. Authorization=${header.slice(0, 100)}`);
  }
  const scope = parts.Credential!.split('/');
  if (scope.length !== 5 || scope[4] !== 'aws4_request') throw incomplete(`Credential should be scoped to a valid region and service: ${parts.Credential}`);
  const [accessKeyId, date, region, service] = scope as [string, string, string, string];
  const amzDate = headerValue(req.headers['x-amz-date']);
  if (!amzDate || !/^\d{8}T\d{6}Z$/.test(amzDate)) throw incomplete("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header");
  if (amzDate.slice(0, 8) !== date) throw new ApiError('InvalidSignatureException', `Credential should be scoped to a valid date: ${date} is not the date of ${amzDate}`, 400);

  const secret = Object.hasOwn(auth.credentials, accessKeyId) ? auth.credentials[accessKeyId] : undefined;
  if (secret === undefined) throw new ApiError('UnrecognizedClientException', 'The security token included in the request is invalid.', 400);

  const signedAt = Date.UTC(+amzDate.slice(0, 4), +amzDate.slice(4, 6) - 1, +amzDate.slice(6, 8), +amzDate.slice(9, 11), +amzDate.slice(11, 13), +amzDate.slice(13, 15));
  const now = auth.clock ? auth.clock.now() : Date.now();
  if (Math.abs(now - signedAt) > MAX_SKEW_MS) {
    const stamp = (ms: number) => new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d+/, '');
    const relation = signedAt < now ? `is now earlier than ${stamp(now - MAX_SKEW_MS)} (${stamp(now)} - 5 min.)` : `is now later than ${stamp(now + MAX_SKEW_MS)} (${stamp(now)} + 5 min.)`;
    throw new ApiError('InvalidSignatureException', `Signature expired: ${amzDate} ${relation}`, 400);
  }

  const signedHeaders = parts.SignedHeaders!.split(';');
  // Over HTTP/2 the JavaScript SDK signs the :authority pseudo-header where HTTP/1.1 clients sign Host.
  if (!signedHeaders.includes('host') && !signedHeaders.includes(':authority')) throw incomplete("'Host' must be a 'SignedHeader' in the AWS Authorization.");
  const canonicalHeaders = signedHeaders
    .map((name) => {
      const raw =
        name === 'host' ? (req.headers.host ?? req.headers[':authority']) : name === ':authority' ? (req.headers[':authority'] ?? req.headers.host) : req.headers[name];
      const value = Array.isArray(raw) ? raw.join(',') : (raw ?? '');
      return `${name}:${String(value).trim().replace(/\s+/g, ' ')}\n`;
    })
    .join('');
  const q = req.url.indexOf('?');
  const path = q < 0 ? req.url : req.url.slice(0, q);
  let query = '';
  try {
    if (q >= 0) query = canonicalQuery(req.url.slice(q + 1));
  } catch {
    throw incomplete('The query string is not validly percent-encoded');
  }
  const canonicalRequest = [req.method, path || '/', query, canonicalHeaders, parts.SignedHeaders, sha256(req.body)].join('\n');
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, `${date}/${region}/${service}/aws4_request`, sha256(canonicalRequest)].join('\n');
  let key = hmac(`AWS4${secret}`, date);
  for (const piece of [region, service, 'aws4_request']) key = hmac(key, piece);
  const expected = hmac(key, stringToSign);
  const given = Buffer.from(parts.Signature!, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new ApiError(
      'InvalidSignatureException',
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
      400,
    );
  }
  return { accessKeyId, region, service };
}

/** The access key and region an Authorization header names, without checking the signature (when `--auth` is off). */
export function credentialScope(header: string | string[] | undefined): { accessKeyId: string; region: string } | undefined {
  if (typeof header !== 'string') return undefined;
  const m = /Credential=([^/,\s]+)\/\d{8}\/([^/,\s]+)\//.exec(header);
  return m ? { accessKeyId: m[1]!, region: m[2]! } : undefined;
}

function incomplete(message: string): ApiError {
  return new ApiError('IncompleteSignatureException', message, 400);
}

function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

function canonicalQuery(query: string): string {
  return query
    .split('&')
    .filter((p) => p !== '')
    .map((p) => {
      const eq = p.indexOf('=');
      const k = decodeURIComponent(eq < 0 ? p : p.slice(0, eq));
      const v = eq < 0 ? '' : decodeURIComponent(p.slice(eq + 1));
      return [encode(k), encode(v)] as const;
    })
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

function encode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}
