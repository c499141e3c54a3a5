import type { UpdateContainerInstancesStateRequest, UpdateContainerInstancesStateResponse, ContainerInstance, Failure } from '@aws-sdk/client-ecs';
import { invalidParameter } from '../../model/errors.js';
import { containerInstanceArn } from '../../model/arn.js';
import { keys } from '../../model/ecs/keys.js';
import type { ContainerInstanceRecord } from '../../model/ecs/task-records.js';
import { update } from '../../store/json.js';
import type { Handler } from '../types.js';
import { activeCluster } from './common.js';
import { containerInstanceView, findInstance, instanceIdOf, instanceTaskCounts } from './container-instance-view.js';
import { setInstanceStatus } from '../../model/ecs/task-state.js';

/** ACTIVE ⇄ DRAINING. A DRAINING instance takes no new tasks; services move theirs elsewhere. */
export const updateContainerInstancesState: Handler<UpdateContainerInstancesStateRequest, UpdateContainerInstancesStateResponse> = async (input, ctx) => {
  const cluster = (await activeCluster(ctx, input.cluster)).value.clusterName;
  if (input.status !== 'ACTIVE' && input.status !== 'DRAINING') throw invalidParameter('Container instance status can only be updated to ACTIVE or DRAINING.');
  const refs = input.containerInstances ?? [];
  if (refs.length > 10) throw invalidParameter('Too many container instances: at most 10 per call.');
  const out: ContainerInstance[] = [];
  const failures: Failure[] = [];
  const counts = await instanceTaskCounts(ctx.store, cluster);
  for (const ref of refs) {
    const found = await findInstance(ctx.store, cluster, ref);
    if (!found || found.value.status === 'INACTIVE') {
      failures.push({ arn: ref.startsWith('arn:') ? ref : containerInstanceArn(ctx, cluster, instanceIdOf(ref)), reason: 'MISSING' });
      continue;
    }
    const rec = await update<ContainerInstanceRecord>(ctx.store, keys.containerInstance(cluster, found.value.id), (i) => {
      return i && setInstanceStatus(i, input.status!) ? i : undefined;
    });
    out.push(containerInstanceView(rec!, counts.get(found.value.id)));
  }
  return { containerInstances: out, failures };
};
