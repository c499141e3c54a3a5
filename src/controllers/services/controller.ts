/**
 * The services controller: a level-triggered loop keyed by service (cluster/name).
 *
 *   watch /ecs/service/  ─┐
 *   watch /ecs/task/     ─┼─► key (cluster/service) ─► queue ─► sync(key): re-read the service, its
 *   watch /ecs/instance/ ─┘      (every service of        tasks and the cluster's instances → reconcile
 *   resync every 30 s, wake-ups    the cluster)           (pure) → apply with version checks
 *
 * The queue never runs one key twice at once; a key that changes while it syncs runs again after.
 * Events carry no payload into the decision: a key means "look again" (STYLE.md 2).
 *
 * Applying a plan, in two commits:
 *   1. stops + the next service record, in one transaction guarded on the service's version and on
 *      every stopped task's version (an agent report in between makes it fail: re-read, re-decide);
 *   2. starts, through the placement applier, in one transaction with the service record (its "has
 *      started" event) guarded on the version commit 1 produced.
 * A crash between or inside them leaves a state the next pass reads and finishes from: tasks are
 * counted from the store, never from memory, so a start is never repeated and a stop never lost.
 */
import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Store, Op, Compare, KeyValue } from '../../store/store.js';
import { keys } from '../../model/ecs/keys.js';
import { ecsArn, type Scope } from '../../model/arn.js';
import type { ServiceRecord, TaskDefinitionRecord } from '../../model/ecs/records.js';
import type { ContainerInstanceRecord, TaskRecord } from '../../model/ecs/task-records.js';
import { newTaskRecord } from '../../model/ecs/task-factory.js';
import { placementAttributes } from '../../model/ecs/task-definition.js';
import { remainingOf, requestStop, reservationsOn } from '../../model/ecs/task-state.js';
import { SERVICE_DEFAULT_STRATEGY, type Constraint, type PlacementFailure } from '../../scheduler/placement.js';
import { placeAndCommit, instanceView, createUnplaced, type ClusterCache } from '../shared/placement-commit.js';
import { FARGATE_CAPACITY_UNAVAILABLE, FARGATE_LATEST_PLATFORM_VERSION, poolRoomFor, spreadOverStrategy, type FargatePoolLimits } from '../../model/ecs/capacity.js';
import { liveFargateDemand } from '../shared/fargate-demand.js';
import { allocateInterfaces } from '../shared/network-allocation.js';
import { appendEvent, reconcile, DEFAULT_RECONCILE_OPTIONS, type Plan, type ReconcileOptions, type ServiceInstance, type StartAction } from './reconcile.js';

export interface ServicesControllerOptions {
  store: Store;
  /** This region's placement cache (PlacementCaches.forRegion), shared with RunTask. */
  placement: ClusterCache;
  scope: Scope;
  clock: () => Date;
  log: Logger;
  reconcile?: Partial<ReconcileOptions>;
  /** Re-check every service this often even without events. Default 30 s. */
  resyncMs?: number;
  /** Keys synced at once. Default 4: syncs mostly wait on the store, and one key never runs twice. */
  concurrency?: number;
  /** The managed Fargate pool's bounds (home region): FARGATE tasks beyond them are not created. */
  fargatePool?: FargatePoolLimits;
}

export function newDeploymentId(): string {
  // ECS deployment ids are `ecs-svc/` + 19 digits.
  return `ecs-svc/${(BigInt('0x' + randomBytes(8).toString('hex')) % 9_000_000_000_000_000_000n + 1_000_000_000_000_000_000n).toString()}`;
}

const random = () => randomInt(0, 2 ** 31) / 2 ** 31;

export class ServicesController {
  private readonly queue = new Set<string>();
  private readonly running = new Set<string>();
  private readonly dirty = new Set<string>();
  private readonly timers = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  private readonly byCluster = new Map<string, Set<string>>();
  private readonly abort = new AbortController();
  private resync?: NodeJS.Timeout;
  private active = 0;
  private readonly options: ReconcileOptions;
  /** Passes run (for tests and metrics). */
  passes = 0;

  constructor(private readonly o: ServicesControllerOptions) {
    this.options = { ...DEFAULT_RECONCILE_OPTIONS, ...Object.fromEntries(Object.entries(o.reconcile ?? {}).filter(([, v]) => v !== undefined)) };
  }

  async start(signal?: AbortSignal): Promise<void> {
    signal?.addEventListener('abort', () => this.stop());
    const { store } = this.o;
    const rev = await store.revision();
    for (const kv of (await store.range(keys.services())).kvs) this.noteService(kv);
    const opts = { fromRevision: rev + 1, signal: this.abort.signal };
    store.watch(keys.services(), (events) => { for (const e of events) this.noteService(e.kv, e.type === 'delete'); }, opts);
    store.watch(keys.tasks(), (events) => {
      for (const e of events) {
        if (e.type !== 'put') continue;
        const t = JSON.parse(e.kv.value) as TaskRecord;
        if (t.serviceName) this.enqueue(`${t.cluster}/${t.serviceName}`);
      }
    }, opts);
    store.watch(keys.containerInstances(), (events) => {
      for (const e of events) {
        const cluster = e.kv.key.slice(keys.containerInstances().length).split('/')[0];
        for (const name of this.byCluster.get(cluster) ?? []) this.enqueue(`${cluster}/${name}`);
      }
    }, opts);
    this.resync = setInterval(() => { for (const [c, names] of this.byCluster) for (const n of names) this.enqueue(`${c}/${n}`); }, this.o.resyncMs ?? 30_000);
    this.resync.unref();
  }

  stop(): void {
    this.abort.abort();
    clearInterval(this.resync);
    for (const t of this.timers.values()) clearTimeout(t.timer);
    this.timers.clear();
  }

  private noteService(kv: KeyValue, deleted = false): void {
    const [cluster, name] = kv.key.slice(keys.services().length).split('/');
    if (!cluster || !name) return;
    let set = this.byCluster.get(cluster);
    if (!set) { set = new Set(); this.byCluster.set(cluster, set); }
    if (deleted) { set.delete(name); return; }
    set.add(name);
    this.enqueue(`${cluster}/${name}`);
  }

  enqueue(key: string): void {
    if (this.abort.signal.aborted) return;
    if (this.running.has(key)) { this.dirty.add(key); return; }
    this.queue.add(key);
    this.pump();
  }

  private pump(): void {
    const limit = this.o.concurrency ?? 4;
    while (this.active < limit && this.queue.size > 0) {
      const key = this.queue.values().next().value as string;
      this.queue.delete(key);
      this.running.add(key);
      this.active++;
      void this.sync(key).then((retry) => {
        if (retry) this.dirty.add(key);
      }, (err) => {
        this.o.log.error({ err, service: key }, 'service sync failed');
        this.wakeAt(key, Date.now() + 1000);
      }).finally(() => {
        this.running.delete(key);
        this.active--;
        if (this.dirty.delete(key)) this.queue.add(key);
        this.pump();
      });
    }
  }

  private wakeAt(key: string, at: number): void {
    const cur = this.timers.get(key);
    if (cur && cur.at <= at) return;
    if (cur) clearTimeout(cur.timer);
    const timer = setTimeout(() => { this.timers.delete(key); this.enqueue(key); }, Math.max(0, at - Date.now()) + 5);
    timer.unref();
    this.timers.set(key, { at, timer });
  }

  /** One pass for one service. Returns true when it must run again at once (a conflict). */
  async sync(key: string): Promise<boolean> {
    if (this.abort.signal.aborted) return false;
    this.passes++;
    const { store } = this.o;
    const [cluster, name] = key.split('/');
    const svcKv = await store.get(keys.service(cluster, name));
    if (!svcKv) return false; // gone: nothing to reconcile
    const service = JSON.parse(svcKv.value) as ServiceRecord;
    if (service.status === 'INACTIVE') return false;
    const [taskKvs, instKvs] = await Promise.all([store.range(keys.tasks(cluster)), store.range(keys.containerInstances(cluster))]);
    const all = taskKvs.kvs.map((kv) => ({ kv, t: JSON.parse(kv.value) as TaskRecord }));
    const group = `service:${name}`;
    const mine = all.filter(({ t }) => t.serviceName === name || t.group === group);
    const groups = new Map<string, Map<string, number>>();
    for (const { t } of all) {
      if (!t.containerInstanceId || t.lastStatus === 'STOPPED' || t.lastStatus === 'DELETED') continue;
      const g = groups.get(t.containerInstanceId) ?? new Map<string, number>();
      g.set(t.group, (g.get(t.group) ?? 0) + 1);
      groups.set(t.containerInstanceId, g);
    }
    const instances: ServiceInstance[] = instKvs.kvs.map((kv) => JSON.parse(kv.value) as ContainerInstanceRecord)
      // A DAEMON service runs on the user's instances only, never on Wharf's managed Fargate hosts.
      .filter((rec) => !(rec.fargatePool && service.schedulingStrategy === 'DAEMON')).map((rec) => {
      return { ...instanceView(rec, groups.get(rec.id) ?? new Map(), remainingOf(rec, reservationsOn(rec.id, all.map((x) => x.t)))), lastDisconnectedAt: rec.lastDisconnectedAt };
    });
    const now = this.o.clock().getTime();
    const plan = reconcile({ service, tasks: mine.map((x) => x.t), instances, now, nextDeploymentId: newDeploymentId(), options: this.options });
    if (plan.wakeAt !== undefined) this.wakeAt(key, plan.wakeAt);
    return this.apply(service, svcKv.version, plan, new Map(mine.map((x) => [x.t.id, x])), now);
  }

  private async apply(service: ServiceRecord, version: number, plan: Plan, tasks: Map<string, { kv: KeyValue; t: TaskRecord }>, now: number): Promise<boolean> {
    const { store } = this.o;
    const svcKey = keys.service(service.cluster, service.serviceName);
    let cur = plan.service ?? service;
    let curVersion = version;
    if (plan.service || plan.stops.length > 0) {
      const compare: Compare[] = [{ key: svcKey, target: 'version', op: '==', value: version }];
      const ops: Op[] = [];
      if (plan.service) ops.push({ type: 'put', key: svcKey, value: JSON.stringify(plan.service) });
      for (const s of plan.stops) {
        const x = tasks.get(s.taskId)!;
        const t = structuredClone(x.t);
        if (!requestStop(t, { code: 'ServiceSchedulerInitiated', reason: s.reason, now })) continue; // a stop was already requested
        compare.push({ key: x.kv.key, target: 'version', op: '==', value: x.kv.version });
        ops.push({ type: 'put', key: x.kv.key, value: JSON.stringify(t) });
      }
      const r = await store.txn({ compare, success: ops });
      if (!r.succeeded) return true;
      if (plan.service) curVersion = version + 1;
      if (plan.stops.length) this.o.log.info({ service: service.serviceArn, stops: plan.stops.length }, 'service tasks stopped');
    }
    for (const start of plan.starts) {
      const r = await this.launch(cur, curVersion, start, now);
      if (r === 'conflict') return true;
      if (r) { cur = r.service; curVersion = r.version; }
    }
    return false;
  }

  /** Places and commits one start action together with the service's "has started" event. */
  private async launch(svc: ServiceRecord, version: number, a: StartAction, now: number): Promise<{ service: ServiceRecord; version: number } | 'conflict' | undefined> {
    const { store, scope } = this.o;
    const def = await taskDefinition(store, a.taskDefinition);
    const svcKey = keys.service(svc.cluster, svc.serviceName);
    if (!def) {
      const next = structuredClone(svc);
      if (appendEvent(next, `(service ${svc.serviceName}) failed to launch a task with (error Unable to describe task definition ${a.taskDefinition}.).`, now)) {
        next.version += 1;
        const ok = await store.txn({ compare: [{ key: svcKey, target: 'version', op: '==', value: version }], success: [{ type: 'put', key: svcKey, value: JSON.stringify(next) }] });
        return ok.succeeded ? { service: next, version: version + 1 } : 'conflict';
      }
      return undefined;
    }
    const tags = [
      ...(svc.enableECSManagedTags ? [{ key: 'aws:ecs:serviceName', value: svc.serviceName }, { key: 'aws:ecs:clusterName', value: svc.cluster }] : []),
      ...(svc.propagateTags === 'SERVICE' ? svc.tags : svc.propagateTags === 'TASK_DEFINITION' ? def.tags : []),
    ];
    const tasks = Array.from({ length: a.count }, () => newTaskRecord({
      scope, cluster: svc.cluster, clusterArn: svc.clusterArn, def, id: randomBytes(16).toString('hex'),
      containerIds: def.containerDefinitions.map(() => randomUUID()), group: `service:${svc.serviceName}`, startedBy: a.deploymentId,
      tags, enableExecuteCommand: svc.enableExecuteCommand, serviceName: svc.serviceName, network: def.networkMode === 'awsvpc' ? svc.network : undefined, now,
    }));
    const network = def.networkMode === 'awsvpc' ? svc.network : undefined;
    if (svc.launchType === 'FARGATE') return this.launchFargate(svc, version, a, def, tags, now);
    let next: ServiceRecord | undefined;
    const result = await placeAndCommit(store, this.o.placement, {
      cluster: svc.cluster, tasks,
      strategies: svc.placementStrategy.length ? svc.placementStrategy : SERVICE_DEFAULT_STRATEGY,
      constraints: [...svc.placementConstraints, ...(def.placementConstraints as Constraint[]),
        ...(network ? [{ type: 'memberOf' as const, expression: `attribute:ecs.availability-zone in [${network.availabilityZones.join(', ')}]` }] : [])],
      allocate: network ? (placed) => allocateInterfaces(store, placed, { region: scope.region, random, now }) : undefined,
      requiresAttributes: placementAttributes(def),
      random, onlyInstances: a.instanceId ? [a.instanceId] : undefined,
      extraCompare: [{ key: svcKey, target: 'version', op: '==', value: version }],
      extraOps: (placed) => {
        next = structuredClone(svc);
        appendEvent(next, `(service ${svc.serviceName}) has started ${placed.length} tasks: ${placed.map((t) => `(task ${t.id})`).join(' ')}.`, now);
        next.version += 1;
        return [{ type: 'put', key: svcKey, value: JSON.stringify(next) }];
      },
    });
    if (result.preconditionFailed) return 'conflict';
    let service = svc;
    let v = version;
    if (result.placed.length > 0 && next) { service = next; v = version + 1; }
    if (result.placed.length < a.count) {
      const failed = structuredClone(service);
      if (appendEvent(failed, placementFailureMessage(svc.serviceName, result.failures, result.noInstances, a.instanceId !== undefined), now)) {
        failed.version += 1;
        const ok = await store.txn({ compare: [{ key: svcKey, target: 'version', op: '==', value: v }], success: [{ type: 'put', key: svcKey, value: JSON.stringify(failed) }] });
        if (!ok.succeeded) return 'conflict';
        return { service: failed, version: v + 1 };
      }
    }
    return { service, version: v };
  }

  /**
   * FARGATE service tasks are committed unplaced (PROVISIONING) with the "has started" event; the
   * capacity controller places them on the managed pool. With a capacity provider strategy, each task's
   * provider follows base and weight, counting the service's live tasks on each provider.
   */
  private async launchFargate(svc: ServiceRecord, version: number, a: StartAction, def: TaskDefinitionRecord, tags: { key?: string; value?: string }[], now: number) {
    const { store, scope } = this.o;
    const svcKey = keys.service(svc.cluster, svc.serviceName);
    const running = new Map<string, number>();
    if (svc.capacityProviderStrategy?.length) {
      for (const kv of (await store.range(keys.tasks(svc.cluster))).kvs) {
        const t = JSON.parse(kv.value) as TaskRecord;
        if (t.serviceName !== svc.serviceName || t.lastStatus === 'STOPPED' || t.desiredStatus === 'STOPPED' || !t.capacityProviderName) continue;
        running.set(t.capacityProviderName, (running.get(t.capacityProviderName) ?? 0) + 1);
      }
    }
    const providers = svc.capacityProviderStrategy?.length ? spreadOverStrategy(svc.capacityProviderStrategy, a.count, running) : [];
    const platformVersion = svc.platformVersion === undefined || svc.platformVersion === 'LATEST' ? FARGATE_LATEST_PLATFORM_VERSION : svc.platformVersion;
    const tasks = Array.from({ length: a.count }, (_, i) => newTaskRecord({
      scope, cluster: svc.cluster, clusterArn: svc.clusterArn, def, id: randomBytes(16).toString('hex'),
      containerIds: def.containerDefinitions.map(() => randomUUID()), group: `service:${svc.serviceName}`, startedBy: a.deploymentId,
      tags, enableExecuteCommand: svc.enableExecuteCommand, serviceName: svc.serviceName, network: def.networkMode === 'awsvpc' ? svc.network : undefined, now,
      fargate: { capacityProviderName: providers[i], platformVersion },
    }));
    const next = structuredClone(svc);
    // Tasks the pool could never hold are not created: the service says so, as ECS does, and tries
    // again on a later pass (a task that stops frees room).
    if (this.o.fargatePool) {
      const room = poolRoomFor(this.o.fargatePool, await liveFargateDemand(store, svc.cluster), tasks.map((t) => t.reserved));
      if (room < tasks.length) {
        tasks.splice(room);
        appendEvent(next, `(service ${svc.serviceName}) was unable to place a task. Reason: ${FARGATE_CAPACITY_UNAVAILABLE}.`, now);
      }
    }
    if (tasks.length) appendEvent(next, `(service ${svc.serviceName}) has started ${tasks.length} tasks: ${tasks.map((t) => `(task ${t.id})`).join(' ')}.`, now);
    if (JSON.stringify(next) === JSON.stringify(svc)) return undefined;
    next.version += 1;
    const ok = await createUnplaced(store, this.o.placement, svc.cluster, tasks, {
      extraCompare: [{ key: svcKey, target: 'version', op: '==', value: version }],
      extraOps: [{ type: 'put', key: svcKey, value: JSON.stringify(next) }],
    });
    return ok ? { service: next, version: version + 1 } : 'conflict' as const;
  }
}

/** ECS's service event for a task it could not place, naming the closest matching instance. */
export function placementFailureMessage(service: string, failures: readonly PlacementFailure[], noInstances: boolean, daemon: boolean): string {
  const head = `(service ${service}) was unable to place a task because no container instance met all of its requirements.`;
  if (noInstances || failures.length === 0) return `${head} Reason: No Container Instances were found in your cluster.`;
  const order = ['RESOURCE:CPU', 'RESOURCE:MEMORY', 'RESOURCE:PORTS', 'RESOURCE:PORTS_UDP', 'ATTRIBUTE'];
  const closest = [...failures].sort((a, b) => rank(a.reason) - rank(b.reason))[0];
  function rank(r: string) { const i = order.indexOf(r); return i < 0 ? order.length : i; }
  const id = closest.arn.split('/').pop();
  const what: Record<string, string> = {
    'RESOURCE:CPU': 'has insufficient CPU units available',
    'RESOURCE:MEMORY': 'has insufficient memory available',
    'RESOURCE:PORTS': 'is already using a port required by your task',
    'RESOURCE:PORTS_UDP': 'is already using a port required by your task',
    ATTRIBUTE: 'is missing an attribute required by your task',
    AGENT: 'encountered error "AGENT"',
  };
  const reason = what[closest.reason] ?? `did not satisfy a placement constraint (${closest.reason})`;
  return `${head} The closest matching (container-instance ${id}) ${reason}.${daemon ? '' : ' For more information, see the Troubleshooting section.'}`;
}

async function taskDefinition(store: Store, arn: string): Promise<TaskDefinitionRecord | undefined> {
  const m = /task-definition\/([A-Za-z0-9_-]+):(\d+)$/.exec(arn);
  if (!m) return undefined;
  const kv = await store.get(keys.taskDefinition(m[1], Number(m[2])));
  return kv ? (JSON.parse(kv.value) as TaskDefinitionRecord) : undefined;
}

export const serviceDeploymentArn = (scope: Scope, cluster: string, service: string, deploymentId: string) =>
  ecsArn(scope, `service-deployment/${cluster}/${service}/${deploymentId.replace('ecs-svc/', '')}`);
