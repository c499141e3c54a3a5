/**
 * Services: CreateService, GetService, ListServices, UpdateService, DeleteService.
 *
 * A service in a private DNS namespace defines DNS records (DNS_HTTP: found by DNS and by
 * DiscoverInstances) unless it is created with Type HTTP (DiscoverInstances only); a service in an HTTP
 * namespace has no DNS records. Health: custom health checks only (HealthCheckCustomConfig, set by
 * UpdateInstanceCustomHealthStatus); Route 53 health checks (HealthCheckConfig) probe public endpoints
 * from Route 53's checkers and are refused, saying so.
 */
import { randomBytes } from 'node:crypto';
import type {
  CreateServiceRequest, CreateServiceResponse, DeleteServiceRequest, DeleteServiceResponse, GetServiceRequest, GetServiceResponse,
  ListServicesRequest, ListServicesResponse, UpdateServiceRequest, UpdateServiceResponse,
} from '@aws-sdk/client-servicediscovery';
import { ApiError } from '../../model/errors.js';
import { serviceHasInstances } from '../../model/servicediscovery/errors.js';
import {
  idOf, sdKeys, serviceArn, serviceId, type DnsRecordRecord, type NamespaceRecord, type RoutingPolicy, type ServiceRecord,
} from '../../model/servicediscovery/records.js';
import { checkDnsRecords, invalidInput } from '../../model/servicediscovery/validation.js';
import { newOperation } from '../../controllers/shared/cloud-map.js';
import { deleteOp, getJson, getKeyed, putOp, unchangedSince } from '../../store/json.js';
import type { Handler } from '../types.js';
import {
  allServices, checkNoDuplicateFilters, checkTags, filterPredicate, findNamespace, findService, mergeTags, page, serviceSummary, serviceView,
} from './common.js';

const noRoute53HealthChecks = () => invalidInput('HealthCheckConfig is not supported: Wharf runs no Route 53 health checkers. Use HealthCheckCustomConfig and report health with UpdateInstanceCustomHealthStatus (ECS services with service registries do this from their tasks\' health).');
const httpNoDns = () => invalidInput('When you specify an HTTP service, you can\'t include a DnsConfig element.');

export const createService: Handler<CreateServiceRequest, CreateServiceResponse> = async (input, ctx) => {
  const nsRef = input.NamespaceId ?? input.DnsConfig?.NamespaceId;
  if (nsRef === undefined) throw invalidInput('NamespaceId is required: specify the namespace to create the service in.');
  if (input.NamespaceId !== undefined && input.DnsConfig?.NamespaceId !== undefined && idOf(input.NamespaceId, 'namespace') !== idOf(input.DnsConfig.NamespaceId, 'namespace')) {
    throw invalidInput(`NamespaceId ${input.NamespaceId} and DnsConfig.NamespaceId ${input.DnsConfig.NamespaceId} name different namespaces.`);
  }
  if (input.HealthCheckConfig) throw noRoute53HealthChecks();
  const tags = mergeTags([], input.Tags);
  checkTags(tags);
  const name = input.Name!;
  for (let attempt = 0; attempt < 10; attempt++) {
    const ns = await findNamespace(ctx.store, nsRef);
    let dnsConfig: ServiceRecord['dnsConfig'];
    let type: ServiceRecord['type'];
    if (input.Type === 'HTTP' || ns.value.type === 'HTTP') {
      if (input.DnsConfig) throw httpNoDns();
      type = 'HTTP';
    } else {
      if (!input.DnsConfig) throw invalidInput(`DnsConfig is required for a service in DNS namespace ${ns.value.id} (or specify Type HTTP for a service found only by DiscoverInstances).`);
      const routing = (input.DnsConfig.RoutingPolicy ?? 'MULTIVALUE') as RoutingPolicy;
      const records = (input.DnsConfig.DnsRecords ?? []).map((r) => ({ Type: r.Type!, TTL: r.TTL! }) as DnsRecordRecord);
      checkDnsRecords(records, routing);
      dnsConfig = { RoutingPolicy: routing, DnsRecords: records };
      type = 'DNS_HTTP';
    }
    const nameKey = sdKeys.serviceName(ns.value, name);
    const taken = await getKeyed<string>(ctx.store, nameKey);
    if (taken) {
      const other = await getJson<ServiceRecord>(ctx.store, sdKeys.service(taken.value));
      if (!other) continue;
      if (input.CreatorRequestId !== undefined && other.value.creatorRequestId === input.CreatorRequestId) return { Service: serviceView(other.value, ctx.accountId) };
      throw new ApiError('ServiceAlreadyExists', `The service can't be created because a service with the same name already exists: ${other.value.name} (${other.value.id}) in namespace ${ns.value.id}.`, {
        ...(other.value.creatorRequestId !== undefined ? { CreatorRequestId: other.value.creatorRequestId } : {}), ServiceId: other.value.id, ServiceArn: other.value.arn,
      });
    }
    const id = serviceId(randomBytes(16));
    const svc: ServiceRecord = {
      id, arn: serviceArn(ctx.region, ctx.accountId, id), name, namespaceId: ns.value.id, type,
      ...(input.Description !== undefined ? { description: input.Description } : {}),
      ...(input.CreatorRequestId !== undefined ? { creatorRequestId: input.CreatorRequestId } : {}),
      ...(dnsConfig ? { dnsConfig } : {}),
      ...(input.HealthCheckCustomConfig ? { healthCheckCustomConfig: { ...input.HealthCheckCustomConfig } } : {}),
      instanceCount: 0, instancesRevision: 0, tags, createdAt: ctx.now.getTime(),
    };
    const nsNext: NamespaceRecord = { ...ns.value, serviceCount: ns.value.serviceCount + 1 };
    const r = await ctx.store.txn({
      compare: [...unchangedSince(ns), { key: nameKey, target: 'createRevision', op: '==', value: 0 }],
      success: [putOp(sdKeys.service(id), svc), putOp(nameKey, id), putOp(ns.key, nsNext)],
    });
    if (r.succeeded) return { Service: serviceView(svc, ctx.accountId) };
  }
  throw new ApiError('DuplicateRequest', `Another request is changing namespace ${nsRef}; retry.`);
};

export const getService: Handler<GetServiceRequest, GetServiceResponse> = async (input, ctx) => ({
  Service: serviceView((await findService(ctx.store, input.Id!)).value, ctx.accountId),
});

export const listServices: Handler<ListServicesRequest, ListServicesResponse> = async (input, ctx) => {
  const filters = input.Filters ?? [];
  checkNoDuplicateFilters(filters);
  let items = await allServices(ctx.store);
  for (const f of filters) {
    if (f.Name === 'NAMESPACE_ID') {
      const p = filterPredicate({ ...f, Values: f.Values?.map((v) => idOf(v, 'namespace')) }, ['EQ'], 'service');
      items = items.filter((s) => p(s.namespaceId));
    } else if (f.Name === 'RESOURCE_OWNER') {
      const p = filterPredicate(f, ['EQ'], 'service');
      items = items.filter(() => p('SELF'));
    }
  }
  items.sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
  const p = page(items, input.MaxResults, input.NextToken);
  return { Services: p.items.map((s) => serviceSummary(s, ctx.accountId)), ...(p.NextToken ? { NextToken: p.NextToken } : {}) };
};

/**
 * Changes the description and the TTLs of the service's DNS records. Cloud Map cannot change which
 * record types a service has (instances registered for A records lack what SRV needs), nor a custom
 * health check: both are refused.
 */
export const updateService: Handler<UpdateServiceRequest, UpdateServiceResponse> = async (input, ctx) => {
  const change = input.Service!;
  if (change.HealthCheckConfig) throw noRoute53HealthChecks();
  for (let attempt = 0; attempt < 10; attempt++) {
    const cur = await findService(ctx.store, input.Id!);
    const svc: ServiceRecord = structuredClone(cur.value);
    if (change.Description !== undefined) svc.description = change.Description;
    if (change.DnsConfig) {
      if (!svc.dnsConfig) throw invalidInput(`Service ${svc.id} is an HTTP service: it has no DNS records to update.`);
      const records = (change.DnsConfig.DnsRecords ?? []).map((r) => ({ Type: r.Type!, TTL: r.TTL! }) as DnsRecordRecord);
      checkDnsRecords(records, svc.dnsConfig.RoutingPolicy);
      const had = svc.dnsConfig.DnsRecords.map((r) => r.Type).sort().join(', ');
      const asked = records.map((r) => r.Type).sort().join(', ');
      if (had !== asked) throw invalidInput(`UpdateService can change only the TTL of the service's existing DNS records (${had}); the request has ${asked}.`);
      svc.dnsConfig.DnsRecords = svc.dnsConfig.DnsRecords.map((r) => ({ Type: r.Type, TTL: records.find((x) => x.Type === r.Type)!.TTL }));
    }
    const op = newOperation('UPDATE_SERVICE', { SERVICE: svc.id }, ctx.now.getTime(), { namespaceId: svc.namespaceId, serviceId: svc.id });
    const r = await ctx.store.txn({ compare: unchangedSince(cur), success: [putOp(cur.key, svc), putOp(sdKeys.operation(op.id), op)] });
    if (r.succeeded) return { OperationId: op.id };
  }
  throw new ApiError('DuplicateRequest', `Another request is changing service ${input.Id}; retry.`);
};

/** Refused while the service has instances (ResourceInUse); gives its namespace's service count back. */
export const deleteService: Handler<DeleteServiceRequest, DeleteServiceResponse> = async (input, ctx) => {
  for (let attempt = 0; attempt < 10; attempt++) {
    const cur = await findService(ctx.store, input.Id!);
    if (cur.value.instanceCount > 0) throw serviceHasInstances();
    const ns = await getKeyed<NamespaceRecord>(ctx.store, sdKeys.namespace(cur.value.namespaceId));
    const ops = [deleteOp(cur.key), ...(ns ? [deleteOp(sdKeys.serviceName(ns.value, cur.value.name)), putOp(ns.key, { ...ns.value, serviceCount: Math.max(0, ns.value.serviceCount - 1) })] : [])];
    const r = await ctx.store.txn({ compare: unchangedSince(cur, ...(ns ? [ns] : [])), success: ops });
    if (r.succeeded) return {};
  }
  throw new ApiError('DuplicateRequest', `Another request is changing service ${input.Id}; retry.`);
};
