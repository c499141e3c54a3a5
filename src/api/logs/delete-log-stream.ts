import type { DeleteLogStreamRequest } from '@aws-sdk/client-cloudwatch-logs';
import type { Handler } from '../types.js';

export const deleteLogStream: Handler<DeleteLogStreamRequest, object> = async (input, ctx) => {
  ctx.logs.deleteLogStream(input.logGroupName!, input.logStreamName!);
  return {};
};
