import type { RegisterTaskDefinitionRequest, RegisterTaskDefinitionResponse } from '@aws-sdk/client-ecs';
import { ApiError } from '../../model/errors.js';
import { taskDefinitionArn } from '../../model/arn.js';
import { keys } from '../../model/ecs/keys.js';
import type { FamilyRecord, TaskDefinitionRecord } from '../../model/ecs/records.js';
import { normalizeTaskDefinition } from '../../model/ecs/task-definition.js';
import { getJson } from '../../store/json.js';
import type { Handler } from '../types.js';
import type { Store } from '../../store/store.js';
import { validateTags } from './common.js';
import { taskDefinitionView } from './task-definition-store.js';

/**
 * Registers a new revision of a family. The revision comes from the family's counter record, which
 * only ever grows, so a revision number is never issued twice even after revisions are deleted.
 *
 * The naive way — list the family's revisions and take max+1 — reuses a number once the newest revision
 * is deleted, and two concurrent registrations both pick the same number. Guarding each registration
 * on the counter's version fixes that but serialises a family: of 64 concurrent registrations one
 * commits per round and the rest retry, so throughput collapses and retries run out. Instead,
 * registrations of one family queue up and are committed in batches: one transaction takes the counter,
 * issues consecutive revisions to every queued registration, and writes them all, guarded on the
 * counter's version (another server racing us makes the whole batch retry with fresh numbers).
 * Validation runs before queueing, so a request that fails consumes no revision.
 */
export const registerTaskDefinition: Handler<RegisterTaskDefinitionRequest, RegisterTaskDefinitionResponse> = async (input, ctx) => {
  const def = normalizeTaskDefinition(input);
  const tags = validateTags(input.tags);
  const rec = await allocateRevision(ctx.store, def.family, (revision) => ({
    taskDefinitionArn: taskDefinitionArn(ctx, def.family, revision),
    revision,
    status: 'ACTIVE',
    ...def,
    tags,
    registeredAt: ctx.now.getTime(),
    registeredBy: ctx.principal.arn,
  }));
  return { taskDefinition: taskDefinitionView(rec), tags: tags.length ? tags : undefined };
};

interface Pending { build: (revision: number) => TaskDefinitionRecord; resolve: (r: TaskDefinitionRecord) => void; reject: (e: unknown) => void }
interface FamilyQueue { pending: Pending[]; draining: boolean }
const queues = new WeakMap<Store, Map<string, FamilyQueue>>();
/** At most this many registrations share one transaction (bounds the transaction's size). */
const MAX_BATCH = 256;

function allocateRevision(store: Store, family: string, build: Pending['build']): Promise<TaskDefinitionRecord> {
  let families = queues.get(store);
  if (!families) queues.set(store, (families = new Map()));
  let q = families.get(family);
  if (!q) families.set(family, (q = { pending: [], draining: false }));
  const queue = q;
  return new Promise((resolve, reject) => {
    queue.pending.push({ build, resolve, reject });
    if (!queue.draining) {
      queue.draining = true;
      void drain(store, family, queue).finally(() => {
        queue.draining = false;
        if (queue.pending.length === 0) families!.delete(family);
      });
    }
  });
}

async function drain(store: Store, family: string, q: FamilyQueue): Promise<void> {
  while (q.pending.length > 0) {
    const batch = q.pending.splice(0, MAX_BATCH);
    try {
      let done = false;
      for (let attempt = 0; attempt < 20 && !done; attempt++) {
        const counter = await getJson<FamilyRecord>(store, keys.family(family));
        const first = (counter?.value.lastRevision ?? 0) + 1;
        const recs = batch.map((p, i) => p.build(first + i));
        const last = first + batch.length - 1;
        const r = await store.txn({
          compare: [
            { key: keys.family(family), target: 'version', op: '==', value: counter?.version ?? 0 },
            ...recs.map((rec) => ({ key: keys.taskDefinition(family, rec.revision), target: 'createRevision' as const, op: '==' as const, value: 0 })),
          ],
          success: [
            { type: 'put', key: keys.family(family), value: JSON.stringify({ family, lastRevision: last } satisfies FamilyRecord) },
            ...recs.map((rec) => ({ type: 'put' as const, key: keys.taskDefinition(family, rec.revision), value: JSON.stringify(rec) })),
          ],
        });
        if (r.succeeded) {
          batch.forEach((p, i) => p.resolve(recs[i]));
          done = true;
        }
      }
      if (!done) throw new ApiError('ServerException', `Too many concurrent registrations in family '${family}'. Retry the request.`);
    } catch (e) {
      for (const p of batch) p.reject(e);
    }
  }
}
