import type { DescribeLogStreamsRequest, DescribeLogStreamsResponse } from '@aws-sdk/client-cloudwatch-logs';
import type { Handler } from '../types.js';
import { groupName } from './common.js';

export const describeLogStreams: Handler<DescribeLogStreamsRequest, DescribeLogStreamsResponse> = async (input, ctx) =>
  ctx.logs.describeLogStreams(groupName(input), input);
