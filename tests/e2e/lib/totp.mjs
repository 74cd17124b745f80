// An authenticator app in a few lines: RFC 6238 (HMAC-SHA1, 6 digits, 30 s)
// written independently of the Rust implementation, so the end-to-end test
// checks the wallet against the standard rather than against itself.
import { createHmac } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function base32Decode(text) {
  const clean = text.replace(/[\s=]/g, '').toUpperCase();
  let bits = '';
  for (const c of clean) {
    const value = ALPHABET.indexOf(c);
    if (value < 0) throw new Error(`not base32: ${c}`);
    bits += value.toString(2).padStart(5, '0');
  }
  const bytes = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}

/** The code an authenticator shows for `secret` (base32) at step `step`. */
export function codeAtStep(secret, step) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', base32Decode(secret)).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const value = (mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return String(value).padStart(6, '0');
}

export function currentStep(now = Date.now()) {
  return Math.floor(now / 1000 / 30);
}

/** Parses an otpauth:// URI the way an authenticator app does. */
export function parseOtpauth(uri) {
  const url = new URL(uri);
  return {
    type: url.host,
    label: decodeURIComponent(url.pathname.slice(1)),
    secret: url.searchParams.get('secret'),
    issuer: url.searchParams.get('issuer'),
    digits: Number(url.searchParams.get('digits')),
    period: Number(url.searchParams.get('period')),
    algorithm: url.searchParams.get('algorithm'),
  };
}
