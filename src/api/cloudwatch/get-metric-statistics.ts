import type { GetMetricStatisticsInput, GetMetricStatisticsOutput } from '@aws-sdk/client-cloudwatch';
import { ApiError } from '../../model/errors.js';
import type { Handler } from '../types.js';
import { checkDimensions, checkPeriod } from './common.js';

/** CloudWatch returns at most 1,440 datapoints per call. */
const MAX_DATAPOINTS = 1440;

export const getMetricStatistics: Handler<GetMetricStatisticsInput, GetMetricStatisticsOutput> = async (input, ctx) => {
  const stats = input.Statistics ?? [];
  const ext = input.ExtendedStatistics ?? [];
  if (stats.length === 0 && ext.length === 0) throw new ApiError('MissingParameter', 'Must specify either Statistics or ExtendedStatistics.');
  if (stats.length && ext.length) throw new ApiError('InvalidParameterCombination', 'Must specify either Statistics or ExtendedStatistics, but not both.');
  for (const e of ext) if (!/^p(\d{1,2}(\.\d{1,2})?|100)$/.test(e)) throw new ApiError('InvalidParameterValue', `The value ${e} for parameter ExtendedStatistics is not a valid percentile statistic (pNN.NN).`);
  checkPeriod(input.Period!, 'Period');
  checkDimensions(input.Dimensions, 'Dimensions');
  const span = input.EndTime!.getTime() - input.StartTime!.getTime();
  if (span <= 0) throw new ApiError('InvalidParameterValue', 'The parameter StartTime must be less than the parameter EndTime.');
  const n = Math.ceil(span / (input.Period! * 1000));
  if (n > MAX_DATAPOINTS) {
    throw new ApiError('InvalidParameterCombination', `You have requested up to ${n} datapoints, which exceeds the limit of ${MAX_DATAPOINTS}. You may reduce the datapoints requested by increasing Period, or decreasing the time range.`);
  }
  return ctx.metrics.getMetricStatistics(input);
};
