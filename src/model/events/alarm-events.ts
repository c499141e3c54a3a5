/**
 * "CloudWatch Alarm State Change" (pure), as CloudWatch sends it to EventBridge ("Alarm events and
 * EventBridge"): source aws.cloudwatch, resources [the alarm ARN], and `detail` with the alarm's name,
 * its configuration (description, metrics as metric-math style queries) and the previous and new
 * state (value, reason, reasonData, timestamp as 2019-10-02T17:04:40.985+0000).
 */
import type { MetricAlarm } from '@aws-sdk/client-cloudwatch';
import type { BusEvent } from './records.js';
import { eventTime } from './route.js';

export interface AlarmStateChange {
  /** The alarm history row (ordering and the feed's cursor). */
  id: number;
  /** When the state changed (epoch ms). */
  at: number;
  alarm: MetricAlarm;
  from: { value: string; reason?: string; reasonData?: string; at?: number };
  to: { value: string; reason: string; reasonData?: string };
}

/** CloudWatch's own timestamp form in these events: milliseconds and +0000. */
const cwTime = (ms: number) => new Date(ms).toISOString().replace('Z', '+0000');

function metricsOf(a: MetricAlarm): unknown[] {
  if (a.Metrics?.length) {
    return a.Metrics.map((m) => ({
      id: m.Id,
      ...(m.Expression ? { expression: m.Expression } : {}),
      ...(m.Label ? { label: m.Label } : {}),
      ...(m.MetricStat ? { metricStat: { metric: { namespace: m.MetricStat.Metric?.Namespace, name: m.MetricStat.Metric?.MetricName, dimensions: Object.fromEntries((m.MetricStat.Metric?.Dimensions ?? []).map((d) => [d.Name, d.Value])) }, period: m.MetricStat.Period, stat: m.MetricStat.Stat } } : {}),
      returnData: m.ReturnData ?? true,
    }));
  }
  return [{
    id: 'm1',
    metricStat: {
      metric: { namespace: a.Namespace, name: a.MetricName, dimensions: Object.fromEntries((a.Dimensions ?? []).map((d) => [d.Name, d.Value])) },
      period: a.Period, stat: a.Statistic ?? a.ExtendedStatistic,
    },
    returnData: true,
  }];
}

export function alarmStateChangeEvent(c: AlarmStateChange, scope: { region: string; accountId: string }, id: string): BusEvent {
  const a = c.alarm;
  return {
    version: '0', id, 'detail-type': 'CloudWatch Alarm State Change', source: 'aws.cloudwatch', account: scope.accountId, time: eventTime(c.at),
    region: scope.region, resources: [a.AlarmArn ?? `arn:aws:cloudwatch:${scope.region}:${scope.accountId}:alarm:${a.AlarmName}`],
    detail: {
      alarmName: a.AlarmName,
      state: { value: c.to.value, reason: c.to.reason, ...(c.to.reasonData ? { reasonData: c.to.reasonData } : {}), timestamp: cwTime(c.at) },
      previousState: {
        value: c.from.value, ...(c.from.reason ? { reason: c.from.reason } : {}), ...(c.from.reasonData ? { reasonData: c.from.reasonData } : {}),
        ...(c.from.at !== undefined ? { timestamp: cwTime(c.from.at) } : {}),
      },
      configuration: { ...(a.AlarmDescription ? { description: a.AlarmDescription } : {}), metrics: metricsOf(a) },
    },
  };
}
