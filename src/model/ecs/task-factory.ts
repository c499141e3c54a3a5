/**
 * Building a task record from a task definition and RunTask/StartTask/service parameters (pure: ids
 * and time are passed in), and what the task demands of an instance.
 */
import type { ContainerDefinition, Tag, TaskOverride } from '@aws-sdk/client-ecs';
import { containerArn, taskArn, type Scope } from '../arn.js';
import type { TaskDefinitionRecord } from './records.js';
import type { ContainerRecord, TaskRecord } from './task-records.js';
import type { AwsvpcConfig } from './awsvpc.js';

export interface NewTaskParams {
  scope: Scope;
  cluster: string;
  clusterArn: string;
  def: TaskDefinitionRecord;
  id: string;
  /** One id per container, in definition order. */
  containerIds: string[];
  overrides?: TaskOverride;
  group?: string;
  startedBy?: string;
  tags?: Tag[];
  enableExecuteCommand?: boolean;
  serviceName?: string;
  /** awsvpc tasks: the resolved network configuration (the interface is leased at placement). */
  network?: AwsvpcConfig;
  now: number;
  /** FARGATE: the capacity provider (when a strategy chose one) and resolved platform version. */
  fargate?: { capacityProviderName?: string; platformVersion: string };
}

/** Container definitions with the task's container overrides applied (command, env, cpu, memory…). */
export function effectiveContainers(def: TaskDefinitionRecord, overrides: TaskOverride | undefined): ContainerDefinition[] {
  return def.containerDefinitions.map((c) => {
    const o = overrides?.containerOverrides?.find((x) => x.name === c.name);
    if (!o) return c;
    const env = new Map((c.environment ?? []).map((e) => [e.name!, e.value ?? '']));
    for (const e of o.environment ?? []) env.set(e.name!, e.value ?? '');
    return {
      ...c,
      command: o.command ?? c.command,
      environment: [...env].map(([name, value]) => ({ name, value })),
      cpu: o.cpu ?? c.cpu,
      memory: o.memory ?? c.memory,
      memoryReservation: o.memoryReservation ?? c.memoryReservation,
    };
  });
}

export function newTaskRecord(p: NewTaskParams): TaskRecord {
  const overrides: TaskOverride = p.overrides ?? {};
  const containers: ContainerRecord[] = effectiveContainers(p.def, overrides).map((c, i) => ({
    containerArn: containerArn(p.scope, p.cluster, p.id, p.containerIds[i]),
    name: c.name!,
    image: c.image!,
    lastStatus: 'PENDING',
    networkBindings: [],
    healthStatus: c.healthCheck ? 'UNKNOWN' : undefined,
    cpu: String(c.cpu ?? 0),
    memory: c.memory !== undefined ? String(c.memory) : undefined,
    memoryReservation: c.memoryReservation !== undefined ? String(c.memoryReservation) : undefined,
    essential: c.essential ?? true,
  }));
  const demand = taskDemand(p.def, overrides);
  return {
    taskArn: taskArn(p.scope, p.cluster, p.id),
    id: p.id,
    cluster: p.cluster,
    clusterArn: p.clusterArn,
    taskDefinitionArn: p.def.taskDefinitionArn,
    family: p.def.family,
    revision: p.def.revision,
    containers,
    overrides,
    lastStatus: 'PENDING',
    desiredStatus: 'RUNNING',
    healthStatus: 'UNKNOWN',
    launchType: 'EC2',
    cpu: overrides.cpu ?? p.def.cpu ?? (demand.cpu > 0 ? String(demand.cpu) : undefined),
    memory: overrides.memory ?? p.def.memory ?? String(demand.memory),
    reserved: { cpu: demand.cpu, memory: demand.memory, ports: demand.ports, udpPorts: demand.udpPorts },
    group: p.group ?? `family:${p.def.family}`,
    startedBy: p.startedBy,
    tags: p.tags ?? [],
    enableExecuteCommand: p.enableExecuteCommand ?? false,
    createdAt: p.now,
    version: 1,
    serviceName: p.serviceName,
    ...(p.fargate ? {
      // Unplaced until the capacity controller puts it on a pool host; the agent's first report moves it on.
      lastStatus: 'PROVISIONING' as const,
      launchType: 'FARGATE' as const,
      capacityProviderName: p.fargate.capacityProviderName,
      platformVersion: p.fargate.platformVersion,
      platformFamily: 'Linux',
      ephemeralStorageGiB: p.def.ephemeralStorage?.sizeInGiB ?? 20,
    } : {}),
    ...(p.network ? { network: { subnets: [...p.network.subnets], securityGroups: [...p.network.securityGroups], assignPublicIp: p.network.assignPublicIp } } : {}),
  };
}

export interface TaskDemand { cpu: number; memory: number; ports: number[]; udpPorts: number[] }

const units = (v: string | undefined): number | undefined => {
  if (!v) return undefined;
  const m = /^\s*([\d.]+)\s*(vcpu|gb)?\s*$/i.exec(v);
  if (!m) return undefined;
  return m[2] ? Math.round(Number(m[1]) * 1024) : Number(m[1]);
};

/**
 * CPU units and MiB the task reserves on an instance, and its static host ports.
 * Task-level cpu/memory win; otherwise the sum over containers, where a container's memory demand is
 * its soft limit (memoryReservation) when set, else its hard limit — as ECS places.
 * Bridge-mode hostPort 0/absent is a dynamic port and reserves nothing up front.
 */
export function taskDemand(def: TaskDefinitionRecord, overrides?: TaskOverride): TaskDemand {
  const containers = effectiveContainers(def, overrides);
  const cpu = units(overrides?.cpu) ?? units(def.cpu) ?? containers.reduce((s, c) => s + (c.cpu ?? 0), 0);
  const memory = units(overrides?.memory) ?? units(def.memory) ?? containers.reduce((s, c) => s + (c.memoryReservation ?? c.memory ?? 0), 0);
  const ports: number[] = [];
  const udpPorts: number[] = [];
  const hostMode = def.networkMode === 'host';
  // awsvpc: every task has its own address, so its ports never collide with another task's on a host.
  for (const c of def.networkMode === 'awsvpc' ? [] : containers) {
    for (const pm of c.portMappings ?? []) {
      const hp = hostMode ? (pm.hostPort ?? pm.containerPort) : pm.hostPort;
      if (!hp) continue;
      (pm.protocol === 'udp' ? udpPorts : ports).push(hp);
    }
  }
  return { cpu, memory, ports, udpPorts };
}
