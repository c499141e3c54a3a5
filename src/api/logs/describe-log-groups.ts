import type { DescribeLogGroupsRequest, DescribeLogGroupsResponse } from '@aws-sdk/client-cloudwatch-logs';
import type { Handler } from '../types.js';
import type { LogsBackend } from './backend.js';

export const describeLogGroups = (b: LogsBackend): Handler<DescribeLogGroupsRequest, DescribeLogGroupsResponse> => async (input) => b.describeLogGroups(input);
