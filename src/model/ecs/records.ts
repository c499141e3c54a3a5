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
