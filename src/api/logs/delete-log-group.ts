import type { DeleteLogGroupRequest } from '@aws-sdk/client-cloudwatch-logs';
import type { Handler } from '../types.js';

export const deleteLogGroup: Handler<DeleteLogGroupRequest, object> = async (input, ctx) => {
  ctx.logs.deleteLogGroup(input.logGroupName!);
  return {};
};
