/**
 * The autoscaling controller: Application Auto Scaling's loop for one region (docs/autoscaling.md).
 *
 *   every tickMs ─► list /aas/target/ ─► per target: re-read it, its state, its ECS service and the
 *                   region's alarms ─► decide (reconcile.ts, pure) ─► one transaction guarded on the
 *                   versions of the target, the state and the service:
 *                     service desiredCount (model/ecs/service-scale.ts, UpdateService's own path)
 *                     target min/max (a scheduled action ran), the state, the activities
 *
 * Level-triggered: nothing is kept in memory between passes; a conflicting write (a user's
 * UpdateService, a PutScalingPolicy) fails the transaction and the next pass decides again from what is
 * stored. The services controller sees the new desiredCount and starts or stops tasks, writing ECS's
 * own service events ("has started 2 tasks", "has stopped 1 running tasks").
 *
 * Alarms are read through a port (the region's CloudWatch, wired by the server): the controller sees
 * each alarm's state, its actions for that state and its last datapoint (StateReasonData).
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { MetricAlarm } from '@aws-sdk/client-cloudwatch';
import type { Op, Compare, Store } from '../../store/store.js';
import { getJson } from '../../store/json.js';
import { keys } from '../../model/ecs/keys.js';
import type { ServiceRecord } from '../../model/ecs/records.js';
import { deploymentInProgress, setDesiredCount } from '../../model/ecs/service-scale.js';
import { aasKeys, ecsServiceOf, emptyState, type ScalableTargetRecord, type ScalingActivityRecord, type ScalingStateRecord } from '../../model/autoscaling/records.js';
import { decide, type AlarmView } from './reconcile.js';

/** The region's CloudWatch alarms, as the controller needs them. */
export interface AlarmPort {
  list(): MetricAlarm[];
  delete(names: readonly string[]): void;
}

export interface AutoscalingControllerOptions {
  store: Store;
  alarms: AlarmPort;
  clock: () => Date;
  log: Logger;
  /** How often every target is looked at. Default 10 s (the alarm evaluation interval). */
  tickMs?: number;
}

function metricText(a: MetricAlarm): string {
  if (a.Metrics?.length) {
    const ret = a.Metrics.find((m) => m.ReturnData !== false);
    return ret?.Expression ? `the metric math expression ${ret.Expression}` : `${ret?.MetricStat?.Metric?.Namespace} ${ret?.MetricStat?.Metric?.MetricName}`;
  }
  const dims = (a.Dimensions ?? []).map((d) => `${d.Name}=${d.Value}`).join(', ');
  return `${a.Namespace} ${a.MetricName}${dims ? ` (${dims})` : ''}`;
}

export function alarmView(a: MetricAlarm): AlarmView {
  const state = (a.StateValue ?? 'INSUFFICIENT_DATA') as AlarmView['state'];
  let latest: number | undefined;
  try {
    const d = a.StateReasonData ? JSON.parse(a.StateReasonData) as { recentDatapoints?: number[] } : undefined;
    latest = d?.recentDatapoints?.[0];
  } catch { latest = undefined; }
  const period = a.Period ?? a.Metrics?.find((m) => m.MetricStat)?.MetricStat?.Period ?? 60;
  return {
    name: a.AlarmName!, state, actionsEnabled: a.ActionsEnabled !== false,
    actions: (state === 'ALARM' ? a.AlarmActions : state === 'OK' ? a.OKActions : a.InsufficientDataActions) ?? [],
    comparison: a.ComparisonOperator ?? 'GreaterThanThreshold', threshold: a.Threshold ?? 0,
    periodSeconds: period, evaluationPeriods: a.EvaluationPeriods ?? 1, ...(latest !== undefined ? { latest } : {}), metric: metricText(a),
  };
}

/** AWS keeps scaling activities six weeks. */
const ACTIVITY_RETENTION_MS = 42 * 86_400_000;
/** Pruning reads every activity key: once an hour is plenty for a six-week horizon. */
const PRUNE_EVERY_MS = 3_600_000;

export class AutoscalingController {
  private timer?: NodeJS.Timeout;
  private running = false;
  /** Passes run (tests). */
  passes = 0;
  private lastPruneAt = 0;

  constructor(private readonly o: AutoscalingControllerOptions) {}

  start(signal?: AbortSignal): void {
    signal?.addEventListener('abort', () => this.stop(), { once: true });
    this.timer = setInterval(() => void this.pass(), this.o.tickMs ?? 10_000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One look at every target (never two at once). */
  async pass(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      const { kvs } = await this.o.store.range(aasKeys.targets());
      if (kvs.length === 0) return;
      const alarms = this.o.alarms.list().map(alarmView);
      const now = this.o.clock().getTime();
      if (now - this.lastPruneAt >= PRUNE_EVERY_MS) {
        this.lastPruneAt = now;
        await this.prune(now);
      }
      for (const kv of kvs) {
        try {
          await this.sync(kv.key, alarms);
        } catch (err) {
          this.o.log.warn({ err, key: kv.key }, 'autoscaling pass failed for a target; the next pass retries');
        }
      }
      this.passes++;
    } catch (err) {
      this.o.log.warn({ err }, 'autoscaling pass failed');
    } finally {
      this.running = false;
    }
  }

  /** Drops activities older than AWS's six weeks (their keys sort by start time within a target). */
  private async prune(now: number): Promise<void> {
    const { kvs } = await this.o.store.range('/aas/activity/');
    const old = kvs.filter((kv) => Number(/\/@(\d{15})-/.exec(kv.key)?.[1] ?? now) < now - ACTIVITY_RETENTION_MS);
    for (let i = 0; i < old.length; i += 100) {
      await this.o.store.txn({ success: old.slice(i, i + 100).map((kv): Op => ({ type: 'delete', key: kv.key })) });
    }
  }

  private async sync(key: string, alarms: AlarmView[]): Promise<void> {
    const { store } = this.o;
    const target = await getJson<ScalableTargetRecord>(store, key);
    if (!target) return;
    const t = target.value;
    const stateKey = aasKeys.state(t.serviceNamespace, t.scalableDimension, t.resourceId);
    const state = await getJson<ScalingStateRecord>(store, stateKey);
    const svc = ecsServiceOf(t.resourceId);
    const service = svc ? await getJson<ServiceRecord>(store, keys.service(svc.cluster, svc.service)) : undefined;
    const now = this.o.clock().getTime();
    const arns = new Set(t.policies.map((p) => p.arn));
    const d = decide({
      target: t, state: state?.value ?? emptyState(), now,
      service: { active: service?.value.status === 'ACTIVE', desiredCount: service?.value.desiredCount ?? 0, deploying: service ? deploymentInProgress(service.value) : false },
      alarms: alarms.filter((a) => a.actions.some((x) => arns.has(x)) || t.policies.some((p) => p.alarms.some((r) => r.AlarmName === a.name))),
    });
    const compare: Compare[] = [{ key, target: 'version', op: '==', value: target.version }, { key: stateKey, target: 'version', op: '==', value: state?.version ?? 0 }];
    if (d.remove) {
      const r = await store.txn({ compare, success: [{ type: 'delete', key }, { type: 'delete', key: stateKey }] });
      if (r.succeeded) {
        for (const n of d.remove.alarms) { try { this.o.alarms.delete([n]); } catch { /* gone already */ } }
        this.o.log.info({ resourceId: t.resourceId }, 'scalable target removed: its ECS service is gone');
      }
      return;
    }
    const ops: Op[] = [];
    if (d.desiredCount !== undefined && service) {
      const s = structuredClone(service.value);
      setDesiredCount(s, d.desiredCount);
      s.version += 1;
      const skey = keys.service(s.cluster, s.serviceName);
      compare.push({ key: skey, target: 'version', op: '==', value: service.version });
      ops.push({ type: 'put', key: skey, value: JSON.stringify(s) });
    }
    if (d.limits) {
      const next: ScalableTargetRecord = { ...structuredClone(t), ...d.limits, version: t.version + 1 };
      ops.push({ type: 'put', key, value: JSON.stringify(next) });
    }
    for (const a of d.activities) {
      const rec: ScalingActivityRecord = { ActivityId: randomUUID(), ServiceNamespace: t.serviceNamespace, ResourceId: t.resourceId, ScalableDimension: t.scalableDimension, ...a };
      ops.push({ type: 'put', key: aasKeys.activity(t.serviceNamespace, t.scalableDimension, t.resourceId, a.StartTime, rec.ActivityId), value: JSON.stringify(rec) });
    }
    const prior = state?.value ?? emptyState();
    // scheduleCheckedAt moves on every look; it is written only with something else. Not writing it
    // is safe: the next look checks from the stored time again and finds the same (already run) or
    // a new fire time — a run always writes its activity and the state together.
    if (ops.length === 0 && state && JSON.stringify(prior.policies) === JSON.stringify(d.state.policies)) return;
    ops.push({ type: 'put', key: stateKey, value: JSON.stringify({ ...d.state, version: prior.version + 1 }) });
    const r = await store.txn({ compare, success: ops });
    if (r.succeeded && d.activities.length) {
      for (const a of d.activities) this.o.log.info({ resourceId: t.resourceId, description: a.Description, cause: a.Cause, status: a.StatusCode }, 'scaling activity');
    }
  }
}
