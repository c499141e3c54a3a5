import type { DeleteLifecyclePolicyRequest, DeleteLifecyclePolicyResponse } from '@aws-sdk/client-ecr';
import { ApiError } from '../../model/errors.js';
import { update } from '../../store/json.js';
import { ecrKeys, type RepositoryRecord } from '../../registry/metadata.js';
import { requireRepo } from './common.js';
import type { Handler } from '../types.js';

export const deleteLifecyclePolicy: Handler<DeleteLifecyclePolicyRequest, DeleteLifecyclePolicyResponse> = async (input, ctx) => {
  const repo = await requireRepo(ctx, input.repositoryName);
  const name = repo.repositoryName;
  let text: string | undefined;
  await update<RepositoryRecord>(ctx.store, ecrKeys.repo(name), (cur) => {
    text = cur?.lifecyclePolicyText;
    if (!cur || !text) return undefined;
    const { lifecyclePolicyText: _drop, ...rest } = cur;
    return rest;
  });
  if (!text) throw new ApiError('LifecyclePolicyNotFoundException', `Lifecycle policy does not exist for the repository with name '${name}' in the registry with id '${ctx.accountId}'`);
  return { registryId: ctx.accountId, repositoryName: name, lifecyclePolicyText: text, lastEvaluatedAt: ctx.now };
};
