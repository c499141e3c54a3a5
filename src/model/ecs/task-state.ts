/**
 * What a task's fields mean together, worked out in ONE place (pure). Every reader that needs a
 * derived state — DescribeTasks, ListTasks, the dispatcher, the services and lb controllers, the
 * container instance views, placement — calls these instead of re-deriving it.
 *
 * The stop request is written only by `requestStop` (StopTask and the services controller both call
 * it; the first request wins and later ones change nothing, as on ECS). A task that stops on its own
 * (essential container exit, failed start) keeps its desired side as the user left it: the agent's own
 * stop reason lives in `agentStopCode`/`agentStoppedReason`, written by the dispatcher only, and the
 * reply shows the request's reason when there is one, else the agent's.
 */
import type { Attribute, Resource } from '@aws-sdk/client-ecs';
import type { ContainerInstanceRecord, TaskRecord } from './task-records.js';

type StopFields = Pick<TaskRecord, 'desiredStatus' | 'stopCode' | 'stoppedReason' | 'stoppingAt' | 'version'>;

/** The only writer of the stop request. Returns false (and changes nothing) when a stop was already requested. */
export function requestStop(t: StopFields, stop: { code: 'UserInitiated' | 'ServiceSchedulerInitiated' | 'TerminationNotice'; reason: string; now: number }): boolean {
  if (t.desiredStatus === 'STOPPED') return false;
  t.desiredStatus = 'STOPPED';
  t.stopCode = stop.code;
  t.stoppedReason = stop.reason;
  t.stoppingAt = stop.now;
  t.version += 1;
  return true;
}

type InstanceStatusFields = Pick<ContainerInstanceRecord, 'status' | 'statusReason' | 'version'>;

/**
 * The only writer of a container instance's `status` (and its reason): UpdateContainerInstancesState
 * (ACTIVE ⇄ DRAINING), DeregisterContainerInstance and the capacity controller retiring a pool host
 * (INACTIVE) all go through it. INACTIVE is final. Returns false (and changes nothing) when there is
 * nothing to change.
 */
export function setInstanceStatus(i: InstanceStatusFields, status: ContainerInstanceRecord['status'], reason?: string): boolean {
  if (i.status === 'INACTIVE' || i.status === status) return false;
  i.status = status;
  if (reason !== undefined) i.statusReason = reason;
  i.version += 1;
  return true;
}

type Observed = Pick<TaskRecord, 'desiredStatus' | 'lastStatus' | 'elb' | 'discovery'>;

/** Stop requested, but the task's load balancer targets still drain or its Cloud Map instances are still registered. */
const heldForTraffic = (t: Observed) => (t.elb !== undefined && t.elb.state !== 'drained') || t.discovery?.state === 'registered';

/** desiredStatus as ECS shows it: STOPPED once stop was requested or the task stopped by itself. */
export function desiredStatusOf(t: Observed): TaskRecord['desiredStatus'] {
  return t.lastStatus === 'STOPPED' || t.lastStatus === 'DELETED' ? 'STOPPED' : t.desiredStatus;
}

/**
 * DEACTIVATING (ECS's own state): stop requested, still RUNNING, its load balancer targets draining or
 * its Cloud Map instances not yet deregistered. The agent keeps the task running until the lb controller
 * says drained and deregistered.
 */
export function isDeactivating(t: Observed): boolean {
  return t.lastStatus === 'RUNNING' && t.desiredStatus === 'STOPPED' && heldForTraffic(t);
}

/** lastStatus as ECS shows it. */
export function lastStatusOf(t: Observed): TaskRecord['lastStatus'] | 'DEACTIVATING' {
  return isDeactivating(t) ? 'DEACTIVATING' : t.lastStatus;
}

/** What the agent is told to do with the task (RUNNING while its targets drain and its Cloud Map instances are deregistered). */
export function agentDesiredStatus(t: Observed): TaskRecord['desiredStatus'] {
  if (t.desiredStatus === 'STOPPED' && heldForTraffic(t) && t.lastStatus !== 'STOPPED') return 'RUNNING';
  return t.desiredStatus;
}

/** The stop code and reason shown: the stop request's, else the agent's own. */
export function stopOf(t: Pick<TaskRecord, 'stopCode' | 'stoppedReason' | 'agentStopCode' | 'agentStoppedReason'>): { stopCode?: string; stoppedReason?: string } {
  if (t.stopCode) return { stopCode: t.stopCode, stoppedReason: t.stoppedReason };
  return { stopCode: t.agentStopCode, stoppedReason: t.agentStoppedReason };
}

/** stoppingAt shown: when the stop was requested, else (a task that stopped by itself) when it stopped. */
export function stoppingAtOf(t: Pick<TaskRecord, 'stoppingAt' | 'stoppedAt'>): number | undefined {
  return t.stoppingAt ?? t.stoppedAt;
}

/**
 * ECS's `connectivity`: CONNECTED once the agent on the task's host has reported the task (ECS's
 * RunTask reply has none; DescribeTasks shows it from then on), at the agent's first observation.
 */
export function connectivityOf(t: Pick<TaskRecord, 'containerInstanceId' | 'pullStartedAt' | 'startedAt' | 'executionStoppedAt'>): { connectivity?: 'CONNECTED'; connectivityAt?: number } {
  const at = t.containerInstanceId !== undefined ? t.pullStartedAt ?? t.startedAt ?? t.executionStoppedAt : undefined;
  return at === undefined ? {} : { connectivity: 'CONNECTED', connectivityAt: at };
}

/** Names the ECS agent reports (capabilities, host facts), as opposed to a user's custom attributes. */
export const isAgentAttribute = (name: string | undefined): boolean => !!name && (name.startsWith('ecs.') || name.startsWith('com.amazonaws.ecs.'));

/** An instance's custom attributes (PutAttributes); for a record from before the split, the non-ECS names it holds. */
export function customAttributesOf(i: Pick<ContainerInstanceRecord, 'attributes' | 'customAttributes'>): Attribute[] {
  return i.customAttributes ?? i.attributes.filter((a) => !isAgentAttribute(a.name));
}

/**
 * An instance's attributes as ECS shows them and placement matches them: what its agent reported, with
 * the custom attributes (which win on a name both have) — the one place the two are combined.
 */
export function instanceAttributes(i: Pick<ContainerInstanceRecord, 'attributes' | 'customAttributes'>): Attribute[] {
  const custom = customAttributesOf(i);
  const names = new Set(custom.map((a) => a.name));
  return [...i.attributes.filter((a) => !names.has(a.name)), ...custom];
}

/** A task that holds resources on its instance: placed and not yet STOPPED. */
export function holdsResources(t: Pick<TaskRecord, 'lastStatus' | 'containerInstanceId'>): boolean {
  return t.containerInstanceId !== undefined && t.lastStatus !== 'STOPPED' && t.lastStatus !== 'DELETED';
}

export interface Remaining { cpu: number; memory: number; ports: number[]; udpPorts: number[] }
export interface Reservation { cpu: number; memory: number; ports: readonly number[]; udpPorts: readonly number[] }

/** What remains, as the `Resource` list DescribeContainerInstances and the container instance event show. */
export function remainingResources(r: Remaining): Resource[] {
  return [
    { name: 'CPU', type: 'INTEGER', integerValue: r.cpu, doubleValue: 0, longValue: 0 },
    { name: 'MEMORY', type: 'INTEGER', integerValue: r.memory, doubleValue: 0, longValue: 0 },
    { name: 'PORTS', type: 'STRINGSET', stringSetValue: r.ports.map(String), doubleValue: 0, longValue: 0, integerValue: 0 },
    { name: 'PORTS_UDP', type: 'STRINGSET', stringSetValue: r.udpPorts.map(String), doubleValue: 0, longValue: 0, integerValue: 0 },
  ];
}

/**
 * An instance's remaining resources, derived from what is registered and what the tasks placed on it
 * reserve — the one place this is computed. Nothing stores it: placement, the dispatcher's release and
 * the views all come here (a stored counter written by placement and the dispatcher drifted apart).
 */
export function remainingOf(instance: Pick<ContainerInstanceRecord, 'registeredResources'>, reservations: Iterable<Reservation>): Remaining {
  const reg = (n: string) => instance.registeredResources.find((r) => r.name === n);
  const out: Remaining = {
    cpu: reg('CPU')?.integerValue ?? 0,
    memory: reg('MEMORY')?.integerValue ?? 0,
    ports: (reg('PORTS')?.stringSetValue ?? []).map(Number),
    udpPorts: (reg('PORTS_UDP')?.stringSetValue ?? []).map(Number),
  };
  for (const r of reservations) {
    out.cpu -= r.cpu;
    out.memory -= r.memory;
    out.ports.push(...r.ports);
    out.udpPorts.push(...r.udpPorts);
  }
  out.ports = [...new Set(out.ports)];
  out.udpPorts = [...new Set(out.udpPorts)];
  return out;
}

/** The reservations of `tasks` that hold resources on instance `instanceId`. */
export function reservationsOn(instanceId: string, tasks: Iterable<Pick<TaskRecord, 'lastStatus' | 'containerInstanceId' | 'reserved'>>): Reservation[] {
  const out: Reservation[] = [];
  for (const t of tasks) if (t.containerInstanceId === instanceId && holdsResources(t)) out.push(t.reserved);
  return out;
}
