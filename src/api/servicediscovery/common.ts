/** Shared by the Cloud Map handlers: lookups by id or ARN, paging, filters, tags and how records appear on the wire. */
import type { Namespace, NamespaceSummary, Operation, Service, ServiceSummary, Tag } from '@aws-sdk/client-servicediscovery';
import { ApiError } from '../../model/errors.js';
import { namespaceNotFound, serviceNotFound } from '../../model/servicediscovery/errors.js';
import { idOf, sdKeys, type NamespaceRecord, type OperationRecord, type SdTag, type ServiceRecord } from '../../model/servicediscovery/records.js';
import { invalidInput } from '../../model/servicediscovery/validation.js';
import { getKeyed, rangeKeyed, type Keyed } from '../../store/json.js';
import type { Store } from '../../store/store.js';

export async function findNamespace(store: Store, idOrArn: string): Promise<Keyed<NamespaceRecord>> {
  const id = idOf(idOrArn, 'namespace');
  const ns = id ? await getKeyed<NamespaceRecord>(store, sdKeys.namespace(id)) : undefined;
  if (!ns) throw namespaceNotFound(idOrArn);
  return ns;
}

export async function findService(store: Store, idOrArn: string): Promise<Keyed<ServiceRecord>> {
  const id = idOf(idOrArn, 'service');
  const s = id ? await getKeyed<ServiceRecord>(store, sdKeys.service(id)) : undefined;
  if (!s) throw serviceNotFound(idOrArn);
  return s;
}

export const allNamespaces = async (store: Store) => (await rangeKeyed<NamespaceRecord>(store, sdKeys.namespaces())).map((k) => k.value);
export const allServices = async (store: Store) => (await rangeKeyed<ServiceRecord>(store, sdKeys.services())).map((k) => k.value);

/**
 * Offset paging; NextToken is the offset, opaque to clients. Cloud Map has no invalid-token error of its
 * own, so a token this server did not give is InvalidInput.
 */
export function page<T>(items: readonly T[], maxResults: number | undefined, nextToken: string | undefined, limit = 100): { items: T[]; NextToken?: string } {
  let offset = 0;
  if (nextToken !== undefined) {
    const m = /^o(\d+)$/.exec(Buffer.from(nextToken, 'base64url').toString());
    offset = m ? Number(m[1]) : -1;
    if (!Number.isInteger(offset) || offset < 0 || offset > items.length) throw invalidInput(`The NextToken ${nextToken} is not valid: pass the NextToken of the previous response unchanged.`);
  }
  const max = maxResults ?? limit;
  const out = items.slice(offset, offset + max);
  return { items: out, ...(offset + max < items.length ? { NextToken: Buffer.from(`o${offset + max}`).toString('base64url') } : {}) };
}

export interface SdFilter { Name?: string; Values?: string[]; Condition?: string }

/**
 * One list filter: which conditions its name supports (EQ is the default and takes one value; IN takes
 * several; BEGINS_WITH one; BETWEEN two), answered with InvalidInput when a filter asks for another.
 */
export function filterPredicate(f: SdFilter, supported: readonly string[], what: string): (value: string) => boolean {
  const cond = f.Condition ?? 'EQ';
  const values = f.Values ?? [];
  if (!supported.includes(cond)) throw invalidInput(`The ${cond} condition is not supported for the ${f.Name} ${what} filter; use ${supported.join(' or ')}.`);
  if (values.length === 0) throw invalidInput(`The ${f.Name} filter needs at least one value.`);
  if ((cond === 'EQ' || cond === 'BEGINS_WITH') && values.length !== 1) throw invalidInput(`The ${cond} condition takes exactly one value; the ${f.Name} filter has ${values.length}.`);
  if (cond === 'EQ') return (v) => v === values[0];
  if (cond === 'BEGINS_WITH') return (v) => v.startsWith(values[0]!);
  return (v) => values.includes(v);
}

export function checkNoDuplicateFilters(filters: readonly SdFilter[]): void {
  const names = filters.map((f) => f.Name);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) throw invalidInput(`The ${dup} filter is specified more than once.`);
}

export const MAX_TAGS = 50;

export function checkTags(tags: readonly SdTag[], arn?: string): void {
  if (tags.length > MAX_TAGS) throw new ApiError('TooManyTagsException', `The list of tags on the resource is over the quota. The maximum number of tags that can be applied to a resource is ${MAX_TAGS}.`, arn ? { ResourceName: arn } : undefined);
  for (const t of tags) if (t.Key.toLowerCase().startsWith('aws:')) throw invalidInput(`Tag keys starting with aws: are reserved for AWS use: ${t.Key}`);
}

/** Tags from a request (a later tag with the same key replaces an earlier one). */
export function mergeTags(current: readonly SdTag[], added: readonly Tag[] | undefined): SdTag[] {
  const byKey = new Map(current.map((t) => [t.Key, t.Value]));
  for (const t of added ?? []) byKey.set(t.Key!, t.Value ?? '');
  return [...byKey].map(([Key, Value]) => ({ Key, Value }));
}

function namespaceProperties(n: NamespaceRecord): Namespace['Properties'] {
  return {
    ...(n.type !== 'HTTP' ? { DnsProperties: { HostedZoneId: n.hostedZoneId, SOA: { TTL: n.soaTtl } } } : { DnsProperties: {} }),
    HttpProperties: { HttpName: n.httpName },
  };
}

export function namespaceView(n: NamespaceRecord, account: string): Namespace {
  return {
    Id: n.id, Arn: n.arn, ResourceOwner: account, Name: n.name, Type: n.type, ...(n.description !== undefined ? { Description: n.description } : {}),
    ServiceCount: n.serviceCount, Properties: namespaceProperties(n), CreateDate: new Date(n.createdAt),
    ...(n.creatorRequestId !== undefined ? { CreatorRequestId: n.creatorRequestId } : {}),
  };
}

export function namespaceSummary(n: NamespaceRecord, account: string): NamespaceSummary {
  return {
    Id: n.id, Arn: n.arn, ResourceOwner: account, Name: n.name, Type: n.type, ...(n.description !== undefined ? { Description: n.description } : {}),
    ServiceCount: n.serviceCount, Properties: namespaceProperties(n), CreateDate: new Date(n.createdAt),
  };
}

function serviceCommon(s: ServiceRecord, account: string) {
  return {
    Id: s.id, Arn: s.arn, ResourceOwner: account, Name: s.name, Type: s.type,
    ...(s.description !== undefined ? { Description: s.description } : {}),
    InstanceCount: s.instanceCount,
    ...(s.dnsConfig ? { DnsConfig: { NamespaceId: s.namespaceId, RoutingPolicy: s.dnsConfig.RoutingPolicy, DnsRecords: s.dnsConfig.DnsRecords.map((r) => ({ ...r })) } } : {}),
    ...(s.healthCheckCustomConfig ? { HealthCheckCustomConfig: { ...s.healthCheckCustomConfig } } : {}),
    CreateDate: new Date(s.createdAt), CreatedByAccount: account,
  };
}

export function serviceView(s: ServiceRecord, account: string): Service {
  return { ...serviceCommon(s, account), NamespaceId: s.namespaceId, ...(s.creatorRequestId !== undefined ? { CreatorRequestId: s.creatorRequestId } : {}) };
}

export const serviceSummary = (s: ServiceRecord, account: string): ServiceSummary => serviceCommon(s, account);

export function operationView(o: OperationRecord, account: string): Operation {
  return {
    Id: o.id, OwnerAccount: account, Type: o.type, Status: o.status,
    ...(o.errorMessage !== undefined ? { ErrorMessage: o.errorMessage } : {}), ...(o.errorCode !== undefined ? { ErrorCode: o.errorCode } : {}),
    CreateDate: new Date(o.createdAt), UpdateDate: new Date(o.updatedAt), Targets: { ...o.targets } as Operation['Targets'],
  };
}
