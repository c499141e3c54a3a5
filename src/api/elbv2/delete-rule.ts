import type { DeleteRuleInput, DeleteRuleOutput } from '@aws-sdk/client-elastic-load-balancing-v2';
import { ApiError } from '../../model/errors.js';
import { commit, requireRule } from './common.js';
import { deleteOp, putOp, unchangedSince } from '../../store/json.js';
import type { Handler } from '../types.js';

export const deleteRule: Handler<DeleteRuleInput, DeleteRuleOutput> = async (input, ctx) => {
  const ref = await requireRule(ctx, input.RuleArn!);
  if (ref.kind === 'default') throw new ApiError('OperationNotPermitted', `Default rule '${input.RuleArn}' cannot be deleted`);
  const l = ref.listener;
  await commit(ctx, unchangedSince(l, ref.rule), [deleteOp(ref.rule.key), putOp(l.key, { ...l.value, rulesVersion: l.value.rulesVersion + 1 })]);
  return {};
};
