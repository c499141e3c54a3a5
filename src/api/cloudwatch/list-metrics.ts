import type { ListMetricsInput, ListMetricsOutput } from '@aws-sdk/client-cloudwatch';
import type { Handler } from '../types.js';

export const listMetrics: Handler<ListMetricsInput, ListMetricsOutput> = async (input, ctx) => ctx.metrics.listMetrics(input, ctx.now);
