/**
 * ECS's own events on the default bus (pure): "ECS Task State Change", with `detail` as ECS documents it
 * ("Amazon ECS task state change events"): the task as DescribeTasks shows it, timestamps as ISO 8601
 * strings, plus `updatedAt`. The envelope's `resources` is the task ARN and `source` is aws.ecs.
 *
 * The dispatcher writes the event to the default bus's outbox in the same transaction as the task's
 * state change (src/dispatcher/gateway.ts), so an event is never lost between the two: either both are
 * committed or neither. Outbox keys are ordered by time then the task's version, so one task's events
 * stay in order.
 */
import { attachmentStatus, containerNetworkInterfaces, eniAttachment } from '../ecs/awsvpc.js';
import { connectivityOf, desiredStatusOf, lastStatusOf, stopOf, stoppingAtOf } from '../ecs/task-state.js';
import type { TaskRecord } from '../ecs/task-records.js';
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
