import type { ListClustersRequest, ListClustersResponse } from '@aws-sdk/client-ecs';
import { keys } from '../../model/ecs/keys.js';
import type { ClusterRecord } from '../../model/ecs/records.js';
import { listJson } from '../../store/json.js';
import type { Handler } from '../types.js';
import { paginate } from './common.js';

/** Every cluster still describable, INACTIVE (deleted) ones included, as ECS lists them. */
export const listClusters: Handler<ListClustersRequest, ListClustersResponse> = async (input, ctx) => {
  const all = await listJson<ClusterRecord>(ctx.store, keys.clusters());
  const page = paginate(all, (c) => c.clusterName, input.maxResults, input.nextToken);
  return { clusterArns: page.items.map((c) => c.clusterArn), nextToken: page.nextToken };
};
