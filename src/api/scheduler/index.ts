/**
 * Amazon EventBridge Scheduler (restJson1, signing name scheduler): schedules, schedule groups and
 * their tags (docs/events.md, "EventBridge Scheduler"). Records live in the region's store
 * (model/scheduler/records.ts); the events delivery controller fires them (controllers/events/scheduler.ts).
 */
import schedulerModel from '../../model/aws/scheduler.json' with { type: 'json' };
import type { ServiceModel } from '../../protocol/service-model.js';
import type { ServiceDefinition } from '../types.js';
import { createSchedule, deleteSchedule, getSchedule, listSchedules, updateSchedule } from './schedules.js';
import { createScheduleGroup, deleteScheduleGroup, getScheduleGroup, listScheduleGroups, listTagsForResource, tagResource, untagResource } from './groups.js';

export function schedulerService(): ServiceDefinition {
  return {
    name: 'scheduler',
    signingName: 'scheduler',
    model: schedulerModel as unknown as ServiceModel,
    validationError: 'ValidationException',
    serverError: 'InternalServerException',
    handlers: {
      CreateSchedule: createSchedule,
      GetSchedule: getSchedule,
      UpdateSchedule: updateSchedule,
      DeleteSchedule: deleteSchedule,
      ListSchedules: listSchedules,
      CreateScheduleGroup: createScheduleGroup,
      GetScheduleGroup: getScheduleGroup,
      ListScheduleGroups: listScheduleGroups,
      DeleteScheduleGroup: deleteScheduleGroup,
      TagResource: tagResource,
      UntagResource: untagResource,
      ListTagsForResource: listTagsForResource,
    },
  };
}
