import type { GetAuthorizationTokenRequest, GetAuthorizationTokenResponse } from '@aws-sdk/client-ecr';
import type { Handler } from '../types.js';

/** base64("AWS:" + password), valid 12 hours; see src/registry/auth.ts for what the password is. */
export const getAuthorizationToken: Handler<GetAuthorizationTokenRequest, GetAuthorizationTokenResponse> = async (_input, ctx) => {
  const { password, expiresAt } = await ctx.registry.auth.issue(ctx.principal.accessKeyId, ctx.now, ctx.region);
  return {
    authorizationData: [{
      authorizationToken: Buffer.from(`AWS:${password}`).toString('base64'),
      expiresAt,
      proxyEndpoint: ctx.publicEndpoint,
    }],
  };
};
