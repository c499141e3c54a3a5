import type { ListTagsLogGroupRequest, ListTagsLogGroupResponse } from '@aws-sdk/client-cloudwatch-logs';
import type { Handler } from '../types.js';

export const listTagsLogGroup: Handler<ListTagsLogGroupRequest, ListTagsLogGroupResponse> = async (input, ctx) => ({ tags: ctx.logs.tags(input.logGroupName!) });
