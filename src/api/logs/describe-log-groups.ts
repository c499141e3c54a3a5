import type { DescribeLogGroupsRequest, DescribeLogGroupsResponse } from '@aws-sdk/client-cloudwatch-logs';
import type { Handler } from '../types.js';

export const describeLogGroups: Handler<DescribeLogGroupsRequest, DescribeLogGroupsResponse> = async (input, ctx) => ctx.logs.describeLogGroups(input);
