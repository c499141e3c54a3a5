import type { DescribeAlarmsInput, DescribeAlarmsOutput } from '@aws-sdk/client-cloudwatch';
import { ApiError } from '../../model/errors.js';
import type { Handler } from '../types.js';

export const describeAlarms: Handler<DescribeAlarmsInput, DescribeAlarmsOutput> = async (input, ctx) => {
  if (input.AlarmNames?.length && input.AlarmNamePrefix) throw new ApiError('InvalidParameterCombination', 'AlarmNames and AlarmNamePrefix are mutually exclusive.');
  return ctx.metrics.describeAlarms(input);
};
