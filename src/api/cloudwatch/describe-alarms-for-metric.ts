import type { DescribeAlarmsForMetricInput, DescribeAlarmsForMetricOutput } from '@aws-sdk/client-cloudwatch';
import type { Handler } from '../types.js';
import type { CloudWatchBackend } from './backend.js';

export const describeAlarmsForMetric = (b: CloudWatchBackend): Handler<DescribeAlarmsForMetricInput, DescribeAlarmsForMetricOutput> => async (input) => b.describeAlarmsForMetric(input);
