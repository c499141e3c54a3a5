import type {
  DescribeLoadBalancerAttributesInput, DescribeLoadBalancerAttributesOutput, ModifyLoadBalancerAttributesInput, ModifyLoadBalancerAttributesOutput,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { LB_ATTRIBUTE_DEFAULTS } from '../../model/elbv2/records.js';
import { commit, requireLb } from './common.js';
import { validation } from '../../model/elbv2/validation.js';
import { putOp, unchangedSince } from '../../store/json.js';
import type { Handler } from '../types.js';

const view = (attrs: Record<string, string>) => Object.entries({ ...LB_ATTRIBUTE_DEFAULTS, ...attrs }).map(([Key, Value]) => ({ Key, Value }));

export const describeLoadBalancerAttributes: Handler<DescribeLoadBalancerAttributesInput, DescribeLoadBalancerAttributesOutput> = async (input, ctx) => {
  const lb = await requireLb(ctx, input.LoadBalancerArn!);
  return { Attributes: view(lb.value.attributes) };
};

const BOOL = /^(true|false)$/;

export const modifyLoadBalancerAttributes: Handler<ModifyLoadBalancerAttributesInput, ModifyLoadBalancerAttributesOutput> = async (input, ctx) => {
  const lb = await requireLb(ctx, input.LoadBalancerArn!);
  const next = { ...lb.value.attributes };
  for (const a of input.Attributes ?? []) {
    const k = a.Key ?? '', v = a.Value ?? '';
    if (!(k in LB_ATTRIBUTE_DEFAULTS)) throw validation(`Load balancer attribute key '${k}' is not recognized`);
    if (k.endsWith('.enabled') && !BOOL.test(v)) throw validation(`Load balancer attribute '${k}' must be 'true' or 'false'`);
    if (k === 'idle_timeout.timeout_seconds' && !(/^\d+$/.test(v) && Number(v) >= 1 && Number(v) <= 4000)) throw validation(`Load balancer attribute '${k}' must be an integer from 1 to 4000`);
    next[k] = v;
  }
  await commit(ctx, unchangedSince(lb), [putOp(lb.key, { ...lb.value, attributes: next })]);
  return { Attributes: view(next) };
};
