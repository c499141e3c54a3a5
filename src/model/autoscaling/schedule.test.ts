import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { latestFire, nextFire, parseSchedule, ScheduleError } from './schedule.js';

const iso = (t: number | undefined) => (t === undefined ? undefined : new Date(t).toISOString());
const ms = (s: string) => Date.parse(s);

describe('scheduled action schedules', () => {
  it('at() is a wall-clock time in the action\'s time zone', () => {
    const s = parseSchedule('at(2026-07-01T12:00:00)', 'Europe/Paris');
    assert.equal(s.kind === 'at' && iso(s.at), '2026-07-01T10:00:00.000Z', 'CEST is UTC+2');
    assert.equal(iso(latestFire(s, { createdAt: 0 }, ms('2026-07-01T09:59:59Z'), ms('2026-07-01T10:00:05Z'))), '2026-07-01T10:00:00.000Z');
    assert.equal(latestFire(s, { createdAt: 0 }, ms('2026-07-01T10:00:00Z'), ms('2026-07-01T10:10:00Z')), undefined, 'already run');
  });

  it('cron() follows daylight saving: 09:30 in New York is 14:30 UTC in winter and 13:30 UTC in summer', () => {
    const s = parseSchedule('cron(30 9 * * ? *)', 'America/New_York');
    assert.equal(iso(nextFire(s, { createdAt: 0 }, ms('2026-12-03T00:00:00Z'))), '2026-12-03T14:30:00.000Z');
    assert.equal(iso(nextFire(s, { createdAt: 0 }, ms('2026-07-03T00:00:00Z'))), '2026-07-03T13:30:00.000Z');
  });

  it('cron() day-of-week is 1–7 = SUN–SAT, and the year field limits it', () => {
    const weekdays = parseSchedule('cron(15 12 ? * 2-6 *)');
    assert.equal(iso(nextFire(weekdays, { createdAt: 0 }, ms('2026-12-05T00:00:00Z'))), '2026-12-07T12:15:00.000Z', 'Saturday → Monday');
    const only2026 = parseSchedule('cron(0 0 1 * ? 2026)');
    assert.equal(nextFire(only2026, { createdAt: 0 }, ms('2026-12-02T00:00:00Z')), undefined);
  });

  it('latestFire takes only the latest missed time, inside [StartTime, EndTime]', () => {
    const s = parseSchedule('cron(* * * * ? *)');
    assert.equal(iso(latestFire(s, { createdAt: 0 }, ms('2026-12-03T09:00:30Z'), ms('2026-12-03T09:05:10Z'))), '2026-12-03T09:05:00.000Z');
    assert.equal(latestFire(s, { createdAt: 0, end: ms('2026-12-03T08:00:00Z') }, ms('2026-12-03T09:00:30Z'), ms('2026-12-03T09:05:10Z')), undefined);
    assert.equal(latestFire(s, { createdAt: 0, start: ms('2026-12-03T10:00:00Z') }, ms('2026-12-03T09:00:30Z'), ms('2026-12-03T09:05:10Z')), undefined);
  });

  it('rate() counts from StartTime (or creation)', () => {
    const s = parseSchedule('rate(5 minutes)');
    const w = { createdAt: ms('2026-12-03T09:00:00Z') };
    assert.equal(latestFire(s, w, w.createdAt, ms('2026-12-03T09:04:59Z')), undefined);
    assert.equal(iso(latestFire(s, w, w.createdAt, ms('2026-12-03T09:11:00Z'))), '2026-12-03T09:10:00.000Z');
    assert.equal(parseSchedule('rate(1 hour)').kind, 'rate');
  });

  it('refuses what AWS refuses, saying why', () => {
    for (const [expr, re] of [
      ['cron(15 12 * * *)', /six fields/], ['cron(15 12 * * * *)', /exactly one of day-of-month and day-of-week/], ['rate(1 minutes)', /unit minute/],
      ['rate(5 minute)', /unit minutes/], ['at(2026-13-01T00:00:00)', /valid date/], ['every day', /at\(yyyy-mm-ddThh:mm:ss\), rate\(value unit\) or cron\(fields\)/],
    ] as const) {
      assert.throws(() => parseSchedule(expr), (e: Error) => e instanceof ScheduleError && re.test(e.message), expr);
    }
    assert.throws(() => parseSchedule('rate(1 day)', 'Mars/Olympus'), /not a valid IANA time zone/);
  });
});
