/**
 * PutRule, DescribeRule, ListRules, EnableRule, DisableRule, DeleteRule.
 *
 * PutRule replaces a rule's definition (members left out are cleared, as AWS documents) and keeps its
 * targets; the pattern and the schedule are checked before anything is written. Schedules are taken on
 * the default bus only, as at AWS. Wharf has no managed rules, so DeleteRule's Force changes nothing.
 */
import type {
  DeleteRuleRequest, DescribeRuleRequest, DescribeRuleResponse, DisableRuleRequest, EnableRuleRequest, ListRulesRequest, ListRulesResponse,
  PutRuleRequest, PutRuleResponse,
} from '@aws-sdk/client-eventbridge';
import { ApiError } from '../../model/errors.js';
import { DEFAULT_BUS, eventsKeys, ruleArn, type RuleRecord } from '../../model/events/records.js';
import type { Handler } from '../types.js';
import {
  busNameOf, checkPattern, checkSchedule, concurrent, getBus, getRule, mergeTags, noBus, page, requireRule, ruleView, rulesOf, updateRule,
} from './common.js';

export const putRule: Handler<PutRuleRequest, PutRuleResponse> = async (input, ctx) => {
  const bus = busNameOf(input.EventBusName);
  const name = input.Name!;
  if (input.EventPattern === undefined && input.ScheduleExpression === undefined) {
    throw new ApiError('ValidationException', 'Parameter(s) EventPattern or ScheduleExpression must be specified.');
  }
  if (input.EventPattern !== undefined) checkPattern(input.EventPattern);
  if (input.ScheduleExpression !== undefined) {
    checkSchedule(input.ScheduleExpression);
    if (bus !== DEFAULT_BUS) throw new ApiError('ValidationException', 'ScheduleExpression is supported only on the default event bus.');
  }
  for (let attempt = 0; attempt < 10; attempt++) {
    const b = await getBus(ctx, bus);
    if (!b) throw noBus(bus);
    const cur = await getRule(ctx.store, bus, name);
    const r: RuleRecord = {
      name, arn: ruleArn(ctx.region, ctx.accountId, bus, name), eventBusName: bus,
      ...(input.EventPattern !== undefined ? { eventPattern: input.EventPattern } : {}),
      ...(input.ScheduleExpression !== undefined ? { scheduleExpression: input.ScheduleExpression } : {}),
      state: input.State ?? 'ENABLED',
      ...(input.Description !== undefined ? { description: input.Description } : {}),
      ...(input.RoleArn !== undefined ? { roleArn: input.RoleArn } : {}),
      createdBy: cur?.value.createdBy ?? ctx.accountId,
      tags: mergeTags(cur?.value.tags ?? {}, input.Tags),
      targets: cur?.value.targets ?? [],
      createdAt: cur?.value.createdAt ?? ctx.now.getTime(),
      updatedAt: ctx.now.getTime(),
    };
    const key = eventsKeys.rule(bus, name);
    // A new rule also rewrites its bus record (unchanged), guarded on the bus's version: DeleteEventBus
    // guards on that version too, so a bus cannot be deleted while a rule is being made on it.
    const busGuard = b.version > 0
      ? { compare: [{ key: b.key, target: 'version' as const, op: '==' as const, value: b.version }], ops: cur ? [] : [{ type: 'put' as const, key: b.key, value: JSON.stringify(b.value) }] }
      : { compare: [], ops: [] };
    const res = await ctx.store.txn({
      compare: [{ key, target: 'version', op: '==', value: cur?.version ?? 0 }, ...busGuard.compare],
      success: [{ type: 'put', key, value: JSON.stringify(r) }, ...busGuard.ops],
    });
    if (res.succeeded) return { RuleArn: r.arn };
  }
  throw concurrent();
};

export const describeRule: Handler<DescribeRuleRequest, DescribeRuleResponse> = async (input, ctx) => {
  const r = await requireRule(ctx, busNameOf(input.EventBusName), input.Name!);
  return { ...ruleView(r.value), CreatedBy: r.value.createdBy };
};

export const listRules: Handler<ListRulesRequest, ListRulesResponse> = async (input, ctx) => {
  const bus = busNameOf(input.EventBusName);
  if (!(await getBus(ctx, bus))) throw noBus(bus);
  const rules = (await rulesOf(ctx.store, bus)).map((k) => k.value).filter((r) => input.NamePrefix === undefined || r.name.startsWith(input.NamePrefix));
  const p = page(rules, input.Limit, input.NextToken);
  return { Rules: p.items.map(ruleView), ...(p.NextToken ? { NextToken: p.NextToken } : {}) };
};

export const enableRule: Handler<EnableRuleRequest, Record<string, never>> = async (input, ctx) => {
  await updateRule(ctx, busNameOf(input.EventBusName), input.Name!, (r) => ({ ...r, state: 'ENABLED' }));
  return {};
};

export const disableRule: Handler<DisableRuleRequest, Record<string, never>> = async (input, ctx) => {
  await updateRule(ctx, busNameOf(input.EventBusName), input.Name!, (r) => ({ ...r, state: 'DISABLED' }));
  return {};
};

export const deleteRule: Handler<DeleteRuleRequest, Record<string, never>> = async (input, ctx) => {
  const bus = busNameOf(input.EventBusName);
  for (let attempt = 0; attempt < 10; attempt++) {
    const cur = await getRule(ctx.store, bus, input.Name!);
    if (!cur) {
      if (!(await getBus(ctx, bus))) throw noBus(bus);
      return {}; // deleting a rule that is not there succeeds, as at AWS
    }
    if (cur.value.targets.length > 0) throw new ApiError('ValidationException', "Rule can't be deleted since it has targets.");
    const res = await ctx.store.txn({ compare: [{ key: cur.key, target: 'version', op: '==', value: cur.version }], success: [{ type: 'delete', key: cur.key }] });
    if (res.succeeded) return {};
  }
  throw concurrent();
};
