import type { DescribeLogStreamsRequest, DescribeLogStreamsResponse } from '@aws-sdk/client-cloudwatch-logs';
import type { Handler } from '../types.js';
import type { LogsBackend } from './backend.js';
import { groupName } from './common.js';

export const describeLogStreams = (b: LogsBackend): Handler<DescribeLogStreamsRequest, DescribeLogStreamsResponse> => async (input) =>
  b.describeLogStreams(groupName(input), input);
