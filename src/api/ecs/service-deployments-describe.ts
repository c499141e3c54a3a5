import type { DescribeServiceDeploymentsRequest, DescribeServiceDeploymentsResponse, Failure, ServiceDeployment } from '@aws-sdk/client-ecs';
import { invalidParameter } from '../../model/errors.js';
import type { Handler } from '../types.js';
import { findServiceDeployment, serviceDeploymentView } from './service-common.js';

const threshold = (desired: number) => Math.min(200, Math.max(3, Math.ceil(0.5 * desired)));

/** Validated by hand: see service-deployments-list.ts. Unknown ARNs come back as failures (MISSING). */
export const describeServiceDeployments: Handler<DescribeServiceDeploymentsRequest, DescribeServiceDeploymentsResponse> = async (input, ctx) => {
  const arns = input.serviceDeploymentArns;
  if (!Array.isArray(arns) || arns.length === 0 || arns.some((a) => typeof a !== 'string')) throw invalidParameter('serviceDeploymentArns must list 1 to 20 service deployment ARNs.');
  if (arns.length > 20) throw invalidParameter('Too many service deployments: DescribeServiceDeployments takes at most 20.');
  const serviceDeployments: ServiceDeployment[] = [];
  const failures: Failure[] = [];
  for (const arn of arns) {
    const f = await findServiceDeployment(ctx.store, ctx, arn);
    if (f) serviceDeployments.push(serviceDeploymentView(ctx, f.service.value, f.deployment, threshold(f.service.value.desiredCount)));
    else failures.push({ arn, reason: 'MISSING' });
  }
  return { serviceDeployments, failures };
};
