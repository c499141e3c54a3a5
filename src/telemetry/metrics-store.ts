/**
 * CloudWatch metrics and alarms, in their own SQLite file (`metrics.db` in the data directory; the same
 * reasoning as logs.db: datapoints arrive every few seconds per task and would swamp the control-plane
 * Store's revisions and watchers).
 *
 *   series(id, namespace, name, dims)          one row per metric = namespace + name + exact dimension set
 *   points(series_id, ts, count, sum, min, max, unit)   one row per datum (statistic sets kept as sets)
 *   alarms(name, json)   alarm_history(id, name, ts, type, summary, data)
 *
 * Datapoints are kept 15 days (CloudWatch keeps 1-minute data that long before rolling it up; we do not
 * roll up). Statistics are computed at query time per period bucket aligned to the epoch:
 * SampleCount = Σcount, Sum = Σsum, Minimum/Maximum, Average = Sum/SampleCount, pNN from the per-datum
 * means weighted by count (exact for single values, an approximation for statistic sets).
 */
import Database from 'better-sqlite3';
import type {
  AlarmHistoryItem, Datapoint, DescribeAlarmHistoryInput, DescribeAlarmHistoryOutput, DescribeAlarmsForMetricInput, DescribeAlarmsForMetricOutput,
  DescribeAlarmsInput, DescribeAlarmsOutput, Dimension, GetMetricDataInput, GetMetricDataOutput, GetMetricStatisticsInput, GetMetricStatisticsOutput,
  ListMetricsInput, ListMetricsOutput, Metric, MetricAlarm, MetricDataQuery, MetricDataResult, MetricDatum, MetricStat, PutMetricAlarmInput, SetAlarmStateInput,
} from '@aws-sdk/client-cloudwatch';
import { ApiError } from '../model/errors.js';
import type { CloudWatchBackend } from '../api/cloudwatch/backend.js';
import { evaluate, MathError, parseExpression, references, type MathValue, type Series } from './metric-math.js';
import { evaluateAlarm, type AlarmState } from './alarm-eval.js';
import type { AlarmStateChange } from '../model/events/alarm-events.js';

const RETAIN_MS = 15 * 86_400_000;

interface Agg { count: number; sum: number; min: number; max: number; means: [number, number][] }
interface StoredAlarm extends MetricAlarm { Tags?: { Key?: string; Value?: string }[] }

export function canonicalDims(d: Dimension[] | undefined): string {
  return JSON.stringify([...(d ?? [])].map((x) => [x.Name ?? '', x.Value ?? '']).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)));
}

export class MetricsStore implements CloudWatchBackend {
  private readonly db: Database.Database;
  private readonly seriesIds = new Map<string, number>();
  private readonly st: Record<string, Database.Statement>;
  /** Listeners for alarm state changes (Application Auto Scaling hooks in here). */
  readonly onAlarmTransition: ((alarm: MetricAlarm, from: AlarmState, to: AlarmState) => void)[] = [];

  constructor(readonly file: string, private readonly scope: { region: string; accountId: string }) {
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS series (id INTEGER PRIMARY KEY, namespace TEXT NOT NULL, name TEXT NOT NULL, dims TEXT NOT NULL,
        last_ts INTEGER NOT NULL DEFAULT 0, UNIQUE(namespace, name, dims));
      CREATE TABLE IF NOT EXISTS points (series_id INTEGER NOT NULL, ts INTEGER NOT NULL, count REAL NOT NULL, sum REAL NOT NULL,
        min REAL NOT NULL, max REAL NOT NULL, unit TEXT);
      CREATE INDEX IF NOT EXISTS points_series ON points(series_id, ts);
      CREATE TABLE IF NOT EXISTS alarms (name TEXT PRIMARY KEY, json TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS alarm_history (id INTEGER PRIMARY KEY, name TEXT NOT NULL, ts INTEGER NOT NULL, type TEXT NOT NULL,
        summary TEXT NOT NULL, data TEXT NOT NULL);
      CREATE INDEX IF NOT EXISTS alarm_history_name ON alarm_history(name, ts);
    `);
    const p = (sql: string) => this.db.prepare(sql);
    this.st = {
      findSeries: p('SELECT id FROM series WHERE namespace = ? AND name = ? AND dims = ?'),
      insertSeries: p('INSERT INTO series (namespace, name, dims) VALUES (?, ?, ?)'),
      touchSeries: p('UPDATE series SET last_ts = MAX(last_ts, ?) WHERE id = ?'),
      insertPoint: p('INSERT INTO points (series_id, ts, count, sum, min, max, unit) VALUES (?, ?, ?, ?, ?, ?, ?)'),
      points: p('SELECT ts, count, sum, min, max, unit FROM points WHERE series_id = ? AND ts >= ? AND ts < ?'),
      alarm: p('SELECT json FROM alarms WHERE name = ?'),
      putAlarm: p('INSERT INTO alarms (name, json) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET json = excluded.json'),
      history: p('INSERT INTO alarm_history (name, ts, type, summary, data) VALUES (?, ?, ?, ?, ?)'),
    };
  }

  close(): void {
    this.db.close();
  }

  // ---- datapoints ------------------------------------------------------------------------------------

  private seriesId(namespace: string, name: string, dims: string, create: boolean): number | undefined {
    const key = `${namespace}\u0000${name}\u0000${dims}`;
    let id = this.seriesIds.get(key);
    if (id !== undefined) return id;
    id = (this.st.findSeries.get(namespace, name, dims) as { id: number } | undefined)?.id;
    if (id === undefined && create) id = Number(this.st.insertSeries.run(namespace, name, dims).lastInsertRowid);
    if (id !== undefined) this.seriesIds.set(key, id);
    return id;
  }

  putMetricData(namespace: string, data: MetricDatum[], now: Date): void {
    this.db.transaction(() => {
      for (const d of data) {
        const id = this.seriesId(namespace, d.MetricName!, canonicalDims(d.Dimensions), true)!;
        const ts = (d.Timestamp ?? now).getTime();
        const unit = d.Unit ?? 'None';
        if (d.StatisticValues) {
          const s = d.StatisticValues;
          this.st.insertPoint.run(id, ts, s.SampleCount!, s.Sum!, s.Minimum!, s.Maximum!, unit);
        } else if (d.Values && d.Values.length) {
          d.Values.forEach((v, i) => {
            const c = d.Counts?.[i] ?? 1;
            this.st.insertPoint.run(id, ts, c, v * c, v, v, unit);
          });
        } else if (d.Value !== undefined) {
          this.st.insertPoint.run(id, ts, 1, d.Value, d.Value, d.Value, unit);
        }
        this.st.touchSeries.run(ts, id);
      }
    })();
  }

  /** Per-period aggregates of one metric, bucket start (ms) → Agg. */
  private buckets(metric: Metric, startMs: number, endMs: number, periodMs: number, unit?: string): Map<number, Agg> {
    const out = new Map<number, Agg>();
    const id = this.seriesId(metric.Namespace ?? '', metric.MetricName ?? '', canonicalDims(metric.Dimensions), false);
    if (id === undefined) return out;
    const rows = this.st.points.all(id, startMs, endMs) as { ts: number; count: number; sum: number; min: number; max: number; unit: string }[];
    for (const r of rows) {
      if (unit && r.unit !== unit) continue;
      const b = Math.floor(r.ts / periodMs) * periodMs;
      let a = out.get(b);
      if (!a) out.set(b, (a = { count: 0, sum: 0, min: Infinity, max: -Infinity, means: [] }));
      a.count += r.count;
      a.sum += r.sum;
      if (r.min < a.min) a.min = r.min;
      if (r.max > a.max) a.max = r.max;
      a.means.push([r.count ? r.sum / r.count : r.sum, r.count]);
    }
    return out;
  }

  /** Drops datapoints past retention; runs on a schedule. */
  prune(now: number): void {
    this.db.prepare('DELETE FROM points WHERE ts < ?').run(now - RETAIN_MS);
  }

  getMetricStatistics(input: GetMetricStatisticsInput): GetMetricStatisticsOutput {
    const periodMs = input.Period! * 1000;
    const b = this.buckets({ Namespace: input.Namespace, MetricName: input.MetricName, Dimensions: input.Dimensions }, input.StartTime!.getTime(), input.EndTime!.getTime(), periodMs, input.Unit);
    const datapoints: Datapoint[] = [...b].sort((x, y) => x[0] - y[0]).map(([t, a]) => {
      const d: Datapoint = { Timestamp: new Date(t), Unit: input.Unit ?? undefined };
      for (const s of input.Statistics ?? []) {
        if (s === 'SampleCount') d.SampleCount = a.count;
        else if (s === 'Sum') d.Sum = a.sum;
        else if (s === 'Minimum') d.Minimum = a.min;
        else if (s === 'Maximum') d.Maximum = a.max;
        else if (s === 'Average') d.Average = a.sum / a.count;
      }
      if (input.ExtendedStatistics?.length) {
        d.ExtendedStatistics = Object.fromEntries(input.ExtendedStatistics.map((s) => [s, statistic(s, a) ?? 0]));
      }
      if (!d.Unit) d.Unit = 'None';
      return d;
    });
    return { Label: input.MetricName, Datapoints: datapoints };
  }

  /** One MetricStat query as a series (bucket start → statistic). */
  private statSeries(ms: MetricStat, startMs: number, endMs: number, label: string): Series {
    const b = this.buckets(ms.Metric ?? {}, startMs, endMs, ms.Period! * 1000, ms.Unit);
    const points = new Map<number, number>();
    for (const [t, a] of b) {
      const v = statistic(ms.Stat!, a);
      if (v !== undefined && !Number.isNaN(v)) points.set(t, v);
    }
    return { points, label };
  }

  getMetricData(input: GetMetricDataInput): GetMetricDataOutput {
    const queries = input.MetricDataQueries ?? [];
    const start = input.StartTime!.getTime();
    const end = input.EndTime!.getTime();
    const values = evaluateQueries(queries, (q) => this.statSeries(q.MetricStat!, start, end, q.Label ?? q.MetricStat!.Metric?.MetricName ?? q.Id!));
    const desc = (input.ScanBy ?? 'TimestampDescending') === 'TimestampDescending';
    const max = input.MaxDatapoints ?? 100_800;
    const results: MetricDataResult[] = [];
    for (const q of queries) {
      if (q.ReturnData === false) continue;
      const v = values.get(q.Id!)!;
      const label = q.Label ?? (q.MetricStat ? q.MetricStat.Metric?.MetricName : q.Id) ?? q.Id!;
      let pts: [number, number][];
      if (v.k === 'series') pts = [...v.s.points];
      else if (v.k === 'scalar') {
        // A scalar is shown on every timestamp the request's other series have (or at the start when none).
        const ts = new Set<number>();
        for (const x of values.values()) if (x.k === 'series') for (const t of x.s.points.keys()) ts.add(t);
        if (ts.size === 0) ts.add(start);
        pts = [...ts].map((t) => [t, v.v]);
      } else {
        throw new ApiError('ValidationError', `Error in expression '${q.Id}': the expression returns an array of time series; reduce it with SUM, AVG, MIN or MAX.`);
      }
      pts = pts.filter(([t]) => t >= start && t < end).sort((a, b) => (desc ? b[0] - a[0] : a[0] - b[0])).slice(0, max);
      results.push({ Id: q.Id, Label: label, Timestamps: pts.map(([t]) => new Date(t)), Values: pts.map(([, x]) => x), StatusCode: 'Complete', Messages: [] });
    }
    return { MetricDataResults: results, Messages: [] };
  }

  listMetrics(input: ListMetricsInput, now: Date): ListMetricsOutput {
    const clauses: string[] = [];
    const args: unknown[] = [];
    if (input.Namespace) { clauses.push('namespace = ?'); args.push(input.Namespace); }
    if (input.MetricName) { clauses.push('name = ?'); args.push(input.MetricName); }
    if (input.RecentlyActive === 'PT3H') { clauses.push('last_ts >= ?'); args.push(now.getTime() - 3 * 3_600_000); }
    const offset = input.NextToken ? Number(Buffer.from(input.NextToken, 'base64url').toString()) : 0;
    if (!Number.isInteger(offset) || offset < 0) throw new ApiError('InvalidNextToken', 'The service cannot process the next token: it is invalid.');
    const rows = this.db.prepare(`SELECT namespace, name, dims FROM series ${clauses.length ? 'WHERE ' + clauses.join(' AND ') : ''} ORDER BY namespace, name, dims`).all(...args) as { namespace: string; name: string; dims: string }[];
    const filtered = rows.filter((r) => {
      const dims = JSON.parse(r.dims) as [string, string][];
      return (input.Dimensions ?? []).every((f) => dims.some(([n, v]) => n === f.Name && (f.Value === undefined || f.Value === v)));
    });
    const page = filtered.slice(offset, offset + 500);
    return {
      Metrics: page.map((r) => ({ Namespace: r.namespace, MetricName: r.name, Dimensions: (JSON.parse(r.dims) as [string, string][]).map(([Name, Value]) => ({ Name, Value })) })),
      NextToken: filtered.length > offset + 500 ? Buffer.from(String(offset + 500)).toString('base64url') : undefined,
    };
  }

  // ---- alarms ----------------------------------------------------------------------------------------

  private getAlarm(name: string): StoredAlarm | undefined {
    const r = this.st.alarm.get(name) as { json: string } | undefined;
    return r ? reviveAlarm(JSON.parse(r.json) as StoredAlarm) : undefined;
  }

  private saveAlarm(a: StoredAlarm): void {
    this.st.putAlarm.run(a.AlarmName, JSON.stringify(a));
  }

  /** Every alarm (Application Auto Scaling's controller reads states and actions from here). */
  listAlarms(): MetricAlarm[] {
    return this.allAlarms().map(({ Tags: _t, ...a }) => a);
  }

  private allAlarms(): StoredAlarm[] {
    return (this.db.prepare('SELECT json FROM alarms ORDER BY name').all() as { json: string }[]).map((r) => reviveAlarm(JSON.parse(r.json) as StoredAlarm));
  }

  private addHistory(name: string, at: Date, type: 'ConfigurationUpdate' | 'StateUpdate' | 'Action', summary: string, data: unknown): void {
    this.st.history.run(name, at.getTime(), type, summary, JSON.stringify(data));
  }

  putMetricAlarm(input: PutMetricAlarmInput, now: Date): void {
    const prior = this.getAlarm(input.AlarmName!);
    const alarm: StoredAlarm = strip({
      AlarmName: input.AlarmName,
      AlarmArn: `arn:aws:cloudwatch:${this.scope.region}:${this.scope.accountId}:alarm:${input.AlarmName}`,
      AlarmDescription: input.AlarmDescription,
      AlarmConfigurationUpdatedTimestamp: now,
      ActionsEnabled: input.ActionsEnabled ?? true,
      OKActions: input.OKActions ?? [],
      AlarmActions: input.AlarmActions ?? [],
      InsufficientDataActions: input.InsufficientDataActions ?? [],
      StateValue: prior?.StateValue ?? 'INSUFFICIENT_DATA',
      StateReason: prior?.StateReason ?? 'Unchecked: Initial alarm creation',
      StateReasonData: prior?.StateReasonData,
      StateUpdatedTimestamp: prior?.StateUpdatedTimestamp ?? now,
      StateTransitionedTimestamp: prior?.StateTransitionedTimestamp ?? now,
      MetricName: input.MetricName,
      Namespace: input.Namespace,
      Statistic: input.Statistic,
      ExtendedStatistic: input.ExtendedStatistic,
      Dimensions: input.Metrics ? undefined : (input.Dimensions ?? []),
      Period: input.Period,
      Unit: input.Unit,
      EvaluationPeriods: input.EvaluationPeriods,
      DatapointsToAlarm: input.DatapointsToAlarm,
      Threshold: input.Threshold,
      ComparisonOperator: input.ComparisonOperator,
      TreatMissingData: input.TreatMissingData ?? 'missing',
      EvaluateLowSampleCountPercentile: input.EvaluateLowSampleCountPercentile,
      Metrics: input.Metrics,
      ThresholdMetricId: input.ThresholdMetricId,
      Tags: input.Tags ?? prior?.Tags,
    });
    this.saveAlarm(alarm);
    const { Tags: _t, ...shown } = alarm;
    this.addHistory(alarm.AlarmName!, now, 'ConfigurationUpdate', `Alarm "${alarm.AlarmName}" ${prior ? 'updated' : 'created'}`, {
      version: '1.0', type: prior ? 'Update' : 'Create', [prior ? 'updatedAlarm' : 'createdAlarm']: shown,
    });
  }

  describeAlarms(input: DescribeAlarmsInput): DescribeAlarmsOutput {
    const types = input.AlarmTypes ?? ['MetricAlarm'];
    if (!types.includes('MetricAlarm')) return { MetricAlarms: [], CompositeAlarms: [] };
    let alarms = this.allAlarms();
    if (input.AlarmNames?.length) alarms = alarms.filter((a) => input.AlarmNames!.includes(a.AlarmName!));
    if (input.AlarmNamePrefix) alarms = alarms.filter((a) => a.AlarmName!.startsWith(input.AlarmNamePrefix!));
    if (input.StateValue) alarms = alarms.filter((a) => a.StateValue === input.StateValue);
    if (input.ActionPrefix) alarms = alarms.filter((a) => [...(a.AlarmActions ?? []), ...(a.OKActions ?? []), ...(a.InsufficientDataActions ?? [])].some((x) => x.startsWith(input.ActionPrefix!)));
    const max = input.MaxRecords ?? 50;
    const offset = input.NextToken ? decodeOffset(input.NextToken) : 0;
    const page = alarms.slice(offset, offset + max).map(({ Tags: _t, ...a }) => a);
    return { MetricAlarms: page, CompositeAlarms: [], NextToken: alarms.length > offset + max ? encodeOffset(offset + max) : undefined };
  }

  describeAlarmsForMetric(input: DescribeAlarmsForMetricInput): DescribeAlarmsForMetricOutput {
    const dims = canonicalDims(input.Dimensions);
    return {
      MetricAlarms: this.allAlarms().filter((a) => a.MetricName === input.MetricName && a.Namespace === input.Namespace
        && (input.Dimensions === undefined || canonicalDims(a.Dimensions) === dims)
        && (input.Statistic === undefined || a.Statistic === input.Statistic) && (input.Period === undefined || a.Period === input.Period))
        .map(({ Tags: _t, ...a }) => a),
    };
  }

  describeAlarmHistory(input: DescribeAlarmHistoryInput): DescribeAlarmHistoryOutput {
    const clauses: string[] = [];
    const args: unknown[] = [];
    if (input.AlarmName) { clauses.push('name = ?'); args.push(input.AlarmName); }
    if (input.HistoryItemType) { clauses.push('type = ?'); args.push(input.HistoryItemType); }
    if (input.StartDate) { clauses.push('ts >= ?'); args.push(input.StartDate.getTime()); }
    if (input.EndDate) { clauses.push('ts <= ?'); args.push(input.EndDate.getTime()); }
    const order = input.ScanBy === 'TimestampAscending' ? 'ASC' : 'DESC';
    const max = input.MaxRecords ?? 100;
    const offset = input.NextToken ? decodeOffset(input.NextToken) : 0;
    const rows = this.db.prepare(`SELECT * FROM alarm_history ${clauses.length ? 'WHERE ' + clauses.join(' AND ') : ''} ORDER BY ts ${order}, id ${order} LIMIT ? OFFSET ?`)
      .all(...args, max + 1, offset) as { name: string; ts: number; type: string; summary: string; data: string }[];
    return {
      AlarmHistoryItems: rows.slice(0, max).map((r): AlarmHistoryItem => ({
        AlarmName: r.name, AlarmType: 'MetricAlarm', Timestamp: new Date(r.ts), HistoryItemType: r.type as 'StateUpdate', HistorySummary: r.summary, HistoryData: r.data,
      })),
      NextToken: rows.length > max ? encodeOffset(offset + max) : undefined,
    };
  }

  deleteAlarms(names: string[]): void {
    this.db.transaction(() => {
      for (const n of names) if (!this.getAlarm(n)) throw new ApiError('ResourceNotFound', `${n} not found`);
      for (const n of names) this.db.prepare('DELETE FROM alarms WHERE name = ?').run(n);
    })();
  }

  setAlarmState(input: SetAlarmStateInput, now: Date): void {
    const a = this.getAlarm(input.AlarmName!);
    if (!a) throw new ApiError('ResourceNotFound', `Alarm ${input.AlarmName} not found`);
    this.transition(a, input.StateValue as AlarmState, input.StateReason!, input.StateReasonData, now);
  }

  setActionsEnabled(names: string[], enabled: boolean): void {
    for (const n of names) {
      const a = this.getAlarm(n);
      if (a) this.saveAlarm({ ...a, ActionsEnabled: enabled });
    }
  }

  private transition(a: StoredAlarm, to: AlarmState, reason: string, reasonData: string | undefined, now: Date): void {
    const from = (a.StateValue ?? 'INSUFFICIENT_DATA') as AlarmState;
    const next: StoredAlarm = { ...a, StateValue: to, StateReason: reason, StateReasonData: reasonData, StateUpdatedTimestamp: now };
    if (from !== to) next.StateTransitionedTimestamp = now;
    // The state and its history row commit together: the events feed (stateChangesSince) reads the rows.
    this.db.transaction(() => {
      this.saveAlarm(next);
      if (from === to) return;
      this.addHistory(a.AlarmName!, now, 'StateUpdate', `Alarm updated from ${from} to ${to}`, {
        version: '1.0', oldState: { stateValue: from, stateReason: a.StateReason }, newState: { stateValue: to, stateReason: reason, ...(reasonData ? { stateReasonData: JSON.parse(reasonData) as unknown } : {}) },
      });
    })();
    if (from === to) return;
    for (const l of this.onAlarmTransition) {
      try { l(next, from, to); } catch { /* a listener's failure is its own */ }
    }
  }

  /**
   * Evaluates every alarm at `now`: the last EvaluationPeriods complete periods (the period still in
   * progress is not judged, as CloudWatch does not either), then the pure rule in alarm-eval.ts.
   */
  evaluateAlarms(now: Date): number {
    let changed = 0;
    for (const a of this.allAlarms()) {
      // The period of a metric math alarm is its metrics' (an expression has none of its own), as PutMetricAlarm reads it.
      const period = (a.Period ?? a.Metrics?.find((m) => m.MetricStat)?.MetricStat?.Period ?? a.Metrics?.[0]?.Period ?? 60) * 1000;
      const n = a.EvaluationPeriods ?? 1;
      const end = Math.floor(now.getTime() / period) * period;
      const start = end - n * period;
      let series: Map<number, number>;
      try {
        if (a.Metrics?.length) {
          const out = this.getMetricData({ MetricDataQueries: a.Metrics, StartTime: new Date(start), EndTime: new Date(end), ScanBy: 'TimestampAscending' });
          const r = out.MetricDataResults?.find((x) => x.Id !== a.ThresholdMetricId) ?? out.MetricDataResults?.[0];
          series = new Map((r?.Timestamps ?? []).map((t, i) => [t.getTime(), r!.Values![i]]));
        } else {
          series = this.statSeries({ Metric: { Namespace: a.Namespace, MetricName: a.MetricName, Dimensions: a.Dimensions }, Period: a.Period, Stat: a.Statistic ?? a.ExtendedStatistic, Unit: a.Unit }, start, end, '').points;
        }
      } catch {
        series = new Map();
      }
      const datapoints: (number | undefined)[] = [];
      for (let t = start; t < end; t += period) datapoints.push(series.get(t));
      const v = evaluateAlarm({
        comparison: a.ComparisonOperator as 'GreaterThanThreshold', threshold: a.Threshold ?? 0, evaluationPeriods: n,
        datapointsToAlarm: a.DatapointsToAlarm, treatMissingData: a.TreatMissingData as 'missing',
      }, datapoints, a.StateValue as AlarmState);
      if (v.state !== a.StateValue) {
        const data = JSON.stringify({
          version: '1.0', queryDate: now.toISOString(), startDate: new Date(start).toISOString(), statistic: a.Statistic, period: period / 1000,
          recentDatapoints: v.recent, threshold: a.Threshold, evaluatedDatapoints: datapoints.map((x, i) => ({ timestamp: new Date(start + i * period).toISOString(), ...(x === undefined ? {} : { value: x }) })).reverse(),
        });
        this.transition(a, v.state, v.reason, data, now);
        changed++;
      }
    }
    return changed;
  }

  /**
   * The state changes recorded after history row `afterId`, oldest first (at most `limit`), for the
   * "CloudWatch Alarm State Change" events (controllers/events/ecs-feed.ts): the alarm as it is now,
   * the new state from the row, the previous one from the alarm's row before it.
   */
  stateChangesSince(afterId: number, limit: number): AlarmStateChange[] {
    type Row = { id: number; name: string; ts: number; data: string };
    type StateData = { oldState: { stateValue: string; stateReason?: string }; newState: { stateValue: string; stateReason: string; stateReasonData?: unknown } };
    const rows = this.db.prepare("SELECT id, name, ts, data FROM alarm_history WHERE id > ? AND type = 'StateUpdate' ORDER BY id LIMIT ?").all(afterId, limit) as Row[];
    const prevOf = this.db.prepare("SELECT ts, data FROM alarm_history WHERE name = ? AND type = 'StateUpdate' AND id < ? ORDER BY id DESC LIMIT 1");
    return rows.map((r) => {
      const d = JSON.parse(r.data) as StateData;
      const prev = prevOf.get(r.name, r.id) as { ts: number; data: string } | undefined;
      const prevData = prev ? (JSON.parse(prev.data) as StateData).newState.stateReasonData : undefined;
      return {
        id: r.id, at: r.ts, alarm: this.getAlarm(r.name) ?? { AlarmName: r.name },
        from: { value: d.oldState.stateValue, reason: d.oldState.stateReason, ...(prevData !== undefined ? { reasonData: JSON.stringify(prevData) } : {}), ...(prev ? { at: prev.ts } : {}) },
        to: { value: d.newState.stateValue, reason: d.newState.stateReason, ...(d.newState.stateReasonData !== undefined ? { reasonData: JSON.stringify(d.newState.stateReasonData) } : {}) },
      };
    });
  }

  alarmCounts(): Record<AlarmState, number> {
    const out: Record<AlarmState, number> = { OK: 0, ALARM: 0, INSUFFICIENT_DATA: 0 };
    for (const a of this.allAlarms()) out[(a.StateValue ?? 'INSUFFICIENT_DATA') as AlarmState]++;
    return out;
  }
}

/** Evaluates every query of a GetMetricData request in dependency order. Throws ApiError ValidationError. */
export function evaluateQueries(queries: MetricDataQuery[], fetch: (q: MetricDataQuery) => Series): Map<string, MathValue> {
  const byId = new Map(queries.map((q) => [q.Id!, q]));
  const values = new Map<string, MathValue>();
  const parsed = new Map<string, ReturnType<typeof parseExpression>>();
  for (const q of queries) {
    if (q.Expression !== undefined) {
      try {
        parsed.set(q.Id!, parseExpression(q.Expression));
      } catch (e) {
        throw new ApiError('ValidationError', `Error in expression '${q.Id}': ${(e as Error).message}`);
      }
    }
  }
  const metrics = () => queries.filter((q) => q.MetricStat).map((q) => ({ id: q.Id!, series: (values.get(q.Id!) as Extract<MathValue, { k: 'series' }>).s }));
  for (const q of queries) if (q.MetricStat) values.set(q.Id!, { k: 'series', s: fetch(q) });
  const visiting = new Set<string>();
  const visit = (id: string): MathValue => {
    const have = values.get(id);
    if (have) return have;
    const q = byId.get(id);
    if (!q) throw new ApiError('ValidationError', `Error in expression: Unrecognized id '${id}'`);
    if (visiting.has(id)) throw new ApiError('ValidationError', `Error in expression '${id}': circular reference`);
    visiting.add(id);
    const node = parsed.get(id)!;
    for (const r of references(node)) if (r !== id) visit(r);
    let v: MathValue;
    try {
      v = evaluate(node, { lookup: (x) => values.get(x), metrics });
    } catch (e) {
      if (e instanceof MathError) throw new ApiError('ValidationError', `Error in expression '${id}': ${e.message}`);
      throw e;
    }
    visiting.delete(id);
    values.set(id, v);
    return v;
  };
  for (const q of queries) visit(q.Id!);
  return values;
}

function statistic(stat: string, a: Agg): number | undefined {
  switch (stat) {
    case 'SampleCount': return a.count;
    case 'Sum': return a.sum;
    case 'Minimum': return a.min;
    case 'Maximum': return a.max;
    case 'Average': return a.count ? a.sum / a.count : undefined;
  }
  const m = /^p(\d+(\.\d+)?)$/.exec(stat);
  if (m) {
    const q = Number(m[1]) / 100;
    const sorted = [...a.means].sort((x, y) => x[0] - y[0]);
    const total = sorted.reduce((s, [, c]) => s + c, 0);
    let acc = 0;
    for (const [v, c] of sorted) {
      acc += c;
      if (acc >= q * total) return v;
    }
    return sorted[sorted.length - 1]?.[0];
  }
  return undefined;
}

function reviveAlarm(a: StoredAlarm): StoredAlarm {
  for (const k of ['AlarmConfigurationUpdatedTimestamp', 'StateUpdatedTimestamp', 'StateTransitionedTimestamp'] as const) {
    if (a[k] !== undefined) a[k] = new Date(a[k] as unknown as string);
  }
  return a;
}

const encodeOffset = (n: number) => Buffer.from(String(n)).toString('base64url');
function decodeOffset(t: string): number {
  const n = Number(Buffer.from(t, 'base64url').toString());
  if (!Number.isInteger(n) || n < 0) throw new ApiError('InvalidNextToken', 'The service cannot process the next token: it is invalid.');
  return n;
}

function strip<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}
