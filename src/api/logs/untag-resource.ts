import type { UntagResourceRequest } from '@aws-sdk/client-cloudwatch-logs';
import type { Handler } from '../types.js';

export const untagResource: Handler<UntagResourceRequest, object> = async (input, ctx) => {
  ctx.logs.setTags(ctx.logs.groupOfArn(input.resourceArn!), {}, input.tagKeys ?? []);
  return {};
};
