import type { DescribeScheduledActionsRequest, DescribeScheduledActionsResponse } from '@aws-sdk/client-application-auto-scaling';
import type { Handler } from '../types.js';
import { allTargets, page, scheduledView } from './common.js';

export const describeScheduledActions: Handler<DescribeScheduledActionsRequest, DescribeScheduledActionsResponse> = async (input, ctx) => {
  let targets = (await allTargets(ctx.store, input.ServiceNamespace!)).map((t) => t.value);
  if (input.ResourceId) targets = targets.filter((t) => t.resourceId === input.ResourceId);
  if (input.ScalableDimension) targets = targets.filter((t) => t.scalableDimension === input.ScalableDimension);
  const all = targets.flatMap((t) => t.scheduledActions.map((a) => ({ t, a })))
    .filter(({ a }) => !input.ScheduledActionNames?.length || input.ScheduledActionNames.includes(a.name))
    .sort((x, y) => x.a.createdAt - y.a.createdAt);
  const p = page(all, input.MaxResults, input.NextToken);
  return { ScheduledActions: p.items.map(({ t, a }) => scheduledView(t, a)), ...(p.NextToken ? { NextToken: p.NextToken } : {}) };
};
