/** Shared by the EventBridge handlers: bus and rule lookup with AWS's not-found wording, paging, views. */
import type { EventBus, Rule } from '@aws-sdk/client-eventbridge';
import { ApiError } from '../../model/errors.js';
import { busArn, DEFAULT_BUS, eventsKeys, type EventBusRecord, type RuleRecord } from '../../model/events/records.js';
import { compilePattern, PatternError, type CompiledPattern } from '../../model/events/pattern.js';
import { parseSchedule, ScheduleError } from '../../model/autoscaling/schedule.js';
import { getKeyed, rangeKeyed, type Keyed } from '../../store/json.js';
import type { Store } from '../../store/store.js';
import type { RequestContext } from '../types.js';

/** EventBusName may be a name or an event-bus ARN; absent means the default bus. */
export function busNameOf(nameOrArn: string | undefined): string {
  if (nameOrArn === undefined || nameOrArn === '') return DEFAULT_BUS;
  const m = /^arn:aws[\w-]*:events:[^:]+:\d{12}:event-bus\/(.+)$/.exec(nameOrArn);
  return m ? m[1] : nameOrArn;
}

export const noBus = (name: string) => new ApiError('ResourceNotFoundException', `Event bus ${name} does not exist.`);
export const noRule = (name: string, bus: string) => new ApiError('ResourceNotFoundException', `Rule ${name} does not exist on EventBus ${bus}.`);
export const concurrent = () => new ApiError('ConcurrentModificationException', 'Another request changed this resource at the same time; retry the request.');

/** The default bus exists in every account and region; it gets a record only once it is tagged. */
export function defaultBus(ctx: Pick<RequestContext, 'region' | 'accountId'>): EventBusRecord {
  return { name: DEFAULT_BUS, arn: busArn(ctx.region, ctx.accountId, DEFAULT_BUS), createdAt: 0, lastModifiedAt: 0, tags: {} };
}

/** The bus with its store version (0 for a default bus that has no record yet), or undefined. */
export async function getBus(ctx: RequestContext, name: string): Promise<Keyed<EventBusRecord> | undefined> {
  const rec = await getKeyed<EventBusRecord>(ctx.store, eventsKeys.bus(name));
  if (rec) return rec;
  return name === DEFAULT_BUS ? { key: eventsKeys.bus(name), value: defaultBus(ctx), version: 0 } : undefined;
}

export async function requireBus(ctx: RequestContext, name: string): Promise<Keyed<EventBusRecord>> {
  const b = await getBus(ctx, name);
  if (!b) throw noBus(name);
  return b;
}

export async function getRule(store: Store, bus: string, name: string): Promise<Keyed<RuleRecord> | undefined> {
  return getKeyed<RuleRecord>(store, eventsKeys.rule(bus, name));
}

/** The rule, or AWS's ResourceNotFoundException (a missing custom bus says so first). */
export async function requireRule(ctx: RequestContext, bus: string, name: string): Promise<Keyed<RuleRecord>> {
  const r = await getRule(ctx.store, bus, name);
  if (r) return r;
  if (bus !== DEFAULT_BUS && !(await getBus(ctx, bus))) throw noBus(bus);
  throw noRule(name, bus);
}

export async function rulesOf(store: Store, bus: string): Promise<Keyed<RuleRecord>[]> {
  return rangeKeyed<RuleRecord>(store, eventsKeys.rules(bus));
}

/** Writes a rule guarded on the version read (0 = create). */
export async function putRuleRecord(store: Store, r: RuleRecord, readVersion: number): Promise<boolean> {
  const key = eventsKeys.rule(r.eventBusName, r.name);
  return (await store.txn({ compare: [{ key, target: 'version', op: '==', value: readVersion }], success: [{ type: 'put', key, value: JSON.stringify(r) }] })).succeeded;
}

/** Read-modify-write of one rule; `fn` returns the new record (it may throw to refuse). */
export async function updateRule(ctx: RequestContext, bus: string, name: string, fn: (r: RuleRecord) => RuleRecord): Promise<RuleRecord> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const cur = await requireRule(ctx, bus, name);
    const next = fn(structuredClone(cur.value));
    if (await putRuleRecord(ctx.store, next, cur.version)) return next;
  }
  throw concurrent();
}

/** Offset paging (NextToken is the offset, opaque to clients). */
export function page<T>(items: T[], limit: number | undefined, nextToken: string | undefined, max = 100): { items: T[]; NextToken?: string } {
  let offset = 0;
  if (nextToken !== undefined) {
    offset = Number(Buffer.from(nextToken, 'base64url').toString());
    if (!Number.isInteger(offset) || offset < 0 || offset > items.length) throw new ApiError('ValidationException', 'The NextToken provided is invalid.');
  }
  const n = limit ?? max;
  return { items: items.slice(offset, offset + n), ...(offset + n < items.length ? { NextToken: Buffer.from(String(offset + n)).toString('base64url') } : {}) };
}

/** Checks an event pattern; AWS's InvalidEventPatternException with the reason. */
export function checkPattern(text: string): CompiledPattern {
  try {
    return compilePattern(text);
  } catch (e) {
    if (e instanceof PatternError) throw new ApiError('InvalidEventPatternException', `Event pattern is not valid. Reason: ${e.message}`);
    throw e;
  }
}

/** Rules take rate() and cron() (no at(), which only EventBridge Scheduler has), in UTC. */
export function checkSchedule(expr: string): void {
  const bad = () => new ApiError('ValidationException', 'Parameter ScheduleExpression is not valid.');
  if (!/^(rate|cron)\(/.test(expr)) throw bad();
  try {
    parseSchedule(expr);
  } catch (e) {
    if (e instanceof ScheduleError) throw bad();
    throw e;
  }
}

export function ruleView(r: RuleRecord): Rule {
  return {
    Name: r.name, Arn: r.arn,
    ...(r.eventPattern !== undefined ? { EventPattern: r.eventPattern } : {}),
    State: r.state,
    ...(r.description !== undefined ? { Description: r.description } : {}),
    ...(r.scheduleExpression !== undefined ? { ScheduleExpression: r.scheduleExpression } : {}),
    ...(r.roleArn !== undefined ? { RoleArn: r.roleArn } : {}),
    EventBusName: r.eventBusName,
  };
}

export function busView(b: EventBusRecord): EventBus {
  return {
    Name: b.name, Arn: b.arn,
    ...(b.description !== undefined ? { Description: b.description } : {}),
    ...(b.createdAt ? { CreationTime: new Date(b.createdAt), LastModifiedTime: new Date(b.lastModifiedAt) } : {}),
  };
}

const MAX_TAGS = 50;

/** Tag lists as AWS takes them: aws: keys are reserved; at most 50 per resource. */
export function mergeTags(cur: Record<string, string>, add: { Key?: string; Value?: string }[] | undefined): Record<string, string> {
  const out = { ...cur };
  for (const t of add ?? []) {
    if (t.Key!.toLowerCase().startsWith('aws:')) throw new ApiError('ValidationException', `Invalid tag key ${t.Key}: keys that start with aws: are reserved for AWS.`);
    out[t.Key!] = t.Value ?? '';
  }
  if (Object.keys(out).length > MAX_TAGS) throw new ApiError('LimitExceededException', `A resource can have at most ${MAX_TAGS} tags.`);
  return out;
}
