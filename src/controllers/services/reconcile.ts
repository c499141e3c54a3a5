/**
 * The services controller's decision: a pure function from (service, its tasks, the cluster's
 * instances, now) to a plan — tasks to start for the PRIMARY deployment, tasks to stop with ECS's
 * reasons, and the next service record (deployment counts, rolloutState, circuit breaker, throttle,
 * events). It reads no clock and no store; the applier (controller.ts) commits the plan with version
 * checks and re-runs it on any change (STYLE.md 2, 3). Running it twice on the same input gives the
 * same plan, and running it on the state a half-applied plan left behind finishes the job: that is
 * what makes a crash at any moment harmless.
 *
 * ── Rolling deployments: minimumHealthyPercent / maximumPercent ─────────────────────────────────────
 *
 *   maxTotal   = floor(desired × maximumPercent / 100)   tasks that may exist at once: RUNNING + PENDING
 *                                                         + STOPPING (a task still stopping holds its
 *                                                         host port and memory, so it counts)
 *   minHealthy = ceil(desired × minimumHealthyPercent / 100)   RUNNING, healthy tasks that must remain
 *
 *   each pass:  start  = min(desired − kept PRIMARY tasks, maxTotal − tasks that exist)
 *               stop   ≤ healthy tasks − minHealthy   (tasks that are not healthy — PENDING, UNHEALTHY
 *                                                      — may always be stopped: they serve nothing)
 *
 * Worked example (the defaults, 100/200), desired 4, revision 1 → 2:
 *   maxTotal = floor(4 × 200/100) = 8, minHealthy = ceil(4 × 100/100) = 4
 *   pass 1: 4 old RUNNING, 0 new.  start = min(4 − 0, 8 − 4) = 4;  stop ≤ 4 − 4 = 0
 *   pass 2: the 4 new reach RUNNING: healthy = 8.  start = 0;  stop ≤ 8 − 4 = 4 → the 4 old stop
 *   pass 3: the old report STOPPED: one deployment left, 4/4 RUNNING → COMPLETED, old deployment gone.
 *   Never fewer than 4 serving: that is "zero downtime" with minimumHealthyPercent 100.
 *
 * Same service with 50/100 (no spare capacity): maxTotal = 4, minHealthy = 2
 *   pass 1: 4 old exist → start = min(4, 4 − 4) = 0; stop ≤ 4 − 2 = 2 → two old stop
 *   pass 2: the two report STOPPED → start = min(4, 4 − 2) = 2; stop ≤ 2 − 2 = 0
 *   pass 3: 2 new RUNNING: healthy 4 → stop ≤ 2 → the last two old stop; pass 4 starts 2 more.
 *
 * And one that cannot move: desired 3 with 100/125 → maxTotal = floor(3.75) = 3, minHealthy = 3. No
 * start fits and no stop is allowed, so the deployment waits and the service says so once: "was
 * unable to stop or start tasks during a deployment because of the service deployment configuration".
 *
 * ── Circuit breaker and throttle ───────────────────────────────────────────────────────────────────
 *   threshold = clamp(ceil(0.5 × desired), 3, 200)   (ECS API reference; older docs used a floor of 10)
 *   e.g. desired 1 → 3, desired 25 → 13, desired 400 → 200. A PRIMARY task counts once when it stops for
 *   its own reasons (failed to start, essential container exited) or fails its health checks. At the
 *   threshold the deployment is FAILED; with rollback a new PRIMARY deployment of the last COMPLETED
 *   task definition replaces it.
 *   The throttle: PRIMARY tasks that stop without ever reaching RUNNING delay the next launch —
 *   the first two retry at once (one flaky pull should not slow recovery), then 5 s, 10 s, 20 s, …,
 *   doubling to ECS's cap of 15 min (reached at the 10th consecutive failure). A task reaching RUNNING
 *   resets it; so does a new task definition (a new deployment starts with no throttle).
 */
import type { DeploymentRecord, ServiceRecord } from '../../model/ecs/records.js';
import type { TaskRecord } from '../../model/ecs/task-records.js';
import { evaluate, parseQuery } from '../../model/cluster-query.js';
import { queryTarget, type InstanceView } from '../../scheduler/placement.js';
import { selectForScaleIn } from '../../scheduler/scale-in.js';

export interface ServiceInstance extends InstanceView {
  lastDisconnectedAt?: number;
}

export interface ReconcileOptions {
  /** How long an instance's agent may stay disconnected before its service tasks are replaced. */
  lostAfterMs: number;
  /** Throttle: delay after the 3rd consecutive start failure, doubled per further failure. */
  throttleBaseMs: number;
  /** Throttle cap: ECS's 15 minutes. */
  throttleMaxMs: number;
}

/** Defaults, each with its why. */
export const DEFAULT_RECONCILE_OPTIONS: ReconcileOptions = {
  // ECS agents reconnect "several times per hour as normal operation" (ecs_container_instance_events),
  // and our agent's heartbeat closes a silent connection after 30 s: a minute covers a reconnect plus
  // one missed heartbeat window without replacing tasks that are still serving; Nomad's and
  // Kubernetes' node-loss defaults (≈ 40 s–5 min) bracket it.
  lostAfterMs: 60_000,
  throttleBaseMs: 5_000,
  // ECS service-throttle-logic.md: "up to a maximum of 15 minutes".
  throttleMaxMs: 15 * 60_000,
};

export interface StartAction { deploymentId: string; taskDefinition: string; count: number; instanceId?: string }
export interface StopAction { taskId: string; reason: string }

export interface Plan {
  starts: StartAction[];
  stops: StopAction[];
  /** The next service record, when anything in it changed. */
  service?: ServiceRecord;
  /** Run again at this time even if nothing changes (grace periods, throttle, protection expiry). */
  wakeAt?: number;
}

export interface ReconcileInput {
  service: ServiceRecord;
  /** Every task of the service (group `service:<name>`), any status. */
  tasks: readonly TaskRecord[];
  instances: readonly ServiceInstance[];
  now: number;
  /** The id a rollback deployment would get (the applier draws it; pure code draws nothing). */
  nextDeploymentId: string;
  options?: ReconcileOptions;
}

export const circuitBreakerThreshold = (desired: number) => Math.min(200, Math.max(3, Math.ceil(0.5 * desired)));

/** Events: newest first, the last 100, duplicates suppressed (src/model/ecs/service-events.ts, shared with the lb controller). */
export { EVENT_LIMIT, appendServiceEvent as appendEvent } from '../../model/ecs/service-events.js';
import { appendServiceEvent as appendEvent } from '../../model/ecs/service-events.js';
export const HISTORY_LIMIT = 20;

const OCCUPYING = (t: TaskRecord) => t.lastStatus !== 'STOPPED' && t.lastStatus !== 'DELETED';
const scaling = (deploymentId: string) => `Scaling activity initiated by (deployment ${deploymentId})`;
export const HEALTH_REASON = 'Task failed container health checks';
export const ELB_HEALTH_REASON = 'Task failed ELB health checks in';

/** True when the task stopped for a reason the circuit breaker counts (its own failure, or health). */
export function countsAsFailure(t: TaskRecord): boolean {
  if (t.lastStatus !== 'STOPPED') return false;
  if (t.stopCode === 'UserInitiated') return false;
  if (t.stopCode === 'ServiceSchedulerInitiated') return (t.stoppedReason ?? '').startsWith(HEALTH_REASON) || (t.stoppedReason ?? '').startsWith(ELB_HEALTH_REASON);
  return true;
}

export function reconcile(input: ReconcileInput): Plan {
  const o = input.options ?? DEFAULT_RECONCILE_OPTIONS;
  const { now } = input;
  const s: ServiceRecord = structuredClone(input.service);
  const before = JSON.stringify(s);
  const plan: Plan = { starts: [], stops: [] };
  if (s.status === 'INACTIVE') return plan;
  const wake = (at: number) => { if (at > now && (plan.wakeAt === undefined || at < plan.wakeAt)) plan.wakeAt = at; };
  const name = s.serviceName;
  const instById = new Map(input.instances.map((i) => [i.id, i]));
  const grace = s.healthCheckGracePeriodSeconds * 1000;

  // ── Classify the tasks ────────────────────────────────────────────────────────────────────────────
  const lostInstance = (t: TaskRecord): ServiceInstance | 'gone' | undefined => {
    const i = t.containerInstanceId ? instById.get(t.containerInstanceId) : undefined;
    if (!i) return t.containerInstanceId ? 'gone' : undefined;
    if (i.status === 'INACTIVE') return 'gone';
    if (!i.agentConnected) {
      const since = i.lastDisconnectedAt ?? now;
      if (now - since >= o.lostAfterMs) return i;
      wake(since + o.lostAfterMs);
    }
    return undefined;
  };
  const stopSet = new Map<string, string>();
  const stop = (t: TaskRecord, reason: string) => { if (!stopSet.has(t.id)) { stopSet.set(t.id, reason); plan.stops.push({ taskId: t.id, reason }); } };

  const live: TaskRecord[] = [];
  let stoppingCount = 0;
  for (const t of input.tasks) {
    if (!OCCUPYING(t)) continue;
    const lost = lostInstance(t);
    if (lost) {
      // Its agent is gone for good (or the instance was deregistered): replace the task elsewhere. The
      // stop is recorded now so that a returning agent is told to stop the surplus at once.
      if (t.desiredStatus !== 'STOPPED') {
        stop(t, lost === 'gone' ? 'Container instance deregistration forced by user' : `Task stopped because the agent on container instance ${lost.ec2InstanceId ?? lost.id} was disconnected for more than ${Math.round(o.lostAfterMs / 1000)} seconds`);
      }
      continue;
    }
    if (t.desiredStatus === 'STOPPED') { stoppingCount++; continue; }
    live.push(t);
  }
  // Behind a load balancer a task is healthy only once its targets are (ECS: "a task counts as healthy
  // only when its targets are healthy"), and failing ELB health checks replaces it like a failing
  // container health check — both only after healthCheckGracePeriodSeconds.
  const behindLb = s.loadBalancers.length > 0;
  const elbUnhealthy = (t: TaskRecord) => behindLb && t.elb?.state === 'registered' && t.elb.health === 'unhealthy';
  const unhealthy = (t: TaskRecord) => {
    if (t.lastStatus !== 'RUNNING' || (t.healthStatus !== 'UNHEALTHY' && !elbUnhealthy(t))) return false;
    const until = (t.startedAt ?? t.createdAt) + grace;
    if (now < until) { wake(until); return false; }
    return true;
  };
  const healthReason = (t: TaskRecord) => (t.healthStatus !== 'UNHEALTHY' && elbUnhealthy(t)
    ? `${ELB_HEALTH_REASON} (target-group ${t.elb!.unhealthyTargetGroupArn})` : HEALTH_REASON);
  // A task whose containers have health checks counts only once they pass (ECS: "the service scheduler
  // waits for the task to reach a healthy status"), so a rolling deployment never stops an old task for a
  // new one that is RUNNING but not yet HEALTHY — and service discovery, which registers only healthy
  // tasks, never goes empty in between.
  const checked = (t: TaskRecord) => t.containers.some((c) => c.essential && c.healthStatus !== undefined);
  const healthy = (t: TaskRecord) => t.lastStatus === 'RUNNING' && !unhealthy(t) && (!checked(t) || t.healthStatus === 'HEALTHY')
    && (!behindLb || t.elb?.health === 'healthy');
  const onDraining = (t: TaskRecord) => (t.containerInstanceId ? instById.get(t.containerInstanceId)?.status === 'DRAINING' : false);
  const isProtected = (t: TaskRecord) => {
    if (t.protectedUntil === undefined || t.protectedUntil <= now) return false;
    wake(t.protectedUntil);
    return true;
  };

  // ── The PRIMARY deployment: failures, throttle, circuit breaker, stop requests ────────────────────
  let P = s.deployments.find((d) => d.status === 'PRIMARY');
  if (!P) return plan;
  {
    // Count each failure once. The id list is capped, so a watermark on stoppedAt keeps a task that
    // fell off the list from being counted again.
    const since = P.failuresCountedUntil ?? 0;
    const fresh = input.tasks.filter((t) => t.startedBy === P!.id && countsAsFailure(t) && (t.stoppedAt ?? now) >= since && !P!.failedTaskIds.includes(t.id))
      .sort((a, b) => (a.stoppedAt ?? now) - (b.stoppedAt ?? now));
    for (const t of fresh) {
      P.failedTaskIds.push(t.id);
      if (P.failedTaskIds.length > 200) P.failedTaskIds.shift();
      P.failuresCountedUntil = Math.max(P.failuresCountedUntil ?? 0, t.stoppedAt ?? now);
      if (P.rolloutState === 'IN_PROGRESS') P.failedTasks += 1;
      if (t.startedAt === undefined) {
        const n = (P.throttle?.consecutiveFailures ?? 0) + 1;
        const delay = n < 3 ? 0 : Math.min(o.throttleMaxMs, o.throttleBaseMs * 2 ** (n - 3));
        P.throttle = { consecutiveFailures: n, nextLaunchAt: Math.max(P.throttle?.nextLaunchAt ?? 0, (t.stoppedAt ?? now) + delay) };
        if (n === 3) appendEvent(s, `(service ${name}) is unable to consistently start tasks successfully.`, now);
      }
    }
    if (P.throttle && input.tasks.some((t) => t.startedBy === P!.id && t.lastStatus === 'RUNNING' && t.desiredStatus !== 'STOPPED')) delete P.throttle;
  }
  const daemon = s.schedulingStrategy === 'DAEMON';
  const eligible = daemon ? daemonInstances(s, input.instances, now, o) : [];
  if (daemon && s.status === 'ACTIVE') s.desiredCount = eligible.length;
  const D = s.status === 'ACTIVE' ? s.desiredCount : 0;

  const rollBack = (failed: DeploymentRecord, reason: string): boolean => {
    const target = s.lastCompleted;
    if (!target || target.id === failed.id) return false;
    const r: DeploymentRecord = {
      id: input.nextDeploymentId, status: 'PRIMARY', taskDefinition: target.taskDefinition, desiredCount: D, pendingCount: 0, runningCount: 0,
      failedTasks: 0, failedTaskIds: [], createdAt: now, updatedAt: now, startedAt: now, rolloutState: 'IN_PROGRESS', rolloutStateReason: reason,
      rollbackOf: { deploymentId: failed.id, reason, startedAt: now },
    };
    failed.status = 'ACTIVE';
    failed.rolledBackBy = r.id;
    failed.updatedAt = now;
    s.deployments = [r, ...s.deployments];
    s.taskDefinition = target.taskDefinition;
    return true;
  };
  if (P.stopRequested && P.rolloutState === 'IN_PROGRESS') {
    const type = P.stopRequested;
    delete P.stopRequested;
    P.rolloutState = 'FAILED';
    P.finishedAt = now;
    P.updatedAt = now;
    if (type === 'ROLLBACK' && rollBack(P, `Service deployment rolled back because of a stop request. Rolling back to deploymentId ${s.lastCompleted?.id}.`)) {
      P.rolloutStateReason = `ECS deployment ${P.id} stopped: rolling back to deploymentId ${s.lastCompleted!.id}.`;
      P = s.deployments[0];
    } else {
      P.rolloutStateReason = `ECS deployment ${P.id} stopped.`;
      P.finalStatus = 'STOPPED';
    }
  } else if (P.stopRequested) {
    delete P.stopRequested;
  }
  const cb = s.deploymentConfiguration.deploymentCircuitBreaker;
  if (cb.enable && P.rolloutState === 'IN_PROGRESS' && P.failedTasks >= circuitBreakerThreshold(D)) {
    P.rolloutState = 'FAILED';
    P.rolloutStateReason = 'ECS deployment circuit breaker: task failed to start.';
    P.finishedAt = now;
    P.updatedAt = now;
    appendEvent(s, `(service ${name}) (deployment ${P.id}) deployment failed: tasks failed to start.`, now);
    if (cb.rollback && s.lastCompleted && rollBack(P, `ECS deployment circuit breaker: rolling back to deploymentId ${s.lastCompleted.id}.`)) {
      P = s.deployments[0];
      appendEvent(s, `(service ${name}) rolling back to deployment ${s.lastCompleted!.id}.`, now);
    } else {
      P.finalStatus = 'STOPPED';
    }
  }
  const primary = P;
  const mayStart = s.status === 'ACTIVE' && primary.rolloutState !== 'FAILED'
    && !(primary.throttle && primary.throttle.nextLaunchAt > now);
  if (primary.throttle && primary.throttle.nextLaunchAt > now) wake(primary.throttle.nextLaunchAt);

  const { minimumHealthyPercent: minPct, maximumPercent: maxPct } = s.deploymentConfiguration;
  const minHealthy = Math.ceil((D * minPct) / 100);
  let budget = live.filter(healthy).length - minHealthy;
  const stopHealthy = (t: TaskRecord, reason: string): boolean => {
    if (isProtected(t)) return false;
    if (healthy(t)) { if (budget <= 0) return false; budget--; }
    stop(t, reason);
    return true;
  };
  let need = 0;
  let room = 0;

  if (!daemon) {
    // ── REPLICA ──────────────────────────────────────────────────────────────────────────────────────
    const maxTotal = Math.floor((D * maxPct) / 100);
    const keep = live.filter((t) => t.startedBy === primary.id && !unhealthy(t) && !onDraining(t));
    need = D - keep.length;
    room = maxTotal - (live.length + stoppingCount);
    const start = mayStart ? Math.max(0, Math.min(need, room)) : 0;
    if (start > 0) plan.starts.push({ deploymentId: primary.id, taskDefinition: primary.taskDefinition, count: start });
    const blocked = need - start > 0;
    const keepHealthy = keep.filter(healthy).length;

    // Not serving, so free to stop: older deployments' tasks that never reached RUNNING.
    for (const t of live) if (t.startedBy !== primary.id && t.lastStatus !== 'RUNNING') stop(t, scaling(t.startedBy ?? primary.id));
    // Unhealthy tasks: replacement first when maximumPercent leaves room, else one at a time to make room.
    let unhealthyStops = 0;
    for (const t of live) {
      if (!unhealthy(t) || stopSet.has(t.id)) continue;
      if (keepHealthy >= D || (blocked && unhealthyStops === 0)) { stop(t, healthReason(t)); unhealthyStops++; }
    }
    // Healthy but unwanted, within the minimumHealthyPercent budget: older deployments first (oldest
    // deployment first), then PRIMARY tasks on DRAINING instances, then the PRIMARY surplus.
    // (A FAILED deployment without rollback starts nothing, so the older tasks keep serving.)
    const order = primary.rolloutState === 'FAILED' ? [] : [...s.deployments].reverse().filter((d) => d.id !== primary.id);
    for (const d of order) {
      const mine = live.filter((t) => t.startedBy === d.id && !stopSet.has(t.id));
      for (const id of pickScaleIn(mine, mine.length, s, input.instances, now, keep)) stopHealthy(mine.find((t) => t.id === id)!, scaling(d.id));
    }
    for (const t of live) if (t.startedBy === primary.id && onDraining(t) && !stopSet.has(t.id)) stopHealthy(t, scaling(primary.id));
    // Tasks of a service whose startedBy matches no deployment (left from a crash mid-rollback): old.
    for (const t of live) if (!s.deployments.some((d) => d.id === t.startedBy) && !stopSet.has(t.id)) stopHealthy(t, scaling(t.startedBy ?? primary.id));
    if (keep.length > D) {
      const surplus = keep.filter((t) => !stopSet.has(t.id));
      const notRunning = surplus.filter((t) => t.lastStatus !== 'RUNNING');
      let excess = keep.length - D;
      for (const t of pickScaleIn(notRunning, Math.min(excess, notRunning.length), s, input.instances, now)) { stop(surplus.find((x) => x.id === t)!, scaling(primary.id)); excess--; }
      const running = surplus.filter((t) => t.lastStatus === 'RUNNING' && !isProtected(t));
      for (const id of pickScaleIn(running, Math.min(excess, running.length), s, input.instances, now, keep.filter((t) => !running.includes(t) && !stopSet.has(t.id)))) stopHealthy(running.find((t) => t.id === id)!, scaling(primary.id));
    }
  } else {
    // ── DAEMON: one PRIMARY task per eligible instance ───────────────────────────────────────────────
    const eligibleIds = new Set(eligible.map((i) => i.id));
    for (const t of live) if (!t.containerInstanceId || !eligibleIds.has(t.containerInstanceId)) stop(t, scaling(t.startedBy ?? primary.id));
    for (const i of eligible) {
      const here = live.filter((t) => t.containerInstanceId === i.id);
      const mine = here.filter((t) => t.startedBy === primary.id && !unhealthy(t));
      const others = here.filter((t) => !mine.includes(t));
      for (const t of mine.slice(1)) stop(t, scaling(primary.id));
      const mineHealthy = mine.length > 0 && healthy(mine[0]);
      for (const t of others) {
        if (unhealthy(t)) stop(t, healthReason(t));
        // maximumPercent 100 (the DAEMON default) means stop-then-start on each instance.
        else if (mineHealthy || maxPct <= 100) stopHealthy(t, scaling(t.startedBy ?? primary.id));
      }
      if (mine.length === 0) {
        need++;
        const occupied = input.tasks.some((t) => t.containerInstanceId === i.id && OCCUPYING(t));
        if (mayStart && (maxPct > 100 || !occupied)) plan.starts.push({ deploymentId: primary.id, taskDefinition: primary.taskDefinition, count: 1, instanceId: i.id });
      }
    }
  }

  // ── Counts, finished deployments, completion, steady state, events ────────────────────────────────
  const after = live.filter((t) => !stopSet.has(t.id));
  const occupyingOf = (d: DeploymentRecord) => input.tasks.some((t) => t.startedBy === d.id && OCCUPYING(t) && !(lostInstance(t)));
  for (const d of s.deployments) {
    const mine = live.filter((t) => t.startedBy === d.id);
    const running = mine.filter((t) => t.lastStatus === 'RUNNING').length;
    const pending = mine.length - running;
    const desired = d.id === primary.id ? D : 0;
    if (d.runningCount !== running || d.pendingCount !== pending || d.desiredCount !== desired) {
      d.runningCount = running; d.pendingCount = pending; d.desiredCount = desired; d.updatedAt = now;
    }
  }
  const finished = s.deployments.filter((d) => d.id !== primary.id && !occupyingOf(d));
  if (finished.length > 0) {
    for (const d of finished) {
      d.status = 'INACTIVE';
      d.updatedAt = now;
      d.finalStatus ??= d.rolledBackBy ? 'ROLLBACK_SUCCESSFUL' : d.rolloutState === 'FAILED' ? 'STOPPED' : 'SUCCESSFUL';
    }
    s.deployments = s.deployments.filter((d) => !finished.includes(d));
    s.history = [...finished, ...s.history].slice(0, HISTORY_LIMIT);
  }
  const primaryRunningHealthy = after.filter((t) => t.startedBy === primary.id && healthy(t)).length;
  const primaryLive = after.filter((t) => t.startedBy === primary.id).length;
  const othersLeft = s.deployments.length > 1;
  if (primary.rolloutState === 'IN_PROGRESS' && !othersLeft && plan.starts.length === 0 && plan.stops.length === 0
    && primaryRunningHealthy === D && primaryLive === D && stoppingCount === 0) {
    primary.rolloutState = 'COMPLETED';
    primary.rolloutStateReason = `ECS deployment ${primary.id} completed.`;
    primary.finishedAt = now;
    primary.updatedAt = now;
    s.lastCompleted = { id: primary.id, taskDefinition: primary.taskDefinition };
    appendEvent(s, `(service ${name}) (deployment ${primary.id}) deployment completed.`, now);
    if (primary.rollbackOf) {
      for (const d of [...s.deployments, ...s.history]) if (d.rolledBackBy === primary.id) d.finalStatus = 'ROLLBACK_SUCCESSFUL';
    }
  }
  if (plan.stops.length > 0) {
    const ids = plan.stops.map((x) => `(task ${x.taskId})`).join(' ');
    appendEvent(s, `(service ${name}) has stopped ${plan.stops.length} running tasks: ${ids}.`, now);
  }
  const steady = s.status === 'ACTIVE' && s.deployments.length === 1 && primary.rolloutState === 'COMPLETED'
    && plan.starts.length === 0 && plan.stops.length === 0 && primaryRunningHealthy === D && primaryLive === D;
  if (steady && !s.steady) appendEvent(s, `(service ${name}) has reached a steady state.`, now);
  s.steady = steady;
  // Stuck: nothing to start or stop, nothing in flight, and still not where the deployment should be.
  const inFlight = stoppingCount > 0 || live.some((t) => t.lastStatus !== 'RUNNING');
  if (!daemon && primary.rolloutState === 'IN_PROGRESS' && mayStart && plan.starts.length === 0 && plan.stops.length === 0 && !inFlight
    && room <= 0 && (need > 0 || othersLeft) && D > 0) {
    appendEvent(s, `(service ${name}) was unable to stop or start tasks during a deployment because of the service deployment configuration. Update the minimumHealthyPercent or maximumPercent value and try again.`, now);
  }
  // DRAINING (DeleteService): once nothing of it is left, it becomes INACTIVE.
  if (s.status === 'DRAINING' && !input.tasks.some((t) => OCCUPYING(t) && !lostInstance(t))) {
    s.status = 'INACTIVE';
    s.steady = false;
  }
  if (JSON.stringify(s) !== before) {
    s.version += 1;
    plan.service = s;
  }
  return plan;
}

/** Instances a DAEMON service runs on: ACTIVE, agent present (or within grace), constraints hold. */
export function daemonInstances(s: ServiceRecord, instances: readonly ServiceInstance[], now: number, o: ReconcileOptions): ServiceInstance[] {
  const queries = s.placementConstraints.filter((c) => c.type === 'memberOf' && c.expression).map((c) => parseQuery(c.expression!));
  return instances.filter((i) => i.status === 'ACTIVE'
    && (i.agentConnected || now - (i.lastDisconnectedAt ?? now) < o.lostAfterMs)
    && queries.every((q) => evaluate(q, queryTarget(i))));
}

function pickScaleIn(tasks: readonly TaskRecord[], count: number, s: ServiceRecord, instances: readonly InstanceView[], now: number, staying: readonly TaskRecord[] = []): string[] {
  if (count <= 0) return [];
  const cand = (t: TaskRecord) => ({
    id: t.id, instanceId: t.containerInstanceId, protected: (t.protectedUntil ?? 0) > now, createdAt: t.createdAt, cpu: t.reserved.cpu, memory: t.reserved.memory,
  });
  return selectForScaleIn(tasks.map(cand), count, { strategies: s.placementStrategy, instances, staying: staying.map(cand) });
}

