/**
 * PutTargets, RemoveTargets, ListTargetsByRule, ListRuleNamesByTarget. Targets live inside their rule's
 * record. A request with a bad member (Input that is not JSON, two of Input/InputPath/InputTransformer,
 * a repeated Id, more than 5 targets on the rule) is refused whole and changes nothing; a target whose
 * ARN is not an ARN is a FailedEntry while the others are written, as AWS reports per entry.
 */
import type {
  ListRuleNamesByTargetRequest, ListRuleNamesByTargetResponse, ListTargetsByRuleRequest, ListTargetsByRuleResponse, PutTargetsRequest,
  PutTargetsResponse, PutTargetsResultEntry, RemoveTargetsRequest, RemoveTargetsResponse, Target,
} from '@aws-sdk/client-eventbridge';
import { ApiError } from '../../model/errors.js';
import type { Handler } from '../types.js';
import { busNameOf, getBus, noBus, page, requireRule, rulesOf, updateRule } from './common.js';

/** EventBridge's limit on targets per rule. */
export const MAX_TARGETS_PER_RULE = 5;

const ARN = /^arn:aws[\w-]*:[a-z0-9-]+:[a-z0-9-]*:(\d{12})?:.+$/;
const JSON_PATH = /^\$(\.[^.[\]]+|\[\d+\])*$/;

function isJson(s: string): boolean {
  try {
    JSON.parse(s);
    return true;
  } catch {
    return false;
  }
}

/** Whole-request checks of one target (throws ValidationException). */
function checkTarget(t: Target): void {
  const id = t.Id!;
  const inputs = [t.Input !== undefined, t.InputPath !== undefined, t.InputTransformer !== undefined].filter(Boolean).length;
  if (inputs > 1) throw new ApiError('ValidationException', `Target ${id}: only one of Input, InputPath and InputTransformer may be set.`);
  if (t.Input !== undefined && !isJson(t.Input)) throw new ApiError('ValidationException', `Target ${id}: Input is not valid JSON text.`);
  if (t.InputPath !== undefined && !JSON_PATH.test(t.InputPath)) throw new ApiError('ValidationException', `Target ${id}: InputPath ${t.InputPath} is not a valid JSON path.`);
  if (t.InputTransformer) {
    for (const [k, p] of Object.entries(t.InputTransformer.InputPathsMap ?? {})) {
      if (!JSON_PATH.test(p)) throw new ApiError('ValidationException', `Target ${id}: InputPathsMap value ${p} for ${k} is not a valid JSON path.`);
    }
  }
}

export const putTargets: Handler<PutTargetsRequest, PutTargetsResponse> = async (input, ctx) => {
  const bus = busNameOf(input.EventBusName);
  const targets = input.Targets!;
  const ids = new Set<string>();
  for (const t of targets) {
    if (ids.has(t.Id!)) throw new ApiError('ValidationException', `Target ids must be unique within a request: ${t.Id} is given twice.`);
    ids.add(t.Id!);
    checkTarget(t);
  }
  const failed: PutTargetsResultEntry[] = [];
  const good: Target[] = [];
  for (const t of targets) {
    if (!ARN.test(t.Arn!)) failed.push({ TargetId: t.Id, ErrorCode: 'ValidationException', ErrorMessage: `Parameter ${t.Arn} is not valid. Reason: Provided Arn is not in correct format.` });
    else good.push(structuredClone(t));
  }
  await updateRule(ctx, bus, input.Rule!, (r) => {
    // Replaced targets keep their place; new ones go last.
    const ordered = r.targets.map((x) => good.find((g) => g.Id === x.Id) ?? x).concat(good.filter((g) => !r.targets.some((x) => x.Id === g.Id)));
    if (ordered.length > MAX_TARGETS_PER_RULE) {
      throw new ApiError('LimitExceededException', `The requested resource exceeds the maximum number allowed: a rule has at most ${MAX_TARGETS_PER_RULE} targets (rule ${r.name} would have ${ordered.length}).`);
    }
    return { ...r, targets: ordered };
  });
  return { FailedEntryCount: failed.length, FailedEntries: failed };
};

export const removeTargets: Handler<RemoveTargetsRequest, RemoveTargetsResponse> = async (input, ctx) => {
  const drop = new Set(input.Ids);
  await updateRule(ctx, busNameOf(input.EventBusName), input.Rule!, (r) => ({ ...r, targets: r.targets.filter((t) => !drop.has(t.Id!)) }));
  return { FailedEntryCount: 0, FailedEntries: [] };
};

export const listTargetsByRule: Handler<ListTargetsByRuleRequest, ListTargetsByRuleResponse> = async (input, ctx) => {
  const r = await requireRule(ctx, busNameOf(input.EventBusName), input.Rule!);
  const p = page(r.value.targets, input.Limit, input.NextToken);
  return { Targets: p.items, ...(p.NextToken ? { NextToken: p.NextToken } : {}) };
};

export const listRuleNamesByTarget: Handler<ListRuleNamesByTargetRequest, ListRuleNamesByTargetResponse> = async (input, ctx) => {
  const bus = busNameOf(input.EventBusName);
  if (!(await getBus(ctx, bus))) throw noBus(bus);
  const names = (await rulesOf(ctx.store, bus)).filter((k) => k.value.targets.some((t) => t.Arn === input.TargetArn)).map((k) => k.value.name);
  const p = page(names, input.Limit, input.NextToken);
  return { RuleNames: p.items, ...(p.NextToken ? { NextToken: p.NextToken } : {}) };
};
