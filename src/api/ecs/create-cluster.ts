import type { CreateClusterRequest, CreateClusterResponse, ClusterSetting } from '@aws-sdk/client-ecs';
import { invalidParameter } from '../../model/errors.js';
import { CLUSTER_NAME, clusterArn } from '../../model/arn.js';
import { keys } from '../../model/ecs/keys.js';
import type { ClusterRecord } from '../../model/ecs/records.js';
import { update } from '../../store/json.js';
import type { Handler } from '../types.js';
import { validateTags } from './common.js';
import { checkClusterProviders } from '../../model/ecs/capacity.js';
import { clusterCounts, clusterView } from './cluster-view.js';
import { validateClusterSettings, containerInsightsDefault } from './cluster-settings.js';

/**
 * CreateCluster is idempotent on the name: creating an ACTIVE cluster again returns it unchanged, as
 * ECS does; an INACTIVE (deleted) cluster of that name comes back to life with the new parameters.
 */
export const createCluster: Handler<CreateClusterRequest, CreateClusterResponse> = async (input, ctx) => {
  const name = input.clusterName ?? 'default';
  if (!CLUSTER_NAME.test(name)) {
    throw invalidParameter('Cluster name can have up to 255 characters: letters (uppercase and lowercase), numbers, underscores, and hyphens.');
  }
  const tags = validateTags(input.tags);
  const settings: ClusterSetting[] = input.settings?.length
    ? validateClusterSettings(input.settings)
    : [{ name: 'containerInsights', value: await containerInsightsDefault(ctx) }];
  const capacity = checkClusterProviders(input.capacityProviders ?? [], input.defaultCapacityProviderStrategy ?? []);
  const rec = (await update<ClusterRecord>(ctx.store, keys.cluster(name), (cur) => {
    if (cur?.status === 'ACTIVE') return undefined;
    return {
      clusterArn: clusterArn(ctx, name),
      clusterName: name,
      status: 'ACTIVE',
      settings,
      configuration: input.configuration,
      serviceConnectDefaults: input.serviceConnectDefaults?.namespace ? { namespace: input.serviceConnectDefaults.namespace } : undefined,
      tags,
      capacityProviders: capacity.providers,
      defaultCapacityProviderStrategy: capacity.strategy,
      createdAt: ctx.now.getTime(),
    };
  }))!;
  return { cluster: clusterView(rec, await clusterCounts(ctx.store, name), ['SETTINGS', 'CONFIGURATIONS', 'TAGS']) };
};
