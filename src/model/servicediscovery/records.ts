/**
 * AWS Cloud Map records (docs/service-discovery.md). Timestamps are epoch milliseconds.
 *
 *   /sd/ns/<ns-id>                     NamespaceRecord
 *   /sd/ns-name/<name, lower case>     the namespace id (names are unique: a create compares this key absent)
 *   /sd/svc/<srv-id>                   ServiceRecord
 *   /sd/svc-name/<ns-id>/<name>        the service id (DNS names are case-insensitive, so lower case for
 *                                      DNS namespaces; as given for HTTP namespaces, as Cloud Map does)
 *   /sd/inst/<srv-id>/<instance-id>    InstanceRecord
 *   /sd/op/<operation-id>              OperationRecord
 *
 *   namespace ──< service ──< instance          operation ─ targets a namespace, a service or an instance
 *
 * Counts kept with their children: a service's creation and deletion rewrite its namespace record
 * (serviceCount) in the same transaction, and an instance's registration and deregistration rewrite its
 * service record (instanceCount, instancesRevision). So "delete a namespace only while it has no
 * services" is a compare on the namespace's version, and a registration racing a DeleteService fails
 * its compare on the service's version instead of leaving an instance under a deleted service.
 *
 * Who writes which record:
 *   Cloud Map API (src/api/servicediscovery)   everything here
 *   ECS service registries (later)             instances and their operations, through the same functions
 *
 * Operations: Cloud Map runs namespace creation and deletion, service updates and instance
 * (de)registration asynchronously and reports each as an operation (SUBMITTED → PENDING → SUCCESS | FAIL).
 * Wharf commits the change in the same transaction that records the operation, so an operation is
 * SUCCESS from the moment its id is returned; GetOperation still answers for it as Cloud Map does.
 */

export type NamespaceType = 'DNS_PRIVATE' | 'DNS_PUBLIC' | 'HTTP';
export type ServiceType = 'HTTP' | 'DNS_HTTP' | 'DNS';
export type RecordType = 'A' | 'AAAA' | 'SRV' | 'CNAME';
export type RoutingPolicy = 'MULTIVALUE' | 'WEIGHTED';
export type HealthStatus = 'HEALTHY' | 'UNHEALTHY' | 'UNKNOWN';
export type OperationType = 'CREATE_NAMESPACE' | 'DELETE_NAMESPACE' | 'UPDATE_NAMESPACE' | 'UPDATE_SERVICE' | 'REGISTER_INSTANCE' | 'DEREGISTER_INSTANCE';
export type OperationStatus = 'SUBMITTED' | 'PENDING' | 'SUCCESS' | 'FAIL';

export interface SdTag { Key: string; Value: string }

export interface NamespaceRecord {
  id: string;
  arn: string;
  name: string;
  type: NamespaceType;
  description?: string;
  creatorRequestId?: string;
  /** DNS_PRIVATE: the VPC whose tasks resolve the namespace. */
  vpc?: string;
  /** The name DiscoverInstances takes (NamespaceName): the namespace's name. */
  httpName: string;
  /** DNS namespaces: the zone Wharf serves, and its SOA record's TTL (the negative-caching TTL). */
  hostedZoneId?: string;
  soaTtl?: number;
  /** The operation that created it: a retry with the same CreatorRequestId gets this id back. */
  createOperationId: string;
  serviceCount: number;
  tags: SdTag[];
  createdAt: number;
  updatedAt: number;
}

export interface DnsRecordRecord { Type: RecordType; TTL: number }

export interface ServiceRecord {
  id: string;
  arn: string;
  name: string;
  namespaceId: string;
  type: ServiceType;
  description?: string;
  creatorRequestId?: string;
  dnsConfig?: { RoutingPolicy: RoutingPolicy; DnsRecords: DnsRecordRecord[] };
  /** Custom health checks only (Route 53 health checks are not served): the failure threshold, kept as given. */
  healthCheckCustomConfig?: { FailureThreshold?: number };
  instanceCount: number;
  /** Goes up by one on every registration and deregistration (DiscoverInstancesRevision). */
  instancesRevision: number;
  tags: SdTag[];
  createdAt: number;
}

export interface InstanceRecord {
  id: string;
  serviceId: string;
  namespaceId: string;
  creatorRequestId?: string;
  attributes: Record<string, string>;
  /** HEALTHY or UNHEALTHY for services with a custom health check; UNKNOWN for the others. */
  health: HealthStatus;
  createdAt: number;
  updatedAt: number;
}

export interface OperationRecord {
  id: string;
  type: OperationType;
  status: OperationStatus;
  /** What GetOperation shows (NAMESPACE, SERVICE, INSTANCE → ids). */
  targets: Record<string, string>;
  /** For ListOperations' NAMESPACE_ID and SERVICE_ID filters. */
  namespaceId?: string;
  serviceId?: string;
  errorCode?: string;
  errorMessage?: string;
  createdAt: number;
  updatedAt: number;
}

export const sdKeys = {
  namespace: (id: string) => `/sd/ns/${id}`,
  namespaces: () => '/sd/ns/',
  namespaceName: (name: string) => `/sd/ns-name/${name.toLowerCase()}`,
  service: (id: string) => `/sd/svc/${id}`,
  services: () => '/sd/svc/',
  serviceName: (ns: NamespaceRecord, name: string) => `/sd/svc-name/${ns.id}/${ns.type === 'HTTP' ? name : name.toLowerCase()}`,
  instance: (serviceId: string, instanceId: string) => `/sd/inst/${serviceId}/${instanceId}`,
  instances: (serviceId: string) => `/sd/inst/${serviceId}/`,
  operation: (id: string) => `/sd/op/${id}`,
  operations: () => '/sd/op/',
};

const ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** Cloud Map's id alphabet: lower-case letters and digits. `bytes` are random bytes from the caller. */
export function sdRandom(bytes: Uint8Array, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += ALNUM[bytes[i % bytes.length]! % ALNUM.length];
  return s;
}

/** `ns-` and `srv-` ids: 16 characters of the alphabet, as Cloud Map's (`ns-ylexjili4cdxy3xm`). */
export const namespaceId = (bytes: Uint8Array) => `ns-${sdRandom(bytes, 16)}`;
export const serviceId = (bytes: Uint8Array) => `srv-${sdRandom(bytes, 16)}`;
/** Operation ids: 32 random characters, a dash and the time in base 36 (`gv4g5meo7ndmeh4fqskygvk23d2fijwa-k9302yzd`). */
export const operationId = (bytes: Uint8Array, now: number) => `${sdRandom(bytes, 32)}-${now.toString(36)}`;
/** A Route 53 style zone id for a DNS namespace (`Z` and 20 upper-case characters). */
export const hostedZoneId = (bytes: Uint8Array) => `Z${sdRandom(bytes, 20).toUpperCase()}`;

export const namespaceArn = (region: string, account: string, id: string) => `arn:aws:servicediscovery:${region}:${account}:namespace/${id}`;
export const serviceArn = (region: string, account: string, id: string) => `arn:aws:servicediscovery:${region}:${account}:service/${id}`;

/** The id in a namespace or service ARN, or the argument itself when it is an id. */
export function idOf(idOrArn: string, kind: 'namespace' | 'service'): string {
  const m = /^arn:aws[a-z-]*:servicediscovery:[^:]*:\d{12}:(namespace|service)\/(.+)$/.exec(idOrArn);
  if (!m) return idOrArn;
  return m[1] === kind ? m[2]! : '';
}
