/**
 * PutScheduledAction: creates a scheduled action, or updates one (members left out keep their values).
 * The schedule is parsed here, in its time zone, so a bad one is refused before anything is written
 * (model/autoscaling/schedule.ts); the controller runs it.
 */
import { randomUUID } from 'node:crypto';
import type { PutScheduledActionRequest, PutScheduledActionResponse } from '@aws-sdk/client-application-auto-scaling';
import { ApiError } from '../../model/errors.js';
import type { ScheduledActionRecord } from '../../model/autoscaling/records.js';
import { parseSchedule, ScheduleError } from '../../model/autoscaling/schedule.js';
import type { Handler } from '../types.js';
import { checkTargetId, concurrentUpdate, getTarget, noTarget, putTarget } from './common.js';

export const putScheduledAction: Handler<PutScheduledActionRequest, PutScheduledActionResponse> = async (input, ctx) => {
  const id = checkTargetId(input);
  const act = input.ScalableTargetAction;
  if (act?.MinCapacity !== undefined && act.MaxCapacity !== undefined && act.MinCapacity > act.MaxCapacity) {
    throw new ApiError('ValidationException', 'Minimum capacity cannot be greater than maximum capacity');
  }
  if ((act?.MinCapacity ?? 0) < 0 || (act?.MaxCapacity ?? 0) < 0) throw new ApiError('ValidationException', 'Capacity cannot be less than 0');
  if (input.StartTime && input.EndTime && input.EndTime.getTime() <= input.StartTime.getTime()) {
    throw new ApiError('ValidationException', 'The end time of a scheduled action must be after its start time.');
  }
  for (let attempt = 0; attempt < 10; attempt++) {
    const cur = await getTarget(ctx.store, id);
    if (!cur) throw noTarget(id.ns, id.rid, id.dim);
    const t = structuredClone(cur.value);
    const prior = t.scheduledActions.find((a) => a.name === input.ScheduledActionName);
    const schedule = input.Schedule ?? prior?.schedule;
    if (!schedule) throw new ApiError('ValidationException', 'Schedule is required for a new scheduled action.');
    const timezone = input.Timezone ?? prior?.timezone;
    try {
      parseSchedule(schedule, timezone);
    } catch (e) {
      if (e instanceof ScheduleError) throw new ApiError('ValidationException', e.message);
      throw e;
    }
    const a: ScheduledActionRecord = {
      name: input.ScheduledActionName!,
      arn: prior?.arn ?? `arn:aws:autoscaling:${ctx.region}:${ctx.accountId}:scheduledAction:${randomUUID()}:resource/${id.ns}/${id.rid}:scheduledActionName/${input.ScheduledActionName}`,
      schedule,
      ...(timezone ? { timezone } : {}),
      ...((input.StartTime ?? (prior?.startTime !== undefined ? new Date(prior.startTime) : undefined)) ? { startTime: (input.StartTime?.getTime() ?? prior!.startTime)! } : {}),
      ...((input.EndTime ?? (prior?.endTime !== undefined ? new Date(prior.endTime) : undefined)) ? { endTime: (input.EndTime?.getTime() ?? prior!.endTime)! } : {}),
      ...((act?.MinCapacity ?? prior?.minCapacity) !== undefined ? { minCapacity: act?.MinCapacity ?? prior!.minCapacity } : {}),
      ...((act?.MaxCapacity ?? prior?.maxCapacity) !== undefined ? { maxCapacity: act?.MaxCapacity ?? prior!.maxCapacity } : {}),
      createdAt: prior?.createdAt ?? ctx.now.getTime(),
    };
    t.scheduledActions = [...t.scheduledActions.filter((x) => x.name !== a.name), a];
    t.version += 1;
    if (await putTarget(ctx.store, t, cur.version)) return {};
  }
  throw concurrentUpdate();
};
