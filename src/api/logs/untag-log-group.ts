import type { UntagLogGroupRequest } from '@aws-sdk/client-cloudwatch-logs';
import type { Handler } from '../types.js';
import type { LogsBackend } from './backend.js';

export const untagLogGroup = (b: LogsBackend): Handler<UntagLogGroupRequest, object> => async (input) => {
  b.setTags(input.logGroupName!, {}, input.tags ?? []);
  return {};
};
