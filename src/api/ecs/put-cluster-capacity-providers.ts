/**
 * PutClusterCapacityProviders: replaces the cluster's capacity providers and its default strategy in one
 * write (ECS: both lists are required; an empty list disassociates everything). FARGATE and FARGATE_SPOT
 * are the only providers. A provider a live service's strategy names may not be removed (ECS's
 * ResourceInUseException), so nothing that runs loses its capacity.
 */
import type { PutClusterCapacityProvidersRequest, PutClusterCapacityProvidersResponse } from '@aws-sdk/client-ecs';
import { ApiError } from '../../model/errors.js';
import { keys } from '../../model/ecs/keys.js';
import type { ClusterRecord, ServiceRecord } from '../../model/ecs/records.js';
import { checkClusterProviders } from '../../model/ecs/capacity.js';
import { listJson, update } from '../../store/json.js';
import type { Handler } from '../types.js';
import { activeCluster } from './common.js';
import { clusterCounts, clusterView } from './cluster-view.js';

export const putClusterCapacityProviders: Handler<PutClusterCapacityProvidersRequest, PutClusterCapacityProvidersResponse> = async (input, ctx) => {
  const name = (await activeCluster(ctx, input.cluster)).value.clusterName;
  const { providers, strategy } = checkClusterProviders(input.capacityProviders ?? [], input.defaultCapacityProviderStrategy ?? []);
  const services = await listJson<ServiceRecord>(ctx.store, keys.services(name));
  for (const s of services) {
    if (s.status === 'INACTIVE') continue;
    const lost = (s.capacityProviderStrategy ?? []).find((i) => !providers.includes(i.capacityProvider));
    if (lost) throw new ApiError('ResourceInUseException', `The specified capacity provider ${lost.capacityProvider} is in use and cannot be removed.`);
  }
  const rec = await update<ClusterRecord>(ctx.store, keys.cluster(name), (cur) => {
    if (!cur || cur.status !== 'ACTIVE') return undefined;
    cur.capacityProviders = providers;
    cur.defaultCapacityProviderStrategy = strategy;
    return cur;
  });
  await activeCluster(ctx, input.cluster); // deleted meanwhile: ClusterNotFoundException
  return { cluster: clusterView(rec!, await clusterCounts(ctx.store, name), ['SETTINGS', 'CONFIGURATIONS', 'TAGS']) };
};
