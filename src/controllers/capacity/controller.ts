/**
 * The capacity controller: Wharf's managed Fargate pool (leader only), level-triggered per cluster.
 *
 *   watch /ecs/task/ (FARGATE) ─┐                      re-read the cluster's FARGATE tasks and pool hosts
 *   watch /ecs/instance/ (pool) ┼─► key (cluster) ─► ─► place PROVISIONING tasks on pool hosts (binpack)
 *   resync every 5 s           ─┘                      ─► decidePool (pool.ts): start / stop hosts
 *                                                     ─► unplaced tasks the user stopped → STOPPED
 *
 * FARGATE task lifecycle, and who moves it:
 *   PROVISIONING (API/services created it unplaced) ──capacity: placed on a pool host──► PENDING
 *   ──agent: pulled, started──► RUNNING ──► (DEACTIVATING, lb) ──► STOPPING ──► STOPPED (agent)
 *   PROVISIONING + desiredStatus STOPPED (StopTask before placement): placed all the same; the agent
 *   receives it stopped and reports STOPPED (lastStatus has one writer: the agent, via the dispatcher)
 * The placement commit is guarded on the task's version, so a StopTask racing it wins or loses cleanly.
 *
 * Hosts come from a HostProvider (the port below): on one machine, agent processes the server starts
 * and supervises (src/server/fargate-hosts.ts); a fleet of machines can implement the same port. A pool
 * host registers with the pool token, which marks its container instance `fargatePool`: hidden from the
 * user's instance APIs and used only for FARGATE tasks (placement-commit.ts keeps the two apart).
 */
import type { Logger } from 'pino';
import type { Store, KeyValue } from '../../store/store.js';
import { keys } from '../../model/ecs/keys.js';
import type { ContainerInstanceRecord, TaskRecord } from '../../model/ecs/task-records.js';
import type { ClusterRecord } from '../../model/ecs/records.js';
import { isFargateProvider } from '../../model/ecs/capacity.js';
import { remainingOf, reservationsOn, setInstanceStatus } from '../../model/ecs/task-state.js';
import { placeAndCommit, type ClusterCache } from '../shared/placement-commit.js';
import { allocateInterfaces } from '../shared/network-allocation.js';
import { decidePool, DEFAULT_POOL_CONFIG, type PoolConfig, type PoolHost } from './pool.js';

/** A source of pool hosts. `name` is stable: a host started again under the same name keeps its identity. */
export interface HostProvider {
  start(req: { cluster: string; name: string; cpu: number; memory: number }): Promise<void>;
  stop(name: string): Promise<void>;
  /** Hosts this provider runs (started and not stopped), by name. */
  running(): string[];
}

/** The attribute a pool host registers with, naming it for the provider. */
export const POOL_HOST_ATTRIBUTE = 'wharf.pool-host';

export interface CapacityControllerOptions {
  store: Store;
  /** The home region's placement cache (PlacementCaches.forRegion). */
  placement: ClusterCache;
  hosts: HostProvider;
  clock: () => Date;
  log: Logger;
  config?: Partial<PoolConfig>;
  resyncMs?: number;
  /** The region the pool serves (awsvpc: the interfaces' private DNS names). */
  region: string;
}

const LIVE = (t: TaskRecord) => t.lastStatus !== 'STOPPED' && t.lastStatus !== 'DELETED';
const binpack = [{ type: 'binpack' as const, field: 'memory' }];

export class CapacityController {
  private readonly abort = new AbortController();
  private readonly queue = new Set<string>();
  private running = false;
  private timer?: NodeJS.Timeout;
  private readonly config: PoolConfig;
  private readonly idleSince = new Map<string, number>();
  private seq = 0;

  constructor(private readonly o: CapacityControllerOptions) {
    this.config = { ...DEFAULT_POOL_CONFIG, ...Object.fromEntries(Object.entries(o.config ?? {}).filter(([, v]) => v !== undefined)) };
  }

  async start(signal?: AbortSignal): Promise<void> {
    signal?.addEventListener('abort', () => this.stop());
    const { store } = this.o;
    const rev = await store.revision();
    const opts = { fromRevision: rev + 1, signal: this.abort.signal };
    store.watch(keys.tasks(), (events) => {
      for (const e of events) {
        if (e.type !== 'put') continue;
        const t = JSON.parse(e.kv.value) as Pick<TaskRecord, 'launchType' | 'cluster'>;
        if (t.launchType === 'FARGATE') this.enqueue(t.cluster);
      }
    }, opts);
    store.watch(keys.containerInstances(), (events) => {
      for (const e of events) {
        if (e.type !== 'put') continue;
        const i = JSON.parse(e.kv.value) as Pick<ContainerInstanceRecord, 'fargatePool' | 'cluster'>;
        if (i.fargatePool) this.enqueue(i.cluster);
      }
    }, opts);
    store.watch(keys.clusters(), (events) => { for (const e of events) this.enqueue(e.kv.key.slice(keys.clusters().length)); }, opts);
    const resync = async () => { for (const kv of (await store.range(keys.clusters())).kvs) this.enqueue((JSON.parse(kv.value) as ClusterRecord).clusterName); };
    await resync();
    this.timer = setInterval(() => void resync().catch(() => {}), this.o.resyncMs ?? 5000);
    this.timer.unref();
  }

  stop(): void {
    this.abort.abort();
    clearInterval(this.timer);
  }

  private enqueue(cluster: string): void {
    if (this.abort.signal.aborted || !cluster) return;
    this.queue.add(cluster);
    if (!this.running) void this.pump();
  }

  private async pump(): Promise<void> {
    this.running = true;
    try {
      while (this.queue.size > 0 && !this.abort.signal.aborted) {
        const cluster = this.queue.values().next().value as string;
        this.queue.delete(cluster);
        try {
          if (await this.sync(cluster)) this.queue.add(cluster);
        } catch (err) {
          this.o.log.error({ err, cluster }, 'capacity sync failed');
        }
      }
    } finally {
      this.running = false;
    }
  }

  /** One pass for one cluster. Returns true when it must run again at once. */
  async sync(cluster: string): Promise<boolean> {
    const { store } = this.o;
    const clusterKv = await store.get(keys.cluster(cluster));
    const clusterRec = clusterKv ? (JSON.parse(clusterKv.value) as ClusterRecord) : undefined;
    const [taskKvs, instKvs] = await Promise.all([store.range(keys.tasks(cluster)), store.range(keys.containerInstances(cluster))]);
    const fargate = taskKvs.kvs.map((kv) => ({ kv, t: JSON.parse(kv.value) as TaskRecord })).filter(({ t }) => t.launchType === 'FARGATE');
    const pool = instKvs.kvs.map((kv) => ({ kv, i: JSON.parse(kv.value) as ContainerInstanceRecord })).filter(({ i }) => i.fargatePool && i.status !== 'INACTIVE');
    const now = this.o.clock().getTime();
    let again = false;
    // 1. Place what waits, one kind (definition + overrides) at a time. A task stopped before it was
    // placed is placed too: its agent gets it with desiredStatus STOPPED and reports it STOPPED at once
    // (the agent is the only writer of lastStatus).
    const waiting = fargate.filter(({ t }) => !t.containerInstanceId && LIVE(t));
    const kinds = new Map<string, typeof waiting>();
    for (const w of waiting) {
      const k = `${w.t.taskDefinitionArn}|${JSON.stringify(w.t.overrides)}`;
      kinds.set(k, [...(kinds.get(k) ?? []), w]);
    }
    const unplaced: TaskRecord[] = [];
    for (const group of kinds.values()) {
      // awsvpc (every Fargate task): the address is leased in the placement's commit, in any of the
      // task's subnets (pool hosts serve every zone). A task whose subnets are full waits; it is not
      // demand for another host, which would not add addresses.
      const noAddress = new Set<string>();
      const r = await placeAndCommit(store, this.o.placement, {
        cluster, tasks: group.map((g) => g.t), strategies: binpack, constraints: [], requiresAttributes: [], random: Math.random,
        pool: true, existing: new Map(group.map((g) => [g.t.id, g.kv.version])),
        allocate: async (placed) => {
          const a = await allocateInterfaces(store, placed, { region: this.o.region, random: Math.random, now, anyZone: true });
          for (const f of a.failed) noAddress.add(f.task.id);
          return a;
        },
      });
      if (r.preconditionFailed) { again = true; continue; }
      if (noAddress.size) this.o.log.warn({ cluster, tasks: noAddress.size }, 'fargate tasks wait for a free address in their subnets');
      const placed = new Set(r.placed.map((t) => t.id));
      unplaced.push(...group.map((g) => g.t).filter((t) => !placed.has(t.id) && !noAddress.has(t.id)));
      if (r.placed.length) this.o.log.info({ cluster, placed: r.placed.length }, 'fargate tasks placed on the pool');
    }

    // 2. Size the pool.
    const liveOn = new Map<string, number>();
    for (const { t } of fargate) if (t.containerInstanceId && LIVE(t)) liveOn.set(t.containerInstanceId, (liveOn.get(t.containerInstanceId) ?? 0) + 1);
    const runningNames = new Set(this.o.hosts.running().filter((n) => n.startsWith(`${cluster}.`)));
    const hosts: PoolHost[] = [];
    const registered = new Set<string>();
    for (const { i } of pool) {
      const name = i.attributes.find((a) => a.name === POOL_HOST_ATTRIBUTE)?.value ?? i.id;
      registered.add(name);
      const live = liveOn.get(i.id) ?? 0;
      if (live > 0) this.idleSince.delete(name); else if (!this.idleSince.has(name)) this.idleSince.set(name, now);
      if (!runningNames.has(name)) {
        // Its process is gone (a server restart): start it again if it still holds tasks, so the agent
        // adopts its containers; otherwise retire its record.
        if (live > 0) { await this.o.hosts.start({ cluster, name, cpu: reg(i, 'CPU'), memory: reg(i, 'MEMORY') }); runningNames.add(name); }
        else await this.retire(cluster, i.id);
        continue;
      }
      const free = remainingOf(i, reservationsOn(i.id, fargate.map((x) => x.t)));
      hosts.push({ name, ready: i.agentConnected && i.status === 'ACTIVE', freeCpu: free.cpu, freeMemory: free.memory, liveTasks: live, idleSince: live ? undefined : this.idleSince.get(name) });
    }
    for (const name of runningNames) if (!registered.has(name)) hosts.push({ name, ready: false, freeCpu: 0, freeMemory: 0, liveTasks: 0 });
    const prewarm = (clusterRec?.status === 'ACTIVE') && (clusterRec.capacityProviders.some(isFargateProvider) || fargate.length > 0);
    const decision = decidePool({ waiting: unplaced.map((t) => ({ cpu: t.reserved.cpu, memory: t.reserved.memory })), hosts, now, config: this.config, prewarm });
    for (const size of decision.start) {
      const name = `${cluster}.${this.nextName(cluster, new Set([...runningNames, ...registered]))}`;
      runningNames.add(name);
      this.o.log.info({ cluster, host: name, ...size }, 'starting a fargate pool host');
      await this.o.hosts.start({ cluster, name, ...size });
    }
    for (const name of decision.stop) {
      const inst = pool.find(({ i }) => (i.attributes.find((a) => a.name === POOL_HOST_ATTRIBUTE)?.value ?? i.id) === name);
      this.o.log.info({ cluster, host: name }, 'stopping an idle fargate pool host');
      await this.o.hosts.stop(name);
      if (inst) await this.retire(cluster, inst.i.id);
      this.idleSince.delete(name);
    }
    return again;
  }

  private nextName(cluster: string, taken: Set<string>): string {
    for (;;) {
      const n = `fargate-${++this.seq}`;
      if (!taken.has(`${cluster}.${n}`)) return n;
    }
  }

  /** A stopped pool host's container instance goes INACTIVE (it is never the user's to deregister). */
  private async retire(cluster: string, id: string): Promise<void> {
    const key = keys.containerInstance(cluster, id);
    const kv: KeyValue | undefined = await this.o.store.get(key);
    if (!kv) return;
    const i = JSON.parse(kv.value) as ContainerInstanceRecord;
    if (!setInstanceStatus(i, 'INACTIVE')) return;
    await this.o.store.txn({ compare: [{ key, target: 'version', op: '==', value: kv.version }], success: [{ type: 'put', key, value: JSON.stringify(i) }] });
  }
}

const reg = (i: ContainerInstanceRecord, n: string) => i.registeredResources.find((r) => r.name === n)?.integerValue ?? 0;
