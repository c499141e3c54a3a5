/**
 * Task and container instance records.
 *
 * Task lifecycle (ECS's own; `lastStatus` only moves forward):
 *
 *   PROVISIONING → PENDING → ACTIVATING → RUNNING → DEACTIVATING → STOPPING → DEPROVISIONING → STOPPED
 *        (any state may jump forward to STOPPED: a failed pull, an essential exit, a StopTask)
 *
 * Who writes which field — exactly one writer per field after creation (checked by
 * src/model/ecs/field-writers.test.ts against TASK_FIELD_WRITERS below; docs/architecture.md has the table):
 *
 *   creation (task-factory.ts, called by RunTask/StartTask and the services controller)
 *       every field's first value: identity, definition, overrides, group, startedBy, tags, reserved,
 *       lastStatus PENDING, desiredStatus RUNNING
 *   placement (controllers/shared/placement-commit.ts)
 *       containerInstanceArn, containerInstanceId, availabilityZone — decided once, committed with the
 *       task's creation; placement also bumps the chosen instance's version (its fence); for awsvpc
 *       tasks `network` (the configuration, given at creation, plus the leased interface `eni`, whose
 *       address lease record is created in the same transaction)
 *   the stop request (task-state.ts requestStop; StopTask and the services controller call it)
 *       desiredStatus = STOPPED, stopCode, stoppedReason, stoppingAt — the first request wins
 *   the dispatcher, from agent reports (dispatcher/gateway.ts)
 *       lastStatus, containers[] observations (status, exit code, reason, runtime id, digest, bindings,
 *       health), healthStatus, pullStartedAt, pullStoppedAt, startedAt, executionStoppedAt, stoppedAt,
 *       and the agent's own stop reason agentStopCode/agentStoppedReason (essential exit, failed start)
 *       FARGATE tasks are created PROVISIONING and unplaced; the capacity controller places them on a
 *       host of Wharf's managed pool through the same placement applier (placeExisting); the agent's
 *       first report moves them to PENDING
 *   the lb controller (controllers/lb/ecs-targets.ts)    elb
 *   the service registries controller (controllers/discovery/service-registries.ts)    discovery
 *   InterruptSpotTasks (api/wharf/interrupt-spot-tasks.ts)    spotInterruption (with requestStop)
 *   UpdateTaskProtection (api/ecs/task-protection-update.ts)    protectedUntil
 *   `version` (ECS's counter) is bumped by every writer; tags by the tagging API.
 *
 * Derived, never stored (task-state.ts): the desiredStatus shown (STOPPED once the task stopped by
 * itself), DEACTIVATING, what the agent is told while targets drain, the stop code/reason shown, and an
 * instance's remaining resources (registered minus what its placed, not-STOPPED tasks reserve).
 */
import type { Attribute, ContainerOverride, KeyValuePair, Resource, Tag, TaskOverride, VersionInfo } from '@aws-sdk/client-ecs';
import type { ContainerStatus, DesiredStatus, HealthStatus, NetworkBinding, TaskStatus } from './status.js';
import type { TaskNetwork } from './awsvpc.js';

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
  /** The instance's `ecs.cpu-architecture`, taken at placement: ECS shows it as the task's attribute. */
  cpuArchitecture?: string;
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
  /** The stop request (requestStop only). */
  stopCode?: string;
  stoppedReason?: string;
  /** The agent's own stop reason when the task stopped by itself (dispatcher only). */
  agentStopCode?: string;
  agentStoppedReason?: string;
  createdAt: number;
  pullStartedAt?: number;
  pullStoppedAt?: number;
  startedAt?: number;
  stoppingAt?: number;
  executionStoppedAt?: number;
  stoppedAt?: number;
  /** Bumped on every state change the user can see (ECS's `version`). */
  version: number;
  /** Owning service, when a service started it. */
  serviceName?: string;
  /** Scale-in protection (UpdateTaskProtection). */
  protectedUntil?: number;
  /** The task's load balancer targets, for services with loadBalancers. Written by the lb controller only. */
  elb?: TaskElbState;
  /** The task's Cloud Map instances, for services with serviceRegistries. Written by controllers/discovery/service-registries.ts only. */
  discovery?: TaskDiscoveryState;
  /** FARGATE or FARGATE_SPOT when a capacity provider strategy chose it (absent for launchType FARGATE). */
  capacityProviderName?: string;
  /** FARGATE tasks: the resolved platform version (LATEST → 1.4.0) and family. */
  platformVersion?: string;
  platformFamily?: string;
  /** FARGATE tasks: ephemeral storage in GiB (20 unless the definition asks for more). */
  ephemeralStorageGiB?: number;
  /**
   * FARGATE_SPOT interruption (`wharf spot interrupt`): the agent sends SIGTERM at once and stops the task
   * `graceSeconds` later (AWS: two minutes). Written with desiredStatus STOPPED in one commit.
   */
  spotInterruption?: { at: number; graceSeconds: number };
  /** awsvpc tasks: the configuration (API) and the leased interface (placement). */
  network?: TaskNetwork;
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
  /**
   * What the agent reported when it registered (capabilities, zone, instance type, its configured
   * attributes): the dispatcher's. Shown together with customAttributes (task-state.ts instanceAttributes).
   */
  attributes: Attribute[];
  /**
   * Custom attributes (PutAttributes/DeleteAttributes): the API's. Absent on records written before the
   * two were split; their custom attributes are then the non-ECS names in `attributes` (customAttributesOf).
   */
  customAttributes?: Attribute[];
  versionInfo: VersionInfo;
  registeredAt: number;
  tags: Tag[];
  /** Bumped on every change (ECS's `version`). */
  version: number;
  lastConnectedAt?: number;
  lastDisconnectedAt?: number;
  capacityProviderName?: string;
  /**
   * A host of Wharf's managed Fargate pool (started and supervised by the server, joined with the pool
   * token). Hidden from ListContainerInstances/DescribeContainerInstances and the cluster's counts; only
   * FARGATE tasks are placed on it, and FARGATE tasks only on such hosts.
   */
  fargatePool?: boolean;
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

/**
 * A service task's Cloud Map instances (serviceRegistries):
 *   registered (RUNNING and healthy) ──desiredStatus STOPPED──► deregistered ──► the agent stops it
 * so a caller never discovers a task that is stopping. `serviceIds` are the Cloud Map services it is in.
 */
export interface TaskDiscoveryState {
  state: 'registered' | 'deregistered';
  serviceIds: string[];
}

/**
 * The writer table, as data: for each owned field, the one module allowed to write it after creation.
 * src/model/ecs/field-writers.test.ts scans the control plane's source and fails when any other module
 * assigns one of these fields (or rewrites it in a `{ ...record, field }` copy).
 */
export const TASK_FIELD_WRITERS: Readonly<Record<string, string>> = {
  // the stop request
  desiredStatus: 'src/model/ecs/task-state.ts',
  stopCode: 'src/model/ecs/task-state.ts',
  stoppedReason: 'src/model/ecs/task-state.ts',
  stoppingAt: 'src/model/ecs/task-state.ts',
  // a FARGATE_SPOT interruption (Wharf's own API)
  spotInterruption: 'src/api/wharf/interrupt-spot-tasks.ts',
  // placement
  containerInstanceArn: 'src/controllers/shared/placement-commit.ts',
  containerInstanceId: 'src/controllers/shared/placement-commit.ts',
  availabilityZone: 'src/controllers/shared/placement-commit.ts',
  cpuArchitecture: 'src/controllers/shared/placement-commit.ts',
  // observations (agent reports through the dispatcher)
  lastStatus: 'src/dispatcher/gateway.ts',
  healthStatus: 'src/dispatcher/gateway.ts',
  pullStartedAt: 'src/dispatcher/gateway.ts',
  pullStoppedAt: 'src/dispatcher/gateway.ts',
  startedAt: 'src/dispatcher/gateway.ts',
  executionStoppedAt: 'src/dispatcher/gateway.ts',
  stoppedAt: 'src/dispatcher/gateway.ts',
  agentStopCode: 'src/dispatcher/gateway.ts',
  agentStoppedReason: 'src/dispatcher/gateway.ts',
  exitCode: 'src/dispatcher/gateway.ts',
  runtimeId: 'src/dispatcher/gateway.ts',
  imageDigest: 'src/dispatcher/gateway.ts',
  networkBindings: 'src/dispatcher/gateway.ts',
  // the lb controller
  elb: 'src/controllers/lb/ecs-targets.ts',
  discovery: 'src/controllers/discovery/service-registries.ts',
  // UpdateTaskProtection
  protectedUntil: 'src/api/ecs/task-protection-update.ts',
  // container instances: connection state is the dispatcher's; remaining resources are derived (no writer)
  agentConnected: 'src/dispatcher/gateway.ts',
  lastConnectedAt: 'src/dispatcher/gateway.ts',
  lastDisconnectedAt: 'src/dispatcher/gateway.ts',
  remaining: '(derived: task-state.ts remainingOf — never stored)',
  // an instance's attributes: what the agent reported (registration) and what users put (the API); the
  // attributes shown are derived from both (task-state.ts instanceAttributes)
  attributes: 'src/dispatcher/gateway.ts',
  registeredResources: 'src/dispatcher/gateway.ts',
  versionInfo: 'src/dispatcher/gateway.ts',
  customAttributes: 'src/api/ecs/attributes.ts',
};

/**
 * A container instance's own state fields, which other records also name (`status` is on clusters,
 * services, deployments…): checked only in modules that handle container instance records.
 */
export const INSTANCE_FIELD_WRITERS: Readonly<Record<string, string>> = {
  status: 'src/model/ecs/task-state.ts',
  statusReason: 'src/model/ecs/task-state.ts',
};
