import type { DescribeScalingPoliciesRequest, DescribeScalingPoliciesResponse } from '@aws-sdk/client-application-auto-scaling';
import type { Handler } from '../types.js';
import { allTargets, page, policyView } from './common.js';

/**
 * Policies of a namespace (filters: names, resource, dimension). A step scaling policy lists the alarms
 * whose actions name it, as AWS does; a target tracking policy lists the alarms it made.
 */
export const describeScalingPolicies: Handler<DescribeScalingPoliciesRequest, DescribeScalingPoliciesResponse> = async (input, ctx) => {
  let targets = (await allTargets(ctx.store, input.ServiceNamespace!)).map((t) => t.value);
  if (input.ResourceId) targets = targets.filter((t) => t.resourceId === input.ResourceId);
  if (input.ScalableDimension) targets = targets.filter((t) => t.scalableDimension === input.ScalableDimension);
  const all = targets.flatMap((t) => t.policies.map((p) => ({ t, p })))
    .filter(({ p }) => !input.PolicyNames?.length || input.PolicyNames.includes(p.name))
    .sort((a, b) => a.p.createdAt - b.p.createdAt);
  const pg = page(all, input.MaxResults, input.NextToken);
  const needAlarms = pg.items.some(({ p }) => p.type === 'StepScaling');
  const alarms = needAlarms ? ctx.metrics.describeAlarms({ MaxRecords: 10_000 }).MetricAlarms ?? [] : [];
  return {
    ScalingPolicies: pg.items.map(({ t, p }) => {
      const v = policyView(t, p);
      if (p.type === 'StepScaling') {
        v.Alarms = alarms.filter((a) => [...(a.AlarmActions ?? []), ...(a.OKActions ?? []), ...(a.InsufficientDataActions ?? [])].includes(p.arn))
          .map((a) => ({ AlarmName: a.AlarmName!, AlarmARN: a.AlarmArn! }));
      }
      return v;
    }),
    ...(pg.NextToken ? { NextToken: pg.NextToken } : {}),
  };
};
