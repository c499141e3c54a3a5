import type { PutMetricAlarmInput } from '@aws-sdk/client-cloudwatch';
import { ApiError } from '../../model/errors.js';
import type { Handler } from '../types.js';
import { checkDimensions, isStat } from './common.js';

const COMPARISONS = ['GreaterThanOrEqualToThreshold', 'GreaterThanThreshold', 'LessThanThreshold', 'LessThanOrEqualToThreshold'];

/**
 * An alarm on a metric that has no data yet is accepted, as AWS does: it stays INSUFFICIENT_DATA until
 * datapoints arrive (or follows treatMissingData). Alarm actions are stored and reported; an action that
 * names an Application Auto Scaling policy ARN is run by the autoscaling controller (docs/autoscaling.md),
 * which reads alarm states and actions; other actions (SNS, EC2) are not run: Wharf has no SNS.
 */
export const putMetricAlarm: Handler<PutMetricAlarmInput, object> = async (input, ctx) => {
  const single = input.MetricName !== undefined || input.Namespace !== undefined;
  if (input.Metrics && single) throw new ApiError('ValidationError', 'Metrics list cannot be combined with MetricName, Namespace, Statistic, Dimensions or Period.');
  if (!input.Metrics && !single) throw new ApiError('ValidationError', 'Either MetricName and Namespace, or Metrics, must be specified.');
  if (!COMPARISONS.includes(input.ComparisonOperator!)) {
    throw new ApiError('ValidationError', `Comparison operator ${input.ComparisonOperator} needs an anomaly detection band (ThresholdMetricId), which Wharf does not support.`);
  }
  if (input.Threshold === undefined) throw new ApiError('ValidationError', 'Threshold must be specified.');
  if (single) {
    if (!input.MetricName || !input.Namespace) throw new ApiError('ValidationError', 'MetricName and Namespace must both be specified.');
    if ((input.Statistic === undefined) === (input.ExtendedStatistic === undefined)) throw new ApiError('ValidationError', 'Exactly one of Statistic and ExtendedStatistic must be specified.');
    if (input.ExtendedStatistic !== undefined && !isStat(input.ExtendedStatistic)) throw new ApiError('ValidationError', `ExtendedStatistic ${input.ExtendedStatistic} is not a valid percentile.`);
    if (input.Period === undefined) throw new ApiError('ValidationError', 'Period must be specified.');
    checkDimensions(input.Dimensions, 'Dimensions');
  } else {
    const returning = input.Metrics!.filter((m) => m.ReturnData !== false);
    if (returning.length !== 1) throw new ApiError('ValidationError', 'Exactly one element of the Metrics list must return data.');
  }
  const period = input.Period ?? input.Metrics?.find((m) => m.MetricStat)?.MetricStat?.Period ?? input.Metrics?.[0]?.Period ?? 60;
  if (![10, 30].includes(period) && period % 60 !== 0) throw new ApiError('ValidationError', 'Period must be 10, 30 or a multiple of 60.');
  if (period * input.EvaluationPeriods! > 7 * 86_400) throw new ApiError('ValidationError', 'The product of EvaluationPeriods and Period must not exceed 604800 seconds (7 days).');
  if (input.DatapointsToAlarm !== undefined && input.DatapointsToAlarm > input.EvaluationPeriods!) {
    throw new ApiError('ValidationError', 'DatapointsToAlarm must be less than or equal to EvaluationPeriods.');
  }
  if (input.TreatMissingData !== undefined && !['breaching', 'notBreaching', 'ignore', 'missing'].includes(input.TreatMissingData)) {
    throw new ApiError('ValidationError', `TreatMissingData must be one of breaching, notBreaching, ignore, missing; got ${input.TreatMissingData}.`);
  }
  ctx.metrics.putMetricAlarm(input, ctx.now);
  return {};
};
