import type { DeregisterTargetsInput, DeregisterTargetsOutput } from '@aws-sdk/client-elastic-load-balancing-v2';
import { elbKeys, TG_ATTRIBUTE_DEFAULTS, type TargetRecord } from '../../model/elbv2/records.js';
import { commit, listRecs, requireTg } from './common.js';
import { deleteOp, putOp, unchangedSince } from '../../store/json.js';
import type { Handler } from '../types.js';

/**
 * Deregisters targets: each goes `draining` for the target group's deregistration delay (in-flight
 * requests finish, no new ones arrive), then the lb controller removes it. A delay of 0 removes at once.
 * Targets that are not registered are ignored.
 */
export const deregisterTargets: Handler<DeregisterTargetsInput, DeregisterTargetsOutput> = async (input, ctx) => {
  const tg = await requireTg(ctx, input.TargetGroupArn!);
  const delayS = Number(tg.value.attributes['deregistration_delay.timeout_seconds'] ?? TG_ATTRIBUTE_DEFAULTS['deregistration_delay.timeout_seconds']);
  const existing = new Map((await listRecs<TargetRecord>(ctx, elbKeys.targets(tg.value.name))).map((r) => [r.key, r]));
  const now = ctx.now.getTime();
  const touched = [];
  const ops = [];
  for (const t of input.Targets ?? []) {
    const key = elbKeys.target(tg.value.name, t.Id!, t.Port ?? tg.value.port);
    const cur = existing.get(key);
    if (!cur || cur.value.drainUntil !== undefined) continue;
    touched.push(cur);
    ops.push(delayS === 0 ? deleteOp(key) : putOp(key, { ...cur.value, deregisteredAt: now, drainUntil: now + delayS * 1000 }));
  }
  if (ops.length > 0) await commit(ctx, unchangedSince(tg, ...touched), ops);
  return {};
};
