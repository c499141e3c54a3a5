import type { DescribeScalableTargetsRequest, DescribeScalableTargetsResponse } from '@aws-sdk/client-application-auto-scaling';
import type { Handler } from '../types.js';
import { allTargets, page, targetView } from './common.js';

/** Targets of a namespace, optionally by resource ids and dimension; 50 per page by default. */
export const describeScalableTargets: Handler<DescribeScalableTargetsRequest, DescribeScalableTargetsResponse> = async (input, ctx) => {
  let targets = (await allTargets(ctx.store, input.ServiceNamespace!)).map((t) => t.value);
  if (input.ResourceIds?.length) targets = targets.filter((t) => input.ResourceIds!.includes(t.resourceId));
  if (input.ScalableDimension) targets = targets.filter((t) => t.scalableDimension === input.ScalableDimension);
  targets.sort((a, b) => a.createdAt - b.createdAt);
  const p = page(targets, input.MaxResults, input.NextToken);
  return { ScalableTargets: p.items.map(targetView), ...(p.NextToken ? { NextToken: p.NextToken } : {}) };
};
