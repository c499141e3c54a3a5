/**
 * The lb controller: ELBv2 records → the load balancer data plane, and the data plane's health checks →
 * target health in the store. Level-triggered: every pass re-reads the records and makes the data plane
 * match; a crash or a failed pass is fixed by the next one (a watch on /elbv2/ and the ECS task and
 * service prefixes kicks a pass; a resync runs every few seconds anyway).
 *
 *   pass      read /elbv2/* (+ ECS service tasks, see ecs-targets.ts) ─► buildDataPlaneSpec ─► apply
 *             ─► delete targets whose deregistration delay has passed (guarded on the version read)
 *   health    every `pollMs`: observe ─► targetHealthFrom ─► write `health` on target records that
 *             changed (guarded on version; the API's writes win and the next poll recomputes)
 *
 * Fields this controller writes: TargetRecord.health, and deletes drained target records; plus what
 * ecs-targets.ts documents for service tasks. Everything else in /elbv2/ belongs to the API.
 */
import type { Logger } from 'pino';
import type { Store, KeyValue } from '../../store/store.js';
import { elbKeys, type ListenerRecord, type LoadBalancerRecord, type RuleRecord, type TargetGroupRecord, type TargetRecord, backendName, serverName } from '../../model/elbv2/records.js';
import { buildDataPlaneSpec, targetGroupsInUse, targetHealthFrom, type ElbState, type LbDataPlane, type ServerObservation } from '../../model/elbv2/data-plane.js';
import { reconcileServiceTargets, type EcsTargetsResult } from './ecs-targets.js';

export interface LbControllerOptions {
  readonly store: Store;
  readonly dataPlane: LbDataPlane;
  readonly log: Logger;
  readonly clock?: () => number;
  /** Health poll period. Default 500 ms: target health in the store lags HAProxy's by at most this. */
  readonly pollMs?: number;
  /** Full resync period. Default 5 s. */
  readonly resyncMs?: number;
}

export interface LbController {
  /** Runs a pass now and resolves when it is done (tests, benchmarks). */
  sync(): Promise<void>;
  stop(): Promise<void>;
}

const parse = <T>(kvs: readonly KeyValue[]) => kvs.map((kv) => JSON.parse(kv.value) as T);

export async function readElbState(store: Store): Promise<ElbState> {
  const [lbs, listeners, rules, tgs, targets] = await Promise.all([
    store.range(elbKeys.lbs()), store.range(elbKeys.listeners()), store.range(elbKeys.rules()), store.range(elbKeys.tgs()), store.range(elbKeys.targets()),
  ]);
  return {
    lbs: parse<LoadBalancerRecord>(lbs.kvs), listeners: parse<ListenerRecord>(listeners.kvs), rules: parse<RuleRecord>(rules.kvs),
    tgs: parse<TargetGroupRecord>(tgs.kvs), targets: targets.kvs.map((kv) => ({ key: kv.key, value: JSON.parse(kv.value) as TargetRecord })),
  };
}

export function startLbController(o: LbControllerOptions): LbController {
  const clock = o.clock ?? Date.now;
  const abort = new AbortController();
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = false;
  let drainTimer: NodeJS.Timeout | undefined;
  let lastEcs: EcsTargetsResult | undefined;

  const pass = async (): Promise<void> => {
    // ECS service tasks first: they may add or drain target records this pass then renders.
    lastEcs = await reconcileServiceTargets({ store: o.store, now: clock(), log: o.log });
    const state = await readElbState(o.store);
    await o.dataPlane.apply(buildDataPlaneSpec(state));
    const now = clock();
    let next = Infinity;
    for (const { key, value } of state.targets) {
      if (value.drainUntil === undefined) continue;
      if (value.drainUntil <= now) {
        const kv = await o.store.get(key);
        if (kv) await o.store.txn({ compare: [{ key, target: 'version', op: '==', value: kv.version }], success: [{ type: 'delete', key }] });
      } else {
        next = Math.min(next, value.drainUntil);
      }
    }
    if (drainTimer) clearTimeout(drainTimer);
    drainTimer = undefined;
    if (next !== Infinity) {
      drainTimer = setTimeout(kick, Math.max(0, next - clock()) + 5);
      drainTimer.unref();
    }
  };

  const runLoop = async (): Promise<void> => {
    do {
      again = false;
      try {
        await pass();
      } catch (e) {
        o.log.error({ err: e }, 'lb controller pass failed; retrying on the next change or resync');
      }
    } while (again && !stopped);
  };

  function kick(): void {
    if (stopped) return;
    if (running) { again = true; return; }
    running = runLoop().finally(() => { running = undefined; });
  }

  const healthPass = async (): Promise<void> => {
    let obs: ServerObservation[];
    try {
      obs = await o.dataPlane.observe();
    } catch {
      return; // data plane restarting; the next poll tries again
    }
    const byId = new Map(obs.map((x) => [`${x.backend}/${x.server}`, x]));
    const state = await readElbState(o.store);
    const inUse = targetGroupsInUse(state);
    const tgs = new Map(state.tgs.map((t) => [t.name, t]));
    const now = clock();
    for (const { key, value } of state.targets) {
      const tg = tgs.get(value.tgName);
      if (!tg) continue;
      const h = targetHealthFrom(value, tg, inUse.has(tg.arn), byId.get(`${backendName(tg.name)}/${serverName(value)}`), now);
      const prev = value.health;
      if (prev && prev.state === h.state && prev.reason === h.reason && prev.description === h.description) continue;
      const kv = await o.store.get(key);
      if (!kv) continue;
      const fresh = JSON.parse(kv.value) as TargetRecord;
      await o.store.txn({ compare: [{ key, target: 'version', op: '==', value: kv.version }], success: [{ type: 'put', key, value: JSON.stringify({ ...fresh, health: h }) }] });
    }
  };

  let healthRunning = false;
  const healthTimer = setInterval(() => {
    if (healthRunning || stopped) return;
    healthRunning = true;
    healthPass().catch((e) => o.log.warn({ err: e }, 'lb health pass failed')).finally(() => { healthRunning = false; });
  }, o.pollMs ?? 500);
  healthTimer.unref();
  const resync = setInterval(kick, o.resyncMs ?? 5000);
  resync.unref();

  let debounce: NodeJS.Timeout | undefined;
  const onChange = () => {
    if (debounce) return;
    debounce = setTimeout(() => { debounce = undefined; kick(); }, 10);
  };
  for (const prefix of ['/elbv2/', '/ecs/task/', '/ecs/service/']) o.store.watch(prefix, onChange, { signal: abort.signal });
  kick();

  return {
    async sync() {
      while (running) await running;
      kick();
      while (running) await running;
      void lastEcs;
    },
    async stop() {
      stopped = true;
      abort.abort();
      clearInterval(healthTimer);
      clearInterval(resync);
      if (drainTimer) clearTimeout(drainTimer);
      if (debounce) clearTimeout(debounce);
      while (running) await running;
      await o.dataPlane.close();
    },
  };
}
