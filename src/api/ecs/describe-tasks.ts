import type { DescribeTasksRequest, DescribeTasksResponse, Failure, Task } from '@aws-sdk/client-ecs';
import { invalidParameter } from '../../model/errors.js';
import { taskArn } from '../../model/arn.js';
import type { Handler } from '../types.js';
import { activeCluster } from './common.js';
import { findTask } from './tasks-common.js';
import { taskView } from './task-view.js';

export const describeTasks: Handler<DescribeTasksRequest, DescribeTasksResponse> = async (input, ctx) => {
  const cluster = (await activeCluster(ctx, input.cluster)).value.clusterName;
  const refs = input.tasks ?? [];
  if (refs.length === 0) throw invalidParameter('Tasks cannot be empty.');
  if (refs.length > 100) throw invalidParameter('Too many tasks: DescribeTasks takes at most 100.');
  const withTags = input.include?.includes('TAGS') ?? false;
  const tasks: Task[] = [];
  const failures: Failure[] = [];
  for (const ref of refs) {
    const t = await findTask(ctx.store, cluster, ref);
    if (t) tasks.push(taskView(t.value, withTags));
    else failures.push({ arn: ref.startsWith('arn:') ? ref : taskArn(ctx, cluster, ref), reason: 'MISSING' });
  }
  return { tasks, failures };
};
