/** How stored tasks appear on the wire (DescribeTasks, RunTask, StartTask, StopTask). */
import type { Container, Task } from '@aws-sdk/client-ecs';
import type { TaskRecord } from '../../model/ecs/task-records.js';
import { toDate } from './common.js';
import { connectivityOf, desiredStatusOf, lastStatusOf, stopOf, stoppingAtOf } from '../../model/ecs/task-state.js';
import { attachmentStatus, containerNetworkInterfaces, eniAttachment } from '../../model/ecs/awsvpc.js';

export function taskView(t: TaskRecord, includeTags = false): Task {
  const containers: Container[] = t.containers.map((c) => ({
    containerArn: c.containerArn,
    taskArn: t.taskArn,
    name: c.name,
    image: c.image,
    imageDigest: c.imageDigest,
    runtimeId: c.runtimeId,
    lastStatus: c.lastStatus,
    exitCode: c.exitCode,
    reason: c.reason,
    networkBindings: c.networkBindings,
    networkInterfaces: containerNetworkInterfaces(t.network?.eni),
    healthStatus: c.healthStatus ?? 'UNKNOWN',
    cpu: c.cpu ?? '0',
    memory: c.memory,
    memoryReservation: c.memoryReservation,
  }));
  const stop = stopOf(t);
  const connectivity = connectivityOf(t);
  return {
    taskArn: t.taskArn,
    clusterArn: t.clusterArn,
    taskDefinitionArn: t.taskDefinitionArn,
    // A FARGATE task never shows the host it runs on (ECS: no containerInstanceArn).
    containerInstanceArn: t.launchType === 'FARGATE' ? undefined : t.containerInstanceArn,
    // ECS lists every container in containerOverrides, by name when it has no override (run-task's example).
    overrides: {
      inferenceAcceleratorOverrides: [], ...t.overrides,
      containerOverrides: t.containers.map((c) => t.overrides.containerOverrides?.find((o) => o.name === c.name) ?? { name: c.name }),
    },
    // Derived states (DEACTIVATING, STOPPED desired once stopped by itself) come from task-state.ts only.
    lastStatus: lastStatusOf(t),
    desiredStatus: desiredStatusOf(t),
    cpu: t.cpu,
    memory: t.memory,
    containers,
    startedBy: t.startedBy,
    version: t.version,
    stopCode: stop.stopCode as Task['stopCode'],
    stoppedReason: stop.stoppedReason,
    pullStartedAt: toDate(t.pullStartedAt),
    pullStoppedAt: toDate(t.pullStoppedAt),
    executionStoppedAt: toDate(t.executionStoppedAt),
    createdAt: toDate(t.createdAt),
    startedAt: toDate(t.startedAt),
    stoppingAt: toDate(stoppingAtOf(t)),
    stoppedAt: toDate(t.stoppedAt),
    group: t.group,
    launchType: t.launchType,
    capacityProviderName: t.capacityProviderName,
    platformVersion: t.platformVersion,
    platformFamily: t.platformFamily,
    ephemeralStorage: t.ephemeralStorageGiB !== undefined ? { sizeInGiB: t.ephemeralStorageGiB } : undefined,
    availabilityZone: t.availabilityZone,
    connectivity: connectivity.connectivity,
    connectivityAt: toDate(connectivity.connectivityAt),
    // ECS shows the architecture of the host a task was placed on as the task's attribute.
    attributes: t.cpuArchitecture ? [{ name: 'ecs.cpu-architecture', value: t.cpuArchitecture }] : undefined,
    attachments: t.network?.eni ? [eniAttachment(t.network.eni, attachmentStatus(t))] : [],
    healthStatus: t.healthStatus,
    // Without include=TAGS ECS still answers the member, empty (describe-tasks' examples).
    tags: includeTags ? t.tags : [],
    enableExecuteCommand: t.enableExecuteCommand,
  };
}
