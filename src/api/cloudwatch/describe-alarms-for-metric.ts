import type { DescribeAlarmsForMetricInput, DescribeAlarmsForMetricOutput } from '@aws-sdk/client-cloudwatch';
import type { Handler } from '../types.js';

export const describeAlarmsForMetric: Handler<DescribeAlarmsForMetricInput, DescribeAlarmsForMetricOutput> = async (input, ctx) => ctx.metrics.describeAlarmsForMetric(input);
