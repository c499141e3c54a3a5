import type { DeleteRepositoryRequest, DeleteRepositoryResponse } from '@aws-sdk/client-ecr';
import { ApiError } from '../../model/errors.js';
import { deleteRepository as deleteRepo, listImages } from '../../registry/metadata.js';
import { repositoryView, requireRepo } from './common.js';
import type { Handler } from '../types.js';

/** Without `force`, a repository that still has images is not deleted (RepositoryNotEmptyException). Blobs go at the next GC. */
export const deleteRepository: Handler<DeleteRepositoryRequest, DeleteRepositoryResponse> = async (input, ctx) => {
  const repo = await requireRepo(ctx, input.repositoryName);
  if (!input.force && (await listImages(ctx.store, repo.repositoryName)).length > 0) {
    throw new ApiError('RepositoryNotEmptyException', `The repository with name '${repo.repositoryName}' in registry with id '${ctx.accountId}' cannot be deleted because it still contains images`);
  }
  await deleteRepo(ctx.store, repo.repositoryName);
  return { repository: repositoryView(ctx.registry, repo) };
};
