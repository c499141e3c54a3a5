/**
 * The server's telemetry hub: CloudWatch Logs storage, CloudWatch metrics and alarms, ECS's own metrics
 * from agent stats, and Prometheus `/metrics` — one instance per server, shared by the API services
 * (src/server/services.ts), the HTTP plugin below (src/server/plugins.ts) and the agent gateway's stats
 * hook (src/server/server.ts).
 *
 * Schedules (timers run only while the server runs; each job is idempotent, so a missed tick is harmless):
 *   every WHARF_ALARM_EVAL_MS (10 s)           evaluate every alarm (periods as short as 10 s need it)
 *   every WHARF_METRICS_PUBLISH_MS (60 s)      publish AWS/ECS (and Container Insights) datapoints
 *   every WHARF_LOGS_RETENTION_MS (60 s)       delete log events past their group's retention; prune datapoints
 */
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { ApiError, isApiError } from '../model/errors.js';
import type { ApiDeps } from '../api/types.js';
import type { AgentLogBatch } from '../protocol/agent-logs.js';
import type { ContainerStatsReport } from '../protocol/agent-messages.js';
import { LogsStore } from './logs-store.js';
import { MetricsStore } from './metrics-store.js';
import { EcsMetrics } from './ecs-metrics.js';
import { FargateUsage } from './fargate-usage.js';
import { REGION_NAME, regionKeys, storeForRegion } from '../store/region-store.js';

export interface TelemetryDeps {
  readonly api: ApiDeps;
  readonly config: {
    readonly dataDir: string;
    /** How often alarms are evaluated, ECS metrics published and log retention applied (ms). */
    readonly tuning: { readonly alarmEvalMs: number; readonly metricsPublishMs: number; readonly usagePublishMs: number; readonly logsRetentionMs: number };
  };
}

/** One region's CloudWatch: its log groups, metrics and alarms, and the ECS metrics of its clusters. */
export interface RegionTelemetry {
  readonly region: string;
  readonly logs: LogsStore;
  readonly metrics: MetricsStore;
  readonly ecs: EcsMetrics;
}

/**
 * Regions: CloudWatch is regional, so each region has its own logs and metrics files (`logs.db` and
 * `metrics.db` for the default region, as before regions existed; `logs.<region>.db`… for the others),
 * opened on the region's first use or, after a restart, for every region recorded in the store. The
 * schedules and Prometheus cover every open region.
 */
export class Telemetry {
  readonly logs: LogsStore;
  readonly metrics: MetricsStore;
  readonly ecs: EcsMetrics;
  readonly usage: FargateUsage;
  private readonly abort = new AbortController();
  readonly registry = new Registry();
  private readonly parts = new Map<string, RegionTelemetry>();
  private timers: NodeJS.Timeout[] = [];
  private closed = false;
  private readonly c: {
    requests: Counter<string>; duration: Histogram<string>; logEvents: Counter<string>; logBytes: Counter<string>;
    alarms: Gauge<string>; cpu: Gauge<string>; mem: Gauge<string>; memLimit: Gauge<string>; rx: Gauge<string>; tx: Gauge<string>; rd: Gauge<string>; wr: Gauge<string>;
  };

  constructor(private readonly deps: TelemetryDeps) {
    const home = this.region(deps.api.region);
    this.logs = home.logs;
    this.metrics = home.metrics;
    this.ecs = home.ecs;
    this.usage = new FargateUsage({ store: deps.api.store, metrics: this.metrics, clock: deps.api.clock });
    collectDefaultMetrics({ register: this.registry, prefix: 'wharf_' });
    // prom-client names three gauges *_total, which `promtool check metrics` rejects (only counters may end
    // in _total); their per-type siblings (wharf_nodejs_active_handles{type}) carry the same numbers.
    for (const n of ['active_handles_total', 'active_requests_total', 'active_resources_total']) this.registry.removeSingleMetric(`wharf_nodejs_${n}`);
    const r = [this.registry];
    const labels = ['cluster', 'service', 'task', 'container'];
    this.c = {
      requests: new Counter({ name: 'wharf_http_requests_total', help: 'HTTP requests served, by route and status code.', labelNames: ['method', 'route', 'code'], registers: r }),
      duration: new Histogram({ name: 'wharf_http_request_duration_seconds', help: 'HTTP request duration.', labelNames: ['route'], buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5], registers: r }),
      logEvents: new Counter({ name: 'wharf_log_events_ingested_total', help: 'CloudWatch Logs events stored.', registers: r }),
      logBytes: new Counter({ name: 'wharf_log_bytes_ingested_total', help: 'CloudWatch Logs bytes stored (message bytes + 26 per event, as AWS counts).', registers: r }),
      alarms: new Gauge({ name: 'wharf_alarms', help: 'CloudWatch alarms by state.', labelNames: ['state'], registers: r, collect: () => this.collectAlarms() }),
      cpu: new Gauge({ name: 'wharf_container_cpu_cores', help: 'CPU used by a task container, in cores (1 = one CPU fully busy).', labelNames: labels, registers: r, collect: () => this.collectContainers() }),
      mem: new Gauge({ name: 'wharf_container_memory_bytes', help: 'Memory used by a task container.', labelNames: labels, registers: r }),
      memLimit: new Gauge({ name: 'wharf_container_memory_limit_bytes', help: 'Memory limit of a task container.', labelNames: labels, registers: r }),
      rx: new Gauge({ name: 'wharf_container_network_receive_bytes', help: 'Bytes received by a task container since it started.', labelNames: labels, registers: r }),
      tx: new Gauge({ name: 'wharf_container_network_transmit_bytes', help: 'Bytes sent by a task container since it started.', labelNames: labels, registers: r }),
      rd: new Gauge({ name: 'wharf_container_block_read_bytes', help: 'Bytes read from block devices by a task container since it started.', labelNames: labels, registers: r }),
      wr: new Gauge({ name: 'wharf_container_block_write_bytes', help: 'Bytes written to block devices by a task container since it started.', labelNames: labels, registers: r }),
    };
    for (const p of this.parts.values()) p.logs.onIngest = this.onIngest;
  }

  private readonly onIngest = (_g: string, n: number, bytes: number) => { this.c?.logEvents.inc(n); this.c?.logBytes.inc(bytes); };

  /** A region's telemetry, opened on first use. */
  region(region: string): RegionTelemetry {
    let p = this.parts.get(region);
    if (p) return p;
    if (this.closed) throw new ApiError('ServiceUnavailableException', 'the server is shutting down');
    const home = region === this.deps.api.region;
    const scope = { region, accountId: this.deps.api.accountId };
    const file = (name: string) => join(this.deps.config.dataDir, home ? `${name}.db` : `${name}.${region}.db`);
    const logs = new LogsStore(file('logs'), scope);
    const metrics = new MetricsStore(file('metrics'), scope);
    logs.onIngest = this.onIngest;
    p = { region, logs, metrics, ecs: new EcsMetrics({ store: storeForRegion(this.deps.api.store, region, this.deps.api.region), metrics }) };
    this.parts.set(region, p);
    return p;
  }

  private collectAlarms(): void {
    if (this.closed) return;
    const total: Record<string, number> = {};
    for (const p of this.parts.values()) for (const [state, n] of Object.entries(p.metrics.alarmCounts())) total[state] = (total[state] ?? 0) + n;
    for (const [state, n] of Object.entries(total)) this.c.alarms.set({ state }, n);
  }

  private collectContainers(): void {
    for (const g of [this.c.cpu, this.c.mem, this.c.memLimit, this.c.rx, this.c.tx, this.c.rd, this.c.wr]) g.reset();
    for (const p of this.parts.values()) this.collectRegionContainers(p.ecs);
  }

  private collectRegionContainers(ecs: EcsMetrics): void {
    ecs.prune(Date.now());
    for (const v of ecs.containers.values()) {
      const l = { cluster: v.cluster, service: v.service, task: v.task, container: v.container };
      this.c.cpu.set(l, v.cores);
      this.c.mem.set(l, v.memory);
      this.c.memLimit.set(l, v.memoryLimit);
      this.c.rx.set(l, v.rx);
      this.c.tx.set(l, v.tx);
      this.c.rd.set(l, v.read);
      this.c.wr.set(l, v.write);
    }
  }

  /** The agent gateway's stats hook (the agent's region: its clusters, its metrics). */
  onStats(cluster: string, msg: { at: number; containers: ContainerStatsReport[] }, region = this.deps.api.region): void {
    void this.region(region).ecs.onStats(cluster, msg).catch(() => { /* a task that vanished meanwhile */ });
  }

  start(): void {
    const every = (ms: number, f: () => unknown) => {
      const t = setInterval(() => { try { const r = f(); if (r instanceof Promise) r.catch(() => {}); } catch { /* next tick retries */ } }, ms);
      t.unref();
      this.timers.push(t);
    };
    // Regions used before this start get their files opened now, so their alarms and retention run.
    void this.deps.api.store.range(regionKeys.regions()).then(({ kvs }) => {
      for (const kv of kvs) if (!this.closed) this.region(kv.key.slice(regionKeys.regions().length));
    }, () => { /* the store is closing */ });
    const all = () => [...this.parts.values()];
    every(this.deps.config.tuning.alarmEvalMs, () => Promise.all(all().map((p) => p.metrics.evaluateAlarms(this.deps.api.clock()))));
    every(this.deps.config.tuning.metricsPublishMs, () => Promise.all(all().map((p) => p.ecs.publish(this.deps.api.clock()))));
    every(this.deps.config.tuning.usagePublishMs, () => this.usage.publish());
    this.usage.watch(this.abort.signal);
    every(this.deps.config.tuning.logsRetentionMs, () => {
      const now = this.deps.api.clock().getTime();
      for (const p of all()) {
        p.logs.enforceRetention(now);
        p.metrics.prune(now);
      }
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.timers) clearInterval(t);
    this.abort.abort();
    for (const p of this.parts.values()) {
      p.logs.close();
      p.metrics.close();
    }
  }

  /** The region an agent's request names (`?region=`, src/agent/agent.ts), else the default. */
  private agentRegion(query: unknown): RegionTelemetry {
    const r = (query as Record<string, string | undefined> | undefined)?.region;
    if (r !== undefined && !REGION_NAME.test(r)) throw new ApiError('InvalidParameterException', `invalid region ${r}`);
    return this.region(r ?? this.deps.api.region);
  }

  /**
   * The HTTP surfaces: GET /metrics (Prometheus text 0.0.4) and the agents' log ingest (protocol/agent-logs.ts).
   * Registered with skip-override so its request counter sees every route on the server.
   */
  plugin(verifyToken: (token: string) => Promise<boolean>): (app: FastifyInstance) => Promise<void> {
    const self = this;
    const plugin = async (app: FastifyInstance) => {
      self.start();
      app.addHook('onClose', async () => self.close());
      app.addHook('onResponse', async (req, reply) => {
        const route = req.routeOptions?.url ?? 'unmatched';
        self.c.requests.inc({ method: req.method, route, code: String(reply.statusCode) });
        self.c.duration.observe({ route }, reply.elapsedTime / 1000);
      });
      app.get('/metrics', async (_req, reply) => {
        reply.header('content-type', self.registry.contentType);
        return self.registry.metrics();
      });
      const authorized = async (auth: string | undefined) => verifyToken(auth?.startsWith('Bearer ') ? auth.slice(7) : '');
      app.register(async (scope) => {
        scope.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: 16 * 1024 * 1024 }, (_r, body, done) => {
          try { done(null, JSON.parse(body as string)); } catch (e) { done(e as Error, undefined); }
        });
        scope.post('/agent/logs', async (req, reply) => {
          if (!(await authorized(req.headers.authorization))) return reply.code(401).send({ code: 'UnrecognizedClientException', message: 'invalid join token' });
          const b = req.body as AgentLogBatch;
          if (!b || typeof b.group !== 'string' || typeof b.stream !== 'string' || typeof b.source !== 'string' || !Array.isArray(b.events) || typeof b.lastSeq !== 'number') {
            return reply.code(400).send({ code: 'InvalidParameterException', message: 'malformed log batch' });
          }
          try {
            return self.agentRegion(b.region !== undefined ? { region: b.region } : req.query).logs.ingestAgentBatch(b, self.deps.api.clock().getTime());
          } catch (e) {
            const err = isApiError(e) ? e : new ApiError('ServiceUnavailableException', String(e));
            return reply.code(err.status).send({ code: err.code, message: err.message });
          }
        });
        scope.get('/agent/logs/cursor', async (req, reply) => {
          if (!(await authorized(req.headers.authorization))) return reply.code(401).send({ code: 'UnrecognizedClientException', message: 'invalid join token' });
          const q = req.query as Record<string, string>;
          try {
            return { seq: self.agentRegion(q).logs.agentCursor(q.group ?? '', q.stream ?? '', q.source ?? '') };
          } catch (e) {
            const err = isApiError(e) ? e : new ApiError('ServiceUnavailableException', String(e));
            return reply.code(err.status).send({ code: err.code, message: err.message });
          }
        });
      });
    };
    (plugin as unknown as Record<symbol, boolean>)[Symbol.for('skip-override')] = true;
    return plugin;
  }
}

