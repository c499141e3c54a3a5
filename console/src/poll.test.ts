import { describe, expect, it } from 'vitest';
import { nextDelay } from './poll';

describe('nextDelay', () => {
  it('doubles the wait after each failure up to the maximum, and returns to the interval after a success', () => {
    const o = { intervalMs: 5000, maxMs: 60_000 };
    const waits: number[] = [];
    let d = o.intervalMs;
    for (const ok of [false, false, false, false, false, true, false]) {
      d = nextDelay(d, ok, o);
      waits.push(d);
    }
    expect(waits).toEqual([10_000, 20_000, 40_000, 60_000, 60_000, 5000, 10_000]);
  });
});
