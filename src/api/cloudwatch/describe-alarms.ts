import type { DescribeAlarmsInput, DescribeAlarmsOutput } from '@aws-sdk/client-cloudwatch';
import { ApiError } from '../../model/errors.js';
import type { Handler } from '../types.js';
import type { CloudWatchBackend } from './backend.js';

export const describeAlarms = (b: CloudWatchBackend): Handler<DescribeAlarmsInput, DescribeAlarmsOutput> => async (input) => {
  if (input.AlarmNames?.length && input.AlarmNamePrefix) throw new ApiError('InvalidParameterCombination', 'AlarmNames and AlarmNamePrefix are mutually exclusive.');
  return b.describeAlarms(input);
};
