import type { GetRepositoryPolicyRequest, GetRepositoryPolicyResponse } from '@aws-sdk/client-ecr';
import { ApiError } from '../../model/errors.js';
import { requireRepo } from './common.js';
import type { Handler } from '../types.js';

export const getRepositoryPolicy: Handler<GetRepositoryPolicyRequest, GetRepositoryPolicyResponse> = async (input, ctx) => {
  const repo = await requireRepo(ctx, input.repositoryName);
  if (!repo.policyText) throw new ApiError('RepositoryPolicyNotFoundException', `Repository policy does not exist for the repository with name '${repo.repositoryName}' in the registry with id '${ctx.accountId}'`);
  return { registryId: ctx.accountId, repositoryName: repo.repositoryName, policyText: repo.policyText };
};
