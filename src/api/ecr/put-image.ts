import type { PutImageRequest, PutImageResponse } from '@aws-sdk/client-ecr';
import { ApiError } from '../../model/errors.js';
import { putManifest } from '../../registry/metadata.js';
import { requireRepo, toApiError } from './common.js';
import type { Handler } from '../types.js';

/** The manifest half of a push, through the API (layers must already be in the repository). */
export const putImage: Handler<PutImageRequest, PutImageResponse> = async (input, ctx) => {
  const repo = await requireRepo(ctx, input.repositoryName);
  const body = Buffer.from(input.imageManifest!, 'utf8');
  const reference = input.imageTag ?? input.imageDigest;
  if (!reference) throw new ApiError('InvalidParameterException', 'PutImage needs imageTag or imageDigest (or both).');
  let r;
  try {
    r = await putManifest(ctx.store, ctx.registry.blobs, { repo: repo.repositoryName, reference, body, contentType: input.imageManifestMediaType, now: ctx.now, expectDigest: input.imageDigest });
  } catch (e) {
    throw toApiError(e, repo.repositoryName, ctx);
  }
  if (r.unchanged) {
    throw new ApiError('ImageAlreadyExistsException', `Image with digest '${r.digest}'${input.imageTag ? ` and tag '${input.imageTag}'` : ''} already exists in the repository with name '${repo.repositoryName}' in registry with id '${ctx.accountId}'`);
  }
  return {
    image: {
      registryId: ctx.accountId, repositoryName: repo.repositoryName,
      imageId: { imageDigest: r.digest, ...(input.imageTag ? { imageTag: input.imageTag } : {}) },
      imageManifest: r.image.manifest, imageManifestMediaType: r.image.mediaType,
    },
  };
};
