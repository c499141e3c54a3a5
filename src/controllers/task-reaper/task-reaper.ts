/**
 * Removes STOPPED tasks an hour after they stopped, as ECS does ("STOPPED tasks are visible for at
 * least an hour"). Level-triggered: every pass re-lists and deletes what is due, guarded on the version
 * it read, so a crash mid-pass just means the next pass does the rest.
 */
import type { Store } from '../../store/store.js';
import { keys } from '../../model/ecs/keys.js';
import type { TaskRecord } from '../../model/ecs/task-records.js';

export interface ReaperOptions {
  store: Store;
  clock: () => Date;
  /** How long a STOPPED task stays visible. Default 1 hour (ECS). */
  retentionMs?: number;
  /** How often to look. Default 60 s. */
  intervalMs?: number;
}

export async function reapOnce(o: ReaperOptions): Promise<number> {
  const cutoff = o.clock().getTime() - (o.retentionMs ?? 3_600_000);
  let removed = 0;
  for (const kv of (await o.store.range(keys.tasks())).kvs) {
    const t = JSON.parse(kv.value) as TaskRecord;
    if (t.lastStatus !== 'STOPPED' || (t.stoppedAt ?? Infinity) > cutoff) continue;
    const r = await o.store.txn({ compare: [{ key: kv.key, target: 'version', op: '==', value: kv.version }], success: [{ type: 'delete', key: kv.key }] });
    if (r.succeeded) removed++;
  }
  return removed;
}

export function startTaskReaper(o: ReaperOptions): { stop(): void } {
  const timer = setInterval(() => { void reapOnce(o).catch(() => {}); }, o.intervalMs ?? 60_000);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
