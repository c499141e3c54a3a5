/** CreateSchedule, GetSchedule, UpdateSchedule, DeleteSchedule, ListSchedules. */
import type {
  CreateScheduleInput, CreateScheduleOutput, DeleteScheduleInput, DeleteScheduleOutput, GetScheduleInput, GetScheduleOutput,
  ListSchedulesInput, ListSchedulesOutput, ScheduleSummary, UpdateScheduleInput, UpdateScheduleOutput,
} from '@aws-sdk/client-scheduler';
import { ApiError } from '../../model/errors.js';
import { parseExpression, ScheduleError } from '../../model/scheduler/expression.js';
import { DEFAULT_GROUP, scheduleArn, schedulerKeys, type ScheduleRecord } from '../../model/scheduler/records.js';
import { getKeyed, rangeKeyed } from '../../store/json.js';
import type { Handler, RequestContext } from '../types.js';
import { conflict, noSchedule, page, requireGroup } from './common.js';

const bad = (m: string) => new ApiError('ValidationException', m);

/**
 * Checks what the model cannot (expression, time zone, dates, window, target) and builds the record.
 * Create and Update take the whole definition: members left out get their defaults, as AWS documents
 * for UpdateSchedule.
 */
function buildRecord(input: CreateScheduleInput | UpdateScheduleInput, ctx: RequestContext, prior: ScheduleRecord | undefined): ScheduleRecord {
  const group = input.GroupName ?? DEFAULT_GROUP;
  const tz = input.ScheduleExpressionTimezone;
  try {
    parseExpression(input.ScheduleExpression!, tz ?? 'UTC');
  } catch (e) {
    if (e instanceof ScheduleError) throw bad(tz !== undefined && /time zone/i.test(e.message) ? `Invalid ScheduleExpressionTimezone ${tz}.` : `Invalid Schedule Expression ${input.ScheduleExpression}.`);
    throw e;
  }
  const start = input.StartDate?.getTime();
  const end = input.EndDate?.getTime();
  const now = ctx.now.getTime();
  if (start !== undefined && end !== undefined && start >= end) throw bad('The StartDate must be before the EndDate.');
  if (end !== undefined && end <= now && !input.ScheduleExpression!.startsWith('at(')) throw bad('The EndDate must be in the future.');
  const w = input.FlexibleTimeWindow!;
  if (w.Mode === 'FLEXIBLE' && w.MaximumWindowInMinutes === undefined) throw bad('MaximumWindowInMinutes must be provided when FlexibleTimeWindow Mode is FLEXIBLE.');
  if (w.Mode === 'OFF' && w.MaximumWindowInMinutes !== undefined) throw bad('MaximumWindowInMinutes must not be provided when FlexibleTimeWindow Mode is OFF.');
  const t = input.Target!;
  if (!/^arn:aws[\w-]*:[a-z0-9-]+:/.test(t.Arn!)) throw bad(`Invalid target ARN ${t.Arn}.`);
  if (t.EcsParameters && !/^arn:aws[\w-]*:ecs:[^:]+:\d{12}:cluster\/.+$/.test(t.Arn!)) throw bad('EcsParameters can only be used with an Amazon ECS cluster ARN as the target.');
  if (t.EventBridgeParameters && !/^arn:aws[\w-]*:events:[^:]+:\d{12}:event-bus\/.+$/.test(t.Arn!)) throw bad('EventBridgeParameters can only be used with an event bus ARN as the target.');
  if (t.Input !== undefined && (t.EventBridgeParameters || t.EcsParameters)) {
    try {
      JSON.parse(t.Input);
    } catch {
      throw bad('Target Input must be well-formed JSON for this target.');
    }
  }
  return {
    name: input.Name!, groupName: group, arn: scheduleArn(ctx.region, ctx.accountId, group, input.Name!),
    scheduleExpression: input.ScheduleExpression!,
    ...(tz !== undefined ? { timezone: tz } : {}),
    ...(start !== undefined ? { startDate: start } : {}),
    ...(end !== undefined ? { endDate: end } : {}),
    ...(input.Description !== undefined ? { description: input.Description } : {}),
    state: input.State ?? 'ENABLED',
    flexibleTimeWindow: { Mode: w.Mode!, ...(w.MaximumWindowInMinutes !== undefined ? { MaximumWindowInMinutes: w.MaximumWindowInMinutes } : {}) },
    actionAfterCompletion: input.ActionAfterCompletion ?? 'NONE',
    ...(input.KmsKeyArn !== undefined ? { kmsKeyArn: input.KmsKeyArn } : {}),
    target: t,
    createdAt: prior?.createdAt ?? now,
    lastModifiedAt: now,
  };
}

export const createSchedule: Handler<CreateScheduleInput, CreateScheduleOutput> = async (input, ctx) => {
  const group = input.GroupName ?? DEFAULT_GROUP;
  const g = await requireGroup(ctx, group);
  const rec = buildRecord(input, ctx, undefined);
  const key = schedulerKeys.schedule(group, rec.name);
  // Guarded on the group too, so a schedule is never made in a group being deleted.
  const r = await ctx.store.txn({
    compare: [{ key, target: 'createRevision', op: '==', value: 0 }, { key: g.key, target: 'version', op: '==', value: g.version }],
    success: [{ type: 'put', key, value: JSON.stringify(rec) }],
  });
  if (!r.succeeded) {
    if (await ctx.store.get(key)) throw new ApiError('ConflictException', `Schedule ${rec.name} already exists.`);
    throw conflict();
  }
  return { ScheduleArn: rec.arn };
};

export const updateSchedule: Handler<UpdateScheduleInput, UpdateScheduleOutput> = async (input, ctx) => {
  const group = input.GroupName ?? DEFAULT_GROUP;
  await requireGroup(ctx, group);
  const cur = await getKeyed<ScheduleRecord>(ctx.store, schedulerKeys.schedule(group, input.Name!));
  if (!cur) throw noSchedule(input.Name!);
  const rec = buildRecord(input, ctx, cur.value);
  const r = await ctx.store.txn({ compare: [{ key: cur.key, target: 'version', op: '==', value: cur.version }], success: [{ type: 'put', key: cur.key, value: JSON.stringify(rec) }] });
  if (!r.succeeded) throw conflict();
  return { ScheduleArn: rec.arn };
};

export function scheduleView(s: ScheduleRecord): GetScheduleOutput {
  return {
    ActionAfterCompletion: s.actionAfterCompletion, Arn: s.arn, CreationDate: new Date(s.createdAt),
    ...(s.description !== undefined ? { Description: s.description } : {}),
    ...(s.endDate !== undefined ? { EndDate: new Date(s.endDate) } : {}),
    FlexibleTimeWindow: s.flexibleTimeWindow, GroupName: s.groupName,
    ...(s.kmsKeyArn !== undefined ? { KmsKeyArn: s.kmsKeyArn } : {}),
    LastModificationDate: new Date(s.lastModifiedAt), Name: s.name, ScheduleExpression: s.scheduleExpression,
    ...(s.timezone !== undefined ? { ScheduleExpressionTimezone: s.timezone } : {}),
    ...(s.startDate !== undefined ? { StartDate: new Date(s.startDate) } : {}),
    State: s.state, Target: s.target,
  };
}

export const getSchedule: Handler<GetScheduleInput, GetScheduleOutput> = async (input, ctx) => {
  const group = input.GroupName ?? DEFAULT_GROUP;
  await requireGroup(ctx, group);
  const cur = await getKeyed<ScheduleRecord>(ctx.store, schedulerKeys.schedule(group, input.Name!));
  if (!cur) throw noSchedule(input.Name!);
  return scheduleView(cur.value);
};

export const deleteSchedule: Handler<DeleteScheduleInput, DeleteScheduleOutput> = async (input, ctx) => {
  const group = input.GroupName ?? DEFAULT_GROUP;
  await requireGroup(ctx, group);
  const key = schedulerKeys.schedule(group, input.Name!);
  const cur = await ctx.store.get(key);
  if (!cur) throw noSchedule(input.Name!);
  const r = await ctx.store.txn({ compare: [{ key, target: 'version', op: '==', value: cur.version }], success: [{ type: 'delete', key }] });
  if (!r.succeeded) throw conflict();
  return {};
};

function summary(s: ScheduleRecord): ScheduleSummary {
  return {
    Arn: s.arn, CreationDate: new Date(s.createdAt), GroupName: s.groupName, LastModificationDate: new Date(s.lastModifiedAt),
    Name: s.name, State: s.state, Target: { Arn: s.target.Arn },
  };
}

export const listSchedules: Handler<ListSchedulesInput, ListSchedulesOutput> = async (input, ctx) => {
  if (input.GroupName !== undefined) await requireGroup(ctx, input.GroupName);
  const prefix = input.GroupName !== undefined ? schedulerKeys.schedulesOf(input.GroupName) : schedulerKeys.schedules();
  const all = (await rangeKeyed<ScheduleRecord>(ctx.store, prefix)).map((k) => k.value)
    .filter((s) => (input.NamePrefix === undefined || s.name.startsWith(input.NamePrefix)) && (input.State === undefined || s.state === input.State));
  const p = page(all, input.MaxResults, input.NextToken);
  return { Schedules: p.items.map(summary), ...(p.NextToken ? { NextToken: p.NextToken } : {}) };
};
