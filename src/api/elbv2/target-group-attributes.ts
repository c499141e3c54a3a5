import type {
  DescribeTargetGroupAttributesInput, DescribeTargetGroupAttributesOutput, ModifyTargetGroupAttributesInput, ModifyTargetGroupAttributesOutput,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { TG_ATTRIBUTE_DEFAULTS } from '../../model/elbv2/records.js';
import { commit, requireTg } from './common.js';
import { validation } from '../../model/elbv2/validation.js';
import { putOp, unchangedSince } from '../../store/json.js';
import type { Handler } from '../types.js';

const view = (attrs: Record<string, string>) => Object.entries({ ...TG_ATTRIBUTE_DEFAULTS, ...attrs }).map(([Key, Value]) => ({ Key, Value }));

export const describeTargetGroupAttributes: Handler<DescribeTargetGroupAttributesInput, DescribeTargetGroupAttributesOutput> = async (input, ctx) => {
  const tg = await requireTg(ctx, input.TargetGroupArn!);
  return { Attributes: view(tg.value.attributes) };
};

const int = (k: string, v: string, min: number, max: number, extra = '') => {
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) throw validation(`Target group attribute '${k}' must be an integer from ${min} to ${max}${extra}`);
};

/** Checks one attribute as AWS does (ranges from the ALB target group attribute reference). */
function check(k: string, v: string): void {
  switch (k) {
    case 'deregistration_delay.timeout_seconds': return int(k, v, 0, 3600);
    case 'slow_start.duration_seconds':
      if (v !== '0') int(k, v, 30, 900, ', or 0 to turn slow start off');
      return;
    case 'stickiness.enabled':
      if (v !== 'true' && v !== 'false') throw validation(`Target group attribute '${k}' must be 'true' or 'false'`);
      return;
    case 'stickiness.type':
      if (v !== 'lb_cookie' && v !== 'app_cookie') throw validation(`Target group attribute '${k}' must be 'lb_cookie' or 'app_cookie'`);
      if (v === 'app_cookie') throw validation('Application-based stickiness (app_cookie) is not supported by Wharf; use lb_cookie');
      return;
    case 'stickiness.lb_cookie.duration_seconds':
    case 'stickiness.app_cookie.duration_seconds': return int(k, v, 1, 604800);
    case 'load_balancing.algorithm.type':
      if (v !== 'round_robin') throw validation(`Load balancing algorithm '${v}' is not supported by Wharf: use round_robin`);
      return;
    default:
      if (!(k in TG_ATTRIBUTE_DEFAULTS)) throw validation(`Target group attribute key '${k}' is not recognized`);
  }
}

export const modifyTargetGroupAttributes: Handler<ModifyTargetGroupAttributesInput, ModifyTargetGroupAttributesOutput> = async (input, ctx) => {
  const tg = await requireTg(ctx, input.TargetGroupArn!);
  const next = { ...tg.value.attributes };
  for (const a of input.Attributes ?? []) {
    check(a.Key ?? '', a.Value ?? '');
    next[a.Key!] = a.Value!;
  }
  await commit(ctx, unchangedSince(tg), [putOp(tg.key, { ...tg.value, attributes: next })]);
  return { Attributes: view(next) };
};
