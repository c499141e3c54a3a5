import type { PutImageTagMutabilityRequest, PutImageTagMutabilityResponse } from '@aws-sdk/client-ecr';
import { update } from '../../store/json.js';
import { ecrKeys, type RepositoryRecord } from '../../registry/metadata.js';
import { repoNotFound } from './common.js';
import type { Handler } from '../types.js';

export const putImageTagMutability: Handler<PutImageTagMutabilityRequest, PutImageTagMutabilityResponse> = async (input, ctx) => {
  const name = input.repositoryName!;
  const mut = input.imageTagMutability === 'IMMUTABLE' ? 'IMMUTABLE' : 'MUTABLE';
  let found = false;
  await update<RepositoryRecord>(ctx.store, ecrKeys.repo(name), (cur) => {
    if (!cur) return undefined;
    found = true;
    return { ...cur, imageTagMutability: mut };
  });
  if (!found) throw repoNotFound(ctx, name);
  return { registryId: ctx.accountId, repositoryName: name, imageTagMutability: mut };
};
