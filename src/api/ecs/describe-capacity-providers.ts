/**
 * DescribeCapacityProviders: FARGATE and FARGATE_SPOT exist in every account (ECS lists them with no
 * provider named). Names or ARNs that name neither come back as failures with reason MISSING.
 */
import type { DescribeCapacityProvidersRequest, DescribeCapacityProvidersResponse, Failure } from '@aws-sdk/client-ecs';
import { invalidParameter } from '../../model/errors.js';
import { FARGATE_PROVIDERS, fargateProviderView, isFargateProvider } from '../../model/ecs/capacity.js';
import type { Handler } from '../types.js';

export const describeCapacityProviders: Handler<DescribeCapacityProvidersRequest, DescribeCapacityProvidersResponse> = async (input, ctx) => {
  const refs = input.capacityProviders ?? [];
  if (refs.length > 100) throw invalidParameter('capacityProviders can name at most 100 capacity providers.');
  if (input.maxResults !== undefined && (input.maxResults < 1 || input.maxResults > 10)) throw invalidParameter('maxResults must be between 1 and 10.');
  if (refs.length === 0) {
    const start = input.nextToken ? Number(Buffer.from(input.nextToken, 'base64url').toString()) : 0;
    if (!Number.isInteger(start) || start < 0 || start > FARGATE_PROVIDERS.length) throw invalidParameter('The specified nextToken is not valid.');
    const end = Math.min(FARGATE_PROVIDERS.length, start + (input.maxResults ?? 10));
    return {
      capacityProviders: FARGATE_PROVIDERS.slice(start, end).map((n) => fargateProviderView(ctx, n)), failures: [],
      nextToken: end < FARGATE_PROVIDERS.length ? Buffer.from(String(end)).toString('base64url') : undefined,
    };
  }
  const found = []; const failures: Failure[] = [];
  for (const r of refs) {
    const n = r.startsWith('arn:') ? r.split('/').pop() : r;
    if (isFargateProvider(n) && (!r.startsWith('arn:') || r === fargateProviderView(ctx, n).capacityProviderArn)) found.push(fargateProviderView(ctx, n));
    else failures.push({ arn: r, reason: 'MISSING' });
  }
  return { capacityProviders: found, failures };
};
