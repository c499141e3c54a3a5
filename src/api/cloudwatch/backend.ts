/**
 * The port between the CloudWatch handlers and metric/alarm storage (src/telemetry/metrics-store.ts
 * implements it). Handlers check AWS's request rules; the backend stores, queries, evaluates metric math
 * and keeps alarms. Inputs and outputs are the SDK's shapes (timestamps as Date).
 */
import type {
  DescribeAlarmHistoryInput, DescribeAlarmHistoryOutput, DescribeAlarmsInput, DescribeAlarmsOutput, DescribeAlarmsForMetricInput, DescribeAlarmsForMetricOutput,
  GetMetricDataInput, GetMetricDataOutput, GetMetricStatisticsInput, GetMetricStatisticsOutput, ListMetricsInput, ListMetricsOutput,
  MetricDatum, PutMetricAlarmInput, SetAlarmStateInput,
} from '@aws-sdk/client-cloudwatch';

export interface CloudWatchBackend {
  putMetricData(namespace: string, data: MetricDatum[], now: Date): void;
  getMetricStatistics(input: GetMetricStatisticsInput): GetMetricStatisticsOutput;
  getMetricData(input: GetMetricDataInput): GetMetricDataOutput;
  listMetrics(input: ListMetricsInput, now: Date): ListMetricsOutput;
  putMetricAlarm(input: PutMetricAlarmInput, now: Date): void;
  describeAlarms(input: DescribeAlarmsInput): DescribeAlarmsOutput;
  describeAlarmsForMetric(input: DescribeAlarmsForMetricInput): DescribeAlarmsForMetricOutput;
  describeAlarmHistory(input: DescribeAlarmHistoryInput): DescribeAlarmHistoryOutput;
  /** All or nothing: an unknown name fails the call (ResourceNotFound) and deletes none. */
  deleteAlarms(names: string[]): void;
  setAlarmState(input: SetAlarmStateInput, now: Date): void;
  setActionsEnabled(names: string[], enabled: boolean): void;
}
