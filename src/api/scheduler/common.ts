/** Shared by the Scheduler handlers: group and schedule lookup with AWS's wording, paging, views. */
import { ApiError } from '../../model/errors.js';
import { DEFAULT_GROUP, scheduleGroupArn, schedulerKeys, type ScheduleGroupRecord } from '../../model/scheduler/records.js';
import { getKeyed, type Keyed } from '../../store/json.js';
import type { RequestContext } from '../types.js';

export const noGroup = (name: string) => new ApiError('ResourceNotFoundException', `Schedule group ${name} does not exist.`);
export const noSchedule = (name: string) => new ApiError('ResourceNotFoundException', `Schedule ${name} does not exist.`);
export const conflict = () => new ApiError('ConflictException', 'Another request changed this resource at the same time; retry the request.');

/** The default group exists in every account and region; it gets a record only once it is tagged. */
export function defaultGroup(ctx: Pick<RequestContext, 'region' | 'accountId'>): ScheduleGroupRecord {
  return { name: DEFAULT_GROUP, arn: scheduleGroupArn(ctx.region, ctx.accountId, DEFAULT_GROUP), createdAt: 0, lastModifiedAt: 0, tags: {} };
}

/** The group with its store version (0 for a default group without a record), or undefined. */
export async function getGroup(ctx: RequestContext, name: string): Promise<Keyed<ScheduleGroupRecord> | undefined> {
  const rec = await getKeyed<ScheduleGroupRecord>(ctx.store, schedulerKeys.group(name));
  if (rec) return rec;
  return name === DEFAULT_GROUP ? { key: schedulerKeys.group(name), value: defaultGroup(ctx), version: 0 } : undefined;
}

export async function requireGroup(ctx: RequestContext, name: string): Promise<Keyed<ScheduleGroupRecord>> {
  const g = await getGroup(ctx, name);
  if (!g) throw noGroup(name);
  return g;
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
