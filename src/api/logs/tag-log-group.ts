import type { TagLogGroupRequest } from '@aws-sdk/client-cloudwatch-logs';
import type { Handler } from '../types.js';

export const tagLogGroup: Handler<TagLogGroupRequest, object> = async (input, ctx) => {
  ctx.logs.setTags(input.logGroupName!, input.tags ?? {}, []);
  return {};
};
