/**
 * Task and container instance records.
 *
 * Task lifecycle (ECS's own; `lastStatus` only moves forward):
 *
 *   PROVISIONING → PENDING → ACTIVATING → RUNNING → DEACTIVATING → STOPPING → DEPROVISIONING → STOPPED
 *        (any state may jump forward to STOPPED: a failed pull, an essential exit, a StopTask)
 *
 * Who writes which field (one writer per field):
 *   API (RunTask/StartTask)   creates the record: identity, definition, overrides, group, startedBy, tags
 *   API (StopTask), services  desiredStatus = STOPPED, stopCode, stoppedReason, stoppingAt (desired side)
 *   placement (RunTask)       containerInstanceArn, availabilityZone — decided once, with the instance's
 *                             remaining resources reserved in the same transaction
 *   agent (via dispatcher)    lastStatus, containers[] observations, healthStatus, pull/start/stop times,
 *                             executionStoppedAt, and stopCode/stoppedReason when the task stopped on
 *                             its own (essential container exit, failed start)
 *   dispatcher                connectivity, connectivityAt
 *   lb controller             elb (target registration, ELB health, draining) for service tasks behind a
 *                             load balancer; while `elb.state` is registered/draining the agent keeps the
 *                             task running even when desiredStatus is STOPPED (ECS's DEACTIVATING)
 */
import type { Attribute, ContainerOverride, KeyValuePair, Resource, Tag, TaskOverride, VersionInfo } from '@aws-sdk/client-ecs';
import type { ContainerStatus, DesiredStatus, HealthStatus, NetworkBinding, TaskStatus } from './status.js';

export interface ContainerRecord {
  containerArn: string;
  name: string;
  image: string;
  imageDigest?: string;
  runtimeId?: string;
  lastStatus: ContainerStatus;
  exitCode?: number;
  reason?: string;
  networkBindings: NetworkBinding[];
  healthStatus?: HealthStatus;
  cpu?: string;
  memory?: string;
  memoryReservation?: string;
  essential: boolean;
}

export interface TaskRecord {
  taskArn: string;
  id: string;
  cluster: string;
  clusterArn: string;
  taskDefinitionArn: string;
  family: string;
  revision: number;
  containerInstanceArn?: string;
  containerInstanceId?: string;
  availabilityZone?: string;
  containers: ContainerRecord[];
  overrides: TaskOverride;
  lastStatus: TaskStatus;
  desiredStatus: DesiredStatus;
  healthStatus: HealthStatus;
  launchType: 'EC2' | 'FARGATE' | 'EXTERNAL';
  cpu?: string;
  memory?: string;
  /** Resources reserved on the instance (units/MiB and host ports), released when the task stops. */
  reserved: { cpu: number; memory: number; ports: number[]; udpPorts: number[] };
  group: string;
  startedBy?: string;
  tags: Tag[];
  enableExecuteCommand: boolean;
  stopCode?: string;
  stoppedReason?: string;
  createdAt: number;
  pullStartedAt?: number;
  pullStoppedAt?: number;
  startedAt?: number;
  stoppingAt?: number;
  executionStoppedAt?: number;
  stoppedAt?: number;
  connectivity?: 'CONNECTED' | 'DISCONNECTED';
  connectivityAt?: number;
  /** Bumped on every state change the user can see (ECS's `version`). */
  version: number;
  /** Owning service, when a service started it. */
  serviceName?: string;
  /** Scale-in protection (UpdateTaskProtection). */
  protectedUntil?: number;
  /** The task's load balancer targets, for services with loadBalancers. Written by the lb controller only. */
  elb?: TaskElbState;
}

export type ContainerInstanceStatus = 'REGISTERING' | 'ACTIVE' | 'DRAINING' | 'DEREGISTERING' | 'INACTIVE' | 'REGISTRATION_FAILED';

export interface ContainerInstanceRecord {
  containerInstanceArn: string;
  id: string;
  cluster: string;
  /** Stable host identity reported by the agent (ECS: ec2InstanceId). */
  ec2InstanceId: string;
  status: ContainerInstanceStatus;
  statusReason?: string;
  agentConnected: boolean;
  registeredResources: Resource[];
  /** Registered minus what placed, not-yet-stopped tasks reserve. Written with the placement. */
  remaining: { cpu: number; memory: number; ports: number[]; udpPorts: number[] };
  attributes: Attribute[];
  versionInfo: VersionInfo;
  registeredAt: number;
  tags: Tag[];
  /** Bumped on every change (ECS's `version`). */
  version: number;
  lastConnectedAt?: number;
  lastDisconnectedAt?: number;
  capacityProviderName?: string;
}

export type { ContainerOverride, KeyValuePair };

/**
 * A service task's load balancer targets:
 *   registered ──desiredStatus STOPPED──► draining (deregistration delay) ──► drained ──► the agent stops it
 * `health` is the worst of its targets' ELB health (unhealthy > initial > healthy).
 */
export interface TaskElbState {
  state: 'registered' | 'draining' | 'drained';
  health: 'initial' | 'healthy' | 'unhealthy';
  /** The target group of the first unhealthy target, for ECS's stoppedReason. */
  unhealthyTargetGroupArn?: string;
  /** When the task's targets finish draining (epoch ms). */
  drainUntil?: number;
  targetGroupArns: string[];
}
