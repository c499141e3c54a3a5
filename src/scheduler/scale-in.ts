/**
 * Which tasks a service stops when it has too many: the inverse of placement (pure).
 *
 * ECS ([DG] ecs_services.md, "scale-in"): with placement strategies, stop the tasks whose removal keeps
 * the placement strategy best satisfied — for spread, take from the value (AZ, instance…) that holds
 * the most of the service's tasks; for binpack, from the instance that will have the most remaining
 * resources after the task is gone. Without strategies ECS spreads by availability zone, then instance.
 * Protected tasks (UpdateTaskProtection) go last; callers that must never stop them filter them out.
 *
 * Picking one task at a time and recounting after each pick is what keeps the spread balanced: taking
 * the k "worst" tasks in one sort would empty one AZ when two are tied.
 */
import { attrValue, SERVICE_DEFAULT_STRATEGY, type InstanceView, type Strategy } from './placement.js';

export interface ScaleInCandidate {
  id: string;
  /** The instance it runs on (undefined: not placed — such tasks go first, they cost nothing). */
  instanceId?: string;
  protected: boolean;
  /** Newer tasks go first among equals (ECS stops the youngest when nothing else decides). */
  createdAt: number;
  cpu: number;
  memory: number;
}

/**
 * `opts.staying`: the service's other tasks, which are not candidates but count for the spread (when
 * an older deployment's tasks are stopped, the new ones already placed decide which AZ is crowded).
 */
export function selectForScaleIn(candidates: readonly ScaleInCandidate[], count: number, opts: { strategies?: readonly Strategy[]; instances: readonly InstanceView[]; staying?: readonly ScaleInCandidate[] }): string[] {
  const strategies = (opts.strategies?.length ? opts.strategies : SERVICE_DEFAULT_STRATEGY).filter((s) => s.type !== 'random');
  const byId = new Map(opts.instances.map((i) => [i.id, i]));
  const remaining = [...candidates];
  const extraRemaining = new Map<string, { cpu: number; memory: number }>();
  const chosen: string[] = [];
  while (chosen.length < count && remaining.length > 0) {
    // Counts of the remaining candidates per value of each spread field.
    const counts = strategies.map((s) => {
      if (s.type !== 'spread') return undefined;
      const m = new Map<string, number>();
      for (const t of [...remaining, ...(opts.staying ?? [])]) {
        const inst = t.instanceId ? byId.get(t.instanceId) : undefined;
        const v = inst ? attrValue(inst, s.field ?? 'instanceId') ?? '' : `unplaced:${t.id}`;
        m.set(v, (m.get(v) ?? 0) + 1);
      }
      return m;
    });
    let best = -1;
    let bestKeys: number[] = [];
    remaining.forEach((t, idx) => {
      const inst = t.instanceId ? byId.get(t.instanceId) : undefined;
      const keys: number[] = [t.protected ? 1 : 0, inst ? 1 : 0];
      strategies.forEach((s, k) => {
        if (!inst) { keys.push(0); return; }
        if (s.type === 'spread') {
          keys.push(-(counts[k]!.get(attrValue(inst, s.field ?? 'instanceId') ?? '') ?? 0));
        } else {
          const field = s.field === 'cpu' ? 'cpu' : 'memory';
          const extra = extraRemaining.get(inst.id)?.[field] ?? 0;
          keys.push(-(inst.remaining[field] + extra + t[field]));
        }
      });
      keys.push(-t.createdAt);
      if (best < 0 || less(keys, bestKeys)) { best = idx; bestKeys = keys; }
    });
    const [t] = remaining.splice(best, 1);
    chosen.push(t.id);
    if (t.instanceId) {
      const e = extraRemaining.get(t.instanceId) ?? { cpu: 0, memory: 0 };
      extraRemaining.set(t.instanceId, { cpu: e.cpu + t.cpu, memory: e.memory + t.memory });
    }
  }
  return chosen;
}

function less(a: readonly number[], b: readonly number[]): boolean {
  for (let x = 0; x < a.length; x++) if (a[x] !== b[x]) return a[x] < b[x];
  return false;
}
