import type { DescribeTargetGroupsInput, DescribeTargetGroupsOutput } from '@aws-sdk/client-elastic-load-balancing-v2';
import { ApiError } from '../../model/errors.js';
import { elbKeys, type ListenerRecord, type RuleRecord, type TargetGroupRecord } from '../../model/elbv2/records.js';
import { listRecs, requireLb, tgView } from './common.js';
import { lbArnsByTg, page, validation } from '../../model/elbv2/validation.js';
import type { Handler } from '../types.js';

export const describeTargetGroups: Handler<DescribeTargetGroupsInput, DescribeTargetGroupsOutput> = async (input, ctx) => {
  const given = [input.LoadBalancerArn ? 1 : 0, input.TargetGroupArns?.length ? 1 : 0, input.Names?.length ? 1 : 0].reduce((a, b) => a + b, 0);
  if (given > 1) throw validation('Only one of LoadBalancerArn, TargetGroupArns and Names can be specified');
  const all = (await listRecs<TargetGroupRecord>(ctx, elbKeys.tgs())).map((r) => r.value);
  const listeners = (await listRecs<ListenerRecord>(ctx, elbKeys.listeners())).map((r) => r.value);
  const rules = (await listRecs<RuleRecord>(ctx, elbKeys.rules())).map((r) => r.value);
  const lbs = lbArnsByTg(listeners, rules);
  let selected = all;
  if (input.LoadBalancerArn) {
    await requireLb(ctx, input.LoadBalancerArn);
    selected = all.filter((t) => lbs.get(t.arn)?.has(input.LoadBalancerArn!));
  } else if (input.TargetGroupArns?.length) {
    const byArn = new Map(all.map((t) => [t.arn, t]));
    if (input.TargetGroupArns.some((a) => !byArn.has(a))) throw new ApiError('TargetGroupNotFound', 'One or more target groups not found');
    selected = input.TargetGroupArns.map((a) => byArn.get(a)!);
  } else if (input.Names?.length) {
    const byName = new Map(all.map((t) => [t.name, t]));
    const missing = input.Names.filter((n) => !byName.has(n));
    if (missing.length) throw new ApiError('TargetGroupNotFound', `Target groups '[${missing.join(', ')}]' not found`);
    selected = input.Names.map((n) => byName.get(n)!);
  }
  const p = page(selected, input.Marker, input.PageSize);
  return { TargetGroups: p.items.map((t) => tgView(t, [...(lbs.get(t.arn) ?? [])])), ...(p.next ? { NextMarker: p.next } : {}) };
};
