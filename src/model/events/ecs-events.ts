/**
 * ECS's own events on the default bus (pure). "ECS Container Instance State Change", "ECS Service Action"
 * and "ECS Deployment State Change" are built at the end of this file (controllers/events/ecs-feed.ts
 * puts them in the outbox). "ECS Task State Change", with `detail` as ECS documents it
 * ("Amazon ECS task state change events"): the task as DescribeTasks shows it, timestamps as ISO 8601
 * strings, plus `updatedAt`. The envelope's `resources` is the task ARN and `source` is aws.ecs.
 *
 * The dispatcher writes the event to the default bus's outbox in the same transaction as the task's
 * state change (src/dispatcher/gateway.ts), so an event is never lost between the two: either both are
 * committed or neither. Outbox keys are ordered by time then the task's version, so one task's events
 * stay in order.
 */
import { attachmentStatus, containerNetworkInterfaces, eniAttachment } from '../ecs/awsvpc.js';
import type { Resource } from '@aws-sdk/client-ecs';
import { connectivityOf, desiredStatusOf, instanceAttributes, lastStatusOf, stopOf, stoppingAtOf } from '../ecs/task-state.js';
import type { ContainerInstanceRecord, TaskRecord } from '../ecs/task-records.js';
import type { DeploymentRecord } from '../ecs/records.js';
import { DEFAULT_BUS, eventsKeys, type BusEvent, type OutboxEvent } from './records.js';
import { eventTime } from './route.js';

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

/** Drops undefined members, as the JSON on the wire has none. */
function compact<T extends Record<string, unknown>>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

export function taskStateChangeDetail(t: TaskRecord, updatedAt: number): Record<string, unknown> {
  const stop = stopOf(t);
  const conn = connectivityOf(t);
  return compact({
    attachments: t.network?.eni ? [eniAttachment(t.network.eni, attachmentStatus(t))] : [],
    attributes: t.cpuArchitecture ? [{ name: 'ecs.cpu-architecture', value: t.cpuArchitecture }] : undefined,
    availabilityZone: t.availabilityZone,
    capacityProviderName: t.capacityProviderName,
    clusterArn: t.clusterArn,
    connectivity: conn.connectivity,
    connectivityAt: iso(conn.connectivityAt),
    containerInstanceArn: t.launchType === 'FARGATE' ? undefined : t.containerInstanceArn,
    containers: t.containers.map((c) => compact({
      containerArn: c.containerArn, exitCode: c.exitCode, lastStatus: c.lastStatus, name: c.name, image: c.image, imageDigest: c.imageDigest,
      runtimeId: c.runtimeId, taskArn: t.taskArn, reason: c.reason, networkBindings: c.networkBindings,
      networkInterfaces: containerNetworkInterfaces(t.network?.eni), cpu: c.cpu ?? '0', memory: c.memory, memoryReservation: c.memoryReservation,
      healthStatus: c.healthStatus,
    })),
    cpu: t.cpu,
    createdAt: iso(t.createdAt),
    desiredStatus: desiredStatusOf(t),
    enableExecuteCommand: t.enableExecuteCommand,
    ephemeralStorage: t.ephemeralStorageGiB !== undefined ? { sizeInGiB: t.ephemeralStorageGiB } : undefined,
    executionStoppedAt: iso(t.executionStoppedAt),
    group: t.group,
    healthStatus: t.healthStatus,
    launchType: t.launchType,
    lastStatus: lastStatusOf(t),
    memory: t.memory,
    overrides: { containerOverrides: t.containers.map((c) => t.overrides.containerOverrides?.find((o) => o.name === c.name) ?? { name: c.name }) },
    platformVersion: t.platformVersion,
    pullStartedAt: iso(t.pullStartedAt),
    pullStoppedAt: iso(t.pullStoppedAt),
    startedAt: iso(t.startedAt),
    startedBy: t.startedBy,
    stoppingAt: iso(stoppingAtOf(t)),
    stoppedAt: iso(t.stoppedAt),
    stoppedReason: stop.stoppedReason,
    stopCode: stop.stopCode,
    taskArn: t.taskArn,
    taskDefinitionArn: t.taskDefinitionArn,
    updatedAt: iso(updatedAt),
    version: t.version,
  });
}

export function taskStateChangeEvent(t: TaskRecord, scope: { region: string; accountId: string }, id: string, now: number): BusEvent {
  return {
    version: '0', id, 'detail-type': 'ECS Task State Change', source: 'aws.ecs', account: scope.accountId, time: eventTime(now),
    region: scope.region, resources: [t.taskArn], detail: taskStateChangeDetail(t, now),
  };
}

/** The outbox entry for a task's state change: key and value, to put in the transaction that changes the task. */
export function taskStateChangeOutbox(t: TaskRecord, scope: { region: string; accountId: string }, id: string, now: number): { key: string; value: string } {
  const rec: OutboxEvent = { eventBusName: DEFAULT_BUS, event: taskStateChangeEvent(t, scope, id, now), receivedAt: now };
  return { key: eventsKeys.outbox(DEFAULT_BUS, now, `${String(t.version).padStart(6, '0')}-${id}`), value: JSON.stringify(rec) };
}

/**
 * "ECS Container Instance State Change": the container instance as DescribeContainerInstances shows it
 * (ECS's example in "Amazon ECS events"), `remainingResources` after what its tasks hold, `updatedAt`.
 */
export function containerInstanceStateChangeDetail(i: ContainerInstanceRecord, remaining: Resource[], clusterArn: string, updatedAt: number): Record<string, unknown> {
  return compact({
    agentConnected: i.agentConnected,
    attributes: instanceAttributes(i),
    clusterArn,
    containerInstanceArn: i.containerInstanceArn,
    ec2InstanceId: i.ec2InstanceId,
    registeredResources: i.registeredResources,
    remainingResources: remaining,
    status: i.status,
    statusReason: i.statusReason,
    version: i.version,
    versionInfo: i.versionInfo,
    capacityProviderName: i.capacityProviderName,
    registeredAt: iso(i.registeredAt),
    updatedAt: iso(updatedAt),
  });
}

/** Service action events ECS documents, with their eventType. */
export type ServiceActionName = 'SERVICE_STEADY_STATE' | 'SERVICE_TASK_START_IMPAIRED' | 'SERVICE_TASK_PLACEMENT_FAILURE' | 'SERVICE_TASK_CONFIGURATION_FAILURE';
const ACTION_TYPE: Record<ServiceActionName, 'INFO' | 'WARN' | 'ERROR'> = {
  SERVICE_STEADY_STATE: 'INFO', SERVICE_TASK_START_IMPAIRED: 'WARN', SERVICE_TASK_PLACEMENT_FAILURE: 'ERROR', SERVICE_TASK_CONFIGURATION_FAILURE: 'ERROR',
};

/**
 * Which service action a service event message (DescribeServices `events`) is, with the `reason` ECS
 * gives placement failures (RESOURCE:CPU, RESOURCE:MEMORY, RESOURCE:PORTS, ATTRIBUTE, or the message's own
 * reason); undefined for messages that are no service action ("has started 2 tasks").
 */
export function serviceActionOf(message: string): { name: ServiceActionName; reason?: string } | undefined {
  if (/\) has reached a steady state\.$/.test(message)) return { name: 'SERVICE_STEADY_STATE' };
  if (/\) is unable to consistently start tasks successfully\.$/.test(message)) return { name: 'SERVICE_TASK_START_IMPAIRED' };
  if (/\) was unable to place a task/.test(message)) {
    const reason = /insufficient CPU/.test(message) ? 'RESOURCE:CPU' : /insufficient memory/.test(message) ? 'RESOURCE:MEMORY'
      : /using a port/.test(message) ? 'RESOURCE:PORTS' : /missing an attribute/.test(message) ? 'ATTRIBUTE' : /Reason: (.+?)\.?$/.exec(message)?.[1];
    return { name: 'SERVICE_TASK_PLACEMENT_FAILURE', ...(reason ? { reason } : {}) };
  }
  if (/\) failed to launch a task/.test(message)) return { name: 'SERVICE_TASK_CONFIGURATION_FAILURE', reason: /\(error (.+)\)\.$/.exec(message)?.[1] ?? message };
  return undefined;
}

export function serviceActionDetail(action: { name: ServiceActionName; reason?: string }, clusterArn: string, createdAt: number): Record<string, unknown> {
  return compact({ eventType: ACTION_TYPE[action.name], eventName: action.name, clusterArn, reason: action.reason, createdAt: iso(createdAt) });
}

/** "ECS Deployment State Change" from a deployment's rolloutState. */
export function deploymentStateChangeDetail(d: Pick<DeploymentRecord, 'id' | 'rolloutState' | 'rolloutStateReason' | 'updatedAt'>): Record<string, unknown> {
  const name = d.rolloutState === 'COMPLETED' ? 'SERVICE_DEPLOYMENT_COMPLETED' : d.rolloutState === 'FAILED' ? 'SERVICE_DEPLOYMENT_FAILED' : 'SERVICE_DEPLOYMENT_IN_PROGRESS';
  return { eventType: d.rolloutState === 'FAILED' ? 'ERROR' : 'INFO', eventName: name, deploymentId: d.id, updatedAt: eventTime(d.updatedAt), reason: d.rolloutStateReason };
}

export function ecsEvent(detailType: string, resource: string, detail: Record<string, unknown>, scope: { region: string; accountId: string }, id: string, now: number): BusEvent {
  return { version: '0', id, 'detail-type': detailType, source: 'aws.ecs', account: scope.accountId, time: eventTime(now), region: scope.region, resources: [resource], detail };
}
