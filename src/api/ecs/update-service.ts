/**
 * UpdateService: changes the spec. A new task definition, forceNewDeployment or new placement starts a
 * new PRIMARY deployment (the old PRIMARY becomes ACTIVE and drains as the new one comes up); a
 * desiredCount change alone scales the current deployment. The controller does the rest.
 */
import type { UpdateServiceRequest, UpdateServiceResponse, PlacementConstraint } from '@aws-sdk/client-ecs';
import { ApiError, invalidParameter } from '../../model/errors.js';
import { keys } from '../../model/ecs/keys.js';
import type { ServiceRecord } from '../../model/ecs/records.js';
import type { Handler } from '../types.js';
import { activeCluster } from './common.js';
import { taskDefinitionForRun } from './tasks-common.js';
import { activeService, deploymentConfigurationFrom, newDeployment, newDeploymentId, placementFrom, serviceView } from './service-common.js';
import { DAEMON_NO_DESIRED_COUNT, DAEMON_NO_PLACEMENT_STRATEGY, unsupportedServiceFeatures } from './create-service.js';
import { checkFargateRun } from './run-task.js';
import { checkStrategy, resolvePlatformVersion } from '../../model/ecs/capacity.js';
import { setDesiredCount } from '../../model/ecs/service-scale.js';
import { checkRegistries, checkTargetTypes, networkConfigurationView, resolveNetworkConfiguration } from './network-config.js';

export const updateService: Handler<UpdateServiceRequest, UpdateServiceResponse> = async (input, ctx) => {
  const clusterRec = (await activeCluster(ctx, input.cluster)).value;
  const cluster = clusterRec.clusterName;
  unsupportedServiceFeatures(input);
  const strategy = input.capacityProviderStrategy?.length ? checkStrategy(input.capacityProviderStrategy, clusterRec.capacityProviders) : undefined;
  if (input.platformVersion !== undefined) resolvePlatformVersion(input.platformVersion);
  if ((input.desiredCount ?? 0) < 0) throw invalidParameter('desiredCount must not be negative.');
  const def = input.taskDefinition ? await taskDefinitionForRun(ctx.store, input.taskDefinition) : undefined;
  for (let attempt = 0; attempt < 10; attempt++) {
    const cur = await activeService(ctx.store, cluster, input.service);
    const s: ServiceRecord = structuredClone(cur.value);
    const daemon = s.schedulingStrategy === 'DAEMON';
    const now = ctx.now.getTime();
    if (daemon && input.desiredCount !== undefined) throw invalidParameter(DAEMON_NO_DESIRED_COUNT);
    if (daemon && input.placementStrategy?.length) throw invalidParameter(DAEMON_NO_PLACEMENT_STRATEGY);
    let redeploy = input.forceNewDeployment === true;
    if (def && def.taskDefinitionArn !== s.taskDefinition) { s.taskDefinition = def.taskDefinitionArn; redeploy = true; }
    if (input.placementStrategy !== undefined || input.placementConstraints !== undefined) {
      const p = placementFrom(input.placementStrategy ?? s.placementStrategy, (input.placementConstraints as PlacementConstraint[] | undefined) ?? s.placementConstraints);
      if (JSON.stringify(p.strategies) !== JSON.stringify(s.placementStrategy) || JSON.stringify(p.constraints) !== JSON.stringify(s.placementConstraints)) redeploy = true;
      s.placementStrategy = p.strategies;
      s.placementConstraints = p.constraints;
    }
    if (strategy) {
      if (JSON.stringify(strategy) !== JSON.stringify(s.capacityProviderStrategy)) redeploy = true;
      s.capacityProviderStrategy = strategy;
      s.launchType = 'FARGATE';
      s.platformVersion ??= 'LATEST';
    }
    if (input.platformVersion !== undefined) {
      if (s.launchType !== 'FARGATE') throw invalidParameter('The platform version must be null when specifying an EC2 launch type.');
      if (input.platformVersion !== s.platformVersion) redeploy = true;
      s.platformVersion = input.platformVersion;
    }
    const runDef = def ?? (await taskDefinitionForRun(ctx.store, s.taskDefinition).catch(() => undefined));
    if (runDef && (def || strategy)) {
      if (s.launchType === 'FARGATE') checkFargateRun(runDef, {});
      else if (!runDef.compatibilities.includes('EC2')) throw invalidParameter('Task definition does not support launch_type EC2.');
    }
    if (input.deploymentConfiguration) s.deploymentConfiguration = deploymentConfigurationFrom(input.deploymentConfiguration, s.deploymentConfiguration, daemon);
    if (input.desiredCount !== undefined) s.desiredCount = input.desiredCount;
    if (input.healthCheckGracePeriodSeconds !== undefined) {
      if (input.healthCheckGracePeriodSeconds < 0) throw invalidParameter('healthCheckGracePeriodSeconds must not be negative.');
      s.healthCheckGracePeriodSeconds = input.healthCheckGracePeriodSeconds;
    }
    if (input.enableECSManagedTags !== undefined) s.enableECSManagedTags = input.enableECSManagedTags;
    if (input.propagateTags !== undefined) s.propagateTags = input.propagateTags;
    if (input.enableExecuteCommand !== undefined) s.enableExecuteCommand = input.enableExecuteCommand;
    if (input.loadBalancers !== undefined) { s.loadBalancers = input.loadBalancers; redeploy = true; }
    if (input.serviceRegistries !== undefined) {
      if (runDef) await checkRegistries(ctx.store, input.serviceRegistries, runDef);
      if (JSON.stringify(input.serviceRegistries) !== JSON.stringify(s.serviceRegistries)) redeploy = true;
      s.serviceRegistries = input.serviceRegistries;
    }
    if (input.networkConfiguration !== undefined || def || strategy) {
      // The definition's network mode and the configuration are checked together, as ECS does.
      const mode = (def ?? (await taskDefinitionForRun(ctx.store, s.taskDefinition).catch(() => undefined)))?.networkMode;
      const nc = input.networkConfiguration ?? (s.networkConfiguration as UpdateServiceRequest['networkConfiguration']);
      const network = await resolveNetworkConfiguration(ctx.store, mode, nc, s.launchType);
      await checkTargetTypes(ctx.store, mode, (input.loadBalancers ?? s.loadBalancers) as { targetGroupArn?: string }[]);
      if (JSON.stringify(network) !== JSON.stringify(s.network)) redeploy = true;
      s.network = network;
      s.networkConfiguration = networkConfigurationView(network);
    }
    if (redeploy) {
      for (const d of s.deployments) if (d.status === 'PRIMARY') { d.status = 'ACTIVE'; d.updatedAt = now; }
      s.deployments = [newDeployment(newDeploymentId(), s.taskDefinition, s.desiredCount, now), ...s.deployments];
      s.steady = false;
    } else {
      setDesiredCount(s, s.desiredCount);
    }
    s.version += 1;
    const r = await ctx.store.txn({
      compare: [{ key: keys.service(cluster, s.serviceName), target: 'version', op: '==', value: cur.version }],
      success: [{ type: 'put', key: keys.service(cluster, s.serviceName), value: JSON.stringify(s) }],
    });
    if (r.succeeded) return { service: serviceView(s) };
  }
  throw new ApiError('ServerException', 'The service kept changing while it was being updated. Retry the request.');
};
