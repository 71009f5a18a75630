import { createHmac } from 'node:crypto';

/** ZITADEL's signature header name (pkg/actions). */
// a template literal: the error-ID scan of `npm run docs` reads quoted `AREA-Xxxxx` strings as IDs
export const SIGNING_HEADER = `ZITADEL-Signature`;

/**
 * ZITADEL's signature header (pkg/actions ComputeSignatureHeader): `t=<unix seconds>` and one
 * `v1=<hex HMAC-SHA256>` per key, over `<t>.<body>`, keyed with the signing key's bytes.
 */
export function signatureHeader(at: Date, body: string, ...keys: string[]): string {
  const t = Math.floor(at.getTime() / 1000);
  return [`t=${t}`, ...keys.map((k) => `v1=${createHmac('sha256', k).update(`${t}.`).update(body).digest('hex')}`)].join(',');
}
