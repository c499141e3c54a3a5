/**
 * Schedule rules: a rule with `rate()` or `cron()` sends a "Scheduled Event" to its targets at each fire
 * time (source aws.events, resources [the rule's ARN], detail {}), as EventBridge does.
 *
 * Each pass, for each ENABLED schedule rule on the default bus: the latest fire time t with
 * checkedAt < t ≤ now (model/autoscaling/schedule.ts, the same parser and calendar as scheduled scaling)
 * is put in the outbox, addressed to the rule (OutboxEvent.rule), in the transaction that moves the rule's
 * checkedAt to now, guarded on the state's version — so a fire time is sent once even across a restart,
 * and fire times missed while the server was down are not replayed one by one (only the latest counts),
 * as EventBridge does not replay them either. rate() counts from when PutRule set the expression.
 */
import { randomUUID } from 'node:crypto';
import type { Store, Op } from '../../store/store.js';
import { parseSchedule, latestFire } from '../../model/autoscaling/schedule.js';
import { DEFAULT_BUS, eventsKeys, type OutboxEvent, type RuleRecord, type ScheduleStateRecord } from '../../model/events/records.js';
import { eventTime } from '../../model/events/route.js';

/** checkedAt is moved at least this often without a fire, so a cron scan never starts far back. */
const CHECKPOINT_MS = 60_000;
/** A new schedule state looks back at most this far (a cron scan stays short). */
const CATCH_UP_MS = 3_600_000;

export async function fireSchedules(store: Store, now: number, scope: { region: string; accountId: string }): Promise<number> {
  const rules = (await store.range(eventsKeys.rules(DEFAULT_BUS))).kvs.map((kv) => JSON.parse(kv.value) as RuleRecord);
  const states = new Map((await store.range(eventsKeys.schedules())).kvs.map((kv) => [kv.key, kv]));
  let fired = 0;
  const live = new Set<string>();
  for (const r of rules) {
    if (r.scheduleExpression === undefined) continue;
    const key = eventsKeys.schedule(r.name);
    live.add(key);
    let kv = states.get(key);
    const cur = kv ? (JSON.parse(kv.value) as ScheduleStateRecord) : undefined;
    if (!cur || cur.expression !== r.scheduleExpression) {
      // rate() counts from when PutRule set the expression, and a fire time since then (within the last
      // hour) still fires: one that fell between PutRule and the controller's next tick is not lost.
      const since = Math.min(now, r.updatedAt ?? r.createdAt);
      const fresh: ScheduleStateRecord = { expression: r.scheduleExpression, since, checkedAt: Math.max(since, now - CATCH_UP_MS) };
      const made = await store.txn({ compare: [{ key, target: 'version', op: '==', value: kv?.version ?? 0 }], success: [{ type: 'put', key, value: JSON.stringify(fresh) }] });
      kv = made.succeeded ? await store.get(key) : undefined;
    }
    if (!kv) continue;
    const state = JSON.parse(kv.value) as ScheduleStateRecord;
    const guard = [{ key, target: 'version' as const, op: '==' as const, value: kv.version }];
    let t: number | undefined;
    try {
      t = latestFire(parseSchedule(r.scheduleExpression), { createdAt: state.since }, state.checkedAt, now);
    } catch {
      continue; // checked by PutRule; a record from elsewhere that does not parse is left alone
    }
    if (t === undefined && now - state.checkedAt < CHECKPOINT_MS) continue;
    const ops: Op[] = [{ type: 'put', key, value: JSON.stringify({ ...state, checkedAt: now } satisfies ScheduleStateRecord) }];
    // A disabled rule, or one without targets, lets its fire times pass.
    if (t !== undefined && r.state !== 'DISABLED' && r.targets.length > 0) {
      const id = randomUUID();
      const rec: OutboxEvent = {
        eventBusName: DEFAULT_BUS, rule: r.name, receivedAt: now,
        event: { version: '0', id, 'detail-type': 'Scheduled Event', source: 'aws.events', account: scope.accountId, time: eventTime(t), region: scope.region, resources: [r.arn], detail: {} },
      };
      ops.push({ type: 'put', key: eventsKeys.outbox(DEFAULT_BUS, now, id), value: JSON.stringify(rec) });
      fired++;
    }
    await store.txn({ compare: guard, success: ops });
  }
  // The state of a rule that is gone goes too.
  for (const [key, kv] of states) {
    if (!live.has(key)) await store.txn({ compare: [{ key, target: 'version', op: '==', value: kv.version }], success: [{ type: 'delete', key }] });
  }
  return fired;
}
