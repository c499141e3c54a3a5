/**
 * Agent stats → ECS's own CloudWatch metrics and the per-task Prometheus series.
 *
 *   agent (every statsInterval) ── stats {containers: cumulative cpu ns, memory, net, blkio} ──► onStats
 *     per container: cores used = Δcpu_ns / Δwall_ns between two samples (the first sample only primes)
 *     per task:      CPU %  = Σ cores × 1024 / reserved CPU units × 100
 *                    Mem %  = Σ memory bytes / reserved MiB × 100
 *     each sample is remembered for the minute in progress
 *   publish (each minute) ─► AWS/ECS CPUUtilization, MemoryUtilization (Percent) per [ClusterName, ServiceName]
 *     and per [ClusterName], as statistic sets over the minute's task samples: Average is the service's
 *     utilization, Minimum/Maximum the least and most loaded task — ECS's own definition.
 *     Clusters with the containerInsights setting enabled (or enhanced) also get ECS/ContainerInsights:
 *     CpuUtilized, CpuReserved, MemoryUtilized, MemoryReserved (MiB), NetworkRxBytes, NetworkTxBytes,
 *     StorageReadBytes, StorageWriteBytes, RunningTaskCount, per [ClusterName, ServiceName], [ClusterName]
 *     and, for `enhanced`, per [ClusterName, TaskDefinitionFamily, TaskId].
 *
 * Reservation: the task-level cpu (or the sum of container cpu); a task that reserves no CPU is measured
 * against one vCPU (1024 units) — ECS would report nothing for it, which hides a busy task entirely.
 */
import type { MetricDatum } from '@aws-sdk/client-cloudwatch';
import type { Store } from '../store/store.js';
import { getJson } from '../store/json.js';
import { keys } from '../model/ecs/keys.js';
import type { ClusterRecord } from '../model/ecs/records.js';
import type { TaskRecord } from '../model/ecs/task-records.js';
import type { ContainerStatsReport } from '../protocol/agent-messages.js';
import type { MetricsStore } from './metrics-store.js';

interface Sample { at: number; s: ContainerStatsReport }
interface ContainerView { cluster: string; service: string; task: string; container: string; cores: number; memory: number; memoryLimit: number; rx: number; tx: number; read: number; write: number; at: number }
interface TaskSample { cluster: string; service?: string; family: string; taskId: string; cpuPct: number; memPct: number; cpuUnits: number; cpuReserved: number; memMiB: number; memReserved: number; rx: number; tx: number; read: number; write: number }

export class EcsMetrics {
  private readonly last = new Map<string, Sample>();
  /** Latest derived view per container, for Prometheus and `wharf top`. */
  readonly containers = new Map<string, ContainerView>();
  private minute: TaskSample[] = [];
  private readonly taskCache = new Map<string, { rec: TaskRecord; at: number }>();

  constructor(private readonly o: { store: Store; metrics: MetricsStore }) {}

  private async task(cluster: string, arn: string, now: number): Promise<TaskRecord | undefined> {
    const hit = this.taskCache.get(arn);
    if (hit && now - hit.at < 30_000) return hit.rec;
    const id = arn.slice(arn.lastIndexOf('/') + 1);
    const rec = (await getJson<TaskRecord>(this.o.store, keys.task(cluster, id)))?.value;
    if (rec) this.taskCache.set(arn, { rec, at: now });
    return rec;
  }

  /** One stats message from an agent in `cluster`. */
  async onStats(cluster: string, msg: { at: number; containers: ContainerStatsReport[] }): Promise<void> {
    const byTask = new Map<string, { cores: number; mem: number; rx: number; tx: number; read: number; write: number; limit: number }>();
    for (const s of msg.containers) {
      const key = `${s.taskArn}|${s.containerName}`;
      const prev = this.last.get(key);
      this.last.set(key, { at: msg.at, s });
      if (!prev || msg.at <= prev.at || s.cpuTotalNs < prev.s.cpuTotalNs) continue;
      const cores = (s.cpuTotalNs - prev.s.cpuTotalNs) / ((msg.at - prev.at) * 1e6);
      const t = byTask.get(s.taskArn) ?? { cores: 0, mem: 0, rx: 0, tx: 0, read: 0, write: 0, limit: 0 };
      t.cores += cores;
      t.mem += s.memoryUsage;
      t.limit += s.memoryLimit;
      t.rx += Math.max(0, s.rxBytes - prev.s.rxBytes);
      t.tx += Math.max(0, s.txBytes - prev.s.txBytes);
      t.read += Math.max(0, s.blockRead - prev.s.blockRead);
      t.write += Math.max(0, s.blockWrite - prev.s.blockWrite);
      byTask.set(s.taskArn, t);
      const rec = await this.task(cluster, s.taskArn, msg.at);
      this.containers.set(key, {
        cluster, service: rec?.serviceName ?? '', task: s.taskArn.slice(s.taskArn.lastIndexOf('/') + 1), container: s.containerName,
        cores, memory: s.memoryUsage, memoryLimit: s.memoryLimit, rx: s.rxBytes, tx: s.txBytes, read: s.blockRead, write: s.blockWrite, at: msg.at,
      });
    }
    for (const [arn, t] of byTask) {
      const rec = await this.task(cluster, arn, msg.at);
      if (!rec) continue;
      const cpuReserved = rec.reserved?.cpu || Number(rec.cpu) || 1024;
      const memReserved = rec.reserved?.memory || Number(rec.memory) || t.limit / 2 ** 20 || 1;
      const cpuUnits = t.cores * 1024;
      const memMiB = t.mem / 2 ** 20;
      this.minute.push({
        cluster, service: rec.serviceName, family: rec.family, taskId: rec.id, cpuPct: (cpuUnits / cpuReserved) * 100, memPct: (memMiB / memReserved) * 100,
        cpuUnits, cpuReserved, memMiB, memReserved, rx: t.rx, tx: t.tx, read: t.read, write: t.write,
      });
    }
  }

  /** Drops containers not heard of for `maxAgeMs` (stopped tasks). */
  prune(now: number, maxAgeMs = 120_000): void {
    for (const [k, v] of this.containers) if (now - v.at > maxAgeMs) { this.containers.delete(k); this.last.delete(k); }
    for (const [k, v] of this.taskCache) if (now - v.at > maxAgeMs) this.taskCache.delete(k);
  }

  /** Writes the minute's datapoints (AWS/ECS, and Container Insights where enabled) and starts a new minute. */
  async publish(now: Date): Promise<number> {
    const samples = this.minute;
    this.minute = [];
    if (samples.length === 0) return 0;
    const stat = (xs: number[]) => ({ SampleCount: xs.length, Sum: xs.reduce((a, b) => a + b, 0), Minimum: Math.min(...xs), Maximum: Math.max(...xs) });
    const groups = new Map<string, TaskSample[]>();
    const add = (k: string, s: TaskSample) => (groups.get(k) ?? groups.set(k, []).get(k)!).push(s);
    for (const s of samples) {
      add(JSON.stringify([s.cluster, '']), s);
      if (s.service) add(JSON.stringify([s.cluster, s.service]), s);
    }
    const ecs: MetricDatum[] = [];
    const ci: MetricDatum[] = [];
    const insights = new Map<string, string>();
    for (const cluster of new Set(samples.map((s) => s.cluster))) {
      const rec = (await getJson<ClusterRecord>(this.o.store, keys.cluster(cluster)))?.value;
      const v = rec?.settings?.find((x) => x.name === 'containerInsights')?.value;
      if (v === 'enabled' || v === 'enhanced') insights.set(cluster, v);
    }
    for (const [k, xs] of groups) {
      const [cluster, service] = JSON.parse(k) as [string, string];
      const dims = [{ Name: 'ClusterName', Value: cluster }, ...(service ? [{ Name: 'ServiceName', Value: service }] : [])];
      ecs.push({ MetricName: 'CPUUtilization', Dimensions: dims, Timestamp: now, Unit: 'Percent', StatisticValues: stat(xs.map((x) => x.cpuPct)) });
      ecs.push({ MetricName: 'MemoryUtilization', Dimensions: dims, Timestamp: now, Unit: 'Percent', StatisticValues: stat(xs.map((x) => x.memPct)) });
      if (insights.has(cluster)) ci.push(...insightData(dims, xs, now, stat));
    }
    if (samples.some((s) => insights.get(s.cluster) === 'enhanced')) {
      const perTask = new Map<string, TaskSample[]>();
      for (const s of samples) if (insights.get(s.cluster) === 'enhanced') (perTask.get(s.taskId) ?? perTask.set(s.taskId, []).get(s.taskId)!).push(s);
      for (const xs of perTask.values()) {
        ci.push(...insightData([{ Name: 'ClusterName', Value: xs[0].cluster }, { Name: 'TaskDefinitionFamily', Value: xs[0].family }, { Name: 'TaskId', Value: xs[0].taskId }], xs, now, stat));
      }
    }
    this.o.metrics.putMetricData('AWS/ECS', ecs, now);
    if (ci.length) this.o.metrics.putMetricData('ECS/ContainerInsights', ci, now);
    return ecs.length + ci.length;
  }
}

function insightData(dims: { Name: string; Value: string }[], xs: TaskSample[], now: Date, stat: (xs: number[]) => { SampleCount: number; Sum: number; Minimum: number; Maximum: number }): MetricDatum[] {
  const tasks = new Set(xs.map((x) => x.taskId)).size;
  const samplesPerTask = xs.length / tasks;
  // Sums over tasks, averaged over the minute's samples: a task's figures count once per minute.
  const perMinute = (f: (x: TaskSample) => number) => xs.reduce((a, x) => a + f(x), 0) / samplesPerTask;
  const d = (MetricName: string, Unit: MetricDatum['Unit'], Value: number): MetricDatum => ({ MetricName, Dimensions: dims, Timestamp: now, Unit, Value });
  return [
    d('CpuUtilized', 'None', perMinute((x) => x.cpuUnits)),
    d('CpuReserved', 'None', perMinute((x) => x.cpuReserved)),
    d('MemoryUtilized', 'Megabytes', perMinute((x) => x.memMiB)),
    d('MemoryReserved', 'Megabytes', perMinute((x) => x.memReserved)),
    d('NetworkRxBytes', 'Bytes/Second', xs.reduce((a, x) => a + x.rx, 0) / 60),
    d('NetworkTxBytes', 'Bytes/Second', xs.reduce((a, x) => a + x.tx, 0) / 60),
    d('StorageReadBytes', 'Bytes', xs.reduce((a, x) => a + x.read, 0)),
    d('StorageWriteBytes', 'Bytes', xs.reduce((a, x) => a + x.write, 0)),
    { MetricName: 'RunningTaskCount', Dimensions: dims, Timestamp: now, Unit: 'Count', StatisticValues: stat([tasks]) },
  ];
}
