/**
 * Instances: RegisterInstance, DeregisterInstance, GetInstance, ListInstances, GetInstancesHealthStatus,
 * UpdateInstanceCustomHealthStatus, and discovery by name: DiscoverInstances, DiscoverInstancesRevision.
 * Registration and deregistration go through controllers/shared/cloud-map.ts, the path ECS's service
 * registries take too.
 */
import type {
  DeregisterInstanceRequest, DeregisterInstanceResponse, DiscoverInstancesRequest, DiscoverInstancesResponse, DiscoverInstancesRevisionRequest,
  DiscoverInstancesRevisionResponse, GetInstanceRequest, GetInstanceResponse, GetInstancesHealthStatusRequest, GetInstancesHealthStatusResponse,
  ListInstancesRequest, ListInstancesResponse, RegisterInstanceRequest, RegisterInstanceResponse, UpdateInstanceCustomHealthStatusRequest,
} from '@aws-sdk/client-servicediscovery';
import { ApiError } from '../../model/errors.js';
import { customHealthNotFound, instanceNotFound, namespaceNameNotFound, serviceNameNotFound } from '../../model/servicediscovery/errors.js';
import { sdKeys, type InstanceRecord, type NamespaceRecord, type ServiceRecord } from '../../model/servicediscovery/records.js';
import { selectInstances } from '../../model/servicediscovery/validation.js';
import { deregisterInstance as deregister, registerInstance as register } from '../../controllers/shared/cloud-map.js';
import { getJson, getKeyed, putOp, rangeKeyed, unchangedSince } from '../../store/json.js';
import type { Store } from '../../store/store.js';
import type { Handler } from '../types.js';
import { findService, page } from './common.js';

const instancesOf = async (store: Store, serviceId: string) =>
  (await rangeKeyed<InstanceRecord>(store, sdKeys.instances(serviceId))).map((k) => k.value).sort((a, b) => a.id.localeCompare(b.id));

export const registerInstance: Handler<RegisterInstanceRequest, RegisterInstanceResponse> = async (input, ctx) => {
  const svc = await findService(ctx.store, input.ServiceId!);
  return {
    OperationId: await register(ctx.store, {
      serviceId: svc.value.id, instanceId: input.InstanceId!, attributes: input.Attributes ?? {}, creatorRequestId: input.CreatorRequestId, now: ctx.now.getTime(),
    }),
  };
};

export const deregisterInstance: Handler<DeregisterInstanceRequest, DeregisterInstanceResponse> = async (input, ctx) => {
  const svc = await findService(ctx.store, input.ServiceId!);
  return { OperationId: await deregister(ctx.store, { serviceId: svc.value.id, instanceId: input.InstanceId!, now: ctx.now.getTime() }) };
};

export const getInstance: Handler<GetInstanceRequest, GetInstanceResponse> = async (input, ctx) => {
  const svc = await findService(ctx.store, input.ServiceId!);
  const inst = await getJson<InstanceRecord>(ctx.store, sdKeys.instance(svc.value.id, input.InstanceId!));
  if (!inst) throw instanceNotFound(svc.value.id, input.InstanceId!);
  const i = inst.value;
  return { ResourceOwner: ctx.accountId, Instance: { Id: i.id, ...(i.creatorRequestId !== undefined ? { CreatorRequestId: i.creatorRequestId } : {}), Attributes: { ...i.attributes }, CreatedByAccount: ctx.accountId } };
};

export const listInstances: Handler<ListInstancesRequest, ListInstancesResponse> = async (input, ctx) => {
  const svc = await findService(ctx.store, input.ServiceId!);
  const p = page(await instancesOf(ctx.store, svc.value.id), input.MaxResults, input.NextToken);
  return {
    ResourceOwner: ctx.accountId,
    Instances: p.items.map((i) => ({ Id: i.id, Attributes: { ...i.attributes }, CreatedByAccount: ctx.accountId })),
    ...(p.NextToken ? { NextToken: p.NextToken } : {}),
  };
};

export const getInstancesHealthStatus: Handler<GetInstancesHealthStatusRequest, GetInstancesHealthStatusResponse> = async (input, ctx) => {
  const svc = await findService(ctx.store, input.ServiceId!);
  let items = await instancesOf(ctx.store, svc.value.id);
  if (input.Instances) {
    const missing = input.Instances.find((id) => !items.some((i) => i.id === id));
    if (missing !== undefined) throw instanceNotFound(svc.value.id, missing);
    items = items.filter((i) => input.Instances!.includes(i.id));
  }
  const p = page(items, input.MaxResults, input.NextToken);
  return { Status: Object.fromEntries(p.items.map((i) => [i.id, i.health])), ...(p.NextToken ? { NextToken: p.NextToken } : {}) };
};

/**
 * Sets an instance's custom health status. Cloud Map waits 30 seconds before it stops routing to an
 * instance reported UNHEALTHY; Wharf applies the status at once (docs/service-discovery.md).
 */
export const updateInstanceCustomHealthStatus: Handler<UpdateInstanceCustomHealthStatusRequest, Record<string, never>> = async (input, ctx) => {
  for (let attempt = 0; attempt < 10; attempt++) {
    const svc = await findService(ctx.store, input.ServiceId!);
    const cur = await getKeyed<InstanceRecord>(ctx.store, sdKeys.instance(svc.value.id, input.InstanceId!));
    if (!cur) throw instanceNotFound(svc.value.id, input.InstanceId!);
    if (!svc.value.healthCheckCustomConfig) throw customHealthNotFound();
    if (cur.value.health === input.Status) return {};
    const r = await ctx.store.txn({ compare: unchangedSince(cur), success: [putOp(cur.key, { ...cur.value, health: input.Status, updatedAt: ctx.now.getTime() })] });
    if (r.succeeded) return {};
  }
  throw new ApiError('DuplicateRequest', `Another request is changing instance ${input.InstanceId}; retry.`);
};

async function serviceByName(store: Store, namespaceName: string, serviceName: string): Promise<{ ns: NamespaceRecord; svc: ServiceRecord }> {
  const nsId = await getJson<string>(store, sdKeys.namespaceName(namespaceName));
  const ns = nsId ? await getJson<NamespaceRecord>(store, sdKeys.namespace(nsId.value)) : undefined;
  if (!ns || ns.value.httpName.toLowerCase() !== namespaceName.toLowerCase()) throw namespaceNameNotFound(namespaceName);
  const svcId = await getJson<string>(store, sdKeys.serviceName(ns.value, serviceName));
  const svc = svcId ? await getJson<ServiceRecord>(store, sdKeys.service(svcId.value)) : undefined;
  if (!svc) throw serviceNameNotFound(serviceName, namespaceName);
  return { ns: ns.value, svc: svc.value };
}

/** Shuffled, as Cloud Map returns them ("a randomized list of instances", to spread traffic). */
function shuffle<T>(xs: T[]): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [xs[i], xs[j]] = [xs[j]!, xs[i]!];
  }
  return xs;
}

export const discoverInstances: Handler<DiscoverInstancesRequest, DiscoverInstancesResponse> = async (input, ctx) => {
  const { ns, svc } = await serviceByName(ctx.store, input.NamespaceName!, input.ServiceName!);
  const chosen = selectInstances(await instancesOf(ctx.store, svc.id), {
    query: input.QueryParameters, optional: input.OptionalParameters, health: input.HealthStatus, hasHealthCheck: svc.healthCheckCustomConfig !== undefined,
  });
  return {
    Instances: shuffle(chosen).slice(0, input.MaxResults ?? 100).map((i) => ({
      InstanceId: i.id, NamespaceName: ns.httpName, ServiceName: svc.name, HealthStatus: i.health, Attributes: { ...i.attributes },
    })),
    InstancesRevision: svc.instancesRevision,
  };
};

export const discoverInstancesRevision: Handler<DiscoverInstancesRevisionRequest, DiscoverInstancesRevisionResponse> = async (input, ctx) => {
  const { svc } = await serviceByName(ctx.store, input.NamespaceName!, input.ServiceName!);
  return { InstancesRevision: svc.instancesRevision };
};
