import { lazy } from './lazy.js';

describe('lazy', () => {
  it('builds once, also for calls that come while the build runs', async () => {
    let builds = 0;
    const get = lazy(async () => ++builds);
    expect(await Promise.all([get(), get(), get()])).toEqual([1, 1, 1]);
    expect(await get()).toBe(1);
    expect(builds).toBe(1);
  });

  it('does not keep a failed build: the next call tries again', async () => {
    let builds = 0;
    const get = lazy(async () => {
      if (++builds === 1) throw new Error('first build fails');
      return builds;
    });
    await expect(get()).rejects.toThrow('first build fails');
    expect(await get()).toBe(2);
    expect(await get()).toBe(2);
  });
});
