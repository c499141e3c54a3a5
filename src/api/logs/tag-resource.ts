import type { TagResourceRequest } from '@aws-sdk/client-cloudwatch-logs';
import type { Handler } from '../types.js';

export const tagResource: Handler<TagResourceRequest, object> = async (input, ctx) => {
  ctx.logs.setTags(ctx.logs.groupOfArn(input.resourceArn!), input.tags ?? {}, []);
  return {};
};
