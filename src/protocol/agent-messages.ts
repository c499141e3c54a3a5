/**
 * The agent ⇄ dispatcher protocol: JSON messages over one WebSocket at /agent.
 *
 *   agent                                   dispatcher (server)
 *   ── connect ws://server/agent  (Authorization: Bearer <join token>)
 *   ── register {cluster, hostId, resources, attributes, versionInfo, containerInstanceArn?}
 *                                           ◄── registered {containerInstanceArn}
 *                                           ◄── desired {tasks: TaskSpec[], full: true}   (whole set, on every (re)connect)
 *                                           ◄── desired {tasks: TaskSpec[], full: false}  (deltas: new tasks, desiredStatus changes)
 *                                           ◄── policy {policy}  (security groups + members; on connect and on change)
 *   ── report {seq, tasks: TaskReport[]}     (batched state changes; resent until acked)
 *                                           ◄── ack {seq}
 *   ── stats {…}                            (periodic, fire-and-forget; CloudWatch later)
 *   WebSocket ping/pong every 10 s is the heartbeat; a missing pong for 30 s is a disconnect.
 *
 * Who writes what: the dispatcher turns `report` into the task's observed fields (lastStatus,
 * containers, timestamps) — the agent is their only source. The agent never writes desired state.
 * Statuses only move forward (see TASK_STATUS_ORDER); a report that would move one back is ignored.
 * Timestamps are epoch milliseconds.
 */
import type { ContainerDefinition, TaskOverride, Volume } from '@aws-sdk/client-ecs';

export const AGENT_PROTOCOL_VERSION = 1;

import type { ContainerStatus, DesiredStatus, HealthStatus, NetworkBinding, TaskStatus } from '../model/ecs/status.js';
export { TASK_STATUS_ORDER, CONTAINER_STATUS_ORDER, statusRank, containerStatusRank, advance, advanceContainer } from '../model/ecs/status.js';
export type { ContainerStatus, DesiredStatus, HealthStatus, TaskStatus, NetworkBinding } from '../model/ecs/status.js';

export interface HostResources {
  /** CPU units: cores × 1024. */
  cpu: number;
  /** MiB available to tasks. */
  memory: number;
  /** Host ports already in use on the host (not available to tasks). */
  reservedPorts: number[];
}

export interface VersionInfo {
  agentVersion: string;
  agentHash?: string;
  dockerVersion: string;
}

export interface RegistryCredentials {
  /** Registry host:port this applies to. */
  serveraddress: string;
  username: string;
  password: string;
}

/** Everything an agent needs to run one task. */
export interface TaskSpec {
  taskArn: string;
  cluster: string;
  family: string;
  revision: number;
  desiredStatus: DesiredStatus;
  /** The container definitions with overrides already applied. */
  containers: (ContainerDefinition & { containerArn: string })[];
  networkMode: 'bridge' | 'host' | 'awsvpc' | 'none';
  volumes: Volume[];
  /** The task definition's pidMode/ipcMode (ECS: `host`, or `task` = the task's containers share one). */
  pidMode?: 'host' | 'task';
  ipcMode?: 'host' | 'task' | 'none';
  /** Task-level cpu/memory (units/MiB) when set. */
  cpu?: number;
  memory?: number;
  overrides?: TaskOverride;
  /** Credentials for pulling from Wharf's own registry, when the image is there. */
  registryAuth?: RegistryCredentials[];
  /** Why the control plane wants it stopped, when desiredStatus is STOPPED. */
  stopCode?: string;
  stoppedReason?: string;
  /** When set (a FARGATE_SPOT interruption), seconds between SIGTERM and SIGKILL, overriding stopTimeout. */
  stopGraceSeconds?: number;
  /** The store version of the task record this spec was built from (newer wins). */
  version: number;
  /** awsvpc tasks: the interface to wire into the task's network namespace. */
  network?: TaskNetworkSpec;
  /**
   * Task IAM: what the control plane resolved for this start (iam/task-start.ts). Sent only while the
   * task should run; never stored in the task record, never in a report, stripped from the agent's
   * checkpoint. `endpointId` is the unguessable per-task id in the credentials and metadata URIs.
   */
  endpointId?: string;
  taskRoleCredentials?: TaskRoleCredentials;
  /** Resolved container `secrets`: container name → environment variable → value. */
  secretEnvironment?: Record<string, Record<string, string>>;
  /** Set when the task cannot start (a secret or role that cannot be resolved): ECS's stoppedReason. */
  initError?: string;
}

export interface TaskRoleCredentials {
  roleArn: string;
  accessKeyId: string;
  secretAccessKey: string;
  token: string;
  /** Epoch milliseconds. */
  expiration: number;
}

/** A TaskSpec without what must never reach a disk (the agent's checkpoint). */
export function withoutSecrets(spec: TaskSpec): TaskSpec {
  const { taskRoleCredentials: _c, secretEnvironment: _s, ...rest } = spec;
  return rest;
}

/**
 * An awsvpc task's interface: the agent makes the subnet's bridge (`bridge`, with `gateway` on it) if
 * absent, and a veth from it into the pause container's namespace as eth0 with `ipv4Address`/`prefix`
 * and `macAddress`, default route via `gateway`.
 */
export interface TaskNetworkSpec {
  subnetId: string;
  subnetCidr: string;
  bridge: string;
  gateway: string;
  ipv4Address: string;
  prefix: number;
  macAddress: string;
  privateDnsName: string;
  attachmentId: string;
  securityGroups: string[];
}

/** Security groups as rule sets plus member addresses (src/model/ec2/security-policy.ts compiles it). */
export type { NetworkPolicy, PolicyRule } from '../model/ec2/security-policy.js';
import type { NetworkPolicy } from '../model/ec2/security-policy.js';

export type NetworkBindingReport = NetworkBinding;

export interface ContainerReport {
  name: string;
  runtimeId?: string;
  imageDigest?: string;
  lastStatus: ContainerStatus;
  exitCode?: number;
  reason?: string;
  networkBindings?: NetworkBindingReport[];
  healthStatus?: HealthStatus;
}

export interface TaskReport {
  taskArn: string;
  lastStatus: TaskStatus;
  containers: ContainerReport[];
  healthStatus?: HealthStatus;
  pullStartedAt?: number;
  pullStoppedAt?: number;
  startedAt?: number;
  stoppingAt?: number;
  executionStoppedAt?: number;
  stoppedAt?: number;
  /** Set by the agent when the task stopped for its own reasons (essential exit, failed start). */
  stopCode?: 'TaskFailedToStart' | 'EssentialContainerExited' | 'UserInitiated' | 'ServiceSchedulerInitiated';
  stoppedReason?: string;
}

export type AgentMessage =
  | { type: 'register'; protocol: number; cluster: string; hostId: string; containerInstanceArn?: string; resources: HostResources; attributes: { name: string; value?: string }[]; versionInfo: VersionInfo; availabilityZone?: string; instanceType?: string }
  | { type: 'report'; seq: number; tasks: TaskReport[] }
  | { type: 'stats'; at: number; containers: ContainerStatsReport[] };

export type ServerMessage =
  /**
   * `resolver`: where the VPC's DNS resolver (Wharf's DNS server, WHARF_DNS_LISTEN) answers; the agent
   * sends its tasks' queries to 169.254.169.253:53 there. Absent when the server runs no DNS server.
   */
  | { type: 'registered'; containerInstanceArn: string; cluster: string; resolver?: { host: string; port: number } }
  | { type: 'desired'; full: boolean; tasks: TaskSpec[] }
  | { type: 'ack'; seq: number }
  /** The whole security-group policy, sent after `registered` and whenever a rule or a membership changes. */
  | { type: 'policy'; policy: NetworkPolicy }
  | { type: 'error'; code: string; message: string; fatal: boolean };

export interface ContainerStatsReport {
  taskArn: string;
  containerName: string;
  cpuTotalNs: number;
  systemCpuNs: number;
  onlineCpus: number;
  memoryUsage: number;
  memoryLimit: number;
  rxBytes: number;
  txBytes: number;
  blockRead: number;
  blockWrite: number;
}

/** Labels Wharf puts on every container it starts, so a restarted agent can adopt them. */
export const LABELS = {
  taskArn: 'com.amazonaws.ecs.task-arn',
  containerName: 'com.amazonaws.ecs.container-name',
  cluster: 'com.amazonaws.ecs.cluster',
  family: 'com.amazonaws.ecs.task-definition-family',
  revision: 'com.amazonaws.ecs.task-definition-version',
  managedBy: 'wharf.managed',
} as const;
