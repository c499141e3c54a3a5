import type { DescribeServicesRequest, DescribeServicesResponse, Failure, Service } from '@aws-sdk/client-ecs';
import { invalidParameter } from '../../model/errors.js';
import { serviceArn } from '../../model/arn.js';
import type { Handler } from '../types.js';
import { activeCluster } from './common.js';
import { findService, serviceView } from './service-common.js';

/** Up to 10 services; unknown ones come back as failures[{reason: MISSING}], as the CLI waiters expect. */
export const describeServices: Handler<DescribeServicesRequest, DescribeServicesResponse> = async (input, ctx) => {
  const cluster = (await activeCluster(ctx, input.cluster)).value.clusterName;
  const refs = input.services ?? [];
  if (refs.length === 0) throw invalidParameter('Services cannot be empty.');
  if (refs.length > 10) throw invalidParameter('Too many services: DescribeServices takes at most 10.');
  const withTags = input.include?.includes('TAGS') ?? false;
  const services: Service[] = [];
  const failures: Failure[] = [];
  for (const ref of refs) {
    const s = await findService(ctx.store, cluster, ref);
    if (s) services.push(serviceView(s.value, withTags));
    else failures.push({ arn: ref.startsWith('arn:') ? ref : serviceArn(ctx, cluster, ref), reason: 'MISSING' });
  }
  return { services, failures };
};
