/**
 * EventBridge Scheduler records (docs/events.md, "EventBridge Scheduler"). Timestamps are epoch
 * milliseconds. All live in the region's store.
 *
 *   /scheduler/group/<name>              ScheduleGroupRecord (the `default` group has a record only once
 *                                        it was tagged; it always exists)
 *   /scheduler/schedule/<group>/<name>   ScheduleRecord
 *   /scheduler/progress/<group>/<name>   ScheduleProgressRecord: up to when occurrences were handled
 *
 * Who writes which field:
 *   API (Create/DeleteScheduleGroup, TagResource)        ScheduleGroupRecord
 *   API (Create/Update/DeleteSchedule)                   ScheduleRecord
 *   the events delivery controller (controllers/events/scheduler.ts)   ScheduleProgressRecord, the
 *       invocations it puts in the events outbox, and the deletion of a schedule whose
 *       ActionAfterCompletion is DELETE once it has no occurrence left (guarded on its version)
 */
import type { Target } from '@aws-sdk/client-scheduler';

export const DEFAULT_GROUP = 'default';

export interface ScheduleGroupRecord {
  name: string;
  arn: string;
  createdAt: number;
  lastModifiedAt: number;
  tags: Record<string, string>;
}

export interface ScheduleRecord {
  name: string;
  groupName: string;
  arn: string;
  scheduleExpression: string;
  /** IANA name; UTC when the request named none. */
  timezone?: string;
  startDate?: number;
  endDate?: number;
  description?: string;
  state: 'ENABLED' | 'DISABLED';
  flexibleTimeWindow: { Mode: 'OFF' | 'FLEXIBLE'; MaximumWindowInMinutes?: number };
  actionAfterCompletion: 'NONE' | 'DELETE';
  kmsKeyArn?: string;
  target: Target;
  createdAt: number;
  lastModifiedAt: number;
}

/** Per schedule (controller only). A schedule whose lastModifiedAt differs starts over. */
export interface ScheduleProgressRecord {
  /** The schedule's lastModifiedAt this progress is for. */
  generation: number;
  /** Occurrences ≤ this have been invoked or skipped. */
  checkedAt: number;
  /** The last occurrence invoked (for `wharf schedules`). */
  lastInvokedAt?: number;
}

export const schedulerKeys = {
  group: (name: string) => `/scheduler/group/${name}`,
  groups: () => '/scheduler/group/',
  schedule: (group: string, name: string) => `/scheduler/schedule/${group}/${name}`,
  schedulesOf: (group: string) => `/scheduler/schedule/${group}/`,
  schedules: () => '/scheduler/schedule/',
  progress: (group: string, name: string) => `/scheduler/progress/${group}/${name}`,
  progressAll: () => '/scheduler/progress/',
};

export const scheduleArn = (region: string, account: string, group: string, name: string) => `arn:aws:scheduler:${region}:${account}:schedule/${group}/${name}`;
export const scheduleGroupArn = (region: string, account: string, name: string) => `arn:aws:scheduler:${region}:${account}:schedule-group/${name}`;
