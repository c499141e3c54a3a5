import { test } from 'node:test';
import assert from 'node:assert/strict';
import { latestOccurrence, nextOccurrence, parseExpression, ScheduleError } from './expression.js';

const ms = (iso: string) => Date.parse(iso);
const iso = (t: number | undefined) => (t === undefined ? undefined : new Date(t).toISOString());

test('rate() starts at once (or at StartDate), then every period, up to EndDate', () => {
  const s = parseExpression('rate(15 minutes)');
  const setAt = ms('2026-01-01T10:00:00Z');
  assert.equal(iso(latestOccurrence(s, { scheduleExpression: '', setAt }, setAt - 1, setAt + 1000)), '2026-01-01T10:00:00.000Z', 'the first occurrence is the moment it was set');
  assert.equal(iso(latestOccurrence(s, { scheduleExpression: '', setAt }, setAt, setAt + 14 * 60_000)), undefined);
  assert.equal(iso(nextOccurrence(s, { scheduleExpression: '', setAt }, setAt)), '2026-01-01T10:15:00.000Z');
  const start = ms('2026-02-01T00:00:00Z');
  assert.equal(iso(nextOccurrence(s, { scheduleExpression: '', setAt, startDate: start }, setAt)), '2026-02-01T00:00:00.000Z');
  assert.equal(nextOccurrence(s, { scheduleExpression: '', setAt, endDate: ms('2026-01-01T10:20:00Z') }, ms('2026-01-01T10:16:00Z')), undefined, 'past EndDate: complete');
  assert.ok(parseExpression('rate(1 minutes)'));
});

test('cron() in a time zone follows daylight saving (America/New_York, 2027-03-14)', () => {
  const s = parseExpression('cron(0 9 * * ? *)', 'America/New_York');
  const t = { scheduleExpression: '', setAt: ms('2027-03-01T00:00:00Z') };
  assert.equal(iso(nextOccurrence(s, t, ms('2027-03-13T00:00:00Z'))), '2027-03-13T14:00:00.000Z', 'EST: UTC-5');
  assert.equal(iso(nextOccurrence(s, t, ms('2027-03-13T15:00:00Z'))), '2027-03-14T13:00:00.000Z', 'EDT: UTC-4');
  assert.equal(iso(latestOccurrence(s, t, ms('2027-03-14T12:00:00Z'), ms('2027-03-14T13:00:30Z'))), '2027-03-14T13:00:00.000Z');
});

test('at() is one occurrence in its time zone, whatever StartDate and EndDate say', () => {
  const s = parseExpression('at(2027-03-14T10:30:00)', 'America/New_York');
  const t = { scheduleExpression: '', setAt: 0, startDate: ms('2030-01-01T00:00:00Z'), endDate: ms('2027-01-01T00:00:00Z') };
  assert.equal(iso(nextOccurrence(s, t, 0)), '2027-03-14T14:30:00.000Z');
  assert.equal(nextOccurrence(s, t, ms('2027-03-14T14:30:00Z')), undefined);
});

test('bad expressions and time zones', () => {
  for (const e of ['rate(0 minutes)', 'rate(5 weeks)', 'cron(0 3 * * * *)', 'cron(0 3 * *)', 'at(2027-13-01T00:00:00)', 'every 5 minutes']) {
    assert.throws(() => parseExpression(e), (err: Error) => err instanceof ScheduleError && err.message === `Invalid Schedule Expression ${e}.`, e);
  }
  assert.throws(() => parseExpression('rate(1 hour)', 'Mars/Olympus'), ScheduleError);
});
