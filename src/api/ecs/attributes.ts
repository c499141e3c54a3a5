/** PutAttributes, DeleteAttributes, ListAttributes on container instances (ECS's only target type). */
import type { Attribute, PutAttributesRequest, PutAttributesResponse, DeleteAttributesRequest, DeleteAttributesResponse, ListAttributesRequest, ListAttributesResponse } from '@aws-sdk/client-ecs';
import { ApiError, invalidParameter } from '../../model/errors.js';
import { keys } from '../../model/ecs/keys.js';
import type { ContainerInstanceRecord } from '../../model/ecs/task-records.js';
import { listJson, update } from '../../store/json.js';
import type { Handler, RequestContext } from '../types.js';
import { activeCluster, paginate } from './common.js';
import { findInstance } from './container-instance-view.js';
import { customAttributesOf, instanceAttributes, isAgentAttribute } from '../../model/ecs/task-state.js';

const NAME = /^[A-Za-z0-9_\-/.]{1,128}$/;
const VALUE = /^[A-Za-z0-9_.@\-/:\s]{1,128}$/;
/** Attributes the agent reports (ecs.*, com.amazonaws.ecs.*) are not custom and do not count. */
const builtIn = isAgentAttribute;

async function targets(ctx: RequestContext, cluster: string, attrs: readonly Attribute[]) {
  const ids = new Map<string, Attribute[]>();
  for (const a of attrs) {
    if (a.targetType !== undefined && a.targetType !== 'container-instance') throw invalidParameter(`Invalid targetType '${a.targetType}': ECS attributes apply to container-instance only.`);
    if (!a.targetId) throw invalidParameter(`Attribute ${a.name} has no targetId: give the container instance ARN or id.`);
    const inst = await findInstance(ctx.store, cluster, a.targetId);
    if (!inst || inst.value.status === 'INACTIVE') throw new ApiError('TargetNotFoundException', `Could not find ${a.targetId}.`);
    ids.set(inst.value.id, [...(ids.get(inst.value.id) ?? []), a]);
  }
  return ids;
}

export const putAttributes: Handler<PutAttributesRequest, PutAttributesResponse> = async (input, ctx) => {
  const cluster = (await activeCluster(ctx, input.cluster)).value.clusterName;
  const attrs = input.attributes ?? [];
  if (attrs.length > 10) throw invalidParameter('Too many attributes: at most 10 per call.');
  for (const a of attrs) {
    if (!a.name || !NAME.test(a.name)) throw invalidParameter(`Invalid attribute name '${a.name ?? ''}': 1-128 letters, numbers, hyphens, underscores, slashes and periods.`);
    if (a.value !== undefined && !VALUE.test(a.value)) throw invalidParameter(`Invalid attribute value '${a.value}' for ${a.name}.`);
  }
  const byInstance = await targets(ctx, cluster, attrs);
  // Check every target's limit before writing any, so a failing call changes nothing.
  for (const [id, list] of byInstance) {
    const cur = (await findInstance(ctx.store, cluster, id))!.value;
    const custom = new Set(instanceAttributes(cur).filter((a) => !builtIn(a.name)).map((a) => a.name));
    for (const a of list) if (!builtIn(a.name!)) custom.add(a.name);
    if (custom.size > 10) throw new ApiError('AttributeLimitExceededException', 'You can apply up to 10 custom attributes per resource.');
  }
  for (const [id, list] of byInstance) {
    await update<ContainerInstanceRecord>(ctx.store, keys.containerInstance(cluster, id), (i) => {
      if (!i) return undefined;
      // The custom attributes only: what the agent reported is the dispatcher's (task-records.ts).
      let custom = customAttributesOf(i);
      for (const a of list) custom = [...custom.filter((x) => x.name !== a.name), { name: a.name, value: a.value }];
      i.customAttributes = custom;
      i.version += 1;
      return i;
    });
  }
  // ECS echoes the attributes as given (put-attributes' example: name, targetId, value).
  return { attributes: attrs };
};

export const deleteAttributes: Handler<DeleteAttributesRequest, DeleteAttributesResponse> = async (input, ctx) => {
  const cluster = (await activeCluster(ctx, input.cluster)).value.clusterName;
  const byInstance = await targets(ctx, cluster, input.attributes ?? []);
  const deleted: Attribute[] = [];
  for (const [id, list] of byInstance) {
    let answer: Attribute[] = [];
    await update<ContainerInstanceRecord>(ctx.store, keys.containerInstance(cluster, id), (i) => {
      if (!i) return undefined;
      const custom = customAttributesOf(i);
      // ECS answers the attributes deleted, with the values they had (delete-attributes' example).
      answer = list.map((a) => ({ name: a.name, targetId: a.targetId, value: custom.find((x) => x.name === a.name)?.value ?? a.value }));
      i.customAttributes = custom.filter((x) => !list.some((a) => a.name === x.name));
      i.version += 1;
      return i;
    });
    deleted.push(...answer);
  }
  return { attributes: deleted };
};

export const listAttributes: Handler<ListAttributesRequest, ListAttributesResponse> = async (input, ctx) => {
  const cluster = (await activeCluster(ctx, input.cluster)).value.clusterName;
  if (input.targetType !== 'container-instance') throw invalidParameter("targetType must be 'container-instance'.");
  if (input.attributeValue !== undefined && input.attributeName === undefined) throw invalidParameter('attributeValue requires attributeName.');
  const all: Attribute[] = [];
  for (const i of await listJson<ContainerInstanceRecord>(ctx.store, keys.containerInstances(cluster))) {
    if (i.status === 'INACTIVE') continue;
    for (const a of instanceAttributes(i)) {
      if (input.attributeName !== undefined && a.name !== input.attributeName) continue;
      if (input.attributeValue !== undefined && a.value !== input.attributeValue) continue;
      all.push({ name: a.name, targetId: i.containerInstanceArn, value: a.value });
    }
  }
  const page = paginate(all, (a) => `${a.targetId}\u0000${a.name}`, input.maxResults, input.nextToken);
  return { attributes: page.items, nextToken: page.nextToken };
};
