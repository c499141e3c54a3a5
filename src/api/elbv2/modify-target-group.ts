import type { ModifyTargetGroupInput, ModifyTargetGroupOutput } from '@aws-sdk/client-elastic-load-balancing-v2';
import { elbKeys, type ListenerRecord, type RuleRecord } from '../../model/elbv2/records.js';
import { commit, listRecs, requireTg, tgView } from './common.js';
import { lbArnsByTg, validateHealthCheck } from '../../model/elbv2/validation.js';
import { putOp, unchangedSince } from '../../store/json.js';
import type { Handler } from '../types.js';

export const modifyTargetGroup: Handler<ModifyTargetGroupInput, ModifyTargetGroupOutput> = async (input, ctx) => {
  const tg = await requireTg(ctx, input.TargetGroupArn!);
  const healthCheck = validateHealthCheck(tg.value.healthCheck, input);
  const next = { ...tg.value, healthCheck };
  await commit(ctx, unchangedSince(tg), [putOp(tg.key, next)]);
  const lbs = lbArnsByTg((await listRecs<ListenerRecord>(ctx, elbKeys.listeners())).map((r) => r.value), (await listRecs<RuleRecord>(ctx, elbKeys.rules())).map((r) => r.value));
  return { TargetGroups: [tgView(next, [...(lbs.get(next.arn) ?? [])])] };
};
