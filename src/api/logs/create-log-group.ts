import type { CreateLogGroupRequest } from '@aws-sdk/client-cloudwatch-logs';
import type { Handler } from '../types.js';

export const createLogGroup: Handler<CreateLogGroupRequest, object> = async (input, ctx) => {
  ctx.logs.createLogGroup(input, ctx.now.getTime());
  return {};
};
