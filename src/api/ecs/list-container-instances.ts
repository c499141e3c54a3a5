import type { ListContainerInstancesRequest, ListContainerInstancesResponse } from '@aws-sdk/client-ecs';
import { invalidParameter } from '../../model/errors.js';
import { evaluate, parseQuery, QuerySyntaxError, type Query } from '../../model/cluster-query.js';
import { keys } from '../../model/ecs/keys.js';
import type { ContainerInstanceRecord, TaskRecord } from '../../model/ecs/task-records.js';
import { instanceAttributes } from '../../model/ecs/task-state.js';
import { listJson } from '../../store/json.js';
import type { Handler } from '../types.js';
import { activeCluster, paginate } from './common.js';

/** `filter` is ECS's cluster query language; `status` defaults to every status but INACTIVE. */
export const listContainerInstances: Handler<ListContainerInstancesRequest, ListContainerInstancesResponse> = async (input, ctx) => {
  const cluster = (await activeCluster(ctx, input.cluster)).value.clusterName;
  let query: Query | undefined;
  if (input.filter !== undefined) {
    try {
      query = parseQuery(input.filter);
    } catch (e) {
      if (e instanceof QuerySyntaxError) throw invalidParameter(`The specified filter expression is not valid: ${e.message}.`);
      throw e;
    }
  }
  const instances = await listJson<ContainerInstanceRecord>(ctx.store, keys.containerInstances(cluster));
  const tasks = query ? await listJson<TaskRecord>(ctx.store, keys.tasks(cluster)) : [];
  const matching = instances.filter((i) => {
    if (i.fargatePool) return false; // Wharf's managed Fargate hosts are not the user's instances
    if (input.status ? i.status !== input.status : i.status === 'INACTIVE') return false;
    if (!query) return true;
    const mine = tasks.filter((t) => t.containerInstanceId === i.id && t.lastStatus !== 'STOPPED');
    return evaluate(query, {
      agentConnected: i.agentConnected, agentVersion: i.versionInfo.agentVersion, attributes: instanceAttributes(i).map((a) => ({ name: a.name!, value: a.value })),
      ec2InstanceId: i.ec2InstanceId, registeredAt: i.registeredAt, runningTasksCount: mine.filter((t) => t.lastStatus === 'RUNNING').length,
      taskGroups: mine.map((t) => t.group),
    });
  });
  const page = paginate(matching, (i) => i.id, input.maxResults, input.nextToken);
  return { containerInstanceArns: page.items.map((i) => i.containerInstanceArn), nextToken: page.nextToken };
};
