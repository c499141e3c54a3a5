import type { DescribeRulesInput, DescribeRulesOutput, Rule } from '@aws-sdk/client-elastic-load-balancing-v2';
import { elbKeys, type RuleRecord } from '../../model/elbv2/records.js';
import { defaultRuleView, listRecs, requireListener, requireRule, ruleView } from './common.js';
import { page, validation } from '../../model/elbv2/validation.js';
import type { Handler } from '../types.js';

export const describeRules: Handler<DescribeRulesInput, DescribeRulesOutput> = async (input, ctx) => {
  let selected: Rule[];
  if (input.ListenerArn && input.RuleArns?.length) throw validation('Rule ARNs and a listener ARN cannot be specified at the same time');
  if (input.ListenerArn) {
    const l = await requireListener(ctx, input.ListenerArn);
    const rules = (await listRecs<RuleRecord>(ctx, elbKeys.rules(l.value.lbName, l.value.id))).map((r) => r.value).sort((a, b) => a.priority - b.priority);
    selected = [...rules.map(ruleView), defaultRuleView(l.value)];
  } else if (input.RuleArns?.length) {
    selected = [];
    for (const arn of input.RuleArns) {
      const r = await requireRule(ctx, arn);
      selected.push(r.kind === 'default' ? defaultRuleView(r.listener.value) : ruleView(r.rule.value));
    }
  } else {
    throw validation('You must specify either listener ARNs or rule ARNs');
  }
  const p = page(selected, input.Marker, input.PageSize);
  return { Rules: p.items, ...(p.next ? { NextMarker: p.next } : {}) };
};
