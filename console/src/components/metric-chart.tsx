/** A CloudWatch line chart: GetMetricData over a time range, one line per query. */
import LineChart from '@cloudscape-design/components/line-chart';
import Box from '@cloudscape-design/components/box';
import { CloudWatchClient, GetMetricDataCommand, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { client } from '../aws';
import { usePoll } from '../poll';
import { ApiErrorAlert } from './common';
import { periodFor, type TimeRange } from '../time-range';

export interface Line {
  readonly label: string;
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Record<string, string>;
  readonly stat?: string;
}

export async function fetchLines(lines: readonly Line[], range: TimeRange) {
  const period = periodFor(range);
  const queries: MetricDataQuery[] = lines.map((l, i) => ({
    Id: `m${i}`, Label: l.label,
    MetricStat: { Metric: { Namespace: l.namespace, MetricName: l.metricName, Dimensions: Object.entries(l.dimensions).map(([Name, Value]) => ({ Name, Value })) }, Period: period, Stat: l.stat ?? 'Average' },
  }));
  const r = await client(CloudWatchClient).send(new GetMetricDataCommand({ MetricDataQueries: queries, StartTime: range.start, EndTime: range.end, ScanBy: 'TimestampAscending' }));
  return lines.map((l, i) => {
    const res = r.MetricDataResults?.find((x) => x.Id === `m${i}`);
    const points = (res?.Timestamps ?? []).map((t, j) => ({ x: new Date(t), y: res?.Values?.[j] ?? 0 })).sort((a, b) => a.x.getTime() - b.x.getTime());
    return { title: l.label, type: 'line' as const, data: points };
  });
}

export function MetricChart({ lines, range, height = 220, yTitle, ariaLabel, pollKey, relativeMs }: {
  lines: readonly Line[]; range?: TimeRange; height?: number; yTitle?: string; ariaLabel: string; pollKey: string;
  /** Follow "now" over this window (the range is recomputed on every poll). */
  relativeMs?: number;
}) {
  const q = usePoll(`metric/${pollKey}`, () => fetchLines(lines, relativeMs ? { start: new Date(Date.now() - relativeMs), end: new Date() } : range!), { intervalMs: 15_000 });
  if (q.error) return <ApiErrorAlert error={q.error} />;
  const series = q.data ?? [];
  const all = series.flatMap((s) => s.data);
  const now = Date.now();
  const start = relativeMs ? new Date(now - relativeMs) : range!.start;
  const end = relativeMs ? new Date(now) : range!.end;
  const max = Math.max(1, ...all.map((p) => p.y));
  return (
    <LineChart
      series={series}
      xDomain={[start, end]}
      yDomain={[0, yTitle === 'Percent' ? Math.max(100, Math.ceil(max)) : Math.ceil(max * 1.1)]}
      xScaleType="time"
      xTitle="Time"
      yTitle={yTitle}
      height={height}
      statusType={q.loading && !q.data ? 'loading' : 'finished'}
      loadingText="Loading metrics"
      ariaLabel={ariaLabel}
      hideFilter
      i18nStrings={{ xTickFormatter: (d) => d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }) }}
      empty={<Box textAlign="center" color="inherit"><b>No data points</b><Box variant="p" color="inherit">Nothing was recorded in this time range yet.</Box></Box>}
      noMatch={<Box textAlign="center">No matching data</Box>}
    />
  );
}
