import type { ListTagsForResourceRequest, ListTagsForResourceResponse } from '@aws-sdk/client-cloudwatch-logs';
import type { Handler } from '../types.js';

export const listTagsForResource: Handler<ListTagsForResourceRequest, ListTagsForResourceResponse> = async (input, ctx) =>
  ({ tags: ctx.logs.tags(ctx.logs.groupOfArn(input.resourceArn!)) });
