/**
 * EventBridge records (docs/events.md). Timestamps are epoch milliseconds. All live in the region's
 * store, so they are as durable as ECS's own records.
 *
 *   /events/bus/<name>                   EventBusRecord (the `default` bus has a record only once it
 *                                        was tagged; it always exists)
 *   /events/rule/<bus>/<name>            RuleRecord: the rule and its targets (one record, so PutTargets,
 *                                        RemoveTargets and DeleteRule's "has targets" check are one
 *                                        guarded write each)
 *   /events/schedule/default/<rule>      ScheduleStateRecord: a schedule rule's progress (schedules run on
 *                                        the default bus only)
 *   /events/delivered/<event>/<rule>/<target>   a marker written with a RunTask target's tasks, so a
 *                                        retried delivery does not start them twice
 *   /events/outbox/<bus>/<seq>           OutboxEvent: an event accepted on a bus that some rule matched,
 *                                        waiting for delivery (zero-padded arrival time, then the event id)
 *
 * Who writes which field:
 *   API (Create/DeleteEventBus, TagResource)    EventBusRecord
 *   API (PutRule, Enable/DisableRule, DeleteRule, Put/RemoveTargets, TagResource)   RuleRecord
 *   API (PutEvents), dispatcher (ECS task state changes, with the task's change)   OutboxEvent (create only)
 *   delivery controller's scheduler pass (EventBridge Scheduler invocations)   OutboxEvent (create only)
 *   delivery controller (controllers/events)    OutboxEvent.delivery, and the entry's removal once delivered;
 *                                               ScheduleStateRecord and the Scheduled Events it puts in the outbox
 */
import type { Target } from '@aws-sdk/client-eventbridge';
import type { Target as SchedulerTarget } from '@aws-sdk/client-scheduler';

export const DEFAULT_BUS = 'default';

export type RuleState = 'ENABLED' | 'DISABLED' | 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS';

export interface EventBusRecord {
  name: string;
  arn: string;
  description?: string;
  createdAt: number;
  lastModifiedAt: number;
  tags: Record<string, string>;
}

export interface RuleRecord {
  name: string;
  arn: string;
  eventBusName: string;
  eventPattern?: string;
  scheduleExpression?: string;
  state: RuleState;
  description?: string;
  roleArn?: string;
  /** The account that made the rule (DescribeRule's CreatedBy). */
  createdBy: string;
  tags: Record<string, string>;
  /** In PutTargets order; Ids are unique. */
  targets: Target[];
  createdAt: number;
  /** When PutRule last wrote the definition (a schedule counts from here). */
  updatedAt?: number;
}

/** Per schedule rule: when its schedule started and up to when fire times were handled (delivery controller only). */
export interface ScheduleStateRecord {
  /** The expression this state is for (a changed expression starts over). */
  expression: string;
  /** rate() counts from here: when PutRule set this expression. */
  since: number;
  /** Fire times ≤ this have fired or were skipped. */
  checkedAt: number;
}

/** An event as EventBridge delivers it (the envelope of the AWS events reference). */
export interface BusEvent {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: unknown;
}

export interface OutboxEvent {
  eventBusName: string;
  event: BusEvent;
  receivedAt: number;
  /** A schedule rule's "Scheduled Event": delivered to that rule's targets only, not matched against patterns. */
  rule?: string;
  /**
   * An EventBridge Scheduler invocation (controllers/events/scheduler.ts): delivered to this target
   * only (a copy taken when the occurrence fired), not matched against rules.
   */
  invoke?: SchedulerInvocation;
  /** Written by the delivery controller only, while some target still has to take the event. */
  delivery?: DeliveryState;
}

export interface SchedulerInvocation {
  scheduleArn: string;
  scheduleName: string;
  groupName: string;
  /** The occurrence (epoch ms): <aws.scheduler.scheduled-time>. */
  scheduledTime: number;
  target: SchedulerTarget;
}

export interface DeliveryState {
  /** `<rule>/<target id>` of the targets that took the event. */
  done: string[];
  /** Failed passes so far. */
  attempts: number;
  /** Not before this time (back-off). */
  nextAttemptAt: number;
}

export const eventsKeys = {
  bus: (name: string) => `/events/bus/${name}`,
  buses: () => '/events/bus/',
  rule: (bus: string, name: string) => `/events/rule/${bus}/${name}`,
  /** All rules of one bus (the trailing slash keeps bus `a` from listing bus `ab`'s rules). */
  rules: (bus: string) => `/events/rule/${bus}/`,
  outbox: (bus: string, receivedAt: number, id: string) => `/events/outbox/${bus}/${String(receivedAt).padStart(15, '0')}-${id}`,
  outboxOf: (bus: string) => `/events/outbox/${bus}/`,
  outboxAll: () => '/events/outbox/',
  /** A delivery that must not happen twice (ECS RunTask targets): written with its effect. */
  delivered: (eventId: string, rule: string, targetId: string) => `/events/delivered/${eventId}/${rule}/${targetId}`,
  schedule: (rule: string) => `/events/schedule/default/${rule}`,
  schedules: () => '/events/schedule/default/',
};

export const busArn = (region: string, account: string, name: string) => `arn:aws:events:${region}:${account}:event-bus/${name}`;

/** Rules on the default bus have ARN rule/<name>; on any other bus rule/<bus>/<name>. */
export const ruleArn = (region: string, account: string, bus: string, name: string) =>
  `arn:aws:events:${region}:${account}:rule/${bus === DEFAULT_BUS ? '' : `${bus}/`}${name}`;
