import type { DeleteTargetGroupInput, DeleteTargetGroupOutput } from '@aws-sdk/client-elastic-load-balancing-v2';
import { ApiError } from '../../model/errors.js';
import { elbKeys, parseElbArn, type ListenerRecord, type RuleRecord } from '../../model/elbv2/records.js';
import { commit, findTg, listRecs } from './common.js';
import { lbArnsByTg, tgNotFound } from '../../model/elbv2/validation.js';
import { deleteOp, unchangedSince } from '../../store/json.js';
import type { Handler } from '../types.js';

/** Deletes a target group and its target registrations; refuses while a listener or rule routes to it. */
export const deleteTargetGroup: Handler<DeleteTargetGroupInput, DeleteTargetGroupOutput> = async (input, ctx) => {
  const arn = input.TargetGroupArn!;
  if (parseElbArn(arn)?.kind !== 'targetgroup') throw tgNotFound();
  const tg = await findTg(ctx, arn);
  if (!tg) return {};
  const listeners = await listRecs<ListenerRecord>(ctx, elbKeys.listeners());
  const rules = await listRecs<RuleRecord>(ctx, elbKeys.rules());
  if (lbArnsByTg(listeners.map((l) => l.value), rules.map((r) => r.value)).has(arn)) {
    throw new ApiError('ResourceInUse', `Target group '${arn}' is currently in use by a listener or a rule`);
  }
  const targets = await listRecs(ctx, elbKeys.targets(tg.value.name));
  // Guard on every listener and rule too: one created concurrently could start routing to this group.
  await commit(ctx, unchangedSince(tg, ...listeners, ...rules), [deleteOp(tg.key), ...targets.map((t) => deleteOp(t.key))]);
  return {};
};
