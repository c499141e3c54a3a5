import type { BatchGetImageRequest, BatchGetImageResponse, Image, ImageFailure } from '@aws-sdk/client-ecr';
import { resolveReference } from '../../registry/metadata.js';
import { requireRepo } from './common.js';
import type { Handler } from '../types.js';

export const batchGetImage: Handler<BatchGetImageRequest, BatchGetImageResponse> = async (input, ctx) => {
  const repo = await requireRepo(ctx, input.repositoryName);
  const images: Image[] = [];
  const failures: ImageFailure[] = [];
  for (const id of input.imageIds ?? []) {
    if (!id.imageDigest && !id.imageTag) { failures.push({ imageId: id, failureCode: 'MissingDigestAndTag', failureReason: 'Missing image digest and image tag' }); continue; }
    const img = await resolveReference(ctx.store, repo.repositoryName, id.imageTag ?? id.imageDigest!);
    if (!img) { failures.push({ imageId: id, failureCode: 'ImageNotFound', failureReason: 'Requested image not found' }); continue; }
    if (id.imageDigest && id.imageDigest !== img.digest) { failures.push({ imageId: id, failureCode: 'ImageTagDoesNotMatchDigest', failureReason: 'Invalid image digest and tag combination' }); continue; }
    if (input.acceptedMediaTypes?.length && !input.acceptedMediaTypes.includes(img.mediaType)) { failures.push({ imageId: id, failureCode: 'ImageNotFound', failureReason: `The image is ${img.mediaType}` }); continue; }
    images.push({ registryId: ctx.accountId, repositoryName: repo.repositoryName, imageId: { imageDigest: img.digest, ...(id.imageTag ? { imageTag: id.imageTag } : {}) }, imageManifest: img.manifest, imageManifestMediaType: img.mediaType });
  }
  return { images, failures };
};
