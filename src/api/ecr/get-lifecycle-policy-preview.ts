import type { GetLifecyclePolicyPreviewRequest, GetLifecyclePolicyPreviewResponse } from '@aws-sdk/client-ecr';
import { ApiError } from '../../model/errors.js';
import { getJson } from '../../store/json.js';
import { ecrKeys } from '../../registry/metadata.js';
import { paginate } from '../ecs/common.js';
import { requireRepo } from './common.js';
import type { PreviewRecord } from './lifecycle-common.js';
import type { Handler } from '../types.js';

export const getLifecyclePolicyPreview: Handler<GetLifecyclePolicyPreviewRequest, GetLifecyclePolicyPreviewResponse> = async (input, ctx) => {
  const repo = await requireRepo(ctx, input.repositoryName);
  const rec = (await getJson<PreviewRecord>(ctx.store, ecrKeys.preview(repo.repositoryName)))?.value;
  if (!rec) throw new ApiError('LifecyclePolicyPreviewNotFoundException', `There is no dry run for the repository with name '${repo.repositoryName}' in the registry with id '${ctx.accountId}'`);
  let results = rec.results;
  if (input.imageIds?.length) results = results.filter((r) => input.imageIds!.some((id) => id.imageDigest === r.imageDigest || (id.imageTag && r.imageTags.includes(id.imageTag))));
  if (input.filter?.tagStatus === 'TAGGED') results = results.filter((r) => r.imageTags.length > 0);
  if (input.filter?.tagStatus === 'UNTAGGED') results = results.filter((r) => r.imageTags.length === 0);
  const page = paginate(results, (r) => r.imageDigest, input.maxResults, input.nextToken, 100);
  return {
    registryId: ctx.accountId, repositoryName: repo.repositoryName, lifecyclePolicyText: rec.lifecyclePolicyText, status: rec.status,
    previewResults: page.items.map((r) => ({ imageDigest: r.imageDigest, imageTags: r.imageTags, imagePushedAt: new Date(r.imagePushedAt), action: { type: 'EXPIRE' }, appliedRulePriority: r.appliedRulePriority })),
    summary: { expiringImageTotalCount: results.length },
    nextToken: page.nextToken,
  };
};
