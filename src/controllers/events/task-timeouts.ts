/**
 * Wharf's task timeout extension (docs/events.md, "Wharf extensions"): a task tagged
 * `wharf:timeout-seconds` = N (RunTask `tags`, or a scheduled or event-driven target's EcsParameters
 * Tags) that has been RUNNING for more than N seconds is asked to stop, as StopTask would
 * (task-state.ts requestStop: desiredStatus STOPPED, stopCode UserInitiated), with the stoppedReason
 * "Task timed out after N seconds (wharf:timeout-seconds)". ECS has no such setting; its request
 * shapes cannot carry one, hence the tag.
 *
 * Guarded on the task's version, so a stop the agent or the user wrote meanwhile wins.
 */
import type { Store } from '../../store/store.js';
import { keys } from '../../model/ecs/keys.js';
import type { TaskRecord } from '../../model/ecs/task-records.js';
import { requestStop } from '../../model/ecs/task-state.js';
import { TIMEOUT_TAG } from './ecs-target.js';

/** The timeout a task's tags ask for, in seconds, or undefined (absent or not a positive integer). */
export function timeoutOf(t: Pick<TaskRecord, 'tags'>): number | undefined {
  const v = t.tags.find((x) => x.key === TIMEOUT_TAG)?.value;
  if (v === undefined || !/^\d+$/.test(v) || Number(v) < 1) return undefined;
  return Number(v);
}

export async function stopTimedOutTasks(store: Store, now: number): Promise<number> {
  let n = 0;
  for (const kv of (await store.range(keys.tasks())).kvs) {
    const t = JSON.parse(kv.value) as TaskRecord;
    if (t.desiredStatus === 'STOPPED' || t.lastStatus !== 'RUNNING' || t.startedAt === undefined) continue;
    const limit = timeoutOf(t);
    if (limit === undefined || now - t.startedAt <= limit * 1000) continue;
    if (!requestStop(t, { code: 'UserInitiated', reason: `Task timed out after ${limit} seconds (${TIMEOUT_TAG})`, now })) continue;
    const r = await store.txn({ compare: [{ key: kv.key, target: 'version', op: '==', value: kv.version }], success: [{ type: 'put', key: kv.key, value: JSON.stringify(t) }] });
    if (r.succeeded) n++;
  }
  return n;
}
