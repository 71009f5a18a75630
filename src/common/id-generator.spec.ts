import { IdGenerator } from './id-generator.js';

function isStrictlyIncreasing(ids: string[]): boolean {
  return ids.every((id, i) => i === 0 || BigInt(id) > BigInt(ids[i - 1]!));
}

describe('IdGenerator', () => {
  afterEach(() => jest.restoreAllMocks());

  it('generates 10,000 unique, strictly increasing 18-digit decimal IDs', () => {
    const gen = new IdGenerator();
    const ids = Array.from({ length: 10_000 }, () => gen.next());
    expect(new Set(ids).size).toBe(ids.length);
    expect(isStrictlyIncreasing(ids)).toBe(true);
    for (const id of ids) expect(id).toMatch(/^[1-9]\d{17}$/);
  });

  it('stays unique and increasing when more than 256 IDs are asked for within one clock tick', () => {
    jest.spyOn(Date, 'now').mockReturnValue(Date.UTC(2025, 0, 1));
    const gen = new IdGenerator();
    const ids = Array.from({ length: 1_000 }, () => gen.next());
    expect(new Set(ids).size).toBe(ids.length);
    expect(isStrictlyIncreasing(ids)).toBe(true);
  });

  it('keeps IDs increasing when the clock steps back', () => {
    const now = jest.spyOn(Date, 'now').mockReturnValue(Date.UTC(2025, 0, 1, 12));
    const gen = new IdGenerator();
    const before = gen.next();
    now.mockReturnValue(Date.UTC(2025, 0, 1, 11)); // one hour back
    const after = [gen.next(), gen.next(), gen.next()];
    expect(isStrictlyIncreasing([before, ...after])).toBe(true);
  });

  it('orders IDs by time', () => {
    const now = jest.spyOn(Date, 'now').mockReturnValue(Date.UTC(2025, 0, 1));
    const first = new IdGenerator().next();
    now.mockReturnValue(Date.UTC(2025, 0, 2));
    const later = new IdGenerator().next();
    expect(BigInt(later)).toBeGreaterThan(BigInt(first));
  });
});
