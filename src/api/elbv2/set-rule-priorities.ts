import type { SetRulePrioritiesInput, SetRulePrioritiesOutput } from '@aws-sdk/client-elastic-load-balancing-v2';
import { ApiError } from '../../model/errors.js';
import { elbKeys, type ListenerRecord, type RuleRecord } from '../../model/elbv2/records.js';
import { commit, listRecs, requireRule, ruleView } from './common.js';
import { putOp, unchangedSince, type Keyed } from '../../store/json.js';
import type { Handler } from '../types.js';

/** Changes several priorities at once (swaps included): checked against the final state, one transaction. */
export const setRulePriorities: Handler<SetRulePrioritiesInput, SetRulePrioritiesOutput> = async (input, ctx) => {
  const changes = new Map<string, { rule: Keyed<RuleRecord>; priority: number }>();
  const listeners = new Map<string, Keyed<ListenerRecord>>();
  for (const pair of input.RulePriorities ?? []) {
    const ref = await requireRule(ctx, pair.RuleArn!);
    if (ref.kind === 'default') throw new ApiError('OperationNotPermitted', `The priority of default rule '${pair.RuleArn}' cannot be changed`);
    if (changes.has(pair.RuleArn!)) throw new ApiError('ValidationError', `Rule '${pair.RuleArn}' is specified more than once`);
    changes.set(pair.RuleArn!, { rule: ref.rule, priority: pair.Priority! });
    listeners.set(ref.listener.key, ref.listener);
  }
  for (const l of listeners.values()) {
    const rules = await listRecs<RuleRecord>(ctx, elbKeys.rules(l.value.lbName, l.value.id));
    const taken = new Map<number, string>();
    for (const r of rules) {
      const p = changes.get(r.value.arn)?.priority ?? r.value.priority;
      if (taken.has(p)) throw new ApiError('PriorityInUse', `Priority '${p}' is currently in use`);
      taken.set(p, r.value.arn);
    }
  }
  const updated = [...changes.values()].map((c) => ({ ...c.rule.value, priority: c.priority }));
  await commit(ctx, unchangedSince(...listeners.values(), ...[...changes.values()].map((c) => c.rule)), [
    ...[...changes.values()].map((c, i) => putOp(c.rule.key, updated[i])),
    ...[...listeners.values()].map((l) => putOp(l.key, { ...l.value, rulesVersion: l.value.rulesVersion + 1 })),
  ]);
  return { Rules: updated.map(ruleView) };
};
