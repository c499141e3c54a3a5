import type { ListTasksRequest, ListTasksResponse } from '@aws-sdk/client-ecs';
import { invalidParameter } from '../../model/errors.js';
import { keys } from '../../model/ecs/keys.js';
import type { TaskRecord } from '../../model/ecs/task-records.js';
import { listJson } from '../../store/json.js';
import type { Handler } from '../types.js';
import { activeCluster, paginate } from './common.js';
import { desiredStatusOf } from '../../model/ecs/task-state.js';

/**
 * ListTasks filters by family, container instance, startedBy, service name, launch type and desired
 * status (RUNNING when omitted, as ECS does). STOPPED tasks stay listable for an hour after they stop.
 */
export const listTasks: Handler<ListTasksRequest, ListTasksResponse> = async (input, ctx) => {
  const cluster = (await activeCluster(ctx, input.cluster)).value.clusterName;
  if (input.serviceName && input.family) throw invalidParameter('serviceName and family cannot be specified together.');
  const desired = input.desiredStatus ?? 'RUNNING';
  const instanceId = input.containerInstance?.split('/').pop();
  const all = (await listJson<TaskRecord>(ctx.store, keys.tasks(cluster))).filter((t) =>
    desiredStatusOf(t) === desired
    && (!input.family || t.family === input.family)
    && (!instanceId || t.containerInstanceId === instanceId)
    && (!input.startedBy || t.startedBy === input.startedBy)
    && (!input.serviceName || t.serviceName === input.serviceName || t.group === `service:${input.serviceName}`)
    && (!input.launchType || t.launchType === input.launchType));
  const page = paginate(all, (t) => t.id, input.maxResults, input.nextToken);
  return { taskArns: page.items.map((t) => t.taskArn), nextToken: page.nextToken };
};
