import type { SetRepositoryPolicyRequest, SetRepositoryPolicyResponse } from '@aws-sdk/client-ecr';
import { ApiError } from '../../model/errors.js';
import { update } from '../../store/json.js';
import { ecrKeys, type RepositoryRecord } from '../../registry/metadata.js';
import { repoNotFound } from './common.js';
import type { Handler } from '../types.js';

/**
 * Stored and returned as given (checked to be an IAM-shaped JSON document). Not enforced: Wharf's
 * registry authorizes any valid credential of the account, as ECR does for same-account principals
 * whose IAM policy allows ECR.
 */
export const setRepositoryPolicy: Handler<SetRepositoryPolicyRequest, SetRepositoryPolicyResponse> = async (input, ctx) => {
  const name = input.repositoryName!;
  const text = input.policyText!;
  let doc: { Statement?: unknown };
  try { doc = JSON.parse(text); } catch { throw new ApiError('InvalidParameterException', "Invalid parameter at 'PolicyText' failed to satisfy constraint: 'Invalid repository policy provided'"); }
  if (!doc || typeof doc !== 'object' || !Array.isArray(doc.Statement) && typeof doc.Statement !== 'object') {
    throw new ApiError('InvalidParameterException', "Invalid parameter at 'PolicyText' failed to satisfy constraint: 'Invalid repository policy provided'");
  }
  let found = false;
  await update<RepositoryRecord>(ctx.store, ecrKeys.repo(name), (cur) => {
    if (!cur) return undefined;
    found = true;
    return { ...cur, policyText: text };
  });
  if (!found) throw repoNotFound(ctx, name);
  return { registryId: ctx.accountId, repositoryName: name, policyText: text };
};
