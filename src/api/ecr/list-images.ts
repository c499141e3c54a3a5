import type { ListImagesRequest, ListImagesResponse, ImageIdentifier } from '@aws-sdk/client-ecr';
import { listImages as list } from '../../registry/metadata.js';
import { paginate } from '../ecs/common.js';
import { requireRepo } from './common.js';
import type { Handler } from '../types.js';

/** One identifier per tag (tagged images) or per untagged digest, as ECR lists them; filter tagStatus. */
export const listImages: Handler<ListImagesRequest, ListImagesResponse> = async (input, ctx) => {
  const repo = await requireRepo(ctx, input.repositoryName);
  const status = input.filter?.tagStatus ?? 'ANY';
  const ids: ImageIdentifier[] = [];
  for (const img of await list(ctx.store, repo.repositoryName)) {
    if (img.tags.length === 0) { if (status !== 'TAGGED') ids.push({ imageDigest: img.digest }); continue; }
    if (status === 'UNTAGGED') continue;
    for (const t of img.tags) ids.push({ imageDigest: img.digest, imageTag: t });
  }
  const page = paginate(ids, (i) => `${i.imageDigest}/${i.imageTag ?? ''}`, input.maxResults, input.nextToken, 100);
  return { imageIds: page.items, nextToken: page.nextToken };
};
