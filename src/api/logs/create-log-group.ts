import type { CreateLogGroupRequest } from '@aws-sdk/client-cloudwatch-logs';
import type { Handler } from '../types.js';
import type { LogsBackend } from './backend.js';

export const createLogGroup = (b: LogsBackend): Handler<CreateLogGroupRequest, object> => async (input, ctx) => {
  b.createLogGroup(input, ctx.now.getTime());
  return {};
};
