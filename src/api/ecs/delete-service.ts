/**
 * DeleteService: the service goes DRAINING with desiredCount 0; the controller stops its tasks and
 * marks it INACTIVE when the last one has stopped (`aws ecs wait services-inactive`). ECS refuses a
 * REPLICA service still scaled above zero unless `force` is set.
 */
import type { DeleteServiceRequest, DeleteServiceResponse } from '@aws-sdk/client-ecs';
import { ApiError, invalidParameter } from '../../model/errors.js';
import { keys } from '../../model/ecs/keys.js';
import type { Handler } from '../types.js';
import { activeCluster } from './common.js';
import { findService, serviceNotActive, serviceNotFound, serviceView } from './service-common.js';

export const deleteService: Handler<DeleteServiceRequest, DeleteServiceResponse> = async (input, ctx) => {
  const cluster = (await activeCluster(ctx, input.cluster)).value.clusterName;
  for (let attempt = 0; attempt < 10; attempt++) {
    const cur = await findService(ctx.store, cluster, input.service);
    if (!cur) throw serviceNotFound();
    const s = structuredClone(cur.value);
    if (s.status === 'DRAINING' || s.status === 'INACTIVE') throw serviceNotActive();
    if (s.schedulingStrategy === 'REPLICA' && s.desiredCount > 0 && !input.force) {
      throw invalidParameter('The service cannot be stopped while it is scaled above 0.');
    }
    s.status = 'DRAINING';
    s.desiredCount = 0;
    s.steady = false;
    s.version += 1;
    const r = await ctx.store.txn({
      compare: [{ key: keys.service(cluster, s.serviceName), target: 'version', op: '==', value: cur.version }],
      success: [{ type: 'put', key: keys.service(cluster, s.serviceName), value: JSON.stringify(s) }],
    });
    if (r.succeeded) return { service: serviceView(s) };
  }
  throw new ApiError('ServerException', 'The service kept changing while it was being deleted. Retry the request.');
};
