import type { DescribeLoadBalancersInput, DescribeLoadBalancersOutput } from '@aws-sdk/client-elastic-load-balancing-v2';
import { ApiError } from '../../model/errors.js';
import { elbKeys, type LoadBalancerRecord } from '../../model/elbv2/records.js';
import { lbView, listRecs } from './common.js';
import { page, validation } from '../../model/elbv2/validation.js';
import type { Handler } from '../types.js';

export const describeLoadBalancers: Handler<DescribeLoadBalancersInput, DescribeLoadBalancersOutput> = async (input, ctx) => {
  if (input.LoadBalancerArns?.length && input.Names?.length) throw validation('Load balancer names and load balancer ARNs cannot be specified at the same time');
  const all = (await listRecs<LoadBalancerRecord>(ctx, elbKeys.lbs())).map((r) => r.value);
  let selected = all;
  if (input.LoadBalancerArns?.length) {
    const byArn = new Map(all.map((l) => [l.arn, l]));
    const missing = input.LoadBalancerArns.filter((a) => !byArn.has(a));
    if (missing.length) throw new ApiError('LoadBalancerNotFound', `One or more load balancers not found`);
    selected = input.LoadBalancerArns.map((a) => byArn.get(a)!);
  } else if (input.Names?.length) {
    const byName = new Map(all.map((l) => [l.name, l]));
    const missing = input.Names.filter((n) => !byName.has(n));
    if (missing.length) throw new ApiError('LoadBalancerNotFound', `Load balancers '[${missing.join(', ')}]' not found`);
    selected = input.Names.map((n) => byName.get(n)!);
  }
  const p = page(selected, input.Marker, input.PageSize);
  return { LoadBalancers: p.items.map((l) => lbView(l, ctx.region)), ...(p.next ? { NextMarker: p.next } : {}) };
};
