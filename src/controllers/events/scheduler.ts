/**
 * EventBridge Scheduler's schedules: each pass of the events delivery controller, for each schedule
 *
 *   progress missing, or for an older definition (generation ≠ lastModifiedAt)
 *       ─► new progress: checkedAt just before the definition was set (a rate() without StartDate
 *          occurs at once, as AWS documents: "starts invoking its target immediately")
 *   the latest occurrence t with checkedAt < t ≤ now (model/scheduler/expression.ts)
 *       ─► ENABLED: an invocation goes into the events outbox (OutboxEvent.invoke, with a copy of the
 *          target), not before t + a random delay inside the FlexibleTimeWindow
 *       ─► DISABLED: the occurrence passes
 *   no occurrence left and ActionAfterCompletion DELETE ─► the schedule is deleted
 *
 * all in one transaction guarded on the progress's and the schedule's versions. So an occurrence is
 * invoked once, across restarts too: the invocation and the progress that says it happened commit
 * together, and the delivery controller runs an ECS target exactly once per invocation (ecs-target.ts's
 * marker). Occurrences missed while the server was down are not replayed one by one: only the latest of
 * them within the last hour is invoked (a schedule that runs a task every minute does not start sixty
 * after an hour's outage).
 */
import { randomUUID } from 'node:crypto';
import type { Compare, Op, Store } from '../../store/store.js';
import { latestOccurrence, nextOccurrence, parseExpression, type Timing } from '../../model/scheduler/expression.js';
import { schedulerKeys, type ScheduleProgressRecord, type ScheduleRecord } from '../../model/scheduler/records.js';
import { DEFAULT_BUS, eventsKeys, type OutboxEvent } from '../../model/events/records.js';
import { eventTime } from '../../model/events/route.js';

/** Progress is moved at least this often without an occurrence, so a cron scan never starts far back. */
const CHECKPOINT_MS = 60_000;
/** Occurrences older than this when first looked at (after an outage) are not invoked. */
const CATCH_UP_MS = 3_600_000;

export const timingOf = (s: ScheduleRecord): Timing => ({ scheduleExpression: s.scheduleExpression, timezone: s.timezone, startDate: s.startDate, endDate: s.endDate, setAt: s.lastModifiedAt });

export interface SchedulerFireOptions {
  scope: { region: string; accountId: string };
  /** [0, 1): picks the delay inside a flexible time window. */
  random?: () => number;
}

/** One pass; returns the number of invocations put in the outbox. */
export async function fireSchedulerSchedules(store: Store, now: number, o: SchedulerFireOptions): Promise<number> {
  const schedules = (await store.range(schedulerKeys.schedules())).kvs;
  const progress = new Map((await store.range(schedulerKeys.progressAll())).kvs.map((kv) => [kv.key, kv]));
  const live = new Set<string>();
  let fired = 0;
  for (const skv of schedules) {
    const s = JSON.parse(skv.value) as ScheduleRecord;
    const pkey = schedulerKeys.progress(s.groupName, s.name);
    live.add(pkey);
    let parsed;
    try {
      parsed = parseExpression(s.scheduleExpression, s.timezone ?? 'UTC');
    } catch {
      continue; // checked by the API; a record that does not parse is left alone
    }
    const timing = timingOf(s);
    const pkv = progress.get(pkey);
    const cur = pkv ? (JSON.parse(pkv.value) as ScheduleProgressRecord) : undefined;
    const state: ScheduleProgressRecord = cur && cur.generation === s.lastModifiedAt
      ? cur
      : { generation: s.lastModifiedAt, checkedAt: Math.max(s.lastModifiedAt - 1, now - CATCH_UP_MS), ...(cur?.lastInvokedAt !== undefined ? { lastInvokedAt: cur.lastInvokedAt } : {}) };
    const t = latestOccurrence(parsed, timing, Math.max(state.checkedAt, now - CATCH_UP_MS), now);
    const complete = nextOccurrence(parsed, timing, now) === undefined;
    const deleteNow = complete && s.actionAfterCompletion === 'DELETE';
    if (t === undefined && !deleteNow && cur === state && now - state.checkedAt < CHECKPOINT_MS) continue;
    const compare: Compare[] = [
      { key: pkey, target: 'version', op: '==', value: pkv?.version ?? 0 },
      { key: skv.key, target: 'version', op: '==', value: skv.version },
    ];
    const next: ScheduleProgressRecord = { ...state, checkedAt: now };
    const ops: Op[] = [];
    if (t !== undefined && s.state === 'ENABLED') {
      const id = randomUUID();
      const w = s.flexibleTimeWindow;
      const delay = w.Mode === 'FLEXIBLE' ? Math.floor((o.random ?? Math.random)() * (w.MaximumWindowInMinutes ?? 1) * 60_000) : 0;
      const rec: OutboxEvent = {
        eventBusName: DEFAULT_BUS, receivedAt: now,
        event: { version: '0', id, 'detail-type': 'Scheduled Event', source: 'aws.scheduler', account: o.scope.accountId, time: eventTime(t), region: o.scope.region, resources: [s.arn], detail: {} },
        invoke: { scheduleArn: s.arn, scheduleName: s.name, groupName: s.groupName, scheduledTime: t, target: s.target },
        ...(delay > 0 ? { delivery: { done: [], attempts: 0, nextAttemptAt: t + delay } } : {}),
      };
      ops.push({ type: 'put', key: eventsKeys.outbox(DEFAULT_BUS, now, id), value: JSON.stringify(rec) });
      next.lastInvokedAt = t;
      fired++;
    }
    if (deleteNow) {
      ops.push({ type: 'delete', key: skv.key }, { type: 'delete', key: pkey });
    } else {
      ops.push({ type: 'put', key: pkey, value: JSON.stringify(next) });
    }
    await store.txn({ compare, success: ops });
  }
  // The progress of a schedule that is gone goes too.
  for (const [key, kv] of progress) {
    if (!live.has(key)) await store.txn({ compare: [{ key, target: 'version', op: '==', value: kv.version }], success: [{ type: 'delete', key }] });
  }
  return fired;
}
