import type { DeleteRepositoryPolicyRequest, DeleteRepositoryPolicyResponse } from '@aws-sdk/client-ecr';
import { ApiError } from '../../model/errors.js';
import { update } from '../../store/json.js';
import { ecrKeys, type RepositoryRecord } from '../../registry/metadata.js';
import { requireRepo } from './common.js';
import type { Handler } from '../types.js';

export const deleteRepositoryPolicy: Handler<DeleteRepositoryPolicyRequest, DeleteRepositoryPolicyResponse> = async (input, ctx) => {
  const repo = await requireRepo(ctx, input.repositoryName);
  let text: string | undefined;
  await update<RepositoryRecord>(ctx.store, ecrKeys.repo(repo.repositoryName), (cur) => {
    text = cur?.policyText;
    if (!cur || !text) return undefined;
    const { policyText: _drop, ...rest } = cur;
    return rest;
  });
  if (!text) throw new ApiError('RepositoryPolicyNotFoundException', `Repository policy does not exist for the repository with name '${repo.repositoryName}' in the registry with id '${ctx.accountId}'`);
  return { registryId: ctx.accountId, repositoryName: repo.repositoryName, policyText: text };
};
