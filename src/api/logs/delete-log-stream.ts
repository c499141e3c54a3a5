import type { DeleteLogStreamRequest } from '@aws-sdk/client-cloudwatch-logs';
import type { Handler } from '../types.js';
import type { LogsBackend } from './backend.js';

export const deleteLogStream = (b: LogsBackend): Handler<DeleteLogStreamRequest, object> => async (input) => {
  b.deleteLogStream(input.logGroupName!, input.logStreamName!);
  return {};
};
