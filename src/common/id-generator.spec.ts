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

  it('after(id): the next IDs come after an ID another process made in the same tick, or ahead of this clock', () => {
    jest.spyOn(Date, 'now').mockReturnValue(Date.UTC(2025, 0, 1));
    const other = new IdGenerator();
    const theirs = Array.from({ length: 40 }, () => other.next()).at(-1)!;
    const mine = new IdGenerator();
    mine.next();
    mine.after(theirs);
    expect(BigInt(mine.next())).toBeGreaterThan(BigInt(theirs));
    // an ID from a clock a minute ahead
    const ahead = (() => {
      const now = jest.spyOn(Date, 'now').mockReturnValue(Date.UTC(2025, 0, 1, 0, 1));
      const id = new IdGenerator().next();
      now.mockReturnValue(Date.UTC(2025, 0, 1));
      return id;
    })();
    mine.after(ahead);
    const next = [mine.next(), mine.next()];
    expect(isStrictlyIncreasing([ahead, ...next])).toBe(true);
    // an older ID, or not one of ours, changes nothing
    mine.after(theirs);
    mine.after('not-an-id');
    expect(BigInt(mine.next())).toBeGreaterThan(BigInt(next[1]!));
  });
});
