/** Schedule groups (CreateScheduleGroup, GetScheduleGroup, ListScheduleGroups, DeleteScheduleGroup) and their tags. */
import type {
  CreateScheduleGroupInput, CreateScheduleGroupOutput, DeleteScheduleGroupInput, DeleteScheduleGroupOutput, GetScheduleGroupInput,
  GetScheduleGroupOutput, ListScheduleGroupsInput, ListScheduleGroupsOutput, ListTagsForResourceInput, ListTagsForResourceOutput,
  ScheduleGroupSummary, TagResourceInput, TagResourceOutput, UntagResourceInput, UntagResourceOutput,
} from '@aws-sdk/client-scheduler';
import { ApiError } from '../../model/errors.js';
import { DEFAULT_GROUP, scheduleGroupArn, schedulerKeys, type ScheduleGroupRecord } from '../../model/scheduler/records.js';
import { rangeKeyed } from '../../store/json.js';
import type { Op } from '../../store/store.js';
import type { Handler, RequestContext } from '../types.js';
import { conflict, defaultGroup, getGroup, noGroup, page, requireGroup } from './common.js';

const MAX_TAGS = 200;

function mergeTags(cur: Record<string, string>, add: { Key?: string; Value?: string }[] | undefined): Record<string, string> {
  const out = { ...cur };
  for (const t of add ?? []) {
    if (t.Key!.toLowerCase().startsWith('aws:')) throw new ApiError('ValidationException', `Invalid tag key ${t.Key}: keys that start with aws: are reserved for AWS.`);
    out[t.Key!] = t.Value!;
  }
  if (Object.keys(out).length > MAX_TAGS) throw new ApiError('ValidationException', `A resource can have at most ${MAX_TAGS} tags.`);
  return out;
}

function groupView(g: ScheduleGroupRecord): ScheduleGroupSummary {
  // The default group has no creation time of its own: AWS shows when the account first used it; Wharf, the epoch.
  return { Arn: g.arn, Name: g.name, State: 'ACTIVE', CreationDate: new Date(g.createdAt), LastModificationDate: new Date(g.lastModifiedAt) };
}

export const createScheduleGroup: Handler<CreateScheduleGroupInput, CreateScheduleGroupOutput> = async (input, ctx) => {
  const name = input.Name!;
  const arn = scheduleGroupArn(ctx.region, ctx.accountId, name);
  if (name === DEFAULT_GROUP || (await getGroup(ctx, name))) throw new ApiError('ConflictException', `Schedule group ${name} already exists.`);
  const now = ctx.now.getTime();
  const rec: ScheduleGroupRecord = { name, arn, createdAt: now, lastModifiedAt: now, tags: mergeTags({}, input.Tags) };
  const key = schedulerKeys.group(name);
  const r = await ctx.store.txn({ compare: [{ key, target: 'createRevision', op: '==', value: 0 }], success: [{ type: 'put', key, value: JSON.stringify(rec) }] });
  if (!r.succeeded) throw new ApiError('ConflictException', `Schedule group ${name} already exists.`);
  return { ScheduleGroupArn: arn };
};

export const getScheduleGroup: Handler<GetScheduleGroupInput, GetScheduleGroupOutput> = async (input, ctx) => groupView((await requireGroup(ctx, input.Name!)).value);

export const listScheduleGroups: Handler<ListScheduleGroupsInput, ListScheduleGroupsOutput> = async (input, ctx) => {
  const stored = (await rangeKeyed<ScheduleGroupRecord>(ctx.store, schedulerKeys.groups())).map((k) => k.value);
  const all = [...(stored.some((g) => g.name === DEFAULT_GROUP) ? [] : [defaultGroup(ctx)]), ...stored]
    .filter((g) => input.NamePrefix === undefined || g.name.startsWith(input.NamePrefix))
    .sort((a, b) => a.name.localeCompare(b.name));
  const p = page(all, input.MaxResults, input.NextToken);
  return { ScheduleGroups: p.items.map(groupView), ...(p.NextToken ? { NextToken: p.NextToken } : {}) };
};

/** Deletes the group and, in the same transaction, its schedules (AWS deletes them with the group). */
export const deleteScheduleGroup: Handler<DeleteScheduleGroupInput, DeleteScheduleGroupOutput> = async (input, ctx) => {
  const name = input.Name!;
  if (name === DEFAULT_GROUP) throw new ApiError('ValidationException', 'The default schedule group cannot be deleted.');
  const g = await requireGroup(ctx, name);
  const schedules = (await ctx.store.range(schedulerKeys.schedulesOf(name))).kvs;
  const ops: Op[] = [{ type: 'delete', key: g.key }, ...schedules.map((kv) => ({ type: 'delete' as const, key: kv.key }))];
  const r = await ctx.store.txn({
    compare: [{ key: g.key, target: 'version', op: '==', value: g.version }, ...schedules.map((kv) => ({ key: kv.key, target: 'version' as const, op: '==' as const, value: kv.version }))],
    success: ops,
  });
  if (!r.succeeded) throw conflict();
  return {};
};

/** Scheduler tags schedule groups only (TagResourceArn is a schedule-group ARN). */
function groupOfArn(arn: string, ctx: RequestContext): string {
  const m = /^arn:aws[\w-]*:scheduler:([^:]+):(\d{12}):schedule-group\/([0-9a-zA-Z-_.]+)$/.exec(arn);
  if (!m) throw new ApiError('ValidationException', `Invalid resource ARN ${arn}.`);
  if (m[1] !== ctx.region || m[2] !== ctx.accountId) throw noGroup(m[3]);
  return m[3];
}

async function updateTags(ctx: RequestContext, arn: string, fn: (tags: Record<string, string>) => Record<string, string>): Promise<void> {
  const name = groupOfArn(arn, ctx);
  for (let i = 0; i < 10; i++) {
    const g = await requireGroup(ctx, name);
    const next: ScheduleGroupRecord = { ...g.value, tags: fn(g.value.tags) };
    if (g.version === 0) next.createdAt = next.lastModifiedAt = 0;
    const r = await ctx.store.txn({ compare: [{ key: g.key, target: 'version', op: '==', value: g.version }], success: [{ type: 'put', key: g.key, value: JSON.stringify(next) }] });
    if (r.succeeded) return;
  }
  throw conflict();
}

export const tagResource: Handler<TagResourceInput, TagResourceOutput> = async (input, ctx) => {
  await updateTags(ctx, input.ResourceArn!, (t) => mergeTags(t, input.Tags));
  return {};
};

export const untagResource: Handler<UntagResourceInput, UntagResourceOutput> = async (input, ctx) => {
  await updateTags(ctx, input.ResourceArn!, (t) => Object.fromEntries(Object.entries(t).filter(([k]) => !(input.TagKeys ?? []).includes(k))));
  return {};
};

export const listTagsForResource: Handler<ListTagsForResourceInput, ListTagsForResourceOutput> = async (input, ctx) => {
  const g = await requireGroup(ctx, groupOfArn(input.ResourceArn!, ctx));
  return { Tags: Object.entries(g.value.tags).map(([Key, Value]) => ({ Key, Value })) };
};
