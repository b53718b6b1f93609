import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * A self-signed certificate for `sluice serve --tls`, made with node:crypto alone (no openssl): an ECDSA P-256 key
 * and an X.509 v3 certificate for `localhost`, 127.0.0.1 and ::1, valid for ten years. Written beside the data on first
 * use and reused after.
 */
export interface TlsMaterial {
  key: string;
  cert: string;
}

export function loadOrCreateCertificate(dir: string, now = Date.now()): TlsMaterial {
  const keyPath = path.join(dir, 'tls-key.pem');
  const certPath = path.join(dir, 'tls-cert.pem');
  if (fs.existsSync(keyPath) && fs.existsSync(certPath)) {
    return { key: fs.readFileSync(keyPath, 'utf8'), cert: fs.readFileSync(certPath, 'utf8') };
  }
  const material = createSelfSignedCertificate(now);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(keyPath, material.key, { mode: 0o600 });
  fs.writeFileSync(certPath, material.cert);
  return material;
}

export function createSelfSignedCertificate(now = Date.now()): TlsMaterial {
  const { publicKey, privateKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const ecdsaWithSha256 = seq(oid('1.2.840.10045.4.3.2'));
  const name = seq(set(seq(oid('2.5.4.3'), utf8('localhost'))));
  const notBefore = new Date(now - 24 * 3600 * 1000);
  const notAfter = new Date(now + 10 * 365 * 24 * 3600 * 1000);
  const altNames = seq(
    tagged(0x82, Buffer.from('localhost', 'ascii')),
    tagged(0x87, Buffer.from([127, 0, 0, 1])),
    tagged(0x87, Buffer.concat([Buffer.alloc(15), Buffer.from([1])])),
  );
  const extensions = tagged(
    0xa3,
    seq(
      seq(oid('2.5.29.17'), octets(altNames)), // subjectAltName
      seq(oid('2.5.29.19'), bool(true), octets(seq())), // basicConstraints: critical, not a CA
      seq(oid('2.5.29.37'), octets(seq(oid('1.3.6.1.5.5.7.3.1')))), // extKeyUsage: serverAuth
    ),
  );
  const serial = crypto.randomBytes(16);
  serial[0]! &= 0x7f;
  const tbs = seq(
    tagged(0xa0, integer(Buffer.from([2]))), // v3
    integer(serial),
    ecdsaWithSha256,
    name,
    seq(time(notBefore), time(notAfter)),
    name,
    spki,
    extensions,
  );
  const signature = crypto.sign('sha256', tbs, privateKey); // DER-encoded ECDSA signature
  const cert = seq(tbs, ecdsaWithSha256, bitString(signature));
  return {
    key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    cert: `-----BEGIN CERTIFICATE-----\n${cert.toString('base64').replace(/.{64}/g, '$&\n').replace(/\n?$/, '\n')}-----END CERTIFICATE-----\n`,
  };
}

// ---- DER ------------------------------------------------------------------------------------------------------

function tagged(tag: number, content: Buffer): Buffer {
  const n = content.length;
  const length = n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : Buffer.from([0x82, n >> 8, n & 0xff]);
  return Buffer.concat([Buffer.from([tag]), length, content]);
}

const seq = (...items: Buffer[]) => tagged(0x30, Buffer.concat(items));
const set = (...items: Buffer[]) => tagged(0x31, Buffer.concat(items));
const utf8 = (s: string) => tagged(0x0c, Buffer.from(s, 'utf8'));
const octets = (b: Buffer) => tagged(0x04, b);
const bool = (v: boolean) => tagged(0x01, Buffer.from([v ? 0xff : 0]));
const bitString = (b: Buffer) => tagged(0x03, Buffer.concat([Buffer.from([0]), b]));

function integer(bytes: Buffer): Buffer {
  return tagged(0x02, bytes[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes);
}

function oid(dotted: string): Buffer {
  const [a, b, ...rest] = dotted.split('.').map(Number) as [number, number, ...number[]];
  const out = [40 * a + b];
  for (const n of rest) {
    const groups = [n & 0x7f];
    for (let v = n >>> 7; v > 0; v >>>= 7) groups.unshift((v & 0x7f) | 0x80);
    out.push(...groups);
  }
  return tagged(0x06, Buffer.from(out));
}

function time(d: Date): Buffer {
  // UTCTime up to 2049, GeneralizedTime after (RFC 5280 §4.1.2.5).
  const iso = d.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return d.getUTCFullYear() < 2050 ? tagged(0x17, Buffer.from(`${iso.slice(2)}Z`, 'ascii')) : tagged(0x18, Buffer.from(`${iso}Z`, 'ascii'));
}
