import type { CreateRuleInput, CreateRuleOutput } from '@aws-sdk/client-elastic-load-balancing-v2';
import { ApiError } from '../../model/errors.js';
import { elbKeys, ruleArn, type RuleRecord } from '../../model/elbv2/records.js';
import {
  checkTgAssociation, commit, listRecs, newId, requireListener, requireLb, ruleView, tgsByArn,
} from './common.js';
import { validateActions, validateConditions, validateTags } from '../../model/elbv2/validation.js';
import { putOp, unchangedSince } from '../../store/json.js';
import type { Handler } from '../types.js';

export const createRule: Handler<CreateRuleInput, CreateRuleOutput> = async (input, ctx) => {
  const l = await requireListener(ctx, input.ListenerArn!);
  const conditions = validateConditions(input.Conditions ?? []);
  const tgs = await tgsByArn(ctx);
  const actions = validateActions(input.Actions ?? [], new Map([...tgs].map(([k, v]) => [k, v.value])));
  const tags = validateTags(input.Tags);
  const rules = await listRecs<RuleRecord>(ctx, elbKeys.rules(l.value.lbName, l.value.id));
  if (rules.some((r) => r.value.priority === input.Priority)) throw new ApiError('PriorityInUse', `Priority '${input.Priority}' is currently in use`);
  if (rules.length >= 100) throw new ApiError('TooManyRules', 'You have reached the limit on the number of rules per listener (100)');
  await checkTgAssociation(ctx, l.value.lbArn, actions);
  const lb = await requireLb(ctx, l.value.lbArn);
  const id = newId();
  const rec: RuleRecord = {
    arn: ruleArn(ctx, lb.value.name, lb.value.id, l.value.id, id), id, lbName: l.value.lbName, listenerId: l.value.id, listenerArn: l.value.arn,
    priority: input.Priority!, conditions, actions, tags,
  };
  const used = actions.flatMap((a) => a.ForwardConfig?.TargetGroups.map((t) => tgs.get(t.TargetGroupArn)!) ?? []);
  // Every rule change rewrites the listener (rulesVersion), so two concurrent rule writes cannot both
  // take the same priority: the second fails its version compare.
  await commit(ctx, unchangedSince(l, ...used), [putOp(elbKeys.rule(l.value.lbName, l.value.id, id), rec), putOp(l.key, { ...l.value, rulesVersion: l.value.rulesVersion + 1 })]);
  return { Rules: [ruleView(rec)] };
};
