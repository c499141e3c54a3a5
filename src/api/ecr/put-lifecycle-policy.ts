import type { PutLifecyclePolicyRequest, PutLifecyclePolicyResponse } from '@aws-sdk/client-ecr';
import { update } from '../../store/json.js';
import { ecrKeys, type RepositoryRecord } from '../../registry/metadata.js';
import { repoNotFound } from './common.js';
import { checkPolicy } from './lifecycle-common.js';
import type { Handler } from '../types.js';

/** Stores the policy and evaluates it right away in the background (then every minute). */
export const putLifecyclePolicy: Handler<PutLifecyclePolicyRequest, PutLifecyclePolicyResponse> = async (input, ctx) => {
  const name = input.repositoryName!;
  const text = input.lifecyclePolicyText!;
  checkPolicy(text);
  let found = false;
  await update<RepositoryRecord>(ctx.store, ecrKeys.repo(name), (cur) => {
    if (!cur) return undefined;
    found = true;
    return { ...cur, lifecyclePolicyText: text };
  });
  if (!found) throw repoNotFound(ctx, name);
  setImmediate(() => { ctx.registry.runLifecycle(name).catch((e) => ctx.log.warn({ err: e, repository: name }, 'lifecycle evaluation failed')); });
  return { registryId: ctx.accountId, repositoryName: name, lifecyclePolicyText: text };
};
