import type { UntagResourceRequest, UntagResourceResponse } from '@aws-sdk/client-ecr';
import { ApiError } from '../../model/errors.js';
import { update } from '../../store/json.js';
import { ecrKeys, type RepositoryRecord } from '../../registry/metadata.js';
import { repoNameFromArn, repoNotFound } from './common.js';
import type { Handler } from '../types.js';

export const untagResource: Handler<UntagResourceRequest, UntagResourceResponse> = async (input, ctx) => {
  const name = repoNameFromArn(input.resourceArn);
  if (!name) throw new ApiError('InvalidParameterException', `Invalid parameter at 'resourceArn': ${input.resourceArn} is not an ECR repository ARN`);
  let found = false;
  await update<RepositoryRecord>(ctx.store, ecrKeys.repo(name), (cur) => {
    if (!cur) return undefined;
    found = true;
    return { ...cur, tags: cur.tags.filter((t) => !input.tagKeys?.includes(t.key ?? '')) };
  });
  if (!found) throw repoNotFound(ctx, name);
  return {};
};
