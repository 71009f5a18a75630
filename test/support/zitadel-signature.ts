import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * A receiver's check of the `ZITADEL-Signature` header, transcribed from ZITADEL's own
 * pkg/actions/signing.go (ValidatePayload → validatePayload, parseSignatureHeader,
 * computeSignature) — not from this service's signer, so the two are checked against each other.
 * Throws with ZITADEL's error text, as the Go function returns it.
 */
export function validatePayload(payload: Buffer | string, sigHeader: string | undefined, signingKey: string, toleranceS = 300): void {
  // parseSignatureHeader
  if (!sigHeader) throw new Error('webhook has no Zitadel-Signature header');
  let timestamp: number | undefined;
  const signatures: Buffer[] = [];
  for (const pair of sigHeader.split(',')) {
    const parts = pair.split('=');
    if (parts.length !== 2) throw new Error('webhook has invalid Zitadel-Signature header');
    if (parts[0] === 't') {
      // strconv.ParseInt(parts[1], 10, 64)
      if (!/^[+-]?\d+$/.test(parts[1]!)) throw new Error('webhook has invalid Zitadel-Signature header');
      timestamp = Number(parts[1]);
    } else if (parts[0] === 'v1') {
      // hex.DecodeString: skip what does not decode
      if (!/^([0-9a-fA-F]{2})*$/.test(parts[1]!)) continue;
      signatures.push(Buffer.from(parts[1]!, 'hex'));
    }
  }
  if (signatures.length === 0) throw new Error('no valid signature');
  const t = timestamp ?? 0; // Go's zero time.Unix(0,0) when no t= was given
  // computeSignature: HMAC-SHA256(key, strconv.FormatInt(t.Unix(), 10) + "." + payload)
  const mac = createHmac('sha256', Buffer.from(signingKey, 'utf8'));
  mac.update(String(t));
  mac.update('.');
  mac.update(payload);
  const expected = mac.digest();
  // expiredTimestamp := time.Since(header.timestamp) > tolerance
  if (Date.now() / 1000 - t > toleranceS) throw new Error("timestamp wasn't within tolerance");
  for (const sig of signatures) if (sig.length === expected.length && timingSafeEqual(sig, expected)) return;
  throw new Error('no valid signature');
}
