import type { GetMetricDataInput, GetMetricDataOutput } from '@aws-sdk/client-cloudwatch';
import { ApiError } from '../../model/errors.js';
import type { Handler } from '../types.js';
import { checkPeriod, isStat } from './common.js';

/** GetMetricData takes up to 500 queries; ids start with a lower-case letter. Metric math: src/telemetry/metric-math.ts. */
export const getMetricData: Handler<GetMetricDataInput, GetMetricDataOutput> = async (input, ctx) => {
  const qs = input.MetricDataQueries ?? [];
  if (qs.length > 500) throw new ApiError('InvalidParameterValue', 'The collection MetricDataQueries must not have a size greater than 500.');
  if (input.EndTime!.getTime() <= input.StartTime!.getTime()) throw new ApiError('InvalidParameterValue', 'The parameter StartTime must be less than the parameter EndTime.');
  const ids = new Set<string>();
  qs.forEach((q, i) => {
    const at = `MetricDataQueries.member.${i + 1}`;
    if (!/^[a-z][a-zA-Z0-9_]*$/.test(q.Id!)) throw new ApiError('ValidationError', `The value ${q.Id} for parameter ${at}.Id is invalid: it must start with a lower-case letter and contain only letters, numbers and underscores.`);
    if (ids.has(q.Id!)) throw new ApiError('ValidationError', `The values for parameter Id in MetricDataQueries are not unique (${q.Id}).`);
    ids.add(q.Id!);
    if ((q.MetricStat === undefined) === (q.Expression === undefined)) {
      throw new ApiError('ValidationError', `Exactly one of ${at}.MetricStat and ${at}.Expression must be specified.`);
    }
    if (q.MetricStat) {
      checkPeriod(q.MetricStat.Period!, `${at}.MetricStat.Period`);
      if (!isStat(q.MetricStat.Stat!)) throw new ApiError('ValidationError', `The value ${q.MetricStat.Stat} for parameter ${at}.MetricStat.Stat is not a supported statistic.`);
    }
  });
  if (!qs.some((q) => q.ReturnData !== false)) throw new ApiError('ValidationError', 'At least one MetricDataQuery must have ReturnData set to true (the default).');
  return ctx.metrics.getMetricData(input);
};
