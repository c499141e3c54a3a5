/**
 * ECS statuses as ordered enums. A status only ever moves forward: `advance` ignores redundant or
 * backward transitions (a backward move is a bug in the reporter, never applied).
 */
export const TASK_STATUS_ORDER = ['PROVISIONING', 'PENDING', 'ACTIVATING', 'RUNNING', 'DEACTIVATING', 'STOPPING', 'DEPROVISIONING', 'STOPPED', 'DELETED'] as const;
export type TaskStatus = (typeof TASK_STATUS_ORDER)[number];
export const CONTAINER_STATUS_ORDER = ['PENDING', 'RUNNING', 'STOPPED'] as const;
export type ContainerStatus = (typeof CONTAINER_STATUS_ORDER)[number];
export type DesiredStatus = 'PENDING' | 'RUNNING' | 'STOPPED';
export type HealthStatus = 'HEALTHY' | 'UNHEALTHY' | 'UNKNOWN';

export const statusRank = (s: string): number => TASK_STATUS_ORDER.indexOf(s as TaskStatus);
export const containerStatusRank = (s: string): number => CONTAINER_STATUS_ORDER.indexOf(s as ContainerStatus);

/** The later of two task statuses. */
export function advance(current: TaskStatus, reported: TaskStatus): TaskStatus {
  return statusRank(reported) > statusRank(current) ? reported : current;
}

export function advanceContainer(current: ContainerStatus, reported: ContainerStatus): ContainerStatus {
  return containerStatusRank(reported) > containerStatusRank(current) ? reported : current;
}

export interface NetworkBinding {
  bindIP: string;
  containerPort: number;
  hostPort: number;
  protocol: 'tcp' | 'udp';
}
