import type { DeleteLogGroupRequest } from '@aws-sdk/client-cloudwatch-logs';
import type { Handler } from '../types.js';
import type { LogsBackend } from './backend.js';

export const deleteLogGroup = (b: LogsBackend): Handler<DeleteLogGroupRequest, object> => async (input) => {
  b.deleteLogGroup(input.logGroupName!);
  return {};
};
