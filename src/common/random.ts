import { randomFillSync } from 'node:crypto';

const POOL_SIZE = 8 * 1024;
let pool = Buffer.allocUnsafe(0);
let offset = 0;

/**
 * CSPRNG bytes from a pool refilled 8 KiB at a time, as Node's own randomUUID caches its
 * entropy: one OpenSSL call per few hundred requests instead of two per request. The bytes
 * handed out are copies and are never handed out twice.
 */
export function randomBytesPooled(n: number): Buffer {
  if (n > POOL_SIZE) return randomFillSync(Buffer.allocUnsafe(n));
  if (offset + n > pool.length) {
    pool = randomFillSync(Buffer.allocUnsafe(POOL_SIZE));
    offset = 0;
  }
  const out = Buffer.from(pool.subarray(offset, offset + n));
  pool.fill(0, offset, offset + n);
  offset += n;
  return out;
}
