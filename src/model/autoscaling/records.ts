/**
 * Application Auto Scaling records (docs/autoscaling.md). Timestamps are epoch milliseconds.
 *
 *   /aas/target/<namespace>/<dimension>/<resourceId>   ScalableTargetRecord: the target, its policies and
 *                                                      its scheduled actions (one record, so deregistering
 *                                                      removes all three in one write)
 *   /aas/state/<namespace>/<dimension>/<resourceId>    ScalingStateRecord: the controller's memory
 *   /aas/activity/<namespace>/<dimension>/<resourceId>/@<start>-<id>   ScalingActivityRecord
 *
 * Who writes which field:
 *   API (RegisterScalableTarget)       minCapacity, maxCapacity, suspendedState, roleArn, tags (TagResource too)
 *   API (Put/DeleteScalingPolicy, Put/DeleteScheduledAction)   policies[], scheduledActions[]
 *   autoscaling controller             minCapacity/maxCapacity when a scheduled action runs (what AWS's
 *                                      scheduled action is: a timed RegisterScalableTarget), the whole
 *                                      ScalingStateRecord, activities, and the removal of a target whose
 *                                      ECS service is gone; the service's desiredCount only through
 *                                      model/ecs/service-scale.ts, the path UpdateService uses
 */
import type {
  StepScalingPolicyConfiguration, TargetTrackingScalingPolicyConfiguration, NotScaledReason,
} from '@aws-sdk/client-application-auto-scaling';

export interface SuspendedStateRecord {
  DynamicScalingInSuspended: boolean;
  DynamicScalingOutSuspended: boolean;
  ScheduledScalingSuspended: boolean;
}

export interface AlarmRef { AlarmName: string; AlarmARN: string }

export interface ScalingPolicyRecord {
  name: string;
  arn: string;
  type: 'StepScaling' | 'TargetTrackingScaling';
  step?: StepScalingPolicyConfiguration;
  targetTracking?: TargetTrackingScalingPolicyConfiguration;
  /** The alarms this policy made (target tracking) or that name it in their actions (step, filled on describe). */
  alarms: AlarmRef[];
  createdAt: number;
}

export interface ScheduledActionRecord {
  name: string;
  arn: string;
  schedule: string;
  timezone?: string;
  startTime?: number;
  endTime?: number;
  minCapacity?: number;
  maxCapacity?: number;
  createdAt: number;
}

export interface ScalableTargetRecord {
  serviceNamespace: string;
  resourceId: string;
  scalableDimension: string;
  minCapacity: number;
  maxCapacity: number;
  roleArn: string;
  suspendedState: SuspendedStateRecord;
  arn: string;
  createdAt: number;
  tags: Record<string, string>;
  policies: ScalingPolicyRecord[];
  scheduledActions: ScheduledActionRecord[];
  version: number;
}

/** Per policy: when it last changed the capacity, and what it last said without scaling (said once). */
export interface PolicyState {
  lastScaleOutAt?: number;
  lastScaleInAt?: number;
  /** Per alarm: when it last ran this policy (an alarm runs a policy at most once per period). */
  invokedAt?: Record<string, number>;
  /** The not-scaled reason last recorded while the alarm stays in ALARM (cleared when it scales or the alarm leaves ALARM). */
  notScaled?: string;
  /** Set once the "no metric data" activity was recorded; cleared when data arrives. */
  noDataReported?: boolean;
}

export interface ScalingStateRecord {
  policies: Record<string, PolicyState>;
  /** Per scheduled action: the time up to which its schedule was checked (a fire time ≤ this has run or was skipped). */
  scheduleCheckedAt: Record<string, number>;
  version: number;
}

export type ActivityStatus = 'Pending' | 'InProgress' | 'Successful' | 'Overridden' | 'Unfulfilled' | 'Failed';

export interface ScalingActivityRecord {
  ActivityId: string;
  ServiceNamespace: string;
  ResourceId: string;
  ScalableDimension: string;
  Description: string;
  Cause: string;
  StartTime: number;
  EndTime?: number;
  StatusCode: ActivityStatus;
  StatusMessage?: string;
  Details?: string;
  NotScaledReasons?: NotScaledReason[];
}

const enc = (ns: string, dim: string, rid: string) => `${ns}/${dim}/${rid}`;

export const aasKeys = {
  target: (ns: string, dim: string, rid: string) => `/aas/target/${enc(ns, dim, rid)}`,
  targets: (ns?: string) => (ns === undefined ? '/aas/target/' : `/aas/target/${ns}/`),
  state: (ns: string, dim: string, rid: string) => `/aas/state/${enc(ns, dim, rid)}`,
  activity: (ns: string, dim: string, rid: string, start: number, id: string) => `/aas/activity/${enc(ns, dim, rid)}/@${String(start).padStart(15, '0')}-${id}`,
  /** All activities of one target (the `/@` keeps service/c/web from matching service/c/web2). */
  activitiesOf: (ns: string, dim: string, rid: string) => `/aas/activity/${enc(ns, dim, rid)}/@`,
  activities: (ns: string) => `/aas/activity/${ns}/`,
};

/** ECS is the namespace Wharf scales; its one dimension and resource id form. */
export const ECS_DIMENSION = 'ecs:service:DesiredCount';
const ECS_RESOURCE = /^service\/([^/]+)\/([^/]+)$/;

export function ecsServiceOf(resourceId: string): { cluster: string; service: string } | undefined {
  const m = ECS_RESOURCE.exec(resourceId);
  return m ? { cluster: m[1], service: m[2] } : undefined;
}

export const emptyState = (): ScalingStateRecord => ({ policies: {}, scheduleCheckedAt: {}, version: 0 });

/** A scaling activity's StartTime/EndTime as the wire shows them. */
export function activityView(a: ScalingActivityRecord): Omit<ScalingActivityRecord, 'StartTime' | 'EndTime'> & { StartTime: Date; EndTime?: Date } {
  const { StartTime, EndTime, ...rest } = a;
  return { ...rest, StartTime: new Date(StartTime), ...(EndTime !== undefined ? { EndTime: new Date(EndTime) } : {}) };
}
