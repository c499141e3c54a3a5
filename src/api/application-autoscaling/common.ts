/** Shared by the Application Auto Scaling handlers: target lookup, AWS's not-found wording, paging, views. */
import type { ScalableTarget, ScalingPolicy, ScheduledAction } from '@aws-sdk/client-application-auto-scaling';
import { ApiError } from '../../model/errors.js';
import { keys } from '../../model/ecs/keys.js';
import type { ServiceRecord } from '../../model/ecs/records.js';
import { aasKeys, ECS_DIMENSION, ecsServiceOf, type ScalableTargetRecord, type ScalingPolicyRecord, type ScheduledActionRecord } from '../../model/autoscaling/records.js';
import { getJson, type Versioned } from '../../store/json.js';
import type { Store } from '../../store/store.js';
import type { CloudWatchBackend } from '../cloudwatch/backend.js';

export interface TargetId { ServiceNamespace?: string; ResourceId?: string; ScalableDimension?: string }

/**
 * Wharf scales ECS services: namespace `ecs`, dimension `ecs:service:DesiredCount`, resource
 * `service/<cluster>/<service>`. Anything else is refused as AWS refuses a mismatched triple.
 */
export function checkTargetId(t: TargetId): { ns: string; dim: string; rid: string; cluster: string; service: string } {
  const svc = ecsServiceOf(t.ResourceId ?? '');
  if (t.ServiceNamespace !== 'ecs' || (t.ScalableDimension !== undefined && t.ScalableDimension !== ECS_DIMENSION) || !svc) {
    const why = t.ServiceNamespace !== 'ecs' ? ` Wharf scales ECS services only (service namespace ecs, scalable dimension ${ECS_DIMENSION}, resource ID service/<cluster>/<service>).` : '';
    throw new ApiError('ValidationException', `Unsupported service namespace, resource type or scalable dimension.${why}`);
  }
  return { ns: 'ecs', dim: ECS_DIMENSION, rid: t.ResourceId!, ...svc };
}

export const noTarget = (ns: string, rid: string, dim: string, verb: 'registered' | 'found' = 'registered') =>
  new ApiError('ObjectNotFoundException', `No scalable target ${verb} for service namespace: ${ns}, resource ID: ${rid}, scalable dimension: ${dim}`);

export async function getTarget(store: Store, t: { ns: string; dim: string; rid: string }): Promise<Versioned<ScalableTargetRecord> | undefined> {
  return getJson<ScalableTargetRecord>(store, aasKeys.target(t.ns, t.dim, t.rid));
}

/** The ECS service a target names, if it exists and is ACTIVE. */
export async function ecsServiceExists(store: Store, cluster: string, service: string): Promise<boolean> {
  const s = await getJson<ServiceRecord>(store, keys.service(cluster, service));
  return s?.value.status === 'ACTIVE';
}

/** Writes a target guarded on the version read (0 = create). */
export async function putTarget(store: Store, t: ScalableTargetRecord, readVersion: number): Promise<boolean> {
  const key = aasKeys.target(t.serviceNamespace, t.scalableDimension, t.resourceId);
  const r = await store.txn({ compare: [{ key, target: 'version', op: '==', value: readVersion }], success: [{ type: 'put', key, value: JSON.stringify(t) }] });
  return r.succeeded;
}

export const concurrentUpdate = () => new ApiError('ConcurrentUpdateException', 'Concurrent updates caused an exception, for example, if you request an update to an Application Auto Scaling resource that already has a pending update.');

export async function allTargets(store: Store, ns: string): Promise<Versioned<ScalableTargetRecord>[]> {
  const { kvs } = await store.range(aasKeys.targets(ns));
  return kvs.map((kv) => ({ value: JSON.parse(kv.value) as ScalableTargetRecord, version: kv.version, modRevision: kv.modRevision }));
}

/** Offset paging (NextToken is the offset, opaque to clients). */
export function page<T>(items: T[], maxResults: number | undefined, nextToken: string | undefined, limit = 50): { items: T[]; NextToken?: string } {
  let offset = 0;
  if (nextToken !== undefined) {
    offset = Number(Buffer.from(nextToken, 'base64url').toString());
    if (!Number.isInteger(offset) || offset < 0 || offset > items.length) throw new ApiError('InvalidNextTokenException', 'The next token supplied was invalid.');
  }
  const max = maxResults ?? limit;
  const out = items.slice(offset, offset + max);
  return { items: out, ...(offset + max < items.length ? { NextToken: Buffer.from(String(offset + max)).toString('base64url') } : {}) };
}

export function targetView(t: ScalableTargetRecord): ScalableTarget {
  return {
    ServiceNamespace: t.serviceNamespace as ScalableTarget['ServiceNamespace'], ResourceId: t.resourceId, ScalableDimension: t.scalableDimension as ScalableTarget['ScalableDimension'],
    MinCapacity: t.minCapacity, MaxCapacity: t.maxCapacity, RoleARN: t.roleArn, CreationTime: new Date(t.createdAt),
    SuspendedState: { ...t.suspendedState }, ScalableTargetARN: t.arn,
  };
}

export function policyView(t: ScalableTargetRecord, p: ScalingPolicyRecord): ScalingPolicy {
  return {
    PolicyARN: p.arn, PolicyName: p.name, ServiceNamespace: t.serviceNamespace as ScalingPolicy['ServiceNamespace'], ResourceId: t.resourceId,
    ScalableDimension: t.scalableDimension as ScalingPolicy['ScalableDimension'], PolicyType: p.type,
    ...(p.step ? { StepScalingPolicyConfiguration: p.step } : {}),
    ...(p.targetTracking ? { TargetTrackingScalingPolicyConfiguration: p.targetTracking } : {}),
    Alarms: p.alarms, CreationTime: new Date(p.createdAt),
  };
}

export function scheduledView(t: ScalableTargetRecord, a: ScheduledActionRecord): ScheduledAction {
  return {
    ScheduledActionName: a.name, ScheduledActionARN: a.arn, ServiceNamespace: t.serviceNamespace as ScheduledAction['ServiceNamespace'], Schedule: a.schedule,
    ...(a.timezone ? { Timezone: a.timezone } : {}), ResourceId: t.resourceId, ScalableDimension: t.scalableDimension as ScheduledAction['ScalableDimension'],
    ...(a.startTime !== undefined ? { StartTime: new Date(a.startTime) } : {}), ...(a.endTime !== undefined ? { EndTime: new Date(a.endTime) } : {}),
    ScalableTargetAction: { ...(a.minCapacity !== undefined ? { MinCapacity: a.minCapacity } : {}), ...(a.maxCapacity !== undefined ? { MaxCapacity: a.maxCapacity } : {}) },
    CreationTime: new Date(a.createdAt),
  };
}

/** Deletes alarms one by one (an alarm someone already deleted is not an error here). */
export function deleteAlarmsQuietly(alarms: CloudWatchBackend, names: readonly string[]): void {
  for (const n of names) {
    try { alarms.deleteAlarms([n]); } catch { /* already gone */ }
  }
}
