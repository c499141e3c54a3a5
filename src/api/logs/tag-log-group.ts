import type { TagLogGroupRequest } from '@aws-sdk/client-cloudwatch-logs';
import type { Handler } from '../types.js';
import type { LogsBackend } from './backend.js';

export const tagLogGroup = (b: LogsBackend): Handler<TagLogGroupRequest, object> => async (input) => {
  b.setTags(input.logGroupName!, input.tags ?? {}, []);
  return {};
};
