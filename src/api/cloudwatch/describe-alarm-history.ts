import type { DescribeAlarmHistoryInput, DescribeAlarmHistoryOutput } from '@aws-sdk/client-cloudwatch';
import type { Handler } from '../types.js';

export const describeAlarmHistory: Handler<DescribeAlarmHistoryInput, DescribeAlarmHistoryOutput> = async (input, ctx) => ctx.metrics.describeAlarmHistory(input);
