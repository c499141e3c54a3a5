import type { ListTagsForResourceRequest, ListTagsForResourceResponse } from '@aws-sdk/client-ecr';
import { ApiError } from '../../model/errors.js';
import { repoNameFromArn, requireRepo } from './common.js';
import type { Handler } from '../types.js';

export const listTagsForResource: Handler<ListTagsForResourceRequest, ListTagsForResourceResponse> = async (input, ctx) => {
  const name = repoNameFromArn(input.resourceArn);
  if (!name) throw new ApiError('InvalidParameterException', `Invalid parameter at 'resourceArn': ${input.resourceArn} is not an ECR repository ARN`);
  const repo = await requireRepo(ctx, name);
  return { tags: repo.tags.map((t) => ({ Key: t.key, Value: t.value ?? '' })) };
};
