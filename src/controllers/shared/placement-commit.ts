/**
 * The placement applier shared by RunTask and the service controller: snapshot the cluster, let the
 * pure scheduler decide, commit tasks and instance reservations in one transaction guarded on every
 * instance record version that was read. A conflict means someone else placed or released meanwhile:
 * re-read and decide again (STYLE.md 3).
 *
 * The snapshot. The naive applier lists every instance and every task of the cluster on each call;
 * with 150,000 tasks that is 150,000 JSON parses per RunTask (hundreds of milliseconds). Instead one
 * ClusterCache per store lists once, then follows the store's watch, and the applier writes its own
 * commits through to it. The cache may lag the store by a watch delivery, which is safe: the commit
 * compares every touched instance's version, and every change that matters to placement (a task
 * placed on or released from an instance, a status or attribute change) bumps that instance's
 * version. A stale read therefore costs one retry, never an oversubscribed instance; on a conflict the
 * touched instances are re-read from the store before deciding again.
 */
import type { Store, Compare, Op, KeyValue } from '../../store/store.js';
import { storeForRegion } from '../../store/region-store.js';
import { keys } from '../../model/ecs/keys.js';
import type { ContainerInstanceRecord, TaskRecord } from '../../model/ecs/task-records.js';
import { place, type Constraint, type InstanceView, type PlacementFailure, type Strategy } from '../../scheduler/placement.js';
import { holdsResources, instanceAttributes, remainingOf, type Remaining, type Reservation } from '../../model/ecs/task-state.js';

export interface PlaceRequest {
  cluster: string;
  /** Unplaced tasks of one kind (same definition and overrides): the demand is the first's. */
  tasks: TaskRecord[];
  strategies: readonly Strategy[];
  constraints: readonly Constraint[];
  requiresAttributes: { name: string; value?: string }[];
  random: () => number;
  /** Restrict to these instance ids (StartTask, DAEMON services). */
  onlyInstances?: string[];
  /** memberOf evaluator; default: ECS's cluster query language (scheduler). */
  matches?: (expression: string, instance: InstanceView) => boolean;
  /** Extra ops committed atomically with the placement (e.g. an idempotency record). */
  extraOps?: (placed: TaskRecord[], failures: readonly PlacementFailure[]) => Op[];
  /** Extra compares committed with the placement (e.g. the service record version, a client token's absence). */
  extraCompare?: Compare[];
  /**
   * Commit `extraOps([])` (guarded by `extraCompare`) even when no task could be placed: a client
   * token records a reply made only of failures too, so a retry gets the same failures back.
   */
  commitWhenNonePlaced?: boolean;
  /**
   * Which hosts: the user's container instances (default) or Wharf's managed Fargate pool. The two never
   * mix: an EC2 task never lands on a pool host, a FARGATE task never on a user's instance.
   */
  pool?: boolean;
  /**
   * The tasks already exist (created unplaced, PROVISIONING) at these store versions: the commit is
   * guarded on them instead of on the tasks being new. Keyed by task id.
   */
  existing?: ReadonlyMap<string, number>;
  /**
   * Called with the placed tasks before the commit (awsvpc: lease addresses). Tasks it leaves out are
   * not placed and become failures; its ops and compares join the commit.
   */
  allocate?: (placed: TaskRecord[]) => Promise<{ tasks: TaskRecord[]; failed: { task: TaskRecord; reason: string; detail?: string }[]; ops: Op[]; compare: Compare[] }>;
}

export interface PlaceResult {
  placed: TaskRecord[];
  failures: PlacementFailure[];
  /** True when the cluster has no registered instance at all. */
  noInstances: boolean;
  /** True when extraCompare failed: nothing was written. */
  preconditionFailed?: boolean;
}

interface CachedInstance { rec: ContainerInstanceRecord; version: number; modRevision: number; view?: InstanceView }
interface TaskInfo { cluster: string; instanceId?: string; group: string; live: boolean; reserved: Reservation; modRevision: number }

/**
 * The cluster as placement sees it: instances with versions, live task groups per instance, and the
 * reservations of the tasks on each instance (from which task-state.ts remainingOf derives what is
 * left — nothing stores it). One watch over /ecs/ delivers a transaction's task and instance writes
 * together, so the cache is consistent at every revision it has seen: when it holds an instance at
 * version v it also holds every task placed on it up to v.
 */
export class ClusterCache {
  private readonly instances = new Map<string, Map<string, CachedInstance>>();
  private readonly tasks = new Map<string, TaskInfo>();
  private readonly groups = new Map<string, Map<string, number>>();
  private readonly reservations = new Map<string, Map<string, Reservation>>();
  private readonly abort = new AbortController();
  private seen = 0;
  private waiters: { rev: number; resolve: () => void }[] = [];
  readonly ready: Promise<void>;

  constructor(private readonly store: Store) {
    this.ready = this.init();
  }

  private async init(): Promise<void> {
    const rev = await this.store.revision();
    const [inst, tasks] = await Promise.all([this.store.range(keys.containerInstances()), this.store.range(keys.tasks())]);
    for (const kv of inst.kvs) this.applyInstance(kv);
    for (const kv of tasks.kvs) this.applyTask(kv);
    this.seen = rev;
    const taskPrefix = keys.tasks(), instPrefix = keys.containerInstances();
    this.store.watch('/ecs/', (events, revision) => {
      for (const e of events) {
        if (e.kv.key.startsWith(taskPrefix)) {
          if (e.type === 'put') this.applyTask(e.kv); else this.removeTask(e.kv.key, e.kv.modRevision);
        } else if (e.kv.key.startsWith(instPrefix) && e.type === 'put') this.applyInstance(e.kv);
      }
      this.seen = Math.max(this.seen, revision);
      this.waiters = this.waiters.filter((w) => (w.rev <= this.seen ? (w.resolve(), false) : true));
    }, { fromRevision: rev + 1, signal: this.abort.signal });
  }

  close(): void { this.abort.abort(); }

  applyInstance(kv: Pick<KeyValue, 'value' | 'version' | 'modRevision'>): void {
    const rec = JSON.parse(kv.value) as ContainerInstanceRecord;
    let m = this.instances.get(rec.cluster);
    if (!m) { m = new Map(); this.instances.set(rec.cluster, m); }
    const cur = m.get(rec.id);
    if (cur && cur.modRevision > kv.modRevision) return; // an older event than what we hold
    m.set(rec.id, { rec, version: kv.version, modRevision: kv.modRevision });
  }

  applyTask(kv: Pick<KeyValue, 'key' | 'value' | 'modRevision'>): void {
    const cur = this.tasks.get(kv.key);
    if (cur && cur.modRevision > kv.modRevision) return;
    const t = JSON.parse(kv.value) as TaskRecord;
    if (cur) this.count(kv.key, cur, -1);
    const info: TaskInfo = { cluster: t.cluster, instanceId: t.containerInstanceId, group: t.group, live: holdsResources(t), reserved: t.reserved, modRevision: kv.modRevision };
    this.tasks.set(kv.key, info);
    this.count(kv.key, info, +1);
  }

  private removeTask(key: string, modRevision: number): void {
    const cur = this.tasks.get(key);
    if (!cur || cur.modRevision > modRevision) return;
    this.count(key, cur, -1);
    this.tasks.delete(key);
  }

  private count(key: string, info: TaskInfo, delta: number): void {
    if (!info.live || !info.instanceId) return;
    const k = `${info.cluster}/${info.instanceId}`;
    let g = this.groups.get(k);
    if (!g) { g = new Map(); this.groups.set(k, g); }
    const n = (g.get(info.group) ?? 0) + delta;
    if (n <= 0) g.delete(info.group); else g.set(info.group, n);
    // (Views hold this same map, so a cached view sees group changes without being rebuilt.)
    let r = this.reservations.get(k);
    if (!r) { r = new Map(); this.reservations.set(k, r); }
    if (delta > 0) r.set(key, info.reserved); else r.delete(key);
    const inst = this.instances.get(info.cluster)?.get(info.instanceId);
    if (inst) inst.view = undefined; // its remaining resources changed
  }

  clusterInstances(cluster: string): CachedInstance[] {
    return [...(this.instances.get(cluster)?.values() ?? [])];
  }

  groupsOf(cluster: string, instanceId: string): ReadonlyMap<string, number> {
    const k = `${cluster}/${instanceId}`;
    let g = this.groups.get(k);
    if (!g) { g = new Map(); this.groups.set(k, g); }
    return g;
  }

  /** Placement's view of a cached instance, rebuilt when the instance or the tasks on it change. */
  viewOf(cluster: string, c: CachedInstance): InstanceView {
    const reserved = this.reservations.get(`${cluster}/${c.rec.id}`)?.values() ?? [];
    return (c.view ??= instanceView(c.rec, this.groupsOf(cluster, c.rec.id), remainingOf(c.rec, reserved)));
  }

  /**
   * After a conflict: wait until the watch has delivered the touched instances' current versions, so
   * the tasks placed with them are in the cache too (re-reading only the instance would count its
   * version but not the reservations that came with it).
   */
  async refresh(cluster: string, ids: string[]): Promise<void> {
    let needed = 0;
    for (const id of ids) needed = Math.max(needed, (await this.store.get(keys.containerInstance(cluster, id)))?.modRevision ?? 0);
    if (needed <= this.seen) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 5_000); // a stuck watch costs a retry, never an oversubscription: the commit still compares versions
      this.waiters.push({ rev: needed, resolve: () => { clearTimeout(timer); resolve(); } });
    });
  }
}

/**
 * A server's placement caches, one per region. The composition root (src/server/server.ts) makes one and
 * passes it to RunTask/StartTask (ApiDeps.placement) and to each region's controllers; nothing finds it
 * any other way.
 */
export class PlacementCaches {
  private readonly byRegion = new Map<string, ClusterCache>();
  constructor(private readonly store: Store, private readonly homeRegion: string) {}

  forRegion(region: string): ClusterCache {
    let c = this.byRegion.get(region);
    if (!c) {
      c = new ClusterCache(storeForRegion(this.store, region, this.homeRegion));
      this.byRegion.set(region, c);
    }
    return c;
  }

  close(): void {
    for (const c of this.byRegion.values()) c.close();
    this.byRegion.clear();
  }
}

/** Placement's view of an instance, with its remaining resources (task-state.ts remainingOf). */
export function instanceView(rec: ContainerInstanceRecord, groups: ReadonlyMap<string, number>, remaining: Remaining): InstanceView {
  const reg = (n: string) => rec.registeredResources.find((r) => r.name === n)?.integerValue ?? 0;
  return {
    arn: rec.containerInstanceArn, id: rec.id, status: rec.status, agentConnected: rec.agentConnected,
    remaining, attributes: instanceAttributes(rec).map((a) => ({ name: a.name ?? '', value: a.value })), groups,
    ec2InstanceId: rec.ec2InstanceId, registeredAt: rec.registeredAt, agentVersion: rec.versionInfo?.agentVersion,
    registered: { cpu: reg('CPU'), memory: reg('MEMORY') },
  };
}

/** Whether `c` holds for the key's current state (a missing key has version/revisions 0). */
function holds(c: Compare, kv: KeyValue | undefined): boolean {
  const actual = c.target === 'value' ? kv?.value : (kv?.[c.target] ?? 0);
  if (actual === undefined) return c.op === '!=';
  switch (c.op) {
    case '==': return actual === c.value;
    case '!=': return actual !== c.value;
    case '<': return actual < c.value;
    case '>': return actual > c.value;
  }
}

export async function placeAndCommit(store: Store, cache: ClusterCache, req: PlaceRequest): Promise<PlaceResult> {
  await cache.ready;
  for (let attempt = 0; attempt < 20; attempt++) {
    const instances = cache.clusterInstances(req.cluster)
      .filter(({ rec }) => rec.status !== 'INACTIVE' && Boolean(rec.fargatePool) === Boolean(req.pool) && (!req.onlyInstances || req.onlyInstances.includes(rec.id)));
    if (instances.length === 0) return { placed: [], failures: [], noInstances: true };
    const views: InstanceView[] = instances.map((c) => cache.viewOf(req.cluster, c));
    const first = req.tasks[0];
    const plan = place({
      demand: { cpu: first.reserved.cpu, memory: first.reserved.memory, ports: first.reserved.ports, udpPorts: first.reserved.udpPorts, requiresAttributes: req.requiresAttributes },
      count: req.tasks.length, group: first.group, strategies: req.strategies, constraints: req.constraints, random: req.random, matches: req.matches,
    }, views);
    const placed: TaskRecord[] = [];
    // Each chosen instance is rewritten with its version bumped (and nothing else): its fence, so a
    // concurrent placement that read the same version fails and re-decides with these tasks counted.
    const touched = new Map<string, { rec: ContainerInstanceRecord; version: number }>();
    plan.indices.forEach((idx, i) => {
      const inst = instances[idx];
      touched.set(inst.rec.id, { rec: inst.rec, version: inst.version });
      placed.push({
        ...req.tasks[i],
        containerInstanceArn: inst.rec.containerInstanceArn,
        containerInstanceId: inst.rec.id,
        availabilityZone: inst.rec.attributes.find((a) => a.name === 'ecs.availability-zone')?.value,
        cpuArchitecture: inst.rec.attributes.find((a) => a.name === 'ecs.cpu-architecture')?.value,
        version: req.existing ? req.tasks[i].version + 1 : req.tasks[i].version,
      });
    });
    let allocated: { ops: Op[]; compare: Compare[] } = { ops: [], compare: [] };
    const failures = [...plan.failures];
    if (req.allocate && placed.length) {
      const a = await req.allocate(placed);
      // (An instance's remaining resources are derived from the tasks placed on it: a task left out
      // here reserves nothing.)
      for (const f of a.failed) failures.push({ arn: f.task.containerInstanceArn!, reason: f.reason, detail: f.detail });
      placed.splice(0, placed.length, ...a.tasks);
      allocated = a;
    }
    if (placed.length === 0) {
      if (req.commitWhenNonePlaced && req.extraOps) {
        const r = await store.txn({ compare: req.extraCompare ?? [], success: req.extraOps([], failures) });
        if (!r.succeeded) return { placed: [], failures: [], noInstances: false, preconditionFailed: true };
      }
      return { placed, failures, noInstances: false };
    }
    const compare: Compare[] = [...touched.values()].map(({ rec, version }) => ({ key: keys.containerInstance(req.cluster, rec.id), target: 'version', op: '==', value: version }));
    const instOps = [...touched.values()].map(({ rec }) => ({ key: keys.containerInstance(req.cluster, rec.id), value: JSON.stringify({ ...rec, version: rec.version + 1 }) }));
    const taskOps = placed.map((t) => ({ key: keys.task(req.cluster, t.id), value: JSON.stringify(t) }));
    const ops: Op[] = [
      ...taskOps.map((o): Op => ({ type: 'put', ...o })),
      ...instOps.map((o): Op => ({ type: 'put', ...o })),
      ...allocated.ops,
      ...(req.extraOps?.(placed, failures) ?? []),
    ];
    compare.push(...allocated.compare);
    // Every task must be new (guard against an id collision or a replayed plan), or — placing tasks
    // that already exist — unchanged since they were read.
    for (const t of placed) {
      const v = req.existing?.get(t.id);
      compare.push(v !== undefined
        ? { key: keys.task(req.cluster, t.id), target: 'version', op: '==', value: v }
        : { key: keys.task(req.cluster, t.id), target: 'createRevision', op: '==', value: 0 });
    }
    const r = await store.txn({ compare: [...compare, ...(req.extraCompare ?? [])], success: ops });
    if (r.succeeded) {
      // Write through, so the next placement sees this one without waiting for the watch.
      for (const [i, o] of instOps.entries()) cache.applyInstance({ value: o.value, version: [...touched.values()][i].version + 1, modRevision: r.revision });
      for (const o of taskOps) cache.applyTask({ key: o.key, value: o.value, modRevision: r.revision });
      return { placed, failures, noInstances: false };
    }
    if (req.existing) {
      // A task changed under us (stopped, placed by someone else): the caller re-reads and decides again.
      for (const t of placed) {
        const kv = await store.get(keys.task(req.cluster, t.id));
        if ((kv?.version ?? 0) !== req.existing.get(t.id)) return { placed: [], failures: [], noInstances: false, preconditionFailed: true };
      }
    }
    if (req.extraCompare?.length) {
      // Tell a stale caller (or a client token someone else committed) apart from an instance conflict.
      for (const c of req.extraCompare) {
        if (!holds(c, await store.get(c.key))) return { placed: [], failures: [], noInstances: false, preconditionFailed: true };
      }
    }
    await cache.refresh(req.cluster, [...touched.keys()]);
  }
  return { placed: [], failures: [{ arn: req.cluster, reason: 'CONFLICT' }], noInstances: false };
}

/**
 * Commits new FARGATE tasks unplaced (PROVISIONING): the capacity controller places them on the managed
 * pool, growing it first when it is full. Returns false when a guard failed (nothing was written).
 */
export async function createUnplaced(store: Store, cache: ClusterCache, cluster: string, tasks: TaskRecord[], opts: { extraOps?: Op[]; extraCompare?: Compare[] } = {}): Promise<boolean> {
  const compare: Compare[] = [...tasks.map((t): Compare => ({ key: keys.task(cluster, t.id), target: 'createRevision', op: '==', value: 0 })), ...(opts.extraCompare ?? [])];
  const ops: Op[] = [...tasks.map((t): Op => ({ type: 'put', key: keys.task(cluster, t.id), value: JSON.stringify(t) })), ...(opts.extraOps ?? [])];
  const r = await store.txn({ compare, success: ops });
  if (r.succeeded) {
    await cache.ready;
    for (const t of tasks) cache.applyTask({ key: keys.task(cluster, t.id), value: JSON.stringify(t), modRevision: r.revision });
  }
  return r.succeeded;
}
