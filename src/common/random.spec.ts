import { randomBytesPooled } from './random.js';

describe('randomBytesPooled', () => {
  it('hands out the requested length, never the same bytes twice, across pool refills', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 5000; i++) {
      const b = randomBytesPooled(12);
      expect(b).toHaveLength(12);
      const hex = b.toString('hex');
      expect(seen.has(hex)).toBe(false);
      seen.add(hex);
    }
  });

  it('returns copies: changing one does not change the next', () => {
    const a = randomBytesPooled(16);
    a.fill(0);
    expect(randomBytesPooled(16).equals(Buffer.alloc(16))).toBe(false);
  });

  it('serves requests larger than the pool directly', () => {
    expect(randomBytesPooled(20_000)).toHaveLength(20_000);
  });

  it('looks uniform: every byte value appears over 256 KiB', () => {
    const counts = new Array(256).fill(0);
    for (let i = 0; i < 64; i++) for (const b of randomBytesPooled(4096)) counts[b]++;
    expect(Math.min(...counts)).toBeGreaterThan(700); // mean 1024
  });
});
