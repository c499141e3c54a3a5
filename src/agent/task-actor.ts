/**
 * The task actor: one per task on this host, and the only writer of that task's observed state (its
 * TaskReport) and its checkpoint (STYLE 4). The control plane owns desired state; the actor receives it
 * through `update(spec)` and never changes it.
 *
 * Task, as the actor drives it (reported `lastStatus` in capitals; statuses only move forward, STYLE 5):
 *
 *    new / adopted
 *        │ adopt: inspect containers named in the checkpoint or found by label
 *        ▼
 *    PENDING ── pull images (inspectImage first; pull only if absent) ── create containers ──
 *        │      start each once its dependsOn conditions hold (START|COMPLETE|SUCCESS|HEALTHY)
 *        │                                        │ pull/create/start of an essential container fails,
 *        │ every essential container RUNNING      │ or a dependency can never be met
 *        ▼                                        │   ⇒ stopCode TaskFailedToStart
 *    RUNNING ─ health checks (exec) → healthStatus │
 *        │ essential container exits and its restartPolicy does not restart it
 *        │   ⇒ stopCode EssentialContainerExited, "Essential container in task exited"
 *        │ desiredStatus STOPPED (the control plane; its stopCode/reason stay its own)
 *        ▼                                        ▼
 *    STOPPING ── stop containers in reverse dependency order: stopSignal, then SIGKILL after stopTimeout
 *        │ every container STOPPED
 *        ▼
 *    STOPPED (executionStoppedAt = stoppedAt) ── after cleanupDelayMs ── remove containers ── (tombstone)
 *
 * Container (reported): PENDING ─ started ─► RUNNING ─ exited / stopped / never startable ─► STOPPED.
 * A container its restartPolicy restarts stays RUNNING across the restart (as in ECS, where the restart is
 * in place); here the restart is a new runtime container with the same name, so runtimeId and dynamic host
 * ports may change.
 *
 * Concurrency: all of the actor's async work (startup, exit watchers, health loops, shutdown) runs on the
 * one Node event loop and mutates only this object; every mutation ends in `commit()`, which derives the
 * task-level fields, writes the checkpoint, emits the report if it changed, and wakes waiters.
 */
import type { ContainerDependency } from '@aws-sdk/client-ecs';
import {
  LABELS, advance, advanceContainer,
  type ContainerReport, type ContainerStatus, type HealthStatus, type NetworkBinding, type TaskReport, type TaskSpec, type TaskStatus,
} from '../protocol/agent-messages.js';
import { systemClock, silentLogger, type AgentLogger, type Clock } from './clock.js';
import type { CheckpointStore, ContainerCheckpoint, TaskCheckpoint } from './checkpoint.js';
import { HOST_ID_LABEL, healthCheckArgv, networkModeOf, toContainerSpec, type EcsContainer } from './container-spec.js';
import { credentialsHostOf } from '../model/ecs/image-ref.js';
import type { ContainerState, ContainerSummary, RuntimeDriver } from './runtime/driver.js';
import { OOM_REASON, RuntimeError, ecsReason, isRuntimeError } from './runtime/runtime-error.js';
import { ensureNamespacePause, isPauseContainer, sharesTaskNamespaces, stopNamespacePause } from './namespace-pause.js';
import { VOLUME_SCOPE_LABEL, VolumeError, containerMounts, planVolumes, type HostPathPolicy, type PlannedVolume } from './task-volumes.js';

export interface TaskActorOptions {
  driver: RuntimeDriver;
  /** This agent's identity; labels every container so agents sharing a runtime never touch each other's. */
  hostId: string;
  /** The task endpoints' loopback port, for host-mode containers (task-endpoints.ts). */
  endpointsPort?: () => number | undefined;
  /** The nameserver for bridge containers when this agent relays tasks' DNS to the server's (task-endpoints.ts). */
  resolver?: () => string | undefined;
  onReport: (r: TaskReport) => void;
  clock?: Clock;
  checkpoints?: CheckpointStore;
  log?: AgentLogger;
  /**
   * Default for containers without `stopTimeout`: 30 s, ECS's ECS_CONTAINER_STOP_TIMEOUT default — long
   * enough for a web server to drain keep-alive connections, short enough that a StopTask finishes within
   * the AWS CLI `tasks-stopped` waiter's first few 6 s polls.
   */
  stopTimeoutSeconds?: number;
  /** Default for containers without `startTimeout`: how long dependsOn may wait. 180 s, ECS_CONTAINER_START_TIMEOUT's default. */
  startTimeoutSeconds?: number;
  /**
   * How long stopped containers are kept before removal, so `podman logs`/`inspect` still work after a
   * failure. ECS keeps them 3 h (ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION); we keep 10 min: a crash-looping
   * service under ECS's start throttle stops at most ~1 task per 10 s at worst (first restarts), so at most
   * ~60 exited containers (each a few KiB plus its log) pile up per looping service, instead of ~1000 for 3 h.
   */
  cleanupDelayMs?: number;
  /** Pull attempts for a retryable failure (ECS retries pulls too). Default 3, with 1 s, 2 s between. */
  pullAttempts?: number;
  /** Log shipping (awslogs): told of every started runtime container; removal waits for its log to be shipped. */
  logs?: ContainerLogHook;
  /** Told each running container's addresses (and when it stops), so the task endpoints admit them. */
  onAddresses?: (taskArn: string, runtimeId: string, addresses: readonly string[]) => void;
  /** awsvpc: the task's network namespace (src/agent/network/task-networks.ts). Required for awsvpc tasks. */
  network?: TaskNetworkHook;
  /** Which host paths tasks may mount (task-volumes.ts). Default: any path that is not sensitive. */
  hostPaths?: HostPathPolicy;
}

/** The task actor's only contact with awsvpc networking. */
export interface TaskNetworkHook {
  /** Makes (or finds, after an agent restart) the task's namespace; returns the mode its containers join it by. */
  attach(spec: TaskSpec): Promise<`container:${string}`>;
  /** Takes the namespace down; called once every container has stopped, before STOPPED is reported. */
  detach(spec: TaskSpec): Promise<void>;
  /** The task's /etc/resolv.conf on the host (written at attach), mounted into each of its containers. */
  resolvConf?(spec: TaskSpec): string | undefined;
}

/** The task actor's only contact with log shipping (src/agent/awslogs/). */
export interface ContainerLogHook {
  started(c: { taskArn: string; containerName: string; runtimeId: string; logConfiguration?: EcsContainer['logConfiguration'] }): void;
  /** Before a runtime container is removed: ship what is left (bounded by the caller's patience). */
  removing(runtimeId: string): Promise<void>;
}

export type ActorPhase = 'starting' | 'running' | 'stopping' | 'stopped' | 'removed';

interface Ctr {
  def: EcsContainer;
  name: string;
  essential: boolean;
  status: ContainerStatus;
  runtimeId?: string;
  started: boolean;
  startedAt?: number;
  exitCode?: number;
  reason?: string;
  networkBindings?: NetworkBinding[];
  health?: HealthStatus;
  imageDigest?: string;
  restartCount: number;
  lastRestartAt?: number;
  /** Aborts this runtime container's exit watcher and health loop (a restart makes a new one). */
  life?: AbortController;
  /** A restartPolicy restart in flight; shutdown waits for it so no restarted container outlives the task. */
  restarting?: Promise<void>;
}

const DEFAULTS = { stopTimeoutSeconds: 30, startTimeoutSeconds: 180, cleanupDelayMs: 10 * 60_000, pullAttempts: 3, hostPaths: {} };
const ESSENTIAL_EXITED = 'Essential container in task exited';

/** ECS's restart decision (restartPolicy), pure: `now - (lastRestartAt ?? startedAt) >= restartAttemptPeriod`. */
export function shouldRestart(
  policy: EcsContainer['restartPolicy'],
  c: { exitCode?: number; startedAt?: number; lastRestartAt?: number },
  now: number,
): boolean {
  if (!policy?.enabled || c.exitCode === undefined) return false;
  if (policy.ignoredExitCodes?.includes(c.exitCode)) return false;
  const since = c.lastRestartAt ?? c.startedAt;
  if (since === undefined) return false;
  // ECS: 300 s default, 60–1800 allowed; a container that ran less than this is not restarted (it would
  // crash-loop in place); the task's own essential-exit handling takes over instead.
  return now - since >= (policy.restartAttemptPeriod ?? 300) * 1000;
}

export class TaskActor {
  private spec: TaskSpec;
  private readonly o: Required<Omit<TaskActorOptions, 'checkpoints' | 'log' | 'clock'>> & { clock: Clock; log: AgentLogger; checkpoints?: CheckpointStore };
  private readonly ctrs: Ctr[];
  private lastStatus: TaskStatus = 'PENDING';
  private healthStatus: HealthStatus | undefined;
  private pullStartedAt?: number;
  private pullStoppedAt?: number;
  private startedAt?: number;
  private stoppingAt?: number;
  private executionStoppedAt?: number;
  private stoppedAt?: number;
  private stopCode?: TaskReport['stopCode'];
  private stoppedReason?: string;
  private removeAt?: number;
  private removed = false;
  private stopping = false;
  private resolveStop!: () => void;
  private readonly stopRequested = new Promise<void>((r) => (this.resolveStop = r));
  /** Aborts startup work (pulls, dependency waits) when a stop begins. */
  private readonly startupAbort = new AbortController();
  /** Aborts everything (agent shutdown): containers keep running, the actor just goes quiet. */
  private readonly closeAbort = new AbortController();
  private readonly waiters = new Set<() => void>();
  private lastEmitted = '';
  private readonly existing: ContainerSummary[];
  private readonly resumed: TaskCheckpoint | undefined;
  private running: Promise<void> | null = null;
  private resumeStop = false;
  /** awsvpc: `container:<pause id>` once the task's namespace is up. */
  private joinNetwork?: `container:${string}`;
  /** pidMode/ipcMode task: the id of the pause container whose namespaces the containers join. */
  private namespacePause?: string;
  /** Where the task's volumes are on this host (planned once; pure, so also after an agent restart). */
  private planned?: PlannedVolume[];

  constructor(spec: TaskSpec, opts: TaskActorOptions, resume: { checkpoint?: TaskCheckpoint; existing?: ContainerSummary[] } = {}) {
    this.spec = structuredClone(spec);
    this.o = { ...DEFAULTS, clock: systemClock, log: silentLogger, ...opts } as typeof this.o;
    this.existing = resume.existing ?? [];
    this.resumed = resume.checkpoint;
    this.ctrs = spec.containers.map((def) => ({
      def, name: def.name ?? '', essential: def.essential ?? true, status: 'PENDING', started: false, restartCount: 0,
      health: def.healthCheck ? 'UNKNOWN' : undefined,
    }));
    if (resume.checkpoint) this.restore(resume.checkpoint);
  }

  get taskArn(): string {
    return this.spec.taskArn;
  }
  /** Derived from lastStatus, so it cannot disagree with what was reported. */
  get phase(): ActorPhase {
    if (this.removed) return 'removed';
    return ({ PENDING: 'starting', RUNNING: 'running', STOPPING: 'stopping', STOPPED: 'stopped' } as Partial<Record<TaskStatus, ActorPhase>>)[this.lastStatus] ?? 'starting';
  }
  get desiredStatus(): string {
    return this.spec.desiredStatus;
  }

  /** Starts driving the task; resolves when its containers are removed (or the actor is closed). */
  start(): Promise<void> {
    this.running ??= this.run().catch((e: unknown) => {
      // Last resort: a bug must not crash the agent or leave the task PENDING forever.
      this.o.log.error({ err: String((e as Error)?.stack ?? e), taskArn: this.taskArn }, 'task actor failed');
    });
    return this.running;
  }

  /** A newer desired state from the control plane. Older versions are ignored. */
  update(spec: TaskSpec): void {
    if (spec.version < this.spec.version) return;
    const stop = spec.desiredStatus === 'STOPPED' && this.spec.desiredStatus !== 'STOPPED';
    this.spec = { ...this.spec, desiredStatus: this.spec.desiredStatus === 'STOPPED' ? 'STOPPED' : spec.desiredStatus, version: spec.version, stopCode: spec.stopCode, stoppedReason: spec.stoppedReason, stopGraceSeconds: spec.stopGraceSeconds ?? this.spec.stopGraceSeconds };
    // Task IAM is reissued by the control plane (fresh credentials; secrets after an agent restart,
    // whose checkpoint never holds them): take the newest.
    for (const k of ['endpointId', 'taskRoleCredentials', 'secretEnvironment'] as const) if (spec[k] !== undefined) (this.spec as unknown as Record<string, unknown>)[k] = spec[k];
    if (stop || this.spec.desiredStatus === 'STOPPED') this.requestStop();
    this.commit();
  }

  /** Agent shutdown: stop watching; containers keep running and are adopted by the next agent. */
  close(): void {
    this.closeAbort.abort(new RuntimeError('aborted', 'agent closing'));
    for (const c of this.ctrs) c.life?.abort();
    for (const w of [...this.waiters]) w();
  }

  /** The spec as this actor holds it (for the task endpoints; never logged). */
  get currentSpec(): TaskSpec {
    return this.spec;
  }

  report(): TaskReport {
    const containers: ContainerReport[] = this.ctrs.map((c) => strip({
      name: c.name, runtimeId: c.runtimeId, imageDigest: c.imageDigest, lastStatus: c.status, exitCode: c.exitCode, reason: c.reason,
      networkBindings: c.networkBindings, healthStatus: c.health,
    }));
    return strip({
      taskArn: this.spec.taskArn, lastStatus: this.lastStatus, containers, healthStatus: this.healthStatus,
      pullStartedAt: this.pullStartedAt, pullStoppedAt: this.pullStoppedAt, startedAt: this.startedAt, stoppingAt: this.stoppingAt,
      executionStoppedAt: this.executionStoppedAt, stoppedAt: this.stoppedAt, stopCode: this.stopCode, stoppedReason: this.stoppedReason,
    });
  }

  /** Running containers (for stats). */
  runningContainers(): { name: string; runtimeId: string }[] {
    return this.ctrs.filter((c) => c.status === 'RUNNING' && c.runtimeId).map((c) => ({ name: c.name, runtimeId: c.runtimeId! }));
  }

  /** Host ports this task's containers hold (so registration does not count them as foreign). */
  hostPorts(): number[] {
    return this.ctrs.flatMap((c) => (c.status === 'RUNNING' ? (c.networkBindings ?? []).map((b) => b.hostPort) : []));
  }

  // ---- main line ------------------------------------------------------------------------------------

  private async run(): Promise<void> {
    if (this.resumed?.removed) return;
    if (this.lastStatus !== 'STOPPED') {
      if (this.spec.desiredStatus === 'STOPPED' || this.resumeStop) this.requestStop(this.stopCode, this.stoppedReason);
      const startup = this.startup().catch((e: unknown) => {
        if (this.closed) return;
        this.o.log.error({ err: String((e as Error)?.stack ?? e), taskArn: this.taskArn }, 'task startup failed');
        this.requestStop('TaskFailedToStart', ecsReason(e));
      });
      await Promise.race([this.stopRequested, this.closedPromise()]);
      if (this.closed) return;
      await startup;
      if (this.closed) return;
      await this.shutdown();
    }
    if (this.closed) return;
    await this.cleanup();
  }

  private async startup(): Promise<void> {
    await this.adopt();
    if (this.halted) return;
    // The control plane could not resolve the task's role or secrets: ECS stops it before any pull.
    if (this.spec.initError && this.ctrs.some((c) => !c.runtimeId && c.status === 'PENDING')) {
      this.requestStop('TaskFailedToStart', this.spec.initError);
      return;
    }
    const toCreate = this.ctrs.filter((c) => !c.runtimeId && c.status === 'PENDING');
    if (toCreate.length) {
      const ok = await this.pullImages(toCreate);
      if (!ok || this.halted) return;
    }
    if (toCreate.length && this.spec.volumes?.length && !(await this.prepareVolumes())) return;
    if (this.spec.networkMode === 'awsvpc') {
      try {
        if (!this.o.network) throw new Error('this agent cannot run awsvpc tasks');
        this.joinNetwork = await this.o.network.attach(this.spec);
      } catch (e) {
        if (this.halted) return;
        const reason = `ResourceInitializationError: failed to set up the task's network namespace: ${(e as Error).message}`;
        for (const c of this.ctrs) if (!c.runtimeId) this.setStopped(c, { reason });
        this.requestStop('TaskFailedToStart', reason);
        return;
      }
      if (this.halted) return;
    }
    if (sharesTaskNamespaces(this.spec) && this.ctrs.some((c) => c.status === 'PENDING' && !c.runtimeId)) {
      try {
        this.namespacePause = await this.ensureNamespacePause();
      } catch (e) {
        if (this.halted) return;
        const reason = `ResourceInitializationError: failed to set up the task's shared PID/IPC namespace: ${(e as Error).message}`;
        for (const c of this.ctrs) if (!c.runtimeId) this.setStopped(c, { reason });
        this.requestStop('TaskFailedToStart', reason);
        return;
      }
      if (this.halted) return;
    }
    await Promise.all(this.ctrs.filter((c) => c.status === 'PENDING').map((c) => this.bringUp(c)));
  }

  /**
   * pidMode/ipcMode task: the container holding the shared namespaces — awsvpc's network pause container
   * when there is one, else the task's namespace pause container (made and started here if missing).
   */
  private async ensureNamespacePause(): Promise<string> {
    if (this.joinNetwork) return this.joinNetwork.slice('container:'.length);
    return ensureNamespacePause(this.o.driver, this.spec, this.o.hostId);
  }

  /** Reattaches to containers from the checkpoint or found by label, so nothing is started twice. */
  private async adopt(): Promise<void> {
    const byName = new Map<string, ContainerSummary[]>();
    for (const s of this.existing) {
      const n = s.labels['com.amazonaws.ecs.container-name'] ?? '';
      byName.set(n, [...(byName.get(n) ?? []), s]);
    }
    for (const c of this.ctrs) {
      const found = byName.get(c.name) ?? [];
      const keep = found.find((s) => s.id === c.runtimeId) ?? found.find((s) => s.status === 'running') ?? found[0];
      // More than one runtime container for one task container can only be a leftover restart attempt.
      for (const extra of found) if (extra !== keep) await this.o.driver.removeContainer(extra.id).catch(() => {});
      if (keep) c.runtimeId = keep.id;
      if (!c.runtimeId || c.status === 'STOPPED') continue;
      let st: ContainerState;
      try {
        st = await this.o.driver.inspect(c.runtimeId);
      } catch (e) {
        if (!isRuntimeError(e, 'not-found')) throw e;
        const wasRunning = c.started;
        c.runtimeId = undefined;
        if (wasRunning) this.onExit(c, { exitCode: undefined, oomKilled: false, reason: 'CannotInspectContainerError: the container disappeared while the agent was not running' });
        continue;
      }
      c.imageDigest ??= st.imageDigest ?? undefined;
      if (st.running) {
        this.markRunning(c, st);
        this.o.log.info({ taskArn: this.taskArn, container: c.name, id: st.id.slice(0, 12) }, 'adopted running container');
      } else if (st.exitCode !== null && (c.started || st.startedAt)) {
        c.started = true;
        c.startedAt ??= st.startedAt?.getTime();
        this.o.logs?.started({ taskArn: this.taskArn, containerName: c.name, runtimeId: st.id, logConfiguration: c.def.logConfiguration });
        this.onExit(c, { exitCode: st.exitCode, oomKilled: st.oomKilled });
      }
      // created-but-never-started: bringUp starts it.
    }
    this.commit();
  }

  private async pullImages(ctrs: Ctr[]): Promise<boolean> {
    this.pullStartedAt ??= this.now();
    this.commit();
    const images = [...new Set(ctrs.map((c) => c.def.image ?? ''))];
    for (const image of images) {
      const users = ctrs.filter((c) => (c.def.image ?? '') === image);
      try {
        if (!image) throw new RuntimeError('pull-failed', 'container definition has no image');
        const present = await this.o.driver.inspectImage(image, { signal: this.startupAbort.signal });
        const pulled = present ?? (await this.pull(image));
        for (const c of users) c.imageDigest = pulled.digest ?? undefined;
      } catch (e) {
        if (this.halted) return false;
        const reason = isRuntimeError(e) && e.code === 'pull-failed' ? ecsReason(e) : `CannotPullContainerError: ${ecsReason(e).replace(/^\w+: /, '')}`;
        for (const c of users) this.setStopped(c, { reason });
        this.pullStoppedAt = this.now();
        if (users.some((c) => c.essential)) {
          this.requestStop('TaskFailedToStart', reason);
          return false;
        }
      }
    }
    this.pullStoppedAt = this.now();
    this.commit();
    return true;
  }

  private async pull(image: string) {
    const host = credentialsHostOf(image);
    const cred = this.spec.registryAuth?.find((a) => a.serveraddress === host);
    const auth = cred ? { username: cred.username, password: cred.password, serveraddress: cred.serveraddress } : undefined;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.o.driver.pullImage(image, { auth, signal: this.startupAbort.signal });
      } catch (e) {
        const permanent = !isRuntimeError(e) || !e.retryable || /manifest unknown|not found|unauthori[sz]ed|denied|name unknown|invalid reference/i.test(e.message);
        if (permanent || attempt >= this.o.pullAttempts || this.halted) throw e;
        this.o.log.warn({ taskArn: this.taskArn, image, attempt, err: e.message }, 'pull failed; retrying');
        await this.sleep(1000 * 2 ** (attempt - 1), this.startupAbort.signal);
      }
    }
  }

  /**
   * Plans the task's volumes and creates the runtime volumes that must exist before its containers: a
   * refused or missing host path, or a shared volume that is missing without autoprovision, stops the
   * task before any container is created (TaskFailedToStart, the reason on every container).
   */
  private async prepareVolumes(): Promise<boolean> {
    try {
      this.planned = planVolumes(this.spec, { hostId: this.o.hostId, policy: this.o.hostPaths });
      for (const p of this.planned) {
        if (p.kind !== 'volume') continue;
        const have = await this.o.driver.inspectVolume(p.volume.name);
        if (have) {
          if (p.scope === 'shared' && have.driver !== p.volume.driver) {
            throw new VolumeError(`CannotCreateVolumeError: shared volume '${p.volume.name}' exists with driver '${have.driver}', not '${p.volume.driver}'`);
          }
          continue;
        }
        if (p.scope === 'shared' && !p.autoprovision) {
          throw new VolumeError(`CannotCreateVolumeError: shared volume '${p.volume.name}' does not exist and autoprovision is false`);
        }
        await this.o.driver.createVolume(p.volume);
      }
      return true;
    } catch (e) {
      if (this.halted) return false;
      const reason = e instanceof VolumeError ? e.message : ecsReason(e);
      for (const c of this.ctrs) if (!c.runtimeId) this.setStopped(c, { reason });
      this.requestStop('TaskFailedToStart', reason);
      return false;
    }
  }

  /** volumesFrom: the source containers must exist first; a source that was never created fails this one. */
  private async waitVolumeSources(c: Ctr): Promise<true | string> {
    const sources = (c.def.volumesFrom ?? []).map((v) => this.ctrs.find((x) => x.name === v.sourceContainer));
    await this.waitFor(() => this.halted || sources.every((x) => !x || x.runtimeId || x.status === 'STOPPED'));
    const missing = sources.find((x) => !x?.runtimeId);
    return missing === undefined ? true : `CannotCreateContainerError: volumesFrom container '${missing?.name ?? '?'}' was not created`;
  }

  /** Create (if needed), wait for dependsOn, start, then watch. Failures end in a STOPPED container. */
  private async bringUp(c: Ctr): Promise<void> {
    try {
      if (!c.runtimeId && c.def.volumesFrom?.length) {
        const ok = await this.waitVolumeSources(c);
        if (this.halted) return;
        if (ok !== true) return this.failContainer(c, ok);
      }
      if (!c.runtimeId) await this.create(c);
      if (this.halted) return;
      const dep = await this.waitDependencies(c);
      if (this.halted) return;
      if (dep !== true) {
        this.failContainer(c, `CannotStartContainerError: ${dep}`);
        return;
      }
      await this.o.driver.startContainer(c.runtimeId!);
      // Even if it has already exited (an immediate exit), it ran: RUNNING now, the watcher sees the exit.
      this.markRunning(c, await this.inspectStarted(c.runtimeId!));
    } catch (e) {
      if (this.halted) return;
      this.failContainer(c, e instanceof VolumeError ? e.message : ecsReason(e));
    }
  }

  private async create(c: Ctr): Promise<void> {
    // A restart (restartPolicy) after an agent restart may come before startup needed the pause's id.
    if (sharesTaskNamespaces(this.spec) && !this.namespacePause) this.namespacePause = await this.ensureNamespacePause();
    const spec = toContainerSpec(this.spec, c.def, {
      hostId: this.o.hostId, networkMode: this.joinNetwork, endpointsPort: this.o.endpointsPort?.(), namespacePause: this.namespacePause,
      resolver: this.o.resolver?.(), resolvConf: this.joinNetwork ? this.o.network?.resolvConf?.(this.spec) : undefined,
    });
    if (c.def.mountPoints?.length) {
      this.planned ??= planVolumes(this.spec, { hostId: this.o.hostId, policy: this.o.hostPaths });
      spec.mounts = [...(spec.mounts ?? []), ...containerMounts(c.def.mountPoints, this.planned)];
    }
    if (c.def.volumesFrom?.length) {
      spec.volumesFrom = c.def.volumesFrom.map((v) => ({ container: this.ctrs.find((x) => x.name === v.sourceContainer)?.runtimeId ?? '', readOnly: v.readOnly ?? false }));
    }
    try {
      // No abort signal: an aborted create request may still create the container, and then we would not
      // know its id. A create takes ~60 ms (DESIGN §5); a stop arriving meanwhile waits for it.
      c.runtimeId = await this.o.driver.createContainer(spec);
    } catch (e) {
      // The name is deterministic: "already in use" means a create that raced our crash; adopt it.
      if (isRuntimeError(e, 'create-failed') && /already in use/i.test(e.message)) {
        const st = await this.o.driver.inspect(spec.name);
        c.runtimeId = st.id;
      } else throw e;
    }
    this.commit();
  }

  private failContainer(c: Ctr, reason: string): void {
    this.setStopped(c, { reason });
    if (c.essential) this.requestStop(this.lastStatus === 'PENDING' ? 'TaskFailedToStart' : 'EssentialContainerExited', this.lastStatus === 'PENDING' ? reason : ESSENTIAL_EXITED);
  }

  /** true when every dependsOn condition holds, or a message saying why it never will. */
  private async waitDependencies(c: Ctr): Promise<true | string> {
    const deps = c.def.dependsOn ?? [];
    if (!deps.length) return true;
    const timeoutMs = (c.def.startTimeout ?? this.o.startTimeoutSeconds) * 1000;
    const deadline = this.now() + timeoutMs;
    let verdict: true | string | null = null;
    const check = () => (verdict = this.dependencyVerdict(deps));
    const timer = new AbortController();
    const timedOut = this.sleep(timeoutMs, AbortSignal.any([timer.signal, this.startupAbort.signal, this.closeAbort.signal])).then(() => true, () => false);
    await Promise.race([this.waitFor(() => check() !== null || this.halted, timer.signal), timedOut]);
    timer.abort();
    if (verdict === null && this.now() >= deadline) {
      const pending = deps.filter((d) => this.dependencyState(d) === null).map((d) => `${d.containerName} ${d.condition}`);
      return `timed out after ${timeoutMs / 1000} s waiting for dependencies (${pending.join(', ')})`;
    }
    return verdict ?? 'stopped while waiting for dependencies';
  }

  private dependencyVerdict(deps: ContainerDependency[]): true | string | null {
    let all = true;
    for (const d of deps) {
      const s = this.dependencyState(d);
      if (typeof s === 'string') return s;
      if (s === null) all = false;
    }
    return all ? true : null;
  }

  /** true = met, null = not yet, string = never (why). */
  private dependencyState(d: ContainerDependency): true | null | string {
    const dep = this.ctrs.find((x) => x.name === d.containerName);
    if (!dep) return `dependency ${d.containerName} is not a container of this task`;
    const never = (why: string) => `dependency ${dep.name} did not meet condition ${d.condition}: ${why}`;
    const exited = dep.status === 'STOPPED';
    switch (d.condition) {
      case 'START':
        return dep.started ? true : exited ? never(dep.reason ?? 'it never started') : null;
      case 'COMPLETE':
        return exited ? (dep.started ? true : never(dep.reason ?? 'it never started')) : null;
      case 'SUCCESS':
        return exited ? (dep.exitCode === 0 ? true : never(`it exited with ${dep.exitCode ?? dep.reason ?? 'no exit code'}`)) : null;
      case 'HEALTHY':
        if (dep.health === 'HEALTHY') return true;
        if (!dep.def.healthCheck) return never('it has no healthCheck');
        if (exited) return never('it stopped');
        if (dep.health === 'UNHEALTHY') return never('it is UNHEALTHY');
        return null;
      default:
        return never('unknown condition');
    }
  }

  private markRunning(c: Ctr, st: ContainerState): void {
    c.runtimeId = st.id;
    c.started = true;
    c.startedAt ??= st.startedAt?.getTime() ?? this.now();
    c.status = advanceContainer(c.status, 'RUNNING');
    c.imageDigest ??= st.imageDigest ?? undefined;
    c.networkBindings = this.bindings(c, st);
    if (st.ipAddresses?.length) this.o.onAddresses?.(this.taskArn, st.id, st.ipAddresses);
    c.life?.abort();
    const life = new AbortController();
    c.life = life;
    this.commit();
    this.o.logs?.started({ taskArn: this.taskArn, containerName: c.name, runtimeId: st.id, logConfiguration: c.def.logConfiguration });
    void this.watchExit(c, st.id, life.signal);
    if (c.def.healthCheck && st.running) void this.healthLoop(c, st.id, life.signal);
  }

  /**
   * Inspect right after a successful start. A failure here must not turn a started container into a
   * failed start: retry, and if the runtime still cannot say, treat it as started with unknown ports and
   * let the exit watcher report what happens next.
   */
  private async inspectStarted(id: string): Promise<ContainerState> {
    for (let attempt = 1; attempt <= 3; attempt++) {
      try {
        return await this.o.driver.inspect(id);
      } catch (e) {
        this.o.log.warn({ taskArn: this.taskArn, id: id.slice(0, 12), attempt, err: String(e) }, 'inspect after start failed');
        if (isRuntimeError(e, 'not-found')) break;
        await this.sleep(100).catch(() => {});
      }
    }
    return {
      id, name: '', status: 'running', running: true, exitCode: null, oomKilled: false, startedAt: null, finishedAt: null, error: null,
      hostPorts: [], imageId: '', imageDigest: null, labels: {}, pid: null,
    };
  }

  private bindings(c: Ctr, st: ContainerState): NetworkBinding[] | undefined {
    const mode = networkModeOf(this.spec);
    if (mode === 'host') {
      const b = (c.def.portMappings ?? []).filter((p) => p.containerPort).map((p) => ({
        bindIP: '0.0.0.0', containerPort: p.containerPort!, hostPort: p.hostPort || p.containerPort!, protocol: p.protocol === 'udp' ? 'udp' as const : 'tcp' as const,
      }));
      return b.length ? b : undefined;
    }
    if (mode !== 'bridge' || !st.hostPorts.length) return undefined;
    const seen = new Set<string>();
    const out: NetworkBinding[] = [];
    // Docker lists 0.0.0.0 and :: separately. Older engines give both the same host port (one binding
    // is reported, as 0.0.0.0); newer ones pick a different port for each, and then the IPv6 one is
    // reported as `::` (as ECS's agent does), after the IPv4 ones, so networkBindings[0] is reachable
    // at 127.0.0.1.
    const v6 = (ip: string | undefined) => ip !== undefined && ip.includes(':');
    for (const h of [...st.hostPorts].sort((a, b) => Number(v6(a.hostIp)) - Number(v6(b.hostIp)))) {
      const key = `${h.containerPort}/${h.hostPort}/${h.protocol}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ bindIP: h.hostIp || '0.0.0.0', containerPort: h.containerPort, hostPort: h.hostPort, protocol: h.protocol });
    }
    return out;
  }

  private async watchExit(c: Ctr, id: string, signal: AbortSignal): Promise<void> {
    let info: { exitCode: number | undefined; oomKilled: boolean; reason?: string };
    try {
      const x = await this.o.driver.waitExit(id, { signal });
      info = { exitCode: x.exitCode, oomKilled: x.oomKilled };
    } catch (e) {
      if (signal.aborted || this.closed) return;
      if (!isRuntimeError(e, 'not-found')) {
        this.o.log.warn({ taskArn: this.taskArn, container: c.name, err: String(e) }, 'waiting for exit failed; polling');
        await this.sleep(1000, signal).catch(() => {});
        if (!signal.aborted) return this.watchExit(c, id, signal);
        return;
      }
      info = { exitCode: undefined, oomKilled: false, reason: 'CannotInspectContainerError: the container was removed' };
    }
    if (signal.aborted || c.runtimeId !== id) return;
    this.onExit(c, info);
  }

  private onExit(c: Ctr, x: { exitCode: number | undefined; oomKilled: boolean; reason?: string }): void {
    if (c.status === 'STOPPED') return;
    c.life?.abort();
    c.exitCode = x.exitCode;
    if (!this.stopping && shouldRestart(c.def.restartPolicy, { exitCode: x.exitCode, startedAt: c.startedAt, lastRestartAt: c.lastRestartAt }, this.now())) {
      c.restarting = this.restart(c).finally(() => (c.restarting = undefined));
      return;
    }
    this.setStopped(c, { exitCode: x.exitCode, reason: x.oomKilled ? OOM_REASON : x.reason });
    if (c.essential && !this.stopping) this.requestStop('EssentialContainerExited', ESSENTIAL_EXITED);
  }

  /** restartPolicy: a new runtime container with the same name; the reported container stays RUNNING. */
  private async restart(c: Ctr): Promise<void> {
    const old = c.runtimeId;
    c.restartCount++;
    c.lastRestartAt = this.now();
    this.o.log.info({ taskArn: this.taskArn, container: c.name, exitCode: c.exitCode, restartCount: c.restartCount }, 'restarting container (restartPolicy)');
    this.commit();
    try {
      if (old) await this.o.driver.removeContainer(old);
      c.runtimeId = undefined;
      if (this.stopping || this.closed) return this.setStopped(c, {});
      await this.create(c);
      await this.o.driver.startContainer(c.runtimeId!);
      const st = await this.inspectStarted(c.runtimeId!);
      c.health = c.def.healthCheck ? 'UNKNOWN' : undefined;
      this.markRunning(c, st);
    } catch (e) {
      if (this.closed) return;
      this.setStopped(c, { reason: ecsReason(e) });
      if (c.essential && !this.stopping) this.requestStop('EssentialContainerExited', ESSENTIAL_EXITED);
    }
  }

  /**
   * ECS healthCheck, run by the agent (Podman runs image HEALTHCHECKs only under systemd; DESIGN §5):
   * the first probe after `interval` (as Docker does), each probe limited to `timeout`; `retries`
   * consecutive failures ⇒ UNHEALTHY, one success ⇒ HEALTHY; failures inside `startPeriod` do not count.
   */
  private async healthLoop(c: Ctr, id: string, signal: AbortSignal): Promise<void> {
    const hc = c.def.healthCheck!;
    const argv = healthCheckArgv(hc.command ?? []);
    const intervalMs = (hc.interval ?? 30) * 1000;
    const timeoutMs = (hc.timeout ?? 5) * 1000;
    const retries = hc.retries ?? 3;
    const graceUntil = (c.startedAt ?? this.now()) + (hc.startPeriod ?? 0) * 1000;
    let failures = 0;
    if (!argv) return;
    for (;;) {
      try {
        await this.sleep(intervalMs, signal);
      } catch {
        return;
      }
      if (this.stopping) return; // health is frozen once the task stops
      let ok: boolean;
      try {
        const r = await this.o.driver.exec(id, argv, { timeoutMs, signal });
        ok = r.exitCode === 0 && !r.timedOut;
      } catch {
        if (signal.aborted) return;
        ok = false;
      }
      if (signal.aborted || c.runtimeId !== id || c.status !== 'RUNNING' || this.stopping) return;
      let next = c.health;
      if (ok) {
        failures = 0;
        next = 'HEALTHY';
      } else if (this.now() >= graceUntil) {
        failures++;
        if (failures >= retries) next = 'UNHEALTHY';
      }
      if (next !== c.health) {
        c.health = next;
        this.commit();
      }
    }
  }

  requestStop(code?: TaskReport['stopCode'], reason?: string): void {
    if (this.stopping) return;
    this.stopping = true;
    if (code) {
      this.stopCode = code;
      this.stoppedReason = reason;
    }
    this.stoppingAt ??= this.now();
    this.startupAbort.abort(new RuntimeError('aborted', 'task is stopping'));
    this.resolveStop();
    for (const w of [...this.waiters]) w();
  }

  private async shutdown(): Promise<void> {
    this.lastStatus = advance(this.lastStatus, 'STOPPING');
    this.commit();
    await Promise.all(this.ctrs.map((c) => c.restarting));
    // Reverse dependency order: a container is stopped once nothing still running depends on it.
    for (;;) {
      if (this.closed) return;
      const live = this.ctrs.filter((c) => c.status !== 'STOPPED' && c.runtimeId);
      if (!live.length) break;
      const dependedOn = new Set(live.flatMap((c) => (c.def.dependsOn ?? []).map((d) => d.containerName)));
      let wave = live.filter((c) => !dependedOn.has(c.name));
      if (!wave.length) wave = live; // a cycle (validation forbids it): stop them all
      await Promise.all(wave.map((c) => this.stopOne(c)));
      // A wave where nothing reached STOPPED (the runtime still says running) must not spin.
      if (wave.every((c) => c.status !== 'STOPPED')) await this.sleep(200).catch(() => {});
    }
    for (const c of this.ctrs) if (c.status !== 'STOPPED') this.setStopped(c, {});
    // awsvpc: the address goes back to the subnet when STOPPED is reported, so it must be off this host first.
    if (this.spec.networkMode === 'awsvpc' && this.o.network) {
      for (let attempt = 1; ; attempt++) {
        try {
          await this.o.network.detach(this.spec);
          break;
        } catch (e) {
          this.o.log.warn({ taskArn: this.taskArn, attempt, err: String(e) }, 'tearing down the task network failed');
          if (attempt >= 3 || this.closed) break;
          await this.sleep(500).catch(() => {});
        }
      }
    }
    // pidMode/ipcMode task: the namespace pause goes once nothing uses it (awsvpc's went with detach).
    if (sharesTaskNamespaces(this.spec) && this.spec.networkMode !== 'awsvpc') {
      await stopNamespacePause(this.o.driver, this.spec, this.o.hostId)
        .catch((e: unknown) => this.o.log.warn({ taskArn: this.taskArn, err: String(e) }, 'stopping the namespace pause container failed'));
    }
    const t = this.now();
    this.executionStoppedAt = t;
    this.stoppedAt = t;
    this.lastStatus = advance(this.lastStatus, 'STOPPED');
    this.healthStatus = this.taskHealth();
    this.commit();
  }

  private async stopOne(c: Ctr): Promise<void> {
    const id = c.runtimeId!;
    // A Spot interruption gives the task its whole warning (SIGTERM now, SIGKILL when it ends) instead
    // of the container's stopTimeout.
    const timeoutSeconds = this.spec.stopGraceSeconds ?? c.def.stopTimeout ?? this.o.stopTimeoutSeconds;
    try {
      await this.o.driver.stopContainer(id, { timeoutSeconds });
    } catch (e) {
      this.o.log.warn({ taskArn: this.taskArn, container: c.name, err: String(e) }, 'stop failed; removing forcibly');
      await this.o.driver.removeContainer(id).catch(() => {});
    }
    if (c.status === 'STOPPED') return;
    try {
      const st = await this.o.driver.inspect(id);
      if (st.running) return; // stop raced a restart; the next wave takes it again
      if (c.started) this.onExit(c, { exitCode: st.exitCode ?? undefined, oomKilled: st.oomKilled });
      else this.setStopped(c, {});
    } catch {
      this.setStopped(c, { exitCode: c.started ? 137 : undefined });
    }
  }

  private async cleanup(): Promise<void> {
    this.removeAt ??= this.now() + this.o.cleanupDelayMs;
    this.commit();
    try {
      await this.sleep(this.removeAt - this.now(), this.closeAbort.signal);
    } catch {
      return;
    }
    await this.removeContainers();
  }

  /** Removes the task's stopped containers now (cleanup delay over, or the control plane forgot the task). */
  async removeContainers(): Promise<void> {
    // By id, and by label too: a container whose create answer was lost (agent killed mid-create) is ours.
    const ids = new Set(this.ctrs.flatMap((c) => (c.runtimeId ? [c.runtimeId] : [])));
    try {
      // Pause containers last: the runtime will not remove one while containers that joined it exist.
      const found = await this.o.driver.listContainers({ [LABELS.taskArn]: this.taskArn, [HOST_ID_LABEL]: this.o.hostId });
      const pause = found.filter((s) => isPauseContainer(s.labels[LABELS.containerName])).map((s) => s.id);
      for (const s of found) if (!pause.includes(s.id)) ids.add(s.id);
      for (const id of pause) { ids.delete(id); ids.add(id); }
    } catch (e) {
      this.o.log.warn({ taskArn: this.taskArn, err: String(e) }, 'listing containers for removal failed');
    }
    for (const id of ids) {
      try {
        await this.o.logs?.removing(id);
        await this.o.driver.removeContainer(id);
      } catch (e) {
        this.o.log.warn({ taskArn: this.taskArn, id: id.slice(0, 12), err: String(e) }, 'remove failed');
      }
    }
    // Task-scoped volumes go with the containers; shared ones outlive the task.
    try {
      for (const v of await this.o.driver.listVolumes({ [LABELS.taskArn]: this.taskArn, [HOST_ID_LABEL]: this.o.hostId, [VOLUME_SCOPE_LABEL]: 'task' })) {
        await this.o.driver.removeVolume(v.name).catch((e: unknown) => this.o.log.warn({ taskArn: this.taskArn, volume: v.name, err: String(e) }, 'volume remove failed'));
      }
    } catch (e) {
      this.o.log.warn({ taskArn: this.taskArn, err: String(e) }, 'listing task volumes for removal failed');
    }
    this.removed = true;
    this.commit();
  }

  // ---- state ----------------------------------------------------------------------------------------

  private setStopped(c: Ctr, x: { exitCode?: number; reason?: string }): void {
    if (c.status === 'STOPPED') return;
    c.life?.abort();
    c.status = 'STOPPED';
    if (x.exitCode !== undefined) c.exitCode = x.exitCode;
    if (x.reason) c.reason = x.reason;
    this.commit();
  }

  private taskHealth(): HealthStatus | undefined {
    const checked = this.ctrs.filter((c) => c.essential && c.def.healthCheck);
    if (this.ctrs.some((c) => c.essential && c.health === 'UNHEALTHY')) return 'UNHEALTHY';
    if (checked.length && checked.every((c) => c.health === 'HEALTHY')) return 'HEALTHY';
    return 'UNKNOWN';
  }

  /** Derives the task-level fields, checkpoints, reports if anything changed, wakes waiters. */
  private commit(): void {
    if (this.lastStatus === 'PENDING' && !this.stopping && this.ctrs.filter((c) => c.essential).every((c) => c.status === 'RUNNING')) {
      this.lastStatus = 'RUNNING';
      this.startedAt ??= this.now();
    }
    if (this.lastStatus !== 'STOPPED') this.healthStatus = this.taskHealth();
    const report = this.report();
    const json = JSON.stringify(report);
    if (this.o.checkpoints && !this.closed) {
      this.o.checkpoints.save({
        spec: this.spec, report, removeAt: this.removeAt, removed: this.removed || undefined, savedAt: this.now(),
        containers: Object.fromEntries(this.ctrs.map((c): [string, ContainerCheckpoint] => [c.name, strip({
          runtimeId: c.runtimeId, started: c.started, startedAt: c.startedAt, restartCount: c.restartCount, lastRestartAt: c.lastRestartAt,
        })])),
      });
    }
    if (json !== this.lastEmitted) {
      this.lastEmitted = json;
      this.o.onReport(report);
    }
    for (const w of [...this.waiters]) w();
  }

  private restore(cp: TaskCheckpoint): void {
    const r = cp.report;
    this.lastStatus = r.lastStatus;
    this.healthStatus = r.healthStatus;
    Object.assign(this, strip({
      pullStartedAt: r.pullStartedAt, pullStoppedAt: r.pullStoppedAt, startedAt: r.startedAt, stoppingAt: r.stoppingAt,
      executionStoppedAt: r.executionStoppedAt, stoppedAt: r.stoppedAt, stopCode: r.stopCode, stoppedReason: r.stoppedReason, removeAt: cp.removeAt,
    }));
    if (this.spec.version < cp.spec.version) this.spec = structuredClone(cp.spec);
    for (const c of this.ctrs) {
      const rc = r.containers.find((x) => x.name === c.name);
      const k = cp.containers[c.name];
      if (rc) Object.assign(c, strip({ status: rc.lastStatus, exitCode: rc.exitCode, reason: rc.reason, networkBindings: rc.networkBindings, imageDigest: rc.imageDigest, health: rc.healthStatus }));
      if (k) Object.assign(c, strip({ runtimeId: k.runtimeId, started: k.started, startedAt: k.startedAt, restartCount: k.restartCount, lastRestartAt: k.lastRestartAt }));
    }
    this.removed = cp.removed ?? false;
    if (this.lastStatus !== 'STOPPED' && (this.lastStatus === 'STOPPING' || r.stoppingAt)) this.resumeStop = true; // it was stopping when the agent died: finish
    this.lastEmitted = JSON.stringify(this.report());
  }

  // ---- helpers --------------------------------------------------------------------------------------

  private get closed(): boolean {
    return this.closeAbort.signal.aborted;
  }
  /** Startup should stop doing things: the task is stopping or the agent is closing. */
  private get halted(): boolean {
    return this.stopping || this.closed;
  }
  private now(): number {
    return this.o.clock.now();
  }
  private sleep(ms: number, signal?: AbortSignal): Promise<void> {
    const s = signal ? AbortSignal.any([signal, this.closeAbort.signal]) : this.closeAbort.signal;
    return this.o.clock.sleep(ms, s);
  }
  private closedPromise(): Promise<void> {
    return new Promise((r) => (this.closed ? r() : this.closeAbort.signal.addEventListener('abort', () => r(), { once: true })));
  }
  /** Resolves once `cond()` holds, re-checked after every commit. */
  private waitFor(cond: () => boolean, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (cond()) return resolve();
      const f = () => {
        if (cond() || signal?.aborted) {
          this.waiters.delete(f);
          resolve();
        }
      };
      this.waiters.add(f);
      signal?.addEventListener('abort', f, { once: true });
    });
  }
}

function strip<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}
