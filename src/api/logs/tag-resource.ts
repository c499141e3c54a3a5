import type { TagResourceRequest } from '@aws-sdk/client-cloudwatch-logs';
import type { Handler } from '../types.js';
import type { LogsBackend } from './backend.js';

export const tagResource = (b: LogsBackend): Handler<TagResourceRequest, object> => async (input) => {
  b.setTags(b.groupOfArn(input.resourceArn!), input.tags ?? {}, []);
  return {};
};
