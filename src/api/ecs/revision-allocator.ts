/**
 * Task definition revisions, allocated in batches: concurrent RegisterTaskDefinition calls of one family
 * queue behind each other and share one store transaction (group commit), so a family's revisions are
 * dense and each registration costs a fraction of a durable write. The composition root makes one
 * allocator per server (ApiDeps.revisions); queues are per region and family.
 */
import { ApiError } from '../../model/errors.js';
import { keys } from '../../model/ecs/keys.js';
import type { FamilyRecord, TaskDefinitionRecord } from '../../model/ecs/records.js';
import { getJson } from '../../store/json.js';
import type { Store } from '../../store/store.js';

interface Pending { build: (revision: number) => TaskDefinitionRecord; resolve: (r: TaskDefinitionRecord) => void; reject: (e: unknown) => void }
interface FamilyQueue { pending: Pending[]; draining: boolean }
/** At most this many registrations share one transaction (bounds the transaction's size). */
const MAX_BATCH = 256;

export class RevisionAllocator {
  private readonly queues = new Map<string, FamilyQueue>();

  /** Builds and stores the family's next revision with `build`, batched with concurrent calls. */
  allocate(region: string, store: Store, family: string, build: Pending['build']): Promise<TaskDefinitionRecord> {
    const id = `${region}\0${family}`;
    let q = this.queues.get(id);
    if (!q) this.queues.set(id, (q = { pending: [], draining: false }));
    const queue = q;
    return new Promise((resolve, reject) => {
      queue.pending.push({ build, resolve, reject });
      if (!queue.draining) {
        queue.draining = true;
        void drain(store, family, queue).finally(() => {
          queue.draining = false;
          if (queue.pending.length === 0) this.queues.delete(id);
        });
      }
    });
  }
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
