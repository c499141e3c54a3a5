import type { UntagLogGroupRequest } from '@aws-sdk/client-cloudwatch-logs';
import type { Handler } from '../types.js';

export const untagLogGroup: Handler<UntagLogGroupRequest, object> = async (input, ctx) => {
  ctx.logs.setTags(input.logGroupName!, {}, input.tags ?? []);
  return {};
};
