import type { UntagResourceRequest } from '@aws-sdk/client-cloudwatch-logs';
import type { Handler } from '../types.js';
import type { LogsBackend } from './backend.js';

export const untagResource = (b: LogsBackend): Handler<UntagResourceRequest, object> => async (input) => {
  b.setTags(b.groupOfArn(input.resourceArn!), {}, input.tagKeys ?? []);
  return {};
};
