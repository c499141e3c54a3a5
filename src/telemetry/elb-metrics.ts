/**
 * The load balancer's own CloudWatch metrics (namespace AWS/ApplicationELB), from the data plane's
 * traffic counters — what ALB publishes, so that dashboards, alarms and the ALBRequestCountPerTarget
 * target-tracking policy work as on AWS.
 *
 *   every sampleMs (1 s)   dataPlane.traffic() → per listener/backend, the increase since the last
 *                          sample is added to the period in progress (the first sample is the base; a
 *                          counter that went down — a reload started a new worker — counts from zero)
 *   every publishMs (60 s) one datum per metric and dimension set (below), Timestamp = now
 *
 *   [LoadBalancer]                 RequestCount, HTTPCode_ELB_{3,4,5}XX_Count, HTTPCode_Target_{2..5}XX_Count,
 *                                  TargetResponseTime, NewConnectionCount, ProcessedBytes, ActiveConnectionCount
 *   [TargetGroup, LoadBalancer]    RequestCount, RequestCountPerTarget, HTTPCode_Target_{2..5}XX_Count,
 *                                  TargetResponseTime, HealthyHostCount, UnHealthyHostCount
 *   [TargetGroup]                  RequestCountPerTarget
 *
 * Dimension values as AWS writes them: LoadBalancer `app/<name>/<id>`, TargetGroup `targetgroup/<name>/<id>`.
 * RequestCountPerTarget = the target group's requests in the period ÷ its healthy targets (all its
 * targets when none is healthy), as AWS defines it. HTTPCode_ELB_* are the responses the load balancer
 * made itself: what its listeners answered less what its target groups' targets answered.
 * TargetResponseTime is a statistic set (seconds): SampleCount = requests, Average = HAProxy's recent
 * average response time (it keeps the last 1024 requests' average, not each request's time).
 *
 * Unlike ALB, request counts are published as 0 for a period without requests (for every target group
 * with registered targets): a target-tracking scale-in alarm then sees the idle service and scales it in,
 * where on AWS it goes to INSUFFICIENT_DATA and the service stays scaled out.
 */
import type { MetricDatum } from '@aws-sdk/client-cloudwatch';
import type { ElbState, LbDataPlane, TrafficCounters } from '../model/elbv2/data-plane.js';
import { listenerName, targetGroupsInUse } from '../model/elbv2/data-plane.js';
import { backendName, type LoadBalancerRecord, type TargetGroupRecord } from '../model/elbv2/records.js';

type Dim = { Name: string; Value: string };
export const lbDimension = (lb: Pick<LoadBalancerRecord, 'name' | 'id'>): Dim => ({ Name: 'LoadBalancer', Value: `app/${lb.name}/${lb.id}` });
export const tgDimension = (tg: Pick<TargetGroupRecord, 'name' | 'id'>): Dim => ({ Name: 'TargetGroup', Value: `targetgroup/${tg.name}/${tg.id}` });

interface Acc { requests: number; responses: number[]; connections: number; bytes: number; rtWeighted: number; active: number }
const zero = (): Acc => ({ requests: 0, responses: [0, 0, 0, 0, 0], connections: 0, bytes: 0, rtWeighted: 0, active: 0 });

export class ElbMetrics {
  private last = new Map<string, TrafficCounters>();
  private period = new Map<string, Acc>();

  /** One reading of the data plane's counters: adds what increased since the previous reading. */
  sample(rows: readonly TrafficCounters[]): void {
    const next = new Map<string, TrafficCounters>();
    for (const r of rows) {
      if (r.kind === 'server') continue;
      const key = `${r.kind}:${r.name}`;
      next.set(key, r);
      const prev = this.last.get(key);
      const acc = this.period.get(key) ?? zero();
      this.period.set(key, acc);
      acc.active = r.active;
      if (!prev) continue;
      // A counter below its last reading was restarted (a reload's new worker): all of it is new.
      const d = (now: number, before: number) => (now >= before ? now - before : now);
      const reqs = d(r.requests, prev.requests);
      acc.requests += reqs;
      r.responses.forEach((v, i) => { acc.responses[i] += d(v, prev.responses[i]); });
      acc.connections += d(r.connections, prev.connections);
      acc.bytes += d(r.bytes, prev.bytes);
      acc.rtWeighted += reqs * r.responseTimeMs;
    }
    this.last = next;
  }

  /** The period's datapoints for the load balancers and target groups in `state`; starts a new period. */
  publish(state: ElbState, now: Date): MetricDatum[] {
    const period = this.period;
    this.period = new Map();
    for (const [k, v] of period) this.period.set(k, { ...zero(), active: v.active });
    const out: MetricDatum[] = [];
    const datum = (MetricName: string, Dimensions: Dim[], Value: number, Unit: MetricDatum['Unit'] = 'Count'): void => {
      out.push({ MetricName, Dimensions, Value, Unit, Timestamp: now });
    };
    const rt = (Dimensions: Dim[], a: Acc): void => {
      if (a.requests === 0) return;
      const avg = a.rtWeighted / a.requests / 1000;
      out.push({ MetricName: 'TargetResponseTime', Dimensions, Unit: 'Seconds', Timestamp: now,
        StatisticValues: { SampleCount: a.requests, Sum: avg * a.requests, Minimum: avg, Maximum: avg } });
    };
    const targetCodes = (dims: Dim[], a: Acc): void => {
      for (let c = 2; c <= 5; c++) datum(`HTTPCode_Target_${c}XX_Count`, dims, a.responses[c - 1]);
    };
    const tgByArn = new Map(state.tgs.map((t) => [t.arn, t]));
    for (const lb of state.lbs) {
      const lbDim = lbDimension(lb);
      const listeners = state.listeners.filter((l) => l.lbName === lb.name);
      const front = zero();
      for (const l of listeners) {
        const a = period.get(`listener:${listenerName(l)}`);
        if (!a) continue;
        front.requests += a.requests;
        a.responses.forEach((v, i) => { front.responses[i] += v; });
        front.connections += a.connections;
        front.bytes += a.bytes;
        front.active += a.active;
      }
      // The target groups this load balancer forwards to (a target group serves one load balancer).
      const arns = targetGroupsInUse({ listeners, rules: state.rules.filter((r) => r.lbName === lb.name), tgs: state.tgs });
      const back = zero();
      for (const arn of [...arns].sort()) {
        const tg = tgByArn.get(arn);
        if (!tg) continue;
        const a = period.get(`backend:${backendName(tg.name)}`) ?? zero();
        back.requests += a.requests;
        a.responses.forEach((v, i) => { back.responses[i] += v; });
        back.rtWeighted += a.rtWeighted;
        const targets = state.targets.filter((t) => t.value.tgArn === arn && t.value.drainUntil === undefined);
        const healthy = targets.filter((t) => t.value.health?.state === 'healthy').length;
        const unhealthy = targets.filter((t) => t.value.health?.state === 'unhealthy').length;
        const dims = [tgDimension(tg), lbDim];
        datum('HealthyHostCount', dims, healthy);
        datum('UnHealthyHostCount', dims, unhealthy);
        if (targets.length === 0 && a.requests === 0) continue;
        datum('RequestCount', dims, a.requests);
        const perTarget = targets.length === 0 ? a.requests : a.requests / (healthy || targets.length);
        datum('RequestCountPerTarget', dims, perTarget);
        datum('RequestCountPerTarget', [tgDimension(tg)], perTarget);
        targetCodes(dims, a);
        rt(dims, a);
      }
      if (listeners.length === 0) continue;
      datum('RequestCount', [lbDim], front.requests);
      targetCodes([lbDim], back);
      // What the listeners answered that no target did: the load balancer's own responses.
      for (const c of [3, 4, 5]) datum(`HTTPCode_ELB_${c}XX_Count`, [lbDim], Math.max(0, front.responses[c - 1] - back.responses[c - 1]));
      rt([lbDim], back);
      datum('NewConnectionCount', [lbDim], front.connections);
      datum('ProcessedBytes', [lbDim], front.bytes, 'Bytes');
      datum('ActiveConnectionCount', [lbDim], front.active);
    }
    return out;
  }
}

export interface ElbMetricsOptions {
  readonly dataPlane: Pick<LbDataPlane, 'traffic'>;
  readonly state: () => Promise<ElbState>;
  readonly put: (namespace: string, data: MetricDatum[], now: Date) => void;
  readonly clock: () => Date;
  readonly publishMs: number;
  readonly sampleMs?: number;
  readonly signal: AbortSignal;
  readonly onError?: (err: unknown) => void;
}

/** Samples the data plane and publishes AWS/ApplicationELB until `signal` aborts. */
export function startElbMetrics(o: ElbMetricsOptions): ElbMetrics {
  const m = new ElbMetrics();
  const sampleMs = Math.min(o.sampleMs ?? 1000, o.publishMs);
  let busy = false;
  const sample = async () => {
    if (busy) return;
    busy = true;
    try { m.sample(await o.dataPlane.traffic()); } catch (e) { o.onError?.(e); } finally { busy = false; }
  };
  const publish = async () => {
    try {
      await sample();
      const data = m.publish(await o.state(), o.clock());
      if (data.length) o.put('AWS/ApplicationELB', data, o.clock());
    } catch (e) { o.onError?.(e); }
  };
  const timers = [setInterval(() => void sample(), sampleMs), setInterval(() => void publish(), o.publishMs)];
  for (const t of timers) t.unref();
  o.signal.addEventListener('abort', () => { for (const t of timers) clearInterval(t); }, { once: true });
  void sample();
  return m;
}
