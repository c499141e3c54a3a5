import type { StopServiceDeploymentRequest, StopServiceDeploymentResponse } from '@aws-sdk/client-ecs';
import { ApiError, invalidParameter } from '../../model/errors.js';
import { keys } from '../../model/ecs/keys.js';
import type { Handler } from '../types.js';
import { findServiceDeployment } from './service-common.js';

/**
 * StopServiceDeployment (validated by hand: see service-deployments-list.ts). Records the request on
 * the deployment; the services controller rolls back to the last COMPLETED deployment (ROLLBACK, the
 * default) or stops launching (ABORT).
 */
export const stopServiceDeployment: Handler<StopServiceDeploymentRequest, StopServiceDeploymentResponse> = async (input, ctx) => {
  if (typeof input.serviceDeploymentArn !== 'string' || !input.serviceDeploymentArn) throw invalidParameter("1 validation error detected: Value null at 'serviceDeploymentArn' failed to satisfy constraint: Member must not be null");
  const stopType = input.stopType ?? 'ROLLBACK';
  if (stopType !== 'ROLLBACK' && stopType !== 'ABORT') throw invalidParameter('stopType must be ABORT or ROLLBACK.');
  for (let attempt = 0; attempt < 10; attempt++) {
    const f = await findServiceDeployment(ctx.store, ctx, input.serviceDeploymentArn);
    if (!f) throw new ApiError('ServiceDeploymentNotFoundException', 'The service deployment does not exist.');
    const s = structuredClone(f.service.value);
    const d = s.deployments.find((x) => x.id === f.deployment.id);
    if (!d || d.status !== 'PRIMARY' || d.rolloutState !== 'IN_PROGRESS') {
      throw new ApiError('ConflictException', 'The service deployment is not in progress, so it cannot be stopped.', { resourceIds: [input.serviceDeploymentArn] });
    }
    d.stopRequested = stopType;
    s.version += 1;
    const key = keys.service(s.cluster, s.serviceName);
    const r = await ctx.store.txn({ compare: [{ key, target: 'version', op: '==', value: f.service.version }], success: [{ type: 'put', key, value: JSON.stringify(s) }] });
    if (r.succeeded) return { serviceDeploymentArn: input.serviceDeploymentArn };
  }
  throw new ApiError('ServerException', 'The service kept changing. Retry the request.');
};
