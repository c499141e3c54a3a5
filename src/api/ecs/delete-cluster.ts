import type { DeleteClusterRequest, DeleteClusterResponse } from '@aws-sdk/client-ecs';
import { ApiError } from '../../model/errors.js';
import { keys } from '../../model/ecs/keys.js';
import type { ClusterRecord } from '../../model/ecs/records.js';
import { putJson } from '../../store/json.js';
import type { Handler } from '../types.js';
import { activeCluster } from './common.js';
import { clusterCounts, clusterView } from './cluster-view.js';

/**
 * ECS refuses to delete a cluster that still has active or draining services, running or pending
 * tasks, or registered container instances. The cluster stays describable as INACTIVE.
 * The check and the write are one compare-and-swap on the cluster record: a RunTask that raced us
 * writes its task under a cluster it re-read as ACTIVE, and the version guard makes one of us retry.
 */
export const deleteCluster: Handler<DeleteClusterRequest, DeleteClusterResponse> = async (input, ctx) => {
  for (let attempt = 0; attempt < 10; attempt++) {
    const cur = await activeCluster(ctx, input.cluster);
    const name = cur.value.clusterName;
    const counts = await clusterCounts(ctx.store, name);
    const services = await ctx.store.range(keys.services(name));
    const liveServices = services.kvs.some((kv) => ['ACTIVE', 'DRAINING'].includes((JSON.parse(kv.value) as { status: string }).status));
    if (liveServices) throw new ApiError('ClusterContainsServicesException', 'The Cluster cannot be deleted while Services are active.');
    if (counts.runningTasksCount + counts.pendingTasksCount > 0) throw new ApiError('ClusterContainsTasksException', 'The Cluster cannot be deleted while Tasks are active.');
    if (counts.registeredContainerInstancesCount > 0) {
      throw new ApiError('ClusterContainsContainerInstancesException', 'The Cluster cannot be deleted while Container Instances are active or draining.');
    }
    const next: ClusterRecord = { ...cur.value, status: 'INACTIVE' };
    if (await putJson(ctx.store, keys.cluster(name), next, cur.version)) {
      return { cluster: clusterView(next, undefined, ['SETTINGS', 'CONFIGURATIONS', 'TAGS']) };
    }
  }
  throw new ApiError('ServerException', 'The cluster kept changing while it was being deleted. Retry the request.');
};
