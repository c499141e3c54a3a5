/** How stored tasks appear on the wire (DescribeTasks, RunTask, StartTask, StopTask). */
import type { Container, Task } from '@aws-sdk/client-ecs';
import type { TaskRecord } from '../../model/ecs/task-records.js';
import { toDate } from './common.js';

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
    networkInterfaces: [],
    healthStatus: c.healthStatus ?? 'UNKNOWN',
    cpu: c.cpu ?? '0',
    memory: c.memory,
    memoryReservation: c.memoryReservation,
  }));
  return {
    taskArn: t.taskArn,
    clusterArn: t.clusterArn,
    taskDefinitionArn: t.taskDefinitionArn,
    containerInstanceArn: t.containerInstanceArn,
    overrides: { containerOverrides: t.overrides.containerOverrides ?? [], inferenceAcceleratorOverrides: [], ...t.overrides },
    // DEACTIVATING: the agent still runs the task while its load balancer targets drain.
    lastStatus: t.lastStatus === 'RUNNING' && t.desiredStatus === 'STOPPED' && t.elb && t.elb.state !== 'drained' ? 'DEACTIVATING' : t.lastStatus,
    desiredStatus: t.desiredStatus,
    cpu: t.cpu,
    memory: t.memory,
    containers,
    startedBy: t.startedBy,
    version: t.version,
    stopCode: t.stopCode as Task['stopCode'],
    stoppedReason: t.stoppedReason,
    connectivity: t.connectivity,
    connectivityAt: toDate(t.connectivityAt),
    pullStartedAt: toDate(t.pullStartedAt),
    pullStoppedAt: toDate(t.pullStoppedAt),
    executionStoppedAt: toDate(t.executionStoppedAt),
    createdAt: toDate(t.createdAt),
    startedAt: toDate(t.startedAt),
    stoppingAt: toDate(t.stoppingAt),
    stoppedAt: toDate(t.stoppedAt),
    group: t.group,
    launchType: t.launchType,
    availabilityZone: t.availabilityZone,
    attachments: [],
    healthStatus: t.healthStatus,
    tags: includeTags ? t.tags : undefined,
    enableExecuteCommand: t.enableExecuteCommand,
  };
}
