/**
 * EventBridge Scheduler's schedule expressions and when they occur (pure: times are passed in).
 *
 *   at(yyyy-mm-ddThh:mm:ss)   once, at that wall-clock time in ScheduleExpressionTimezone (StartDate and
 *                             EndDate do not apply to one-time schedules, as AWS documents)
 *   rate(value unit)          minute(s) | hour(s) | day(s); the first occurrence is StartDate, or the
 *                             moment the schedule was created or updated when it has none ("starts
 *                             invoking its target immediately"), then every value unit
 *   cron(six fields)          AWS's cron, read in ScheduleExpressionTimezone with daylight saving (the
 *                             calendar work is croner's, shared with scheduled scaling:
 *                             model/autoscaling/schedule.ts)
 *
 * Recurring schedules occur only inside [StartDate, EndDate].
 */
import { checkTimezone, latestFire, nextFire, parseSchedule, ScheduleError, type Schedule } from '../autoscaling/schedule.js';

export { ScheduleError };

export interface Timing {
  scheduleExpression: string;
  timezone?: string;
  startDate?: number;
  endDate?: number;
  /** When the expression was set: a rate() without StartDate counts from here. */
  setAt: number;
}

const RATE = /^rate\((\d+)\s+(minute|minutes|hour|hours|day|days)\)$/;
const UNIT_MS: Record<string, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

export type SchedulerSchedule = Schedule;

/** Parses with Scheduler's rules; throws ScheduleError (the API turns it into ValidationException). */
export function parseExpression(expr: string, timezone = 'UTC'): Schedule {
  checkTimezone(timezone);
  const rate = RATE.exec(expr);
  if (rate) {
    const n = Number(rate[1]);
    if (n < 1) throw new ScheduleError(`Invalid Schedule Expression ${expr}.`);
    return { kind: 'rate', everyMs: n * UNIT_MS[rate[2].replace(/s$/, '')] };
  }
  if (!/^(at|cron)\(/.test(expr)) throw new ScheduleError(`Invalid Schedule Expression ${expr}.`);
  try {
    return parseSchedule(expr, timezone);
  } catch {
    throw new ScheduleError(`Invalid Schedule Expression ${expr}.`);
  }
}

/** The latest occurrence t with after < t ≤ upTo, or undefined. */
export function latestOccurrence(s: Schedule, t: Timing, after: number, upTo: number): number | undefined {
  if (s.kind === 'at') return latestFire(s, { createdAt: t.setAt }, after, upTo);
  if (s.kind === 'cron') return latestFire(s, { start: t.startDate, end: t.endDate, createdAt: t.setAt }, after, upTo);
  const base = t.startDate ?? t.setAt;
  const lo = Math.max(after, base - 1);
  const hi = Math.min(upTo, t.endDate ?? Infinity);
  if (hi <= lo) return undefined;
  const at = base + Math.floor((hi - base) / s.everyMs) * s.everyMs;
  return at > lo ? at : undefined;
}

/** The first occurrence after `after`, or undefined when there is none (the schedule is complete). */
export function nextOccurrence(s: Schedule, t: Timing, after: number): number | undefined {
  if (s.kind === 'at') return nextFire(s, { createdAt: t.setAt }, after);
  if (s.kind === 'cron') return nextFire(s, { start: t.startDate, end: t.endDate, createdAt: t.setAt }, after);
  const base = t.startDate ?? t.setAt;
  const k = after < base ? 0 : Math.floor((after - base) / s.everyMs) + 1;
  const at = base + k * s.everyMs;
  return t.endDate !== undefined && at > t.endDate ? undefined : at;
}
