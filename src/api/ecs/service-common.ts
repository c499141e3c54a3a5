/**
 * What the service handlers share: resolving `service` parameters (name or ARN), ECS's errors for
 * missing and inactive services, validating deployment configuration and placement, and how a stored
 * service appears on the wire (DescribeServices, Create/Update/DeleteService replies).
 */
import { randomBytes } from 'node:crypto';
import type { Deployment, PlacementConstraint, PlacementStrategy, Service, ServiceDeployment, ServiceDeploymentBrief, DeploymentConfiguration } from '@aws-sdk/client-ecs';
import { ApiError, invalidParameter } from '../../model/errors.js';
import { ecsArn, parseArn, type Scope } from '../../model/arn.js';
import { keys } from '../../model/ecs/keys.js';
import type { DeploymentRecord, ServiceRecord } from '../../model/ecs/records.js';
import { getJson, type Versioned } from '../../store/json.js';
import type { Store } from '../../store/store.js';
import { checkPlacementSpec, PlacementSpecError, type Constraint, type Strategy } from '../../scheduler/placement.js';
import { toDate } from './common.js';
import { resolvePlatformVersion } from '../../model/ecs/capacity.js';

export const SERVICE_NAME = /^[A-Za-z0-9_-]{1,255}$/;

export function newDeploymentId(): string {
  // ECS deployment ids are `ecs-svc/` + 19 digits.
  return `ecs-svc/${(BigInt('0x' + randomBytes(8).toString('hex')) % 9_000_000_000_000_000_000n + 1_000_000_000_000_000_000n).toString()}`;
}

/** The service name a `service` parameter names (short name, or ARN `service/{cluster}/{name}` or legacy `service/{name}`). */
export function serviceNameOf(ref: string | undefined, cluster: string): string | undefined {
  if (!ref) return undefined;
  if (!ref.startsWith('arn:')) return SERVICE_NAME.test(ref) ? ref : undefined;
  const p = parseArn(ref);
  if (!p || p.service !== 'ecs' || !p.resource.startsWith('service/')) return undefined;
  const parts = p.resource.slice('service/'.length).split('/');
  if (parts.length === 2 && parts[0] !== cluster) return undefined;
  const name = parts[parts.length - 1];
  return parts.length <= 2 && SERVICE_NAME.test(name) ? name : undefined;
}

export async function findService(store: Store, cluster: string, ref: string | undefined): Promise<Versioned<ServiceRecord> | undefined> {
  const name = serviceNameOf(ref, cluster);
  return name ? getJson<ServiceRecord>(store, keys.service(cluster, name)) : undefined;
}

export const serviceNotFound = () => new ApiError('ServiceNotFoundException', 'Service not found.');
export const serviceNotActive = () => new ApiError('ServiceNotActiveException', 'Service was not ACTIVE.');

/** An ACTIVE service, or ECS's not-found / not-active error. */
export async function activeService(store: Store, cluster: string, ref: string | undefined): Promise<Versioned<ServiceRecord>> {
  const s = await findService(store, cluster, ref);
  if (!s) throw serviceNotFound();
  if (s.value.status !== 'ACTIVE') throw serviceNotActive();
  return s;
}

export function placementFrom(strategies: readonly PlacementStrategy[] | undefined, constraints: readonly PlacementConstraint[] | undefined, extraConstraints = 0): { strategies: Strategy[]; constraints: Constraint[] } {
  const s = (strategies ?? []).map((x): Strategy => ({ type: x.type as Strategy['type'], ...(x.field !== undefined ? { field: x.field } : {}) }));
  const c = (constraints ?? []).map((x): Constraint => ({ type: x.type as Constraint['type'], ...(x.expression !== undefined ? { expression: x.expression } : {}) }));
  try {
    checkPlacementSpec(s, c);
    if (c.length + extraConstraints > 10) throw new PlacementSpecError('Too many placement constraints: at most 10 are allowed, counting the task definition\'s.');
  } catch (e) {
    if (e instanceof PlacementSpecError) throw invalidParameter(e.message);
    throw e;
  }
  return { strategies: s, constraints: c };
}

export function deploymentConfigurationFrom(input: DeploymentConfiguration | undefined, current: ServiceRecord['deploymentConfiguration'] | undefined, daemon: boolean): ServiceRecord['deploymentConfiguration'] {
  const min = input?.minimumHealthyPercent ?? current?.minimumHealthyPercent ?? (daemon ? 0 : 100);
  const max = input?.maximumPercent ?? current?.maximumPercent ?? (daemon ? 100 : 200);
  const cb = input?.deploymentCircuitBreaker;
  if (cb && (cb.enable === undefined || cb.rollback === undefined)) throw invalidParameter('deploymentCircuitBreaker requires both enable and rollback.');
  if (min < 0 || min > 100) throw invalidParameter('minimumHealthyPercent must be between 0 and 100.');
  if (max < 0) throw invalidParameter('maximumPercent must not be negative.');
  if (daemon && max !== 100) throw invalidParameter('The maximumPercent value for a service using the DAEMON scheduling strategy must be 100.');
  if (max < min) throw invalidParameter(`maximumPercent (${max}) must be greater than or equal to minimumHealthyPercent (${min}).`);
  return {
    minimumHealthyPercent: min,
    maximumPercent: max,
    deploymentCircuitBreaker: cb ? { enable: cb.enable!, rollback: cb.rollback! } : current?.deploymentCircuitBreaker ?? { enable: false, rollback: false },
  };
}

export function newDeployment(id: string, taskDefinition: string, desiredCount: number, now: number): DeploymentRecord {
  return {
    id, status: 'PRIMARY', taskDefinition, desiredCount, pendingCount: 0, runningCount: 0, failedTasks: 0, failedTaskIds: [],
    createdAt: now, updatedAt: now, startedAt: now, rolloutState: 'IN_PROGRESS', rolloutStateReason: `ECS deployment ${id} in progress.`,
  };
}

/** ECS shows either a launch type or a capacity provider strategy, and a platform version for Fargate. */
function launchFields(s: ServiceRecord): Pick<Service, 'launchType' | 'capacityProviderStrategy' | 'platformVersion' | 'platformFamily'> {
  const fargate = s.launchType === 'FARGATE' ? { platformVersion: s.platformVersion ?? 'LATEST', platformFamily: 'Linux' } : {};
  return s.capacityProviderStrategy?.length ? { capacityProviderStrategy: s.capacityProviderStrategy, ...fargate } : { launchType: s.launchType, ...fargate };
}

export function deploymentView(d: DeploymentRecord, s: ServiceRecord): Deployment {
  return {
    id: d.id, status: d.status, taskDefinition: d.taskDefinition, desiredCount: d.desiredCount, pendingCount: d.pendingCount,
    runningCount: d.runningCount, failedTasks: d.failedTasks, createdAt: toDate(d.createdAt), updatedAt: toDate(d.updatedAt),
    // A deployment runs a resolved platform version (LATEST → 1.4.0), as ECS shows it (create-service's example 1).
    ...launchFields(s), ...(s.launchType === 'FARGATE' ? { platformVersion: resolvePlatformVersion(s.platformVersion) } : {}),
    rolloutState: d.rolloutState, rolloutStateReason: d.rolloutStateReason,
    networkConfiguration: s.networkConfiguration as Deployment['networkConfiguration'],
  };
}

export function serviceView(s: ServiceRecord, includeTags = false): Service {
  const sum = (f: 'runningCount' | 'pendingCount') => s.deployments.reduce((n, d) => n + d[f], 0);
  return {
    serviceArn: s.serviceArn, serviceName: s.serviceName, clusterArn: s.clusterArn,
    ...(s.roleArn ? { roleArn: s.roleArn } : {}),
    loadBalancers: s.loadBalancers as Service['loadBalancers'], serviceRegistries: s.serviceRegistries as Service['serviceRegistries'],
    status: s.status, desiredCount: s.desiredCount, runningCount: sum('runningCount'), pendingCount: sum('pendingCount'),
    ...launchFields(s), taskDefinition: s.taskDefinition,
    deploymentConfiguration: {
      deploymentCircuitBreaker: s.deploymentConfiguration.deploymentCircuitBreaker,
      maximumPercent: s.deploymentConfiguration.maximumPercent,
      minimumHealthyPercent: s.deploymentConfiguration.minimumHealthyPercent,
    },
    taskSets: [],
    deployments: s.deployments.map((d) => deploymentView(d, s)),
    events: s.events.map((e) => ({ id: e.id, createdAt: toDate(e.createdAt), message: e.message })),
    createdAt: toDate(s.createdAt),
    placementConstraints: s.placementConstraints,
    placementStrategy: s.placementStrategy,
    networkConfiguration: s.networkConfiguration as Service['networkConfiguration'],
    healthCheckGracePeriodSeconds: s.healthCheckGracePeriodSeconds,
    schedulingStrategy: s.schedulingStrategy,
    deploymentController: { type: s.deploymentController },
    tags: includeTags ? s.tags : undefined,
    createdBy: s.createdBy,
    enableECSManagedTags: s.enableECSManagedTags,
    propagateTags: s.propagateTags,
    enableExecuteCommand: s.enableExecuteCommand,
  };
}

// ── The ServiceDeployment APIs (ListServiceDeployments, DescribeServiceDeployments, StopServiceDeployment) ──

const digits = (id: string) => id.replace('ecs-svc/', '');
export const serviceDeploymentArn = (scope: Scope, s: ServiceRecord, d: DeploymentRecord) => ecsArn(scope, `service-deployment/${s.cluster}/${s.serviceName}/${digits(d.id)}`);
export const serviceRevisionArn = (scope: Scope, s: ServiceRecord, d: DeploymentRecord) => ecsArn(scope, `service-revision/${s.cluster}/${s.serviceName}/${digits(d.id)}`);

export type ServiceDeploymentStatus = NonNullable<ServiceDeployment['status']>;

export function serviceDeploymentStatus(d: DeploymentRecord): ServiceDeploymentStatus {
  if (d.finalStatus) return d.finalStatus;
  if (d.stopRequested) return d.stopRequested === 'ROLLBACK' ? 'ROLLBACK_REQUESTED' : 'STOP_REQUESTED';
  if (d.rolledBackBy) return 'ROLLBACK_IN_PROGRESS';
  if (d.rolloutState === 'COMPLETED') return 'SUCCESSFUL';
  if (d.rolloutState === 'FAILED') return 'STOPPED';
  return 'IN_PROGRESS';
}

/** Every deployment the service remembers, newest first: current ones, then finished history. */
export function allDeployments(s: ServiceRecord): DeploymentRecord[] {
  const seen = new Set<string>();
  return [...s.deployments, ...s.history].filter((d) => !seen.has(d.id) && seen.add(d.id)).sort((a, b) => b.createdAt - a.createdAt);
}

export function serviceDeploymentBrief(scope: Scope, s: ServiceRecord, d: DeploymentRecord): ServiceDeploymentBrief {
  return {
    serviceDeploymentArn: serviceDeploymentArn(scope, s, d), serviceArn: s.serviceArn, clusterArn: s.clusterArn,
    startedAt: toDate(d.startedAt), createdAt: toDate(d.createdAt), finishedAt: toDate(d.finishedAt),
    targetServiceRevisionArn: serviceRevisionArn(scope, s, d), status: serviceDeploymentStatus(d), statusReason: d.rolloutStateReason,
  };
}

export function serviceDeploymentView(scope: Scope, s: ServiceRecord, d: DeploymentRecord, threshold: number): ServiceDeployment {
  const sources = allDeployments(s).filter((x) => x.createdAt < d.createdAt).slice(0, 1);
  const st = serviceDeploymentStatus(d);
  return {
    serviceDeploymentArn: serviceDeploymentArn(scope, s, d), serviceArn: s.serviceArn, clusterArn: s.clusterArn,
    createdAt: toDate(d.createdAt), startedAt: toDate(d.startedAt), finishedAt: toDate(d.finishedAt),
    stoppedAt: st === 'STOPPED' || st.startsWith('ROLLBACK') ? toDate(d.finishedAt) : undefined, updatedAt: toDate(d.updatedAt),
    sourceServiceRevisions: sources.map((x) => ({ arn: serviceRevisionArn(scope, s, x), requestedTaskCount: x.desiredCount, runningTaskCount: x.runningCount, pendingTaskCount: x.pendingCount })),
    targetServiceRevision: { arn: serviceRevisionArn(scope, s, d), requestedTaskCount: d.desiredCount, runningTaskCount: d.runningCount, pendingTaskCount: d.pendingCount },
    status: st, statusReason: d.rolloutStateReason,
    deploymentConfiguration: serviceView(s).deploymentConfiguration,
    rollback: d.rolledBackBy ? { reason: s.deployments.concat(s.history).find((x) => x.id === d.rolledBackBy)?.rolloutStateReason, startedAt: toDate(d.finishedAt), serviceRevisionArn: serviceRevisionArn(scope, s, s.deployments.concat(s.history).find((x) => x.id === d.rolledBackBy) ?? d) } : undefined,
    deploymentCircuitBreaker: s.deploymentConfiguration.deploymentCircuitBreaker.enable
      ? { status: d.rolloutState === 'FAILED' && d.failedTasks >= threshold ? 'TRIGGERED' : 'MONITORING', failureCount: d.failedTasks, threshold }
      : { status: 'DISABLED', failureCount: d.failedTasks, threshold },
  };
}

/** Finds a deployment by its ServiceDeployment ARN. */
export async function findServiceDeployment(store: Store, scope: Scope, arn: string): Promise<{ service: Versioned<ServiceRecord>; deployment: DeploymentRecord } | undefined> {
  const p = parseArn(arn);
  if (!p || p.service !== 'ecs' || p.region !== scope.region || p.accountId !== scope.accountId || !p.resource.startsWith('service-deployment/')) return undefined;
  const [cluster, name, id] = p.resource.slice('service-deployment/'.length).split('/');
  if (!cluster || !name || !id) return undefined;
  const s = await getJson<ServiceRecord>(store, keys.service(cluster, name));
  const d = s ? allDeployments(s.value).find((x) => digits(x.id) === id) : undefined;
  return s && d ? { service: s, deployment: d } : undefined;
}
