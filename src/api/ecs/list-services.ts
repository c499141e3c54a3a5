import type { ListServicesRequest, ListServicesResponse } from '@aws-sdk/client-ecs';
import { keys } from '../../model/ecs/keys.js';
import type { ServiceRecord } from '../../model/ecs/records.js';
import { listJson } from '../../store/json.js';
import type { Handler } from '../types.js';
import { activeCluster, paginate } from './common.js';

/** ACTIVE and DRAINING services of the cluster, by name; ECS's default page is 10. */
export const listServices: Handler<ListServicesRequest, ListServicesResponse> = async (input, ctx) => {
  const cluster = (await activeCluster(ctx, input.cluster)).value.clusterName;
  const all = (await listJson<ServiceRecord>(ctx.store, keys.services(cluster))).filter((s) => s.status !== 'INACTIVE'
    && (!input.launchType || s.launchType === input.launchType)
    && (!input.schedulingStrategy || s.schedulingStrategy === input.schedulingStrategy));
  const page = paginate(all, (s) => s.serviceName, input.maxResults, input.nextToken, 10);
  return { serviceArns: page.items.map((s) => s.serviceArn), nextToken: page.nextToken };
};
