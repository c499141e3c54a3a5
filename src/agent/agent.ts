/**
 * `wharf agent`: one per host (= one container instance). Owns the connection, the task actors and
 * reconciliation between the control plane's desired set and what runs here.
 *
 *   start ─ load identity + checkpoints ─ resume actors (adopting their containers by label) ─ connect
 *     every (re)connect: register ─► registered ─► send every task's current report ─► desired{full}
 *       reconcile(full): for each spec  → actor.update, or a new actor (adopting containers if any)
 *                        actors absent  → stopped (the control plane no longer wants them)
 *                        containers with our host label but no actor (orphans) → stopped + removed
 *       desired{delta}:  the same per spec, nothing removed
 *     disconnected: actors keep running and reporting into the Reporter; nothing is stopped
 *
 * Who writes what: the control plane owns desiredStatus (TaskSpec); each TaskActor owns its task's
 * observed state and checkpoint; the agent owns only the actor set and its identity file.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LABELS, AGENT_PROTOCOL_VERSION, type AgentMessage, type ContainerStatsReport, type ServerMessage, type TaskSpec } from '../protocol/agent-messages.js';
import { silentLogger, systemClock, type AgentLogger, type Clock } from './clock.js';
import { FileCheckpointStore, type CheckpointStore, type TaskCheckpoint } from './checkpoint.js';
import { AgentConnection } from './connection.js';
import { HOST_ID_LABEL, taskResolvConf } from './container-spec.js';
import { hostAttributes, hostResources, loadIdentity, saveIdentity, type Identity } from './host-info.js';
import { Reporter } from './reporter.js';
import type { ContainerSummary, RuntimeDriver, RuntimeInfo } from './runtime/driver.js';
import { TaskActor, type ContainerLogHook, type TaskActorOptions, type TaskNetworkHook } from './task-actor.js';
import { TaskEndpoints } from './task-endpoints.js';
import { LogShipping, httpLogTransport } from './awslogs/shipper.js';
import { FileLogCheckpoints } from './awslogs/checkpoint.js';
import { TaskNetworks } from './network/task-networks.js';
import { isPauseContainer } from './namespace-pause.js';

export const AGENT_VERSION = '0.1.0';
/** Like the ECS agent's git hash in versionInfo: identifies this agent's build (a hash of its code). */
export const AGENT_HASH = createHash('sha256').update(readFileSync(fileURLToPath(import.meta.url))).digest('hex').slice(0, 8);

export interface AgentOptions {
  server: string;
  cluster: string;
  /**
   * The region whose cluster this host joins (default: the server's configured region). An instance
   * belongs to one region's cluster, as an EC2 instance does; it travels as `?region=` on the agent's
   * WebSocket and log ingest URLs.
   */
  region?: string;
  token: string;
  stateDir: string;
  driver: RuntimeDriver;
  attributes?: Record<string, string>;
  /** CPU units / MiB to register instead of the host's (tests: two agents on one machine). */
  cpu?: number;
  memory?: number;
  availabilityZone?: string;
  instanceType?: string;
  log?: AgentLogger;
  clock?: Clock;
  /** Called on a fatal connection error (rejected token): the CLI exits. */
  onFatal?: (message: string) => void;
  actor?: Pick<TaskActorOptions, 'stopTimeoutSeconds' | 'startTimeoutSeconds' | 'cleanupDelayMs' | 'pullAttempts' | 'hostPaths'>;
  /**
   * How long a removed task's tombstone (its final report) is kept, so a late or repeated `desired` for
   * it is answered with STOPPED instead of starting it again: 1 h, as long as ECS shows STOPPED tasks.
   */
  tombstoneMs?: number;
  /**
   * Container stats are sent every 20 s, ECS's own agent's metrics publishing interval: three samples per
   * CloudWatch 1-minute period, and ~50 stats calls per 20 s for a host with 50 containers (each a few ms).
   */
  statsIntervalMs?: number;
  /** Orphan containers are stopped with this timeout (s). Default: the tasks' default stop timeout (30 s). */
  orphanStopTimeoutSeconds?: number;
  /**
   * Serve ECS's credentials and metadata endpoints at 169.254.170.2 (needs root: nftables and the
   * route_localnet sysctl) and advertise the task-iam-role capability. The CLI turns it on as root.
   */
  taskEndpoints?: boolean;
  /**
   * awsvpc networking: on when the host supports it (root, iproute2, nsenter, nftables, busybox-static),
   * checked at start; false turns it off (the agent then does not advertise ecs.capability.task-eni).
   */
  awsvpc?: boolean;
}

export class Agent {
  readonly actors = new Map<string, TaskActor>();
  private readonly identity: Identity;
  private readonly checkpoints: CheckpointStore;
  private readonly reporter: Reporter;
  private readonly conn: AgentConnection;
  private readonly log: AgentLogger;
  private readonly clock: Clock;
  private runtime: RuntimeInfo | null = null;
  /** Reconciles run one at a time, in arrival order. */
  private queue: Promise<void> = Promise.resolve();
  private pruneTimer: NodeJS.Timeout | null = null;
  private statsTimer: NodeJS.Timeout | null = null;
  private readonly removingOrphans = new Set<string>();
  private closed = false;
  containerInstanceArn: string | undefined;
  /** awslogs: ships containers' output to CloudWatch Logs on the control plane (src/agent/awslogs/). */
  private readonly logShipping: LogShipping;
  private readonly logHook: ContainerLogHook;
  /** ECS's credentials and metadata endpoints at 169.254.170.2 (task-endpoints.ts), when enabled. */
  readonly endpoints?: TaskEndpoints;
  /** awsvpc task namespaces; undefined when this host cannot run awsvpc tasks. */
  networks?: TaskNetworks;
  /** Whether tasks' DNS goes to the server's resolver at 169.254.169.253 (set once registered with one). */
  private resolverOn = false;

  constructor(private readonly o: AgentOptions) {
    this.log = o.log ?? silentLogger;
    this.clock = o.clock ?? systemClock;
    this.identity = loadIdentity(o.stateDir);
    this.containerInstanceArn = this.identity.containerInstanceArns[o.cluster];
    this.checkpoints = new FileCheckpointStore(o.stateDir);
    this.reporter = new Reporter({ send: (m) => this.conn.send(m) });
    this.logShipping = new LogShipping({ driver: o.driver, transport: httpLogTransport(() => this.conn.url, o.token), checkpoints: new FileLogCheckpoints(o.stateDir), log: this.log, clock: this.clock });
    this.logHook = {
      started: (c) => {
        if (c.logConfiguration?.logDriver === 'awslogs') this.logShipping.start({ taskArn: c.taskArn, containerName: c.containerName, runtimeId: c.runtimeId, options: c.logConfiguration.options });
      },
      // The log must be shipped before the container (and its log file) goes; 30 s covers a backlog of
      // hundreds of thousands of lines, and a control plane away for longer should not pin containers forever.
      removing: async (id) => {
        await Promise.race([this.logShipping.drained(id), new Promise((r) => setTimeout(r, 30_000).unref())]);
        await this.logShipping.stop(id, { forget: true });
      },
    };
    if (o.taskEndpoints) {
      this.endpoints = new TaskEndpoints({
        hostId: this.identity.hostId, log: this.log, availabilityZone: o.availabilityZone, stateDir: o.stateDir,
        tasks: () => [...this.actors.values()].map((a) => {
          const r = a.report();
          return { spec: a.currentSpec, knownStatus: r.lastStatus, pullStartedAt: r.pullStartedAt, pullStoppedAt: r.pullStoppedAt,
            containers: r.containers.map((c) => ({ name: c.name, runtimeId: c.runtimeId, status: c.lastStatus, exitCode: c.exitCode, imageDigest: c.imageDigest })) };
        }),
        stats: (id) => this.o.driver.stats(id),
      });
    }
    this.conn = new AgentConnection({
      // One server, or several comma-separated (HA: the connection fails over between them).
      url: o.server.split(',').map((s) => withRegion(s.trim(), o.region)).join(','),
      token: o.token,
      log: this.log,
      register: () => this.registerMessage(),
      onRegistered: (m) => this.onRegistered(m),
      onMessage: (m) => this.onMessage(m),
      onFatal: (msg) => (o.onFatal ?? ((x: string) => this.log.error({}, x)))(msg),
    });
  }

  get hostId(): string {
    return this.identity.hostId;
  }
  get connected(): boolean {
    return this.conn.ready;
  }

  /** Resumes checkpointed tasks (adopting their containers), then connects. */
  async start(): Promise<void> {
    this.runtime = await this.o.driver.ping();
    await this.endpoints?.start();
    if (this.o.awsvpc !== false) {
      const can = await TaskNetworks.supported();
      if (can.ok) this.networks = new TaskNetworks({ driver: this.o.driver, hostId: this.identity.hostId, log: this.log });
      else this.log.info({ why: can.why }, 'awsvpc network mode unavailable on this host');
    }
    const existing = await this.ourContainers();
    for (const cp of this.checkpoints.loadAll()) {
      if (cp.removed && this.clock.now() - cp.savedAt > (this.o.tombstoneMs ?? 3_600_000)) {
        this.checkpoints.delete(cp.spec.taskArn);
        continue;
      }
      this.startActor(cp.spec, cp, existing.get(cp.spec.taskArn) ?? []);
    }
    this.log.info({ hostId: this.hostId, resumed: this.actors.size, runtime: `${this.runtime.engine} ${this.runtime.version} (API ${this.runtime.apiVersion})` }, 'agent starting');
    this.conn.start();
    this.pruneTimer = setInterval(() => this.prune(), 60_000);
    this.pruneTimer.unref();
    this.statsTimer = setInterval(() => void this.sendStats(), this.o.statsIntervalMs ?? 20_000);
    this.statsTimer.unref();
  }

  /** Stops talking and watching; containers keep running and the next agent adopts them. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.pruneTimer) clearInterval(this.pruneTimer);
    if (this.statsTimer) clearInterval(this.statsTimer);
    this.reporter.flush();
    this.conn.close();
    this.reporter.close();
    for (const a of this.actors.values()) a.close();
    await this.logShipping.close();
    await this.endpoints?.close();
    await this.queue.catch(() => {});
  }

  private async registerMessage(): Promise<AgentMessage> {
    this.runtime = await this.o.driver.ping();
    const ownPorts = [...this.actors.values()].flatMap((a) => a.hostPorts());
    return {
      type: 'register',
      protocol: AGENT_PROTOCOL_VERSION,
      cluster: this.o.cluster,
      hostId: this.identity.hostId,
      ...(this.containerInstanceArn ? { containerInstanceArn: this.containerInstanceArn } : {}),
      resources: hostResources({ cpu: this.o.cpu, memory: this.o.memory, ownPorts }),
      attributes: hostAttributes({
        availabilityZone: this.o.availabilityZone ?? 'local-1a',
        instanceType: this.o.instanceType ?? 'wharf.local',
        apiVersion: this.runtime.apiVersion,
        custom: this.o.attributes,
        taskIamRole: this.endpoints !== undefined,
        taskEni: this.networks !== undefined,
      }),
      versionInfo: { agentVersion: AGENT_VERSION, agentHash: AGENT_HASH, dockerVersion: `${this.runtime.engine} ${this.runtime.version}` },
      availabilityZone: this.o.availabilityZone ?? 'local-1a',
      instanceType: this.o.instanceType ?? 'wharf.local',
    };
  }

  private onRegistered(m: Extract<ServerMessage, { type: 'registered' }>): void {
    this.log.info({ containerInstanceArn: m.containerInstanceArn, reconnect: this.conn.connects > 1 }, 'registered');
    if (m.containerInstanceArn !== this.containerInstanceArn) {
      this.containerInstanceArn = m.containerInstanceArn;
      this.identity.containerInstanceArns[this.o.cluster] = m.containerInstanceArn;
      saveIdentity(this.o.stateDir, this.identity);
    }
    // The VPC resolver first (queued before any desired state), so new tasks are told to use it.
    if (m.resolver && this.endpoints) {
      const to = m.resolver;
      this.enqueue(async () => {
        const host = /^(0\.0\.0\.0|::|)$/.test(to.host) ? new URL(this.conn.url).hostname.replace(/^localhost$/, '127.0.0.1') : to.host;
        this.resolverOn = (await this.endpoints?.setResolver({ host, port: to.port })) ?? false;
        this.log.info({ resolver: `${host}:${to.port}`, on: this.resolverOn }, 'tasks resolve names at 169.254.169.253');
      });
    }
    // Level-triggered: after any gap, tell the server the current state of every task we know.
    for (const a of this.actors.values()) this.reporter.push(a.report());
    this.reporter.reconnected();
  }

  private onMessage(m: ServerMessage): void {
    if (m.type === 'ack') this.reporter.ack(m.seq);
    else if (m.type === 'desired') this.enqueue(() => this.reconcile(m.tasks, m.full));
    else if (m.type === 'policy') void this.networks?.setPolicy(m.policy);
  }

  private enqueue(f: () => Promise<void>): void {
    this.queue = this.queue.then(f).catch((e: unknown) => this.log.error({ err: String((e as Error)?.stack ?? e) }, 'reconcile failed'));
  }

  /** Applies a desired set (full: everything this host should know about; else a delta). */
  async reconcile(tasks: TaskSpec[], full: boolean): Promise<void> {
    if (this.closed) return;
    // Only a full set can name tasks whose containers survived a restart (the server always sends one
    // first on every (re)connect): deltas need no runtime listing, which keeps a burst from queueing
    // one list call per RunTask.
    const existing = full ? await this.ourContainers() : new Map<string, ContainerSummary[]>();
    const wanted = new Set(tasks.map((t) => t.taskArn));
    for (const spec of tasks) {
      const a = this.actors.get(spec.taskArn);
      if (a) {
        a.update(spec);
        if (a.phase === 'removed' || a.phase === 'stopped') this.reporter.push(a.report());
      } else this.startActor(spec, undefined, existing.get(spec.taskArn) ?? []);
    }
    if (!full) return;
    for (const a of this.actors.values()) {
      if (!wanted.has(a.taskArn) && a.phase !== 'stopped' && a.phase !== 'removed') {
        this.log.info({ taskArn: a.taskArn }, 'task not in the desired set: stopping it');
        a.requestStop();
      }
    }
    for (const [arn, ctrs] of existing) {
      if (this.actors.has(arn)) continue;
      this.log.warn({ taskArn: arn, containers: ctrs.map((c) => c.name) }, 'orphan containers (task unknown here and to the control plane): removing');
      // Not awaited: a stop may take its whole timeout, and new desired tasks must not wait behind it.
      // Pause containers after the rest: the runtime keeps one while containers that joined it exist.
      const removeOrphan = (c: ContainerSummary) => this.o.driver.stopContainer(c.id, { timeoutSeconds: this.o.orphanStopTimeoutSeconds ?? this.o.actor?.stopTimeoutSeconds ?? 30 })
          .catch(() => {})
        .then(() => this.o.driver.removeContainer(c.id))
          .catch((e: unknown) => this.log.warn({ id: c.id, err: String(e) }, 'orphan remove failed'))
        .finally(() => this.removingOrphans.delete(c.id));
      const todo = ctrs.filter((c) => !this.removingOrphans.has(c.id));
      for (const c of todo) this.removingOrphans.add(c.id);
      const isPause = (c: ContainerSummary) => isPauseContainer(c.labels[LABELS.containerName]);
      void Promise.all(todo.filter((c) => !isPause(c)).map(removeOrphan)).then(() => Promise.all(todo.filter(isPause).map(removeOrphan)));
    }
  }

  /**
   * awsvpc tasks reach 169.254.170.2 from their own namespace: the packet leaves by the task's default
   * route (the subnet bridge's router address on this host) and meets the endpoints' DNAT in the host's
   * prerouting, which admits it by source address — so the task's ENI address is admitted once its
   * namespace is up (its containers have no address of their own), and forgotten with the task.
   */
  private endpointsNetworkHook(networks: TaskNetworks): TaskNetworkHook {
    return {
      attach: async (spec) => {
        const mode = await networks.attach(spec);
        if (spec.network) this.endpoints?.setAddresses(spec.taskArn, `eni:${spec.taskArn}`, [spec.network.ipv4Address]);
        return mode;
      },
      detach: async (spec) => {
        this.endpoints?.forgetTask(spec.taskArn);
        await networks.detach(spec);
        rmSync(this.resolvConfPath(spec), { force: true });
      },
      // Written (again) for each container created, so a resolver learned after an agent restart applies.
      resolvConf: (spec) => {
        const path = this.resolvConfPath(spec);
        mkdirSync(join(this.o.stateDir, 'resolv'), { recursive: true });
        let host = '';
        try { host = readFileSync('/etc/resolv.conf', 'utf8'); } catch { /* no host resolver: only the VPC's */ }
        writeFileSync(path, taskResolvConf(spec, this.resolverOn, host));
        return path;
      },
    };
  }

  private resolvConfPath(spec: TaskSpec): string {
    return join(this.o.stateDir, 'resolv', `${spec.taskArn.split('/').pop()}.conf`);
  }

  private startActor(spec: TaskSpec, checkpoint: TaskCheckpoint | undefined, existing: ContainerSummary[]): TaskActor {
    const actor = new TaskActor(spec, {
      driver: this.o.driver,
      hostId: this.identity.hostId,
      endpointsPort: () => this.endpoints?.port,
      resolver: () => (this.resolverOn ? this.endpoints?.bridgeResolver : undefined),
      clock: this.clock,
      checkpoints: this.checkpoints,
      log: this.log,
      onReport: (r) => {
        this.log.debug({ taskArn: r.taskArn, lastStatus: r.lastStatus, containers: r.containers.map((c) => `${c.name}:${c.lastStatus}${c.exitCode !== undefined ? `(${c.exitCode})` : ''}`) }, 'task state');
        this.reporter.push(r);
        if (r.lastStatus === 'STOPPED') this.endpoints?.forgetTask(r.taskArn);
      },
      logs: this.logHook,
      onAddresses: (taskArn, id, ips) => this.endpoints?.setAddresses(taskArn, id, ips),
      network: this.networks && this.endpointsNetworkHook(this.networks),
      ...this.o.actor,
    }, { checkpoint, existing });
    this.actors.set(spec.taskArn, actor);
    void actor.start();
    return actor;
  }

  /** Fire-and-forget container stats (protocol `stats`); skipped while disconnected (they are samples, not state). */
  async sendStats(): Promise<void> {
    if (!this.conn.ready) return;
    const containers: ContainerStatsReport[] = [];
    for (const a of this.actors.values()) {
      for (const c of a.runningContainers()) {
        try {
          const s = await this.o.driver.stats(c.runtimeId);
          containers.push({
            taskArn: a.taskArn, containerName: c.name, cpuTotalNs: s.cpuTotalNs, systemCpuNs: s.systemCpuNs, onlineCpus: s.onlineCpus,
            memoryUsage: s.memoryUsageBytes, memoryLimit: s.memoryLimitBytes, rxBytes: s.netRxBytes, txBytes: s.netTxBytes,
            blockRead: s.blockReadBytes, blockWrite: s.blockWriteBytes,
          });
        } catch {
          // exited between listing and asking: its exit is reported by the actor
        }
      }
    }
    if (containers.length) this.conn.send({ type: 'stats', at: this.clock.now(), containers });
  }

  /** Drops tombstones older than tombstoneMs. */
  private prune(): void {
    const ttl = this.o.tombstoneMs ?? 3_600_000;
    for (const cp of this.checkpoints.loadAll()) {
      if (cp.removed && this.clock.now() - cp.savedAt > ttl) {
        this.checkpoints.delete(cp.spec.taskArn);
        this.actors.delete(cp.spec.taskArn);
      }
    }
  }

  /** Containers this agent identity started, grouped by task ARN. */
  private async ourContainers(): Promise<Map<string, ContainerSummary[]>> {
    const list = await this.o.driver.listContainers({ [LABELS.managedBy]: 'true', [HOST_ID_LABEL]: this.identity.hostId });
    const out = new Map<string, ContainerSummary[]>();
    for (const c of list) {
      const arn = c.labels[LABELS.taskArn];
      if (arn) out.set(arn, [...(out.get(arn) ?? []), c]);
    }
    return out;
  }
}

/** The server URL with the agent's region as a query parameter (unchanged without a region). */
export function withRegion(server: string, region: string | undefined): string {
  if (!region) return server;
  const u = new URL(server);
  u.searchParams.set('region', region);
  return u.toString();
}
