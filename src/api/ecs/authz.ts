/**
 * What each ECS action is authorized against (the service authorization reference for Amazon ECS):
 *
 *   clusters                 cluster/<name>                     Create/Delete/Describe/UpdateCluster…
 *   services                 service/<cluster>/<name>           + ecs:cluster, ecs:task-definition on Create/Update
 *   tasks                    task/<cluster>/<id>                 Describe/StopTask, task protection; + ecs:cluster
 *   RunTask / StartTask      task-definition/<family>:<rev>     the revision resolved first (as ECS does since
 *                                                                2024-03), + ecs:cluster, ecs:capacity-provider
 *   task definitions         task-definition/<family>:<rev>     Describe/Deregister/DeleteTaskDefinitions
 *   container instances      container-instance/<cluster>/<id>
 *   tagging                  the resourceArn given
 *   everything else          '*' (+ ecs:cluster where a cluster is named: ListTasks, ListServices…)
 *
 * RunTask, StartTask, CreateService and UpdateService also need iam:PassRole (with iam:PassedToService
 * = ecs-tasks.amazonaws.com) on the task definition's task and execution roles and on any role named
 * in overrides, and CreateService on its service `role`.
 */
import { clusterArn, containerInstanceArn, parseArn, parseTaskRef, serviceArn, taskArn, taskDefinitionArn } from '../../model/arn.js';
import { findTaskDefinition } from './task-definition-store.js';
import { clusterNameOf } from '../../model/arn.js';
import type { Authorizer, AuthzItem, RequestContext } from '../types.js';

const TASKS = 'ecs-tasks.amazonaws.com';

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const strs = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

function clusterOf(ctx: RequestContext, input: Record<string, unknown>): { name: string; arn: string } {
  const name = clusterNameOf(str(input.cluster)) ?? str(input.cluster) ?? 'default';
  return { name, arn: clusterArn(ctx, name) };
}

async function taskDefinitionItems(ctx: RequestContext, ref: string | undefined, cluster: string, extraRoles: readonly (string | undefined)[], capacityProviders: string[]): Promise<AuthzItem[]> {
  const td = ref === undefined ? undefined : await findTaskDefinition(ctx.store, ref);
  // An unknown definition is authorized against the ARN the caller named; the handler then reports it.
  const resource = td ? taskDefinitionArn(ctx, td.value.family, td.value.revision) : ref?.startsWith('arn:') ? ref : `arn:aws:ecs:${ctx.region}:${ctx.accountId}:task-definition/${ref ?? '*'}`;
  const items: AuthzItem[] = [{ resource, context: { 'ecs:cluster': cluster, ...(capacityProviders.length ? { 'ecs:capacity-provider': capacityProviders } : {}) } }];
  const roles = new Set([td?.value.taskRoleArn, td?.value.executionRoleArn, ...extraRoles].filter((r): r is string => !!r));
  for (const role of roles) items.push({ action: 'iam:PassRole', resource: role, context: { 'iam:passedtoservice': TASKS } });
  return items;
}

function capacityProvidersOf(input: Record<string, unknown>): string[] {
  return Array.isArray(input.capacityProviderStrategy) ? input.capacityProviderStrategy.map((i: { capacityProvider?: unknown }) => String(i.capacityProvider)) : [];
}

export const ecsAuthorizer: Authorizer = async (operation, input, ctx) => {
  const cluster = clusterOf(ctx, input);
  const onCluster = (): AuthzItem[] => [{ resource: cluster.arn, context: { 'ecs:cluster': cluster.arn } }];
  const anyWithCluster = (): AuthzItem[] => [{ resource: '*', context: input.cluster !== undefined || /^List(Tasks|Services|ContainerInstances)$/.test(operation) ? { 'ecs:cluster': cluster.arn } : {} }];
  switch (operation) {
    case 'CreateCluster':
      return [{ resource: clusterArn(ctx, str(input.clusterName) ?? 'default') }];
    case 'DeleteCluster': case 'UpdateCluster': case 'UpdateClusterSettings': case 'PutClusterCapacityProviders':
      return onCluster();
    case 'DescribeClusters': {
      const names = strs(input.clusters);
      return (names.length ? names : ['default']).map((c) => ({ resource: clusterArn(ctx, clusterNameOf(c) ?? c) }));
    }
    case 'RunTask': case 'StartTask': {
      const o = (input.overrides ?? {}) as { taskRoleArn?: string; executionRoleArn?: string };
      return taskDefinitionItems(ctx, str(input.taskDefinition), cluster.arn, [o.taskRoleArn, o.executionRoleArn], capacityProvidersOf(input));
    }
    case 'CreateService': case 'UpdateService': case 'DeleteService': {
      const name = str(input.serviceName) ?? str(input.service) ?? '';
      const svcName = name.startsWith('arn:') ? name.slice(name.lastIndexOf('/') + 1) : name;
      const ctxKeys: Record<string, string | string[]> = { 'ecs:cluster': cluster.arn };
      const items: AuthzItem[] = [];
      const tdRef = str(input.taskDefinition);
      if (tdRef) {
        const tdItems = await taskDefinitionItems(ctx, tdRef, cluster.arn, [], capacityProvidersOf(input));
        ctxKeys['ecs:task-definition'] = tdItems[0].resource;
        items.push(...tdItems.slice(1));
      }
      const cps = capacityProvidersOf(input);
      if (cps.length) ctxKeys['ecs:capacity-provider'] = cps;
      if (operation === 'CreateService' && str(input.role)) {
        const role = str(input.role)!;
        items.push({ action: 'iam:PassRole', resource: role.startsWith('arn:') ? role : `arn:aws:iam::${ctx.accountId}:role/${role}`, context: { 'iam:passedtoservice': 'ecs.amazonaws.com' } });
      }
      return [{ resource: serviceArn(ctx, cluster.name, svcName), context: { ...ctxKeys, 'ecs:service': serviceArn(ctx, cluster.name, svcName) } }, ...items];
    }
    case 'DescribeServices':
      return strs(input.services).map((s) => ({ resource: s.startsWith('arn:') ? s : serviceArn(ctx, cluster.name, s), context: { 'ecs:cluster': cluster.arn } }));
    case 'DescribeTasks': case 'StopTask': case 'GetTaskProtection': case 'UpdateTaskProtection': {
      const refs = operation === 'StopTask' ? [str(input.task) ?? ''] : strs(input.tasks);
      return refs.map((t) => {
        const p = parseTaskRef(t);
        return { resource: t.startsWith('arn:') && p?.cluster ? t : taskArn(ctx, p?.cluster ?? cluster.name, p?.id ?? t), context: { 'ecs:cluster': cluster.arn } };
      });
    }
    case 'DescribeTaskDefinition': case 'DeregisterTaskDefinition': {
      const ref = str(input.taskDefinition);
      const td = ref === undefined ? undefined : await findTaskDefinition(ctx.store, ref);
      return [{ resource: td ? taskDefinitionArn(ctx, td.value.family, td.value.revision) : ref?.startsWith('arn:') ? ref : `arn:aws:ecs:${ctx.region}:${ctx.accountId}:task-definition/${ref ?? ''}` }];
    }
    case 'DeleteTaskDefinitions':
      return strs(input.taskDefinitions).map((t) => ({ resource: t.startsWith('arn:') ? t : `arn:aws:ecs:${ctx.region}:${ctx.accountId}:task-definition/${t}` }));
    case 'DescribeContainerInstances': case 'UpdateContainerInstancesState':
      return strs(input.containerInstances).map((c) => ({ resource: c.startsWith('arn:') ? c : containerInstanceArn(ctx, cluster.name, c), context: { 'ecs:cluster': cluster.arn } }));
    case 'DeregisterContainerInstance': {
      const c = str(input.containerInstance) ?? '';
      return [{ resource: c.startsWith('arn:') ? c : containerInstanceArn(ctx, cluster.name, c), context: { 'ecs:cluster': cluster.arn } }];
    }
    case 'TagResource': case 'UntagResource': case 'ListTagsForResource': {
      const arn = str(input.resourceArn) ?? '*';
      return [{ resource: parseArn(arn) ? arn : '*' }];
    }
    default:
      return anyWithCluster();
  }
};
