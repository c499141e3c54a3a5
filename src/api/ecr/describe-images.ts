import type { DescribeImagesRequest, DescribeImagesResponse, ImageDetail } from '@aws-sdk/client-ecr';
import { ApiError } from '../../model/errors.js';
import { listImages, resolveReference } from '../../registry/metadata.js';
import { paginate } from '../ecs/common.js';
import { imageDetailView, requireRepo } from './common.js';
import type { Handler } from '../types.js';

export const describeImages: Handler<DescribeImagesRequest, DescribeImagesResponse> = async (input, ctx) => {
  const repo = await requireRepo(ctx, input.repositoryName);
  const name = repo.repositoryName;
  if (input.imageIds?.length) {
    const out: ImageDetail[] = [];
    for (const id of input.imageIds) {
      const img = await resolveReference(ctx.store, name, id.imageDigest ?? id.imageTag ?? '');
      if (!img || (id.imageTag && !img.tags.includes(id.imageTag))) {
        throw new ApiError('ImageNotFoundException', `The image with imageId {imageDigest:'${id.imageDigest ?? 'null'}', imageTag:'${id.imageTag ?? 'null'}'} does not exist within the repository with name '${name}' in the registry with id '${ctx.accountId}'`);
      }
      out.push(imageDetailView(ctx, name, img));
    }
    return { imageDetails: out };
  }
  const status = input.filter?.tagStatus ?? 'ANY';
  const imgs = (await listImages(ctx.store, name)).filter((i) => status === 'ANY' || (status === 'TAGGED') === i.tags.length > 0);
  const page = paginate(imgs, (i) => i.digest, input.maxResults, input.nextToken, 100);
  return { imageDetails: page.items.map((i) => imageDetailView(ctx, name, i)), nextToken: page.nextToken };
};
