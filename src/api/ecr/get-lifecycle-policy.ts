import type { GetLifecyclePolicyRequest, GetLifecyclePolicyResponse } from '@aws-sdk/client-ecr';
import { ApiError } from '../../model/errors.js';
import { requireRepo } from './common.js';
import type { Handler } from '../types.js';

export const getLifecyclePolicy: Handler<GetLifecyclePolicyRequest, GetLifecyclePolicyResponse> = async (input, ctx) => {
  const repo = await requireRepo(ctx, input.repositoryName);
  if (!repo.lifecyclePolicyText) throw new ApiError('LifecyclePolicyNotFoundException', `Lifecycle policy does not exist for the repository with name '${repo.repositoryName}' in the registry with id '${ctx.accountId}'`);
  return {
    registryId: ctx.accountId, repositoryName: repo.repositoryName, lifecyclePolicyText: repo.lifecyclePolicyText,
    ...(repo.lifecycleEvaluatedAt ? { lastEvaluatedAt: new Date(repo.lifecycleEvaluatedAt) } : {}),
  };
};
