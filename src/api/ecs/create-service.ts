/**
 * CreateService: stores the service with its first PRIMARY deployment (IN_PROGRESS); the services
 * controller then starts the tasks.
 *
 * clientToken (exactly once, as RunTask's): a token record holding the original reply is created in the
 * same transaction as the service, guarded by "token absent" and "name free", so of two concurrent
 * retries only one commits; the other replays the stored reply. A different request under a used token,
 * or a different service under an existing live name, is ECS's "not idempotent" error.
 */
import { createHash } from 'node:crypto';
import type { CreateServiceRequest, CreateServiceResponse, PlacementConstraint } from '@aws-sdk/client-ecs';
import { checkRegistries, checkTargetTypes, networkConfigurationView, resolveNetworkConfiguration } from './network-config.js';
import { ApiError, invalidParameter } from '../../model/errors.js';
import { serviceArn } from '../../model/arn.js';
import { keys, serviceKeys } from '../../model/ecs/keys.js';
import type { ServiceRecord } from '../../model/ecs/records.js';
import { getJson } from '../../store/json.js';
import type { Handler } from '../types.js';
import { activeCluster, validateTags } from './common.js';
import { taskDefinitionForRun } from './tasks-common.js';
import { checkFargateRun } from './run-task.js';
import { chooseLaunch, resolvePlatformVersion } from '../../model/ecs/capacity.js';
import { SERVICE_NAME, deploymentConfigurationFrom, newDeployment, newDeploymentId, placementFrom, serviceView } from './service-common.js';

const hashOf = (v: unknown) => createHash('sha256').update(JSON.stringify(v)).digest('hex');

/** The stored reply of a CreateService with a clientToken. */
interface CreateTokenRecord { hash: string; service: ServiceRecord }
const notIdempotent = () => invalidParameter('Creation of service was not idempotent.');

/** ECS's words for DAEMON services given what only REPLICA services take (CreateService and UpdateService). */
export const DAEMON_NO_DESIRED_COUNT = 'The daemon scheduling strategy does not support a desired count for services. Remove the desired count value and try again';
export const DAEMON_NO_PLACEMENT_STRATEGY = 'The daemon scheduling strategy does not support placement strategies. Remove the placement strategy and try again';

/** A role name (optionally with a path) or ARN, as ECS echoes it: always the full role ARN. */
export function roleArnOf(role: string, accountId: string): string {
  return role.startsWith('arn:') ? role : `arn:aws:iam::${accountId}:role/${role.replace(/^\/+/, '')}`;
}

/**
 * The service's `roleArn` as ECS shows it: the role given (only with load balancers), else ECS's
 * service-linked role for a service that needs one — load balancers or awsvpc networking (aws-cli's
 * create-service examples 1 and 4) — and none for a plain EC2 service (example 2).
 */
export function serviceRoleArn(role: string | undefined, needsRole: boolean, accountId: string): string | undefined {
  if (role !== undefined) return roleArnOf(role, accountId);
  return needsRole ? `arn:aws:iam::${accountId}:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS` : undefined;
}

/** CreateService's reply: the service, with its tags when it was given some (create-service's examples 1 and 2). */
const createdView = (s: ServiceRecord) => serviceView(s, s.tags.length > 0);

export function unsupportedServiceFeatures(input: { deploymentController?: { type?: string } }): void {
  if (input.deploymentController?.type && input.deploymentController.type !== 'ECS') {
    throw new ApiError('UnsupportedFeatureException', `The ${input.deploymentController.type} deployment controller is not available on Wharf: use the ECS (rolling update) deployment controller.`);
  }
}

export const createService: Handler<CreateServiceRequest, CreateServiceResponse> = async (input, ctx) => {
  const cluster = (await activeCluster(ctx, input.cluster)).value;
  const name = input.serviceName!;
  if (!SERVICE_NAME.test(name)) throw invalidParameter('Service names can be up to 255 letters (uppercase and lowercase), numbers, underscores, and hyphens.');
  if (input.clientToken !== undefined && (input.clientToken.length > 36 || !/^[\x21-\x7e]+$/.test(input.clientToken))) {
    throw invalidParameter('clientToken must be 1 to 36 ASCII characters (33–126).');
  }
  unsupportedServiceFeatures(input);
  const strategy = input.schedulingStrategy ?? 'REPLICA';
  const daemon = strategy === 'DAEMON';
  if (!input.taskDefinition) throw invalidParameter('A task definition is required when the deployment controller is ECS.');
  // The request's shape before what the cluster or the definition supports, as ECS checks it.
  const launch = chooseLaunch(input, cluster);
  if (daemon && input.placementStrategy?.length) throw invalidParameter(DAEMON_NO_PLACEMENT_STRATEGY);
  if (daemon && input.desiredCount !== undefined) throw invalidParameter(DAEMON_NO_DESIRED_COUNT);
  if (!daemon && input.desiredCount === undefined) throw invalidParameter('desiredCount is required when the scheduling strategy is REPLICA.');
  if ((input.desiredCount ?? 0) < 0) throw invalidParameter('desiredCount must not be negative.');
  if (input.healthCheckGracePeriodSeconds !== undefined && input.healthCheckGracePeriodSeconds < 0) throw invalidParameter('healthCheckGracePeriodSeconds must not be negative.');
  // `role` is the (pre-service-linked-role) IAM role ECS used to register targets: only with load balancers.
  if (input.role !== undefined && !input.loadBalancers?.length) {
    throw invalidParameter('You cannot specify an IAM role for services that require a service linked role.');
  }
  const tags = validateTags(input.tags);
  const def = await taskDefinitionForRun(ctx.store, input.taskDefinition);
  let platformVersion: string | undefined;
  let networkConfiguration = input.networkConfiguration;
  let network: Awaited<ReturnType<typeof resolveNetworkConfiguration>>;
  if (launch.launchType === 'FARGATE') {
    if (daemon) throw invalidParameter('The DAEMON scheduling strategy is not supported with the FARGATE launch type.');
    checkFargateRun(def, input);
    network = await resolveNetworkConfiguration(ctx.store, def.networkMode, input.networkConfiguration, 'FARGATE');
    resolvePlatformVersion(input.platformVersion);
    platformVersion = input.platformVersion ?? 'LATEST';
  } else {
    if (input.platformVersion !== undefined) throw invalidParameter('The platform version must be null when specifying an EC2 launch type.');
    if (!def.compatibilities.includes('EC2')) throw invalidParameter('Task definition does not support launch_type EC2.');
    network = await resolveNetworkConfiguration(ctx.store, def.networkMode, input.networkConfiguration, 'EC2');
  }
  await checkTargetTypes(ctx.store, def.networkMode, input.loadBalancers);
  await checkRegistries(ctx.store, input.serviceRegistries, def);
  if (network) networkConfiguration = networkConfigurationView(network);
  const placement = placementFrom(input.placementStrategy, input.placementConstraints as PlacementConstraint[], def.placementConstraints.length);
  const deploymentConfiguration = deploymentConfigurationFrom(input.deploymentConfiguration, undefined, daemon);
  const key = keys.service(cluster.clusterName, name);
  const requestHash = hashOf({ ...input, clientToken: undefined });
  const tokenKey = input.clientToken ? serviceKeys.createToken(cluster.clusterName, input.clientToken) : undefined;

  for (let attempt = 0; attempt < 10; attempt++) {
    if (tokenKey) {
      const prior = await getJson<CreateTokenRecord>(ctx.store, tokenKey);
      if (prior) {
        if (prior.value.hash !== requestHash) throw notIdempotent();
        return { service: createdView(prior.value.service) };
      }
    }
    const existing = await getJson<ServiceRecord>(ctx.store, key);
    if (existing && existing.value.status !== 'INACTIVE') {
      if (input.clientToken && existing.value.clientToken === input.clientToken && existing.value.createHash === requestHash) {
        return { service: createdView(existing.value) };
      }
      throw notIdempotent();
    }
    const now = ctx.now.getTime();
    const desired = daemon ? 0 : input.desiredCount!;
    const rec: ServiceRecord = {
      serviceArn: serviceArn(ctx, cluster.clusterName, name), serviceName: name, cluster: cluster.clusterName, clusterArn: cluster.clusterArn,
      status: 'ACTIVE', desiredCount: desired, taskDefinition: def.taskDefinitionArn, schedulingStrategy: strategy,
      launchType: launch.launchType, capacityProviderStrategy: launch.launchType === 'FARGATE' ? launch.strategy : undefined, platformVersion,
      deploymentController: 'ECS', deploymentConfiguration,
      placementConstraints: placement.constraints, placementStrategy: placement.strategies,
      healthCheckGracePeriodSeconds: input.healthCheckGracePeriodSeconds ?? 0,
      loadBalancers: input.loadBalancers ?? [], serviceRegistries: input.serviceRegistries ?? [], networkConfiguration, network,
      enableECSManagedTags: input.enableECSManagedTags ?? false, propagateTags: input.propagateTags ?? 'NONE',
      enableExecuteCommand: input.enableExecuteCommand ?? false, tags, createdAt: now, createdBy: ctx.principal.arn,
      clientToken: input.clientToken, createHash: requestHash,
      roleArn: serviceRoleArn(input.role, !!input.loadBalancers?.length || !!networkConfiguration, ctx.accountId),
      deployments: [newDeployment(newDeploymentId(), def.taskDefinitionArn, desired, now)],
      history: [], events: [], steady: false, seq: 0, version: 1,
    };
    const r = await ctx.store.txn({
      compare: [
        { key, target: 'version', op: '==', value: existing?.version ?? 0 },
        ...(tokenKey ? [{ key: tokenKey, target: 'createRevision' as const, op: '==' as const, value: 0 }] : []),
      ],
      success: [
        { type: 'put', key, value: JSON.stringify(rec) },
        ...(tokenKey ? [{ type: 'put' as const, key: tokenKey, value: JSON.stringify({ hash: requestHash, service: rec } satisfies CreateTokenRecord) }] : []),
      ],
    });
    if (r.succeeded) return { service: createdView(rec) };
  }
  throw new ApiError('ServerException', 'The service kept changing while it was being created. Retry the request.');
};
