import type { DescribeAlarmHistoryInput, DescribeAlarmHistoryOutput } from '@aws-sdk/client-cloudwatch';
import type { Handler } from '../types.js';
import type { CloudWatchBackend } from './backend.js';

export const describeAlarmHistory = (b: CloudWatchBackend): Handler<DescribeAlarmHistoryInput, DescribeAlarmHistoryOutput> => async (input) => b.describeAlarmHistory(input);
