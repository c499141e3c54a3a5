import type { DeleteRetentionPolicyRequest } from '@aws-sdk/client-cloudwatch-logs';
import type { Handler } from '../types.js';
import type { LogsBackend } from './backend.js';

export const deleteRetentionPolicy = (b: LogsBackend): Handler<DeleteRetentionPolicyRequest, object> => async (input) => {
  b.putRetentionPolicy(input.logGroupName!, undefined);
  return {};
};
