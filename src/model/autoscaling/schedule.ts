/**
 * Scheduled action schedules, as Application Auto Scaling writes them (pure: times are passed in).
 *
 *   at(yyyy-mm-ddThh:mm:ss)          once, at that wall-clock time in the action's time zone
 *   rate(value unit)                 every value minute(s)/hour(s)/day(s) from StartTime (or creation)
 *   cron(min hour dom month dow year)   AWS's six-field cron: `?` in one of dom/dow, L, W, #, day-of-week
 *                                    1–7 = SUN–SAT (or SUN…SAT), read in the action's time zone
 *
 * Times are read in `Timezone` (an IANA name, default UTC), daylight saving included. croner does the
 * calendar work: AWS's six fields become croner's seven-part Quartz form (seconds 0 in front, Quartz
 * weekday numbering).
 *
 * Firing rule (the controller keeps `checkedAt` per action): the action runs once for the latest fire
 * time t with checkedAt < t ≤ now inside [StartTime, EndTime]. Missed fire times after a pause are not
 * replayed one by one — only the latest one counts, as min/max are levels, not increments.
 */
import { Cron } from 'croner';

export class ScheduleError extends Error {}

export type Schedule =
  | { kind: 'at'; at: number }
  | { kind: 'rate'; everyMs: number }
  | { kind: 'cron'; cron: Cron };

const RATE_UNITS: Record<string, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

export function checkTimezone(tz: string): void {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
  } catch {
    throw new ScheduleError(`Time zone ${tz} is not a valid IANA time zone name (for example America/New_York or Etc/GMT+9).`);
  }
}

export function parseSchedule(expr: string, timezone = 'UTC'): Schedule {
  checkTimezone(timezone);
  const at = /^at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)$/.exec(expr);
  if (at) {
    let c: Cron;
    try {
      c = new Cron(at[1], { timezone, paused: true });
    } catch {
      throw new ScheduleError(`The at expression ${expr} does not name a valid date and time.`);
    }
    // A one-off date: the instant it names (nextRun from the epoch finds it whether past or future).
    const t = c.nextRun(new Date(0));
    if (!t) throw new ScheduleError(`The at expression ${expr} does not name a valid date and time.`);
    return { kind: 'at', at: t.getTime() };
  }
  const rate = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expr);
  if (rate) {
    const n = Number(rate[1]);
    const unit = rate[2].replace(/s$/, '');
    if (n < 1) throw new ScheduleError(`The rate expression ${expr} must have a positive value.`);
    if ((n === 1) !== (rate[2] === unit)) throw new ScheduleError(`The rate expression ${expr} must use the unit ${n === 1 ? unit : unit + 's'} for the value ${n}.`);
    return { kind: 'rate', everyMs: n * RATE_UNITS[unit] };
  }
  const cron = /^cron\((.+)\)$/.exec(expr);
  if (cron) {
    const fields = cron[1].trim().split(/\s+/);
    if (fields.length !== 6) throw new ScheduleError(`The cron expression ${expr} must have six fields: minutes hours day-of-month month day-of-week year.`);
    if ((fields[2] === '?') === (fields[4] === '?')) throw new ScheduleError(`The cron expression ${expr} must use ? in exactly one of day-of-month and day-of-week.`);
    try {
      return { kind: 'cron', cron: new Cron(`0 ${fields.join(' ')}`, { timezone, paused: true, mode: '7-part', alternativeWeekdays: true }) };
    } catch (e) {
      throw new ScheduleError(`The cron expression ${expr} is not valid: ${(e as Error).message}`);
    }
  }
  throw new ScheduleError(`The schedule ${expr} is not valid: use at(yyyy-mm-ddThh:mm:ss), rate(value unit) or cron(fields).`);
}

export interface Window { start?: number; end?: number; createdAt: number }

/** The latest fire time t with after < t ≤ upTo inside the action's window, or undefined. */
export function latestFire(s: Schedule, w: Window, after: number, upTo: number): number | undefined {
  const lo = Math.max(after, (w.start ?? -Infinity) - 1);
  const hi = Math.min(upTo, w.end ?? Infinity);
  if (hi <= lo) return undefined;
  if (s.kind === 'at') return s.at > lo && s.at <= hi ? s.at : undefined;
  if (s.kind === 'rate') {
    const base = w.start ?? w.createdAt;
    const k = Math.floor((hi - base) / s.everyMs);
    const t = base + k * s.everyMs;
    return k >= 1 && t > lo ? t : undefined;
  }
  let last: number | undefined;
  let from = new Date(lo);
  // Bounded: checks run every few seconds, so one window holds a handful of minute marks at most.
  for (let i = 0; i < 1000; i++) {
    const n = s.cron.nextRun(from);
    if (!n || n.getTime() > hi) break;
    last = n.getTime();
    from = n;
  }
  return last;
}

/** The next fire time after `after` (for docs and tests). */
export function nextFire(s: Schedule, w: Window, after: number): number | undefined {
  if (s.kind === 'at') return s.at > after && (w.end === undefined || s.at <= w.end) ? s.at : undefined;
  if (s.kind === 'rate') {
    const base = w.start ?? w.createdAt;
    const k = Math.max(1, Math.floor((after - base) / s.everyMs) + 1);
    return base + k * s.everyMs;
  }
  const from = new Date(Math.max(after, (w.start ?? -Infinity) - 1));
  const n = s.cron.nextRun(from);
  return n && (w.end === undefined || n.getTime() <= w.end) ? n.getTime() : undefined;
}
