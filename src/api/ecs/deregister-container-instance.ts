import type { DeregisterContainerInstanceRequest, DeregisterContainerInstanceResponse } from '@aws-sdk/client-ecs';
import { invalidParameter } from '../../model/errors.js';
import { keys } from '../../model/ecs/keys.js';
import type { ContainerInstanceRecord } from '../../model/ecs/task-records.js';
import { update } from '../../store/json.js';
import type { Handler } from '../types.js';
import { activeCluster } from './common.js';
import { containerInstanceView, findInstance, instanceTaskCounts } from './container-instance-view.js';
import { setInstanceStatus } from '../../model/ecs/task-state.js';

/**
 * Without `force`, an instance still running tasks is not deregistered. With `force`, its tasks keep
 * running on the host (ECS's behaviour) but the control plane forgets the instance: status INACTIVE.
 */
export const deregisterContainerInstance: Handler<DeregisterContainerInstanceRequest, DeregisterContainerInstanceResponse> = async (input, ctx) => {
  const cluster = (await activeCluster(ctx, input.cluster)).value.clusterName;
  const found = await findInstance(ctx.store, cluster, input.containerInstance!);
  if (!found || found.value.status === 'INACTIVE') throw invalidParameter(`The referenced container instance was not found: ${input.containerInstance}`);
  const counts = (await instanceTaskCounts(ctx.store, cluster)).get(found.value.id);
  if (!input.force && counts && counts.running + counts.pending > 0) {
    throw invalidParameter('The container instance has running tasks. Stop them first, or deregister with force to leave them running unmanaged.');
  }
  const rec = await update<ContainerInstanceRecord>(ctx.store, keys.containerInstance(cluster, found.value.id), (i) => {
    return i && setInstanceStatus(i, 'INACTIVE', input.force ? 'Container instance deregistration forced by user' : 'Container instance deregistered by user') ? i : undefined;
  });
  return { containerInstance: containerInstanceView(rec!, counts) };
};
