import type { DescribeContainerInstancesRequest, DescribeContainerInstancesResponse, ContainerInstance, Failure } from '@aws-sdk/client-ecs';
import { ApiError, invalidParameter } from '../../model/errors.js';
import { containerInstanceArn } from '../../model/arn.js';
import type { Handler } from '../types.js';
import { activeCluster } from './common.js';
import { containerInstanceView, findInstance, instanceIdOf, instanceTaskCounts } from './container-instance-view.js';

export const describeContainerInstances: Handler<DescribeContainerInstancesRequest, DescribeContainerInstancesResponse> = async (input, ctx) => {
  const refs = input.containerInstances ?? [];
  if (refs.length === 0) throw new ApiError('ClientException', 'Container Instances cannot be empty.');
  const cluster = (await activeCluster(ctx, input.cluster)).value.clusterName;
  if (refs.length > 100) throw invalidParameter('Too many container instances: DescribeContainerInstances takes at most 100.');
  const counts = await instanceTaskCounts(ctx.store, cluster);
  const out: ContainerInstance[] = [];
  const failures: Failure[] = [];
  for (const ref of refs) {
    const rec = await findInstance(ctx.store, cluster, ref);
    if (rec) out.push(containerInstanceView(rec.value, counts.get(rec.value.id), input.include?.includes('TAGS')));
    else failures.push({ arn: ref.startsWith('arn:') ? ref : containerInstanceArn(ctx, cluster, instanceIdOf(ref)), reason: 'MISSING' });
  }
  return { containerInstances: out, failures };
};
