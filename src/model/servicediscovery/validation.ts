/**
 * Cloud Map's rules that its service model cannot express (the codec already checked types, lengths,
 * patterns and enums): DNS names, which DnsRecords go together, and the attributes a registration needs
 * for the records its service defines. Each failure is InvalidInput, as Cloud Map answers it.
 */
import { ApiError } from '../errors.js';
import type { DnsRecordRecord, HealthStatus, RoutingPolicy, ServiceRecord } from './records.js';

export const invalidInput = (message: string) => new ApiError('InvalidInput', message);

/** A DNS namespace's name: dot-separated labels of letters, digits, hyphens and underscores, 63 at most each. */
export function checkDnsNamespaceName(name: string): string {
  const n = name.endsWith('.') ? name.slice(0, -1) : name;
  const label = /^[a-zA-Z0-9_]([a-zA-Z0-9_-]{0,61}[a-zA-Z0-9_])?$/;
  if (n.length === 0 || n.length > 253 || !n.split('.').every((l) => label.test(l))) {
    throw invalidInput(`Namespace name ${name} is not a valid DNS domain name: use labels of letters, digits, hyphens and underscores (at most 63 characters each) separated by dots.`);
  }
  return n;
}

/**
 * The record types a service may define: A, AAAA, A and AAAA, SRV (alone or with A and/or AAAA, which
 * give the SRV target's address), or CNAME alone, which needs the WEIGHTED routing policy.
 */
export function checkDnsRecords(records: readonly DnsRecordRecord[], routing: RoutingPolicy): void {
  if (records.length === 0) throw invalidInput('DnsConfig.DnsRecords must contain at least one record.');
  const seen = new Set<string>();
  for (const r of records) {
    if (seen.has(r.Type)) throw invalidInput(`DnsConfig.DnsRecords contains more than one record of type ${r.Type}.`);
    seen.add(r.Type);
  }
  if (seen.has('CNAME') && seen.size > 1) throw invalidInput('A CNAME record can\'t be combined with other record types in DnsConfig.DnsRecords.');
  if (seen.has('CNAME') && routing !== 'WEIGHTED') throw invalidInput('When DnsRecords contains a CNAME record, RoutingPolicy must be WEIGHTED.');
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const isIpv6 = (s: string) => /^[0-9a-fA-F:.]+$/.test(s) && s.includes(':') && s.split('::').length <= 2 && s.split(':').length <= 8;

/** Cloud Map's quotas on custom attributes: 30 per instance, 5,000 characters for all keys and values together. */
export const MAX_CUSTOM_ATTRIBUTES = 30;
export const MAX_ATTRIBUTES_SIZE = 5000;

const RESERVED = new Set(['AWS_ALIAS_DNS_NAME', 'AWS_EC2_INSTANCE_ID', 'AWS_INIT_HEALTH_STATUS', 'AWS_INSTANCE_CNAME', 'AWS_INSTANCE_IPV4', 'AWS_INSTANCE_IPV6', 'AWS_INSTANCE_PORT']);

/**
 * Checks a registration's attributes against its service's records, and returns the instance's first
 * health status (services with a custom health check start HEALTHY unless AWS_INIT_HEALTH_STATUS says
 * UNHEALTHY; services without a health check report UNKNOWN).
 */
export function checkAttributes(service: ServiceRecord, attrs: Readonly<Record<string, string>>): HealthStatus {
  const types = new Set(service.dnsConfig?.DnsRecords.map((r) => r.Type) ?? []);
  const custom = Object.keys(attrs).filter((k) => !RESERVED.has(k));
  if (custom.length > MAX_CUSTOM_ATTRIBUTES) throw invalidInput(`An instance can have at most ${MAX_CUSTOM_ATTRIBUTES} custom attributes; this request has ${custom.length}.`);
  const size = Object.entries(attrs).reduce((n, [k, v]) => n + k.length + v.length, 0);
  if (size > MAX_ATTRIBUTES_SIZE) throw invalidInput(`The total size of all attributes (sum of all keys and values) must not exceed ${MAX_ATTRIBUTES_SIZE} characters; it is ${size}.`);
  if (attrs.AWS_ALIAS_DNS_NAME !== undefined) throw invalidInput('AWS_ALIAS_DNS_NAME is not supported: Wharf makes no Route 53 alias records (register the load balancer\'s address as AWS_INSTANCE_IPV4, or its name as AWS_INSTANCE_CNAME).');
  if (attrs.AWS_EC2_INSTANCE_ID !== undefined) throw invalidInput('AWS_EC2_INSTANCE_ID is not supported: Wharf has no EC2 instances to take the address from; register AWS_INSTANCE_IPV4 instead.');
  const v4 = attrs.AWS_INSTANCE_IPV4;
  const v6 = attrs.AWS_INSTANCE_IPV6;
  const port = attrs.AWS_INSTANCE_PORT;
  if (v4 !== undefined && !IPV4.test(v4)) throw invalidInput(`AWS_INSTANCE_IPV4 ${v4} is not a valid IPv4 address.`);
  if (v6 !== undefined && !isIpv6(v6)) throw invalidInput(`AWS_INSTANCE_IPV6 ${v6} is not a valid IPv6 address.`);
  if (port !== undefined && !(/^\d{1,5}$/.test(port) && Number(port) >= 1 && Number(port) <= 65535)) throw invalidInput(`AWS_INSTANCE_PORT ${port} is not a valid port: specify a number from 1 to 65535.`);
  if (types.has('A') && v4 === undefined) throw invalidInput('AWS_INSTANCE_IPV4 is required because the service defines an A record.');
  if (types.has('AAAA') && v6 === undefined) throw invalidInput('AWS_INSTANCE_IPV6 is required because the service defines an AAAA record.');
  if (types.has('SRV')) {
    if (port === undefined) throw invalidInput('AWS_INSTANCE_PORT is required because the service defines an SRV record.');
    if (v4 === undefined && v6 === undefined) throw invalidInput('AWS_INSTANCE_IPV4 or AWS_INSTANCE_IPV6 is required because the service defines an SRV record.');
  }
  if (types.has('CNAME') && attrs.AWS_INSTANCE_CNAME === undefined) throw invalidInput('AWS_INSTANCE_CNAME is required because the service defines a CNAME record.');
  const init = attrs.AWS_INIT_HEALTH_STATUS;
  if (init !== undefined && init !== 'HEALTHY' && init !== 'UNHEALTHY') throw invalidInput(`AWS_INIT_HEALTH_STATUS must be HEALTHY or UNHEALTHY, not ${init}.`);
  if (init !== undefined && !service.healthCheckCustomConfig) throw invalidInput('AWS_INIT_HEALTH_STATUS can be specified only for a service that has a HealthCheckCustomConfig.');
  if (!service.healthCheckCustomConfig) return 'UNKNOWN';
  return init === 'UNHEALTHY' ? 'UNHEALTHY' : 'HEALTHY';
}

/** DiscoverInstances' selection: query parameters must all match; optional ones narrow only when something matches them. */
export function selectInstances<T extends { attributes: Readonly<Record<string, string>>; health: HealthStatus }>(
  instances: readonly T[],
  o: { query?: Readonly<Record<string, string>>; optional?: Readonly<Record<string, string>>; health?: 'HEALTHY' | 'UNHEALTHY' | 'ALL' | 'HEALTHY_OR_ELSE_ALL'; hasHealthCheck: boolean },
): T[] {
  const matches = (i: T, params: Readonly<Record<string, string>>) => Object.entries(params).every(([k, v]) => i.attributes[k] === v);
  let out = instances.filter((i) => matches(i, o.query ?? {}));
  if (o.optional && Object.keys(o.optional).length > 0) {
    const narrowed = out.filter((i) => matches(i, o.optional!));
    if (narrowed.length > 0) out = narrowed;
  }
  // "This parameter is ignored for services that don't have a health check configured, and all instances are returned."
  if (!o.hasHealthCheck) return out;
  const health = o.health ?? 'HEALTHY';
  if (health === 'ALL') return out;
  if (health === 'UNHEALTHY') return out.filter((i) => i.health === 'UNHEALTHY');
  const healthy = out.filter((i) => i.health === 'HEALTHY');
  return health === 'HEALTHY_OR_ELSE_ALL' && healthy.length === 0 ? out : healthy;
}
