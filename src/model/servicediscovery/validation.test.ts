import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkAttributes, checkDnsNamespaceName, checkDnsRecords, selectInstances } from './validation.js';
import { idOf, operationId, type ServiceRecord } from './records.js';

const service = (o: Partial<ServiceRecord> = {}): ServiceRecord => ({
  id: 'srv-a', arn: 'arn', name: 'api', namespaceId: 'ns-a', type: 'DNS_HTTP', instanceCount: 0, instancesRevision: 0, tags: [], createdAt: 0, ...o,
});

describe('Cloud Map rules', () => {
  it('DnsRecords: A, AAAA and SRV combine; CNAME stands alone and needs WEIGHTED; no type twice', () => {
    checkDnsRecords([{ Type: 'A', TTL: 1 }, { Type: 'AAAA', TTL: 1 }, { Type: 'SRV', TTL: 1 }], 'MULTIVALUE');
    checkDnsRecords([{ Type: 'CNAME', TTL: 1 }], 'WEIGHTED');
    assert.throws(() => checkDnsRecords([{ Type: 'CNAME', TTL: 1 }], 'MULTIVALUE'), /WEIGHTED/);
    assert.throws(() => checkDnsRecords([{ Type: 'CNAME', TTL: 1 }, { Type: 'A', TTL: 1 }], 'WEIGHTED'), /can't be combined/);
    assert.throws(() => checkDnsRecords([{ Type: 'A', TTL: 1 }, { Type: 'A', TTL: 2 }], 'MULTIVALUE'), /more than one record of type A/);
    assert.throws(() => checkDnsRecords([], 'MULTIVALUE'), /at least one/);
  });

  it('attributes: each record type needs its attribute; the first health status follows the health check', () => {
    const a = service({ dnsConfig: { RoutingPolicy: 'MULTIVALUE', DnsRecords: [{ Type: 'A', TTL: 1 }] } });
    assert.equal(checkAttributes(a, { AWS_INSTANCE_IPV4: '10.0.0.1' }), 'UNKNOWN');
    assert.throws(() => checkAttributes(a, {}), /AWS_INSTANCE_IPV4 is required/);
    const srv = service({ dnsConfig: { RoutingPolicy: 'MULTIVALUE', DnsRecords: [{ Type: 'SRV', TTL: 1 }] }, healthCheckCustomConfig: {} });
    assert.throws(() => checkAttributes(srv, { AWS_INSTANCE_IPV4: '10.0.0.1' }), /AWS_INSTANCE_PORT is required/);
    assert.throws(() => checkAttributes(srv, { AWS_INSTANCE_PORT: '80' }), /AWS_INSTANCE_IPV4 or AWS_INSTANCE_IPV6/);
    assert.equal(checkAttributes(srv, { AWS_INSTANCE_IPV6: '2001:db8::1', AWS_INSTANCE_PORT: '80' }), 'HEALTHY');
    assert.equal(checkAttributes(srv, { AWS_INSTANCE_IPV4: '10.0.0.1', AWS_INSTANCE_PORT: '80', AWS_INIT_HEALTH_STATUS: 'UNHEALTHY' }), 'UNHEALTHY');
    assert.throws(() => checkAttributes(a, { AWS_INSTANCE_IPV4: '10.0.0.1', AWS_INIT_HEALTH_STATUS: 'HEALTHY' }), /only for a service that has a HealthCheckCustomConfig/);
    assert.throws(() => checkAttributes(a, { AWS_INSTANCE_IPV4: '10.0.0.256' }), /not a valid IPv4/);
    const http = service({ type: 'HTTP' });
    assert.equal(checkAttributes(http, { anything: 'goes' }), 'UNKNOWN');
    assert.throws(() => checkAttributes(http, { big: 'x'.repeat(5000) }), /must not exceed 5000/);
  });

  it('DiscoverInstances selection: query parameters filter, optional ones narrow only when something matches, health fails open on request', () => {
    const xs = [
      { id: 'a', attributes: { c: 'blue', z: '1' }, health: 'HEALTHY' as const },
      { id: 'b', attributes: { c: 'blue', z: '2' }, health: 'UNHEALTHY' as const },
      { id: 'c', attributes: { c: 'green', z: '1' }, health: 'UNHEALTHY' as const },
    ];
    const ids = (r: typeof xs) => r.map((x) => x.id);
    assert.deepEqual(ids(selectInstances(xs, { query: { c: 'blue' }, health: 'ALL', hasHealthCheck: true })), ['a', 'b']);
    assert.deepEqual(ids(selectInstances(xs, { query: { c: 'blue' }, optional: { z: '2' }, health: 'ALL', hasHealthCheck: true })), ['b']);
    assert.deepEqual(ids(selectInstances(xs, { query: { c: 'blue' }, optional: { z: '9' }, health: 'ALL', hasHealthCheck: true })), ['a', 'b']);
    assert.deepEqual(ids(selectInstances(xs, { hasHealthCheck: true })), ['a'], 'HEALTHY by default');
    assert.deepEqual(ids(selectInstances(xs, { query: { c: 'green' }, health: 'HEALTHY_OR_ELSE_ALL', hasHealthCheck: true })), ['c']);
    assert.deepEqual(ids(selectInstances(xs, { health: 'UNHEALTHY', hasHealthCheck: false })), ['a', 'b', 'c'], 'no health check: the filter is ignored');
  });

  it('names, ids and ARNs', () => {
    assert.equal(checkDnsNamespaceName('example.local.'), 'example.local');
    assert.throws(() => checkDnsNamespaceName('a..b'), /not a valid DNS domain name/);
    assert.throws(() => checkDnsNamespaceName(`${'x'.repeat(64)}.local`), /not a valid DNS domain name/);
    assert.equal(idOf('arn:aws:servicediscovery:us-east-1:123456789012:service/srv-abc', 'service'), 'srv-abc');
    assert.equal(idOf('arn:aws:servicediscovery:us-east-1:123456789012:service/srv-abc', 'namespace'), '');
    assert.equal(idOf('ns-abc', 'namespace'), 'ns-abc');
    assert.match(operationId(new Uint8Array(32), 1587055860121), /^a{32}-k9302yzd$/);
  });
});
