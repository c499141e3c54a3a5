import type { StartLifecyclePolicyPreviewRequest, StartLifecyclePolicyPreviewResponse } from '@aws-sdk/client-ecr';
import { ApiError } from '../../model/errors.js';
import { ecrKeys } from '../../registry/metadata.js';
import { requireRepo } from './common.js';
import { checkPolicy, type PreviewRecord } from './lifecycle-common.js';
import type { Handler } from '../types.js';

/** Evaluates the given (or stored) policy without deleting anything; the result is read with GetLifecyclePolicyPreview. */
export const startLifecyclePolicyPreview: Handler<StartLifecyclePolicyPreviewRequest, StartLifecyclePolicyPreviewResponse> = async (input, ctx) => {
  const repo = await requireRepo(ctx, input.repositoryName);
  const text = input.lifecyclePolicyText ?? repo.lifecyclePolicyText;
  if (!text) throw new ApiError('LifecyclePolicyNotFoundException', `Lifecycle policy does not exist for the repository with name '${repo.repositoryName}' in the registry with id '${ctx.accountId}'`);
  checkPolicy(text);
  // Evaluation is one store range and a pure function: done before replying, so the preview is COMPLETE at once.
  const { expiries } = await ctx.registry.previewLifecycle(repo.repositoryName, text);
  const rec: PreviewRecord = {
    lifecyclePolicyText: text, status: 'COMPLETE',
    results: expiries.map((e) => ({ imageDigest: e.digest, imageTags: e.tags, imagePushedAt: e.pushedAt, appliedRulePriority: e.rule.rulePriority })),
  };
  await ctx.store.txn({ success: [{ type: 'put', key: ecrKeys.preview(repo.repositoryName), value: JSON.stringify(rec) }] });
  return { registryId: ctx.accountId, repositoryName: repo.repositoryName, lifecyclePolicyText: text, status: 'IN_PROGRESS' };
};
