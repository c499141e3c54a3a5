import type { TagResourceRequest, TagResourceResponse } from '@aws-sdk/client-ecr';
import { ApiError } from '../../model/errors.js';
import { update } from '../../store/json.js';
import { ecrKeys, type RepositoryRecord } from '../../registry/metadata.js';
import { repoNameFromArn, repoNotFound, validateEcrTags } from './common.js';
import type { Handler } from '../types.js';

export const tagResource: Handler<TagResourceRequest, TagResourceResponse> = async (input, ctx) => {
  const name = repoNameFromArn(input.resourceArn);
  if (!name) throw new ApiError('InvalidParameterException', `Invalid parameter at 'resourceArn': ${input.resourceArn} is not an ECR repository ARN`);
  const add = validateEcrTags(input.tags);
  let found = false;
  await update<RepositoryRecord>(ctx.store, ecrKeys.repo(name), (cur) => {
    if (!cur) return undefined;
    found = true;
    const m = new Map(cur.tags.map((t) => [t.key ?? '', t.value ?? '']));
    for (const t of add) m.set(t.Key!, t.Value ?? '');
    if (m.size > 50) throw new ApiError('TooManyTagsException', 'A resource can have at most 50 tags.');
    return { ...cur, tags: [...m].map(([key, value]) => ({ key, value })) };
  });
  if (!found) throw repoNotFound(ctx, name);
  return {};
};
