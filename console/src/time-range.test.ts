import { describe, expect, it } from 'vitest';
import { periodFor, rangeOf } from './time-range';

const span = (seconds: number) => ({ start: new Date(0), end: new Date(seconds * 1000) });

describe('periodFor', () => {
  it('keeps a chart at 240 points or fewer', () => {
    expect(periodFor(span(3600))).toBe(60);
    expect(periodFor(span(4 * 3600))).toBe(60);
    expect(periodFor(span(4 * 3600 + 60))).toBe(300);
    expect(periodFor(span(86_400))).toBe(900);
    expect(periodFor(span(7 * 86_400))).toBe(3600);
    expect(periodFor(span(365 * 86_400))).toBe(86_400);
  });
});

describe('rangeOf', () => {
  it('turns a relative range into milliseconds and an absolute one into dates', () => {
    expect(rangeOf({ type: 'relative', amount: 3, unit: 'hour' })).toEqual({ relativeMs: 3 * 3600_000 });
    expect(rangeOf({ type: 'relative', amount: 15, unit: 'minute' })).toEqual({ relativeMs: 15 * 60_000 });
    expect(rangeOf({ type: 'absolute', startDate: '2026-01-01T00:00:00Z', endDate: '2026-01-02T00:00:00Z' }))
      .toEqual({ start: new Date('2026-01-01T00:00:00Z'), end: new Date('2026-01-02T00:00:00Z') });
  });
});
