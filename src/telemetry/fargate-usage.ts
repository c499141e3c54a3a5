/**
 * Fargate metering → CloudWatch metrics (namespace `Wharf/Usage`), the seed's "billing per second".
 *
 * For every FARGATE task, usage so far is computed (src/model/ecs/metering.ts: from pull start to stop,
 * per second, one-minute minimum); what was not yet published is published as datapoints
 *
 *   vCPUSeconds, GBSeconds, EphemeralStorageGBSeconds, BilledSeconds   (unit None / Seconds)
 *   dimensions {ClusterName, CapacityProvider}
 *              {ClusterName, ServiceName, CapacityProvider}   (service tasks)
 *              {ClusterName, TaskId, CapacityProvider}
 *
 * so a Sum over any window gives the usage billed in it, and `wharf usage` (or any CloudWatch client)
 * prices it. CapacityProvider is FARGATE or FARGATE_SPOT (a plain launchType FARGATE task is FARGATE).
 *
 * What was published is remembered per task in the store (/wharf/usage/<cluster>/<taskId>), written
 * before the datapoints: a crash between the two loses at most one delta, never counts one twice.
 * Runs every WHARF_USAGE_PUBLISH_MS (60 s) and within a moment of a task stopping.
 */
import type { MetricDatum } from '@aws-sdk/client-cloudwatch';
import type { Store } from '../store/store.js';
import { keys } from '../model/ecs/keys.js';
import type { TaskRecord } from '../model/ecs/task-records.js';
import { subtract, taskUsage, ZERO_USAGE, type Usage } from '../model/ecs/metering.js';
import type { MetricsStore } from './metrics-store.js';

export const USAGE_NAMESPACE = 'Wharf/Usage';
const usageKey = (cluster: string, id: string) => `/wharf/usage/${cluster}/${id}`;

interface UsageRecord { published: Usage; final: boolean }

export class FargateUsage {
  private running?: Promise<void>;
  private again = false;
  private timer?: NodeJS.Timeout;

  constructor(private readonly o: { store: Store; metrics: MetricsStore; clock: () => Date }) {}

  /** Watches for stopped FARGATE tasks, to publish their final usage at once. */
  watch(signal: AbortSignal): void {
    this.o.store.watch(keys.tasks(), (events) => {
      for (const e of events) {
        if (e.type !== 'put') continue;
        const t = JSON.parse(e.kv.value) as Pick<TaskRecord, 'launchType' | 'lastStatus'>;
        if (t.launchType === 'FARGATE' && t.lastStatus === 'STOPPED') { this.soon(); return; }
      }
    }, { signal });
  }

  private soon(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => { this.timer = undefined; void this.publish().catch(() => {}); }, 100);
    this.timer.unref();
  }

  /** One pass (serialized: a pass asked for while one runs runs once after it). */
  publish(): Promise<void> {
    if (this.running) { this.again = true; return this.running; }
    this.running = this.pass().finally(() => {
      this.running = undefined;
      if (this.again) { this.again = false; void this.publish(); }
    });
    return this.running;
  }

  private async pass(): Promise<void> {
    const { store } = this.o;
    const now = this.o.clock();
    const data: MetricDatum[] = [];
    for (const kv of (await store.range(keys.tasks())).kvs) {
      const t = JSON.parse(kv.value) as TaskRecord;
      if (t.launchType !== 'FARGATE' || t.pullStartedAt === undefined) continue;
      const key = usageKey(t.cluster, t.id);
      const cur = await store.get(key);
      const rec: UsageRecord = cur ? JSON.parse(cur.value) as UsageRecord : { published: ZERO_USAGE, final: false };
      if (rec.final) continue;
      const total = taskUsage(t, now.getTime());
      const delta = subtract(total, rec.published);
      const final = t.lastStatus === 'STOPPED';
      if (delta.billedSeconds <= 0 && !final) continue;
      const next: UsageRecord = { published: total, final };
      const r = await store.txn({ compare: [{ key, target: 'version', op: '==', value: cur?.version ?? 0 }], success: [{ type: 'put', key, value: JSON.stringify(next) }] });
      if (!r.succeeded || delta.billedSeconds <= 0) continue;
      const provider = t.capacityProviderName ?? 'FARGATE';
      const dimSets = [
        [{ Name: 'ClusterName', Value: t.cluster }, { Name: 'CapacityProvider', Value: provider }],
        [{ Name: 'ClusterName', Value: t.cluster }, { Name: 'TaskId', Value: t.id }, { Name: 'CapacityProvider', Value: provider }],
        ...(t.serviceName ? [[{ Name: 'ClusterName', Value: t.cluster }, { Name: 'ServiceName', Value: t.serviceName }, { Name: 'CapacityProvider', Value: provider }]] : []),
      ];
      for (const Dimensions of dimSets) {
        data.push(
          { MetricName: 'vCPUSeconds', Dimensions, Value: delta.vcpuSeconds, Unit: 'None', Timestamp: now },
          { MetricName: 'GBSeconds', Dimensions, Value: delta.gbSeconds, Unit: 'None', Timestamp: now },
          { MetricName: 'EphemeralStorageGBSeconds', Dimensions, Value: delta.storageGbSeconds, Unit: 'None', Timestamp: now },
          { MetricName: 'BilledSeconds', Dimensions, Value: delta.billedSeconds, Unit: 'Seconds', Timestamp: now },
        );
      }
    }
    if (data.length) this.o.metrics.putMetricData(USAGE_NAMESPACE, data, now);
  }
}
