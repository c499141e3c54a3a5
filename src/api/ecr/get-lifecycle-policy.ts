import type { GetLifecyclePolicyRequest, GetLifecyclePolicyResponse } from '@aws-sdk/client-ecr';
import { ApiError } from '../../model/errors.js';
import { requireRepo, type EcrHandler } from './common.js';

export const getLifecyclePolicy: EcrHandler<GetLifecyclePolicyRequest, GetLifecyclePolicyResponse> = () => async (input, ctx) => {
  const repo = await requireRepo(ctx, input.repositoryName);
  if (!repo.lifecyclePolicyText) throw new ApiError('LifecyclePolicyNotFoundException', `Lifecycle policy does not exist for the repository with name '${repo.repositoryName}' in the registry with id '${ctx.accountId}'`);
  return {
    registryId: ctx.accountId, repositoryName: repo.repositoryName, lifecyclePolicyText: repo.lifecyclePolicyText,
    ...(repo.lifecycleEvaluatedAt ? { lastEvaluatedAt: new Date(repo.lifecycleEvaluatedAt) } : {}),
  };
};
