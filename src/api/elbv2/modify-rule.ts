import type { ModifyRuleInput, ModifyRuleOutput } from '@aws-sdk/client-elastic-load-balancing-v2';
import { ApiError } from '../../model/errors.js';
import type { RuleRecord } from '../../model/elbv2/records.js';
import {
  checkTgAssociation, commit, defaultRuleView, requireRule, ruleView, tgsByArn,
} from './common.js';
import { validateActions, validateConditions } from '../../model/elbv2/validation.js';
import { putOp, unchangedSince } from '../../store/json.js';
import type { Handler } from '../types.js';

export const modifyRule: Handler<ModifyRuleInput, ModifyRuleOutput> = async (input, ctx) => {
  const ref = await requireRule(ctx, input.RuleArn!);
  const tgs = await tgsByArn(ctx);
  const tgMap = new Map([...tgs].map(([k, v]) => [k, v.value]));
  const actions = input.Actions ? validateActions(input.Actions, tgMap) : undefined;
  const l = ref.listener;
  if (actions) await checkTgAssociation(ctx, l.value.lbArn, actions);
  const used = (actions ?? []).flatMap((a) => a.ForwardConfig?.TargetGroups.map((t) => tgs.get(t.TargetGroupArn)!) ?? []);
  if (ref.kind === 'default') {
    if (input.Conditions?.length) throw new ApiError('OperationNotPermitted', 'The conditions of a default rule cannot be modified');
    const next = { ...l.value, defaultActions: actions ?? l.value.defaultActions, rulesVersion: l.value.rulesVersion + 1 };
    await commit(ctx, unchangedSince(l, ...used), [putOp(l.key, next)]);
    return { Rules: [defaultRuleView(next)] };
  }
  const conditions = input.Conditions ? validateConditions(input.Conditions) : ref.rule.value.conditions;
  const next: RuleRecord = { ...ref.rule.value, conditions, actions: actions ?? ref.rule.value.actions };
  await commit(ctx, unchangedSince(l, ref.rule, ...used), [putOp(ref.rule.key, next), putOp(l.key, { ...l.value, rulesVersion: l.value.rulesVersion + 1 })]);
  return { Rules: [ruleView(next)] };
};
