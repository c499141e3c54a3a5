import type { ListServicesRequest, ListServicesResponse } from '@aws-sdk/client-ecs';
import { keys } from '../../model/ecs/keys.js';
import type { ServiceRecord } from '../../model/ecs/records.js';
import { listJson } from '../../store/json.js';
import type { Handler } from '../types.js';
import { activeCluster, paginate } from './common.js';

/**
 * The cluster's ACTIVE services, by name; ECS's default page is 10. A deleted service (DRAINING, then
 * INACTIVE) is no longer listed, only described (the API reference's DeleteService).
 */
export const listServices: Handler<ListServicesRequest, ListServicesResponse> = async (input, ctx) => {
  const cluster = (await activeCluster(ctx, input.cluster)).value.clusterName;
  const all = (await listJson<ServiceRecord>(ctx.store, keys.services(cluster))).filter((s) => s.status === 'ACTIVE'
    && (!input.launchType || s.launchType === input.launchType)
    && (!input.schedulingStrategy || s.schedulingStrategy === input.schedulingStrategy));
  const page = paginate(all, (s) => s.serviceName, input.maxResults, input.nextToken, 10);
  return { serviceArns: page.items.map((s) => s.serviceArn), nextToken: page.nextToken };
};
