/**
 * ECS records as Wharf stores them. Timestamps are epoch milliseconds; handlers turn them into Date for
 * the wire. Each record's fields have one writer (DESIGN.md §2): users through the API write specs,
 * controllers write plans, agents write observations.
 */
import type {
  ClusterSetting, ClusterConfiguration, Tag, CapacityProviderStrategyItem, ClusterServiceConnectDefaults,
  ContainerDefinition, Volume, TaskDefinitionPlacementConstraint, ProxyConfiguration, InferenceAccelerator,
  EphemeralStorage, RuntimePlatform, Attribute, Compatibility, NetworkMode, PidMode, IpcMode,
} from '@aws-sdk/client-ecs';
import type { ResolvedNetwork } from './awsvpc.js';

export interface ClusterRecord {
  clusterArn: string;
  clusterName: string;
  status: 'ACTIVE' | 'INACTIVE';
  settings: ClusterSetting[];
  configuration?: ClusterConfiguration;
  serviceConnectDefaults?: ClusterServiceConnectDefaults;
  tags: Tag[];
  capacityProviders: string[];
  defaultCapacityProviderStrategy: CapacityProviderStrategyItem[];
  createdAt: number;
}

export interface TaskDefinitionRecord {
  taskDefinitionArn: string;
  family: string;
  revision: number;
  status: 'ACTIVE' | 'INACTIVE' | 'DELETE_IN_PROGRESS';
  containerDefinitions: ContainerDefinition[];
  taskRoleArn?: string;
  executionRoleArn?: string;
  networkMode?: NetworkMode;
  volumes: Volume[];
  placementConstraints: TaskDefinitionPlacementConstraint[];
  requiresCompatibilities?: Compatibility[];
  compatibilities: Compatibility[];
  requiresAttributes: Attribute[];
  cpu?: string;
  memory?: string;
  pidMode?: PidMode;
  ipcMode?: IpcMode;
  proxyConfiguration?: ProxyConfiguration;
  inferenceAccelerators?: InferenceAccelerator[];
  ephemeralStorage?: EphemeralStorage;
  runtimePlatform?: RuntimePlatform;
  enableFaultInjection?: boolean;
  tags: Tag[];
  registeredAt: number;
  registeredBy: string;
  deregisteredAt?: number;
}

/** The per-family counter that keeps revisions from ever repeating. */
export interface FamilyRecord {
  family: string;
  lastRevision: number;
}

/** Set by DeleteTaskDefinitions (INACTIVE → DELETE_IN_PROGRESS); merges into TaskDefinitionRecord. */
export interface TaskDefinitionRecord {
  deleteRequestedAt?: number;
}

/**
 * An ECS account setting. Stored under keys.accountSetting(principalArn, name) for one principal, and
 * under keys.accountSettingDefault(name) for the account default (what the root user's setting is).
 */
export interface AccountSettingRecord {
  name: string;
  value: string;
  principalArn: string;
  /** 'user' when someone set it; settings nobody set are reported as 'aws_managed' and never stored. */
  type: 'user' | 'aws_managed';
}

/**
 * A service (issue 4). Deployment lifecycle, one per UpdateService that changes what runs:
 *
 *                 CreateService / UpdateService(new def or forceNewDeployment) / rollback
 *                          │
 *                          ▼
 *      ┌──────────── PRIMARY, rolloutState IN_PROGRESS ──────────────┐
 *      │ every PRIMARY task RUNNING and healthy, no older task left   │ failures ≥ circuit-breaker threshold
 *      ▼                                                              ▼   (or StopServiceDeployment)
 *   PRIMARY COMPLETED ── next deployment ──► ACTIVE ──► gone      PRIMARY FAILED ── rollback ──► ACTIVE ──► gone
 *   (deployments[] has exactly one entry: `aws ecs wait services-stable` succeeds)
 *
 * An ACTIVE (older) deployment leaves `deployments[]` once its last task has stopped; it stays in
 * `history` for ListServiceDeployments/DescribeServiceDeployments.
 *
 * Who writes which field:
 *   API (Create/UpdateService)  the spec: desiredCount, taskDefinition, deploymentConfiguration, placement,
 *                               tags…; appends a new PRIMARY deployment (and turns the old PRIMARY ACTIVE)
 *   API (DeleteService)         status DRAINING, desiredCount 0
 *   API (StopServiceDeployment) deployment.stopRequested
 *   services controller         deployment counts, rolloutState(+Reason), failedTaskIds, throttle,
 *                               removal of finished deployments, history, events, lastCompleted,
 *                               status INACTIVE, and — on a circuit-breaker rollback — a new PRIMARY
 */
export interface DeploymentRecord {
  /** `ecs-svc/<19 digits>`. Tasks of this deployment carry it as startedBy. */
  id: string;
  status: 'PRIMARY' | 'ACTIVE' | 'INACTIVE';
  taskDefinition: string;
  desiredCount: number;
  pendingCount: number;
  runningCount: number;
  failedTasks: number;
  createdAt: number;
  updatedAt: number;
  startedAt?: number;
  finishedAt?: number;
  rolloutState: 'IN_PROGRESS' | 'COMPLETED' | 'FAILED';
  rolloutStateReason: string;
  /** Ids of this deployment's tasks counted by the circuit breaker (each once). */
  failedTaskIds: string[];
  /** The latest stoppedAt among counted failures (ids fall off the capped list; this keeps them counted once). */
  failuresCountedUntil?: number;
  /** Service throttle: consecutive tasks that stopped before RUNNING, and when the next launch may be. */
  throttle?: { consecutiveFailures: number; nextLaunchAt: number };
  /** Set by StopServiceDeployment; the controller acts on it. */
  stopRequested?: 'ROLLBACK' | 'ABORT';
  /** When this deployment is a rollback: the deployment it rolled back from, and why. */
  rollbackOf?: { deploymentId: string; reason: string; startedAt: number };
  /** Set when a later deployment rolled this one back. */
  rolledBackBy?: string;
  /** The ServiceDeployment status for the newer API, frozen when the deployment finished. */
  finalStatus?: 'SUCCESSFUL' | 'STOPPED' | 'ROLLBACK_SUCCESSFUL' | 'ROLLBACK_FAILED';
}

export interface ServiceEventRecord { id: string; createdAt: number; message: string }

export interface ServiceRecord {
  serviceArn: string;
  serviceName: string;
  cluster: string;
  clusterArn: string;
  status: 'ACTIVE' | 'DRAINING' | 'INACTIVE';
  desiredCount: number;
  taskDefinition: string;
  /** EC2, or FARGATE for a service on Wharf's managed pool (by launch type or a capacity provider strategy). */
  launchType: 'EC2' | 'FARGATE';
  /** Set when the service runs by a capacity provider strategy (its own, or the cluster default at creation). */
  capacityProviderStrategy?: { capacityProvider: string; base: number; weight: number }[];
  /** FARGATE: the platform version asked for (LATEST unless given); tasks run the resolved one. */
  platformVersion?: string;
  schedulingStrategy: 'REPLICA' | 'DAEMON';
  deploymentController: 'ECS';
  deploymentConfiguration: {
    minimumHealthyPercent: number;
    maximumPercent: number;
    deploymentCircuitBreaker: { enable: boolean; rollback: boolean };
  };
  placementConstraints: { type: 'distinctInstance' | 'memberOf'; expression?: string }[];
  placementStrategy: { type: 'random' | 'spread' | 'binpack'; field?: string }[];
  healthCheckGracePeriodSeconds: number;
  loadBalancers: unknown[];
  /** CreateService's `role` (only with load balancers), as the full role ARN ECS echoes as `roleArn`. */
  roleArn?: string;
  serviceRegistries: unknown[];
  networkConfiguration?: unknown;
  /** awsvpc services: networkConfiguration checked against EC2 (what the controller launches tasks with). */
  network?: ResolvedNetwork;
  enableECSManagedTags: boolean;
  propagateTags: 'TASK_DEFINITION' | 'SERVICE' | 'NONE';
  enableExecuteCommand: boolean;
  tags: Tag[];
  createdAt: number;
  createdBy: string;
  clientToken?: string;
  /** Hash of the CreateService request, for clientToken replays. */
  createHash?: string;
  deployments: DeploymentRecord[];
  /** Finished deployments, newest first (at most HISTORY_LIMIT), for the ServiceDeployment APIs. */
  history: DeploymentRecord[];
  /** Newest first, at most 100 (ECS keeps the last 100). */
  events: ServiceEventRecord[];
  /** The last deployment that reached COMPLETED: the circuit breaker rolls back to it. */
  lastCompleted?: { id: string; taskDefinition: string };
  /** Controller's memory of whether the service was steady at its last pass (steady-state event edge). */
  steady: boolean;
  /** Counter for event ids and deployment ids (the controller and API both derive ids from it). */
  seq: number;
  /** Bumped by every write (ECS has no service version on the wire; ours is for the applier). */
  version: number;
}
