/** ECR actions act on repository/<name> (SAR); GetAuthorizationToken and account-level calls on '*'. */
import type { Authorizer } from '../types.js';

export const ecrAuthorizer: Authorizer = (_operation, input, ctx) => {
  const name = typeof input.repositoryName === 'string' ? input.repositoryName : undefined;
  if (!name) return [{ resource: typeof input.resourceArn === 'string' ? input.resourceArn : '*' }];
  const acct = typeof input.registryId === 'string' ? input.registryId : ctx.accountId;
  return [{ resource: `arn:aws:ecr:${ctx.region}:${acct}:repository/${name}` }];
};
