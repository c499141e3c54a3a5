/**
 * The CloudWatch alarms a target tracking policy owns, as AWS creates them (pure).
 *
 *   TargetTracking-<resourceId>-AlarmHigh-<uuid>   metric > target          for `high` of `high` periods → scale out
 *   TargetTracking-<resourceId>-AlarmLow-<uuid>    metric < 0.9 × target    for `low` of `low` periods   → scale in
 *                                                  (not made when DisableScaleIn is true)
 *
 * AWS's own alarms for ECS services use a 60 s period, 3 datapoints for AlarmHigh and 15 for AlarmLow,
 * the Average statistic for the ECS utilization metrics and Sum for ALBRequestCountPerTarget, and the
 * description "DO NOT EDIT OR DELETE. For TargetTrackingScaling policy <arn>." The period and the two
 * counts are a server setting (WHARF_TARGET_TRACKING_ALARMS) so tests can run in seconds.
 *
 * Why 0.9 × target for scale-in: a band below the target keeps a service that sits right at its target
 * from flapping between N and N+1 tasks (AWS's alarms: 70 → 63, 80 → 72).
 */
import type { TargetTrackingScalingPolicyConfiguration } from '@aws-sdk/client-application-auto-scaling';

export interface TrackingAlarmTiming {
  /** Seconds per datapoint (AWS: 60). */
  periodSeconds: number;
  /** Datapoints above the target before scale-out (AWS: 3). */
  highPoints: number;
  /** Datapoints below 0.9 × target before scale-in (AWS: 15). */
  lowPoints: number;
}

export const AWS_TRACKING_TIMING: TrackingAlarmTiming = { periodSeconds: 60, highPoints: 3, lowPoints: 15 };

/** The subset of PutMetricAlarm's input the alarms need (CloudWatch's own shape). */
export interface TrackingAlarm {
  AlarmName: string;
  AlarmDescription: string;
  ActionsEnabled: true;
  AlarmActions: string[];
  ComparisonOperator: 'GreaterThanThreshold' | 'LessThanThreshold';
  Threshold: number;
  EvaluationPeriods: number;
  DatapointsToAlarm: number;
  TreatMissingData: 'missing';
  Namespace?: string;
  MetricName?: string;
  Dimensions?: { Name: string; Value: string }[];
  Statistic?: string;
  Period?: number;
  Unit?: string;
  Metrics?: {
    Id: string; Expression?: string; Label?: string; ReturnData?: boolean;
    MetricStat?: { Metric: { Namespace?: string; MetricName?: string; Dimensions?: { Name: string; Value: string }[] }; Stat: string; Unit?: string; Period: number };
  }[];
}

export class TrackingConfigError extends Error {}

/** The metric the policy tracks, as alarm fields. Throws TrackingConfigError with AWS-style wording. */
function metricOf(c: TargetTrackingScalingPolicyConfiguration, target: { cluster: string; service: string }, period: number): Partial<TrackingAlarm> {
  const p = c.PredefinedMetricSpecification;
  const m = c.CustomizedMetricSpecification;
  if (p && m) throw new TrackingConfigError('Exactly one of PredefinedMetricSpecification and CustomizedMetricSpecification must be specified.');
  if (!p && !m) throw new TrackingConfigError('Either PredefinedMetricSpecification or CustomizedMetricSpecification must be specified.');
  const dims = [{ Name: 'ClusterName', Value: target.cluster }, { Name: 'ServiceName', Value: target.service }];
  if (p) {
    switch (p.PredefinedMetricType) {
      case 'ECSServiceAverageCPUUtilization':
        if (p.ResourceLabel) throw new TrackingConfigError('ResourceLabel can only be specified with the ALBRequestCountPerTarget metric type.');
        return { Namespace: 'AWS/ECS', MetricName: 'CPUUtilization', Dimensions: dims, Statistic: 'Average', Period: period, Unit: 'Percent' };
      case 'ECSServiceAverageMemoryUtilization':
        if (p.ResourceLabel) throw new TrackingConfigError('ResourceLabel can only be specified with the ALBRequestCountPerTarget metric type.');
        return { Namespace: 'AWS/ECS', MetricName: 'MemoryUtilization', Dimensions: dims, Statistic: 'Average', Period: period, Unit: 'Percent' };
      case 'ALBRequestCountPerTarget': {
        const label = /^app\/[^/]+\/[^/]+\/targetgroup\/[^/]+\/[^/]+$/.exec(p.ResourceLabel ?? '');
        if (!label) throw new TrackingConfigError('ResourceLabel is required for the ALBRequestCountPerTarget metric type, in the form app/<load-balancer-name>/<load-balancer-id>/targetgroup/<target-group-name>/<target-group-id>.');
        const tg = p.ResourceLabel!.slice(p.ResourceLabel!.indexOf('/targetgroup/') + 1);
        return { Namespace: 'AWS/ApplicationELB', MetricName: 'RequestCountPerTarget', Dimensions: [{ Name: 'TargetGroup', Value: tg }], Statistic: 'Sum', Period: period };
      }
      default:
        throw new TrackingConfigError(`Unsupported predefined metric type ${p.PredefinedMetricType} for service namespace ecs: use ECSServiceAverageCPUUtilization, ECSServiceAverageMemoryUtilization or ALBRequestCountPerTarget.`);
    }
  }
  if (m!.Metrics?.length) {
    if (m!.MetricName || m!.Namespace || m!.Dimensions?.length || m!.Statistic || m!.Unit) {
      throw new TrackingConfigError('Metrics cannot be specified together with MetricName, Namespace, Dimensions, Statistic or Unit in CustomizedMetricSpecification.');
    }
    const returning = m!.Metrics.filter((q) => q.ReturnData !== false);
    if (returning.length !== 1) throw new TrackingConfigError('Exactly one of the metrics in CustomizedMetricSpecification.Metrics must return data (ReturnData true).');
    return {
      Metrics: m!.Metrics.map((q) => {
        if ((q.MetricStat === undefined) === (q.Expression === undefined)) throw new TrackingConfigError(`Exactly one of MetricStat and Expression must be specified for the metric ${q.Id}.`);
        return {
          Id: q.Id!,
          ...(q.Expression !== undefined ? { Expression: q.Expression } : {}),
          ...(q.Label !== undefined ? { Label: q.Label } : {}),
          ReturnData: q.ReturnData !== false,
          ...(q.MetricStat ? {
            MetricStat: {
              Metric: { Namespace: q.MetricStat.Metric?.Namespace, MetricName: q.MetricStat.Metric?.MetricName, Dimensions: (q.MetricStat.Metric?.Dimensions ?? []).map((d) => ({ Name: d.Name!, Value: d.Value! })) },
              Stat: q.MetricStat.Stat!, ...(q.MetricStat.Unit ? { Unit: q.MetricStat.Unit } : {}), Period: period,
            },
          } : {}),
        };
      }),
    };
  }
  if (!m!.MetricName || !m!.Namespace || !m!.Statistic) throw new TrackingConfigError('CustomizedMetricSpecification needs MetricName, Namespace and Statistic (or Metrics).');
  return {
    Namespace: m!.Namespace, MetricName: m!.MetricName, Dimensions: (m!.Dimensions ?? []).map((d) => ({ Name: d.Name!, Value: d.Value! })),
    Statistic: m!.Statistic, Period: period, ...(m!.Unit ? { Unit: m!.Unit } : {}),
  };
}

/** Checks a target tracking configuration (TrackingConfigError) and returns its alarms. */
export function trackingAlarms(o: {
  config: TargetTrackingScalingPolicyConfiguration; policyArn: string; resourceId: string; target: { cluster: string; service: string };
  timing: TrackingAlarmTiming; ids: { high: string; low: string };
}): TrackingAlarm[] {
  const c = o.config;
  if (c.TargetValue === undefined || !Number.isFinite(c.TargetValue) || c.TargetValue <= 0) throw new TrackingConfigError('TargetValue must be greater than 0.');
  for (const k of ['ScaleOutCooldown', 'ScaleInCooldown'] as const) if (c[k] !== undefined && c[k]! < 0) throw new TrackingConfigError(`${k} must not be negative.`);
  const metric = metricOf(c, o.target, o.timing.periodSeconds);
  const base = {
    AlarmDescription: `DO NOT EDIT OR DELETE. For TargetTrackingScaling policy ${o.policyArn}.`,
    ActionsEnabled: true as const, AlarmActions: [o.policyArn], TreatMissingData: 'missing' as const, ...metric,
  };
  const high: TrackingAlarm = {
    ...base, AlarmName: `TargetTracking-${o.resourceId}-AlarmHigh-${o.ids.high}`, ComparisonOperator: 'GreaterThanThreshold',
    Threshold: c.TargetValue, EvaluationPeriods: o.timing.highPoints, DatapointsToAlarm: o.timing.highPoints,
  };
  if (c.DisableScaleIn) return [high];
  const low: TrackingAlarm = {
    ...base, AlarmName: `TargetTracking-${o.resourceId}-AlarmLow-${o.ids.low}`, ComparisonOperator: 'LessThanThreshold',
    Threshold: Math.round(c.TargetValue * 0.9 * 1e6) / 1e6, EvaluationPeriods: o.timing.lowPoints, DatapointsToAlarm: o.timing.lowPoints,
  };
  return [high, low];
}

/** ECS's default cooldowns for target tracking (API_TargetTrackingScalingPolicyConfiguration): 300 s each. */
export const ECS_DEFAULT_COOLDOWN_S = 300;
