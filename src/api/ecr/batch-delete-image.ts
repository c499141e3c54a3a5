import type { BatchDeleteImageRequest, BatchDeleteImageResponse, ImageIdentifier, ImageFailure } from '@aws-sdk/client-ecr';
import { deleteImage } from '../../registry/metadata.js';
import { isDigestRef, requireRepo } from './common.js';
import type { Handler } from '../types.js';

/** By tag: the tag goes (and the image with its last tag). By digest: the image and all its tags. */
export const batchDeleteImage: Handler<BatchDeleteImageRequest, BatchDeleteImageResponse> = async (input, ctx) => {
  const repo = await requireRepo(ctx, input.repositoryName);
  const imageIds: ImageIdentifier[] = [];
  const failures: ImageFailure[] = [];
  for (const id of input.imageIds ?? []) {
    if (!id.imageDigest && !id.imageTag) { failures.push({ imageId: id, failureCode: 'MissingDigestAndTag', failureReason: 'Missing image digest and image tag' }); continue; }
    if (id.imageDigest && !isDigestRef(id.imageDigest)) { failures.push({ imageId: id, failureCode: 'InvalidImageDigest', failureReason: 'Invalid request parameters: image digest should satisfy the regex \'[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+\'' }); continue; }
    const gone = await deleteImage(ctx.store, repo.repositoryName, { digest: id.imageDigest, tag: id.imageTag });
    if (!gone) { failures.push({ imageId: id, failureCode: 'ImageNotFound', failureReason: 'Requested image not found' }); continue; }
    imageIds.push({ imageDigest: gone.digest, ...(id.imageTag ? { imageTag: id.imageTag } : {}) });
  }
  return { imageIds, failures };
};
