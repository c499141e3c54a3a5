import type { ListMetricsInput, ListMetricsOutput } from '@aws-sdk/client-cloudwatch';
import type { Handler } from '../types.js';
import type { CloudWatchBackend } from './backend.js';

export const listMetrics = (b: CloudWatchBackend): Handler<ListMetricsInput, ListMetricsOutput> => async (input, ctx) => b.listMetrics(input, ctx.now);
