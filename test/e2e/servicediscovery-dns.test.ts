/**
 * Wharf's DNS server for Cloud Map private DNS namespaces, end to end: a real server started with
 * WHARF_DNS_LISTEN, records made through @aws-sdk/client-servicediscovery, queries from Node's resolver
 * (c-ares) as any client would send them.
 *
 *   A with the service's TTL, at most eight answers (MULTIVALUE), one (WEIGHTED), only healthy
 *   instances, all when none is (fail open); SRV with its targets' A records; NXDOMAIN and the SOA
 *   with the namespace's SOA TTL; a registration visible to the next query; other names relayed to the
 *   upstream resolver (a stand-in here, WHARF_DNS_UPSTREAM).
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { Resolver } from 'node:dns/promises';
import {
  ServiceDiscoveryClient, CreatePrivateDnsNamespaceCommand, CreateServiceCommand, DeregisterInstanceCommand, GetOperationCommand, RegisterInstanceCommand,
  UpdateInstanceCustomHealthStatusCommand,
} from '@aws-sdk/client-servicediscovery';
import { EC2Client, DescribeVpcsCommand } from '@aws-sdk/client-ec2';
import { startServerProcess, type TestServer } from '../support/server.js';
import { freePort } from './elb-helpers.js';
import { buildReply, parseQuery, RCODE } from '../../src/model/servicediscovery/dns-message.js';
import { until as waitUntil } from '../support/wait.js';

let server: TestServer;
let sd: ServiceDiscoveryClient;
let upstream: Socket;
let resolver: Resolver;
let apiId: string;

/** This file's waits: test/support/wait.ts's `until`, with the timeout and poll step this file uses. */
const waitFor = <T>(what: string, fn: () => Promise<T | undefined | false>, ms = 20_000): Promise<T> => waitUntil(what, fn, ms, 100);

before(async () => {
  // The stand-in for the host's resolver: answers every A query with 192.0.2.7.
  upstream = createSocket('udp4');
  upstream.on('message', (msg, rinfo) => {
    const q = parseQuery(msg);
    upstream.send(buildReply(msg, q, { rcode: RCODE.NOERROR, authoritative: false, answers: [{ name: q.name, ttl: 60, data: { type: 'A', address: '192.0.2.7' } }] }), rinfo.port, rinfo.address);
  });
  await new Promise<void>((r) => upstream.bind(0, '127.0.0.1', r));
  const dnsPort = await freePort();
  server = await startServerProcess({ env: { WHARF_LOG_LEVEL: 'warn', WHARF_DNS_LISTEN: `127.0.0.1:${dnsPort}`, WHARF_DNS_UPSTREAM: `127.0.0.1:${upstream.address().port}` } });
  resolver = new Resolver({ timeout: 2000, tries: 2 });
  resolver.setServers([`127.0.0.1:${dnsPort}`]);
  sd = new ServiceDiscoveryClient({ endpoint: server.endpoint, region: server.region, credentials: server.credentials, maxAttempts: 1 });
  const ec2 = new EC2Client({ endpoint: server.endpoint, region: server.region, credentials: server.credentials, maxAttempts: 1 });
  const vpcId = (await ec2.send(new DescribeVpcsCommand({}))).Vpcs![0]!.VpcId!;
  const op = await sd.send(new CreatePrivateDnsNamespaceCommand({ Name: 'apps.local', Vpc: vpcId, Properties: { DnsProperties: { SOA: { TTL: 30 } } } }));
  const nsId = (await sd.send(new GetOperationCommand({ OperationId: op.OperationId }))).Operation!.Targets!.NAMESPACE!;
  apiId = (await sd.send(new CreateServiceCommand({
    Name: 'api', NamespaceId: nsId, DnsConfig: { RoutingPolicy: 'MULTIVALUE', DnsRecords: [{ Type: 'A', TTL: 7 }, { Type: 'SRV', TTL: 9 }] }, HealthCheckCustomConfig: {},
  }))).Service!.Id!;
  for (let i = 1; i <= 10; i++) {
    await sd.send(new RegisterInstanceCommand({ ServiceId: apiId, InstanceId: `api-${i}`, Attributes: { AWS_INSTANCE_IPV4: `10.9.0.${i}`, AWS_INSTANCE_PORT: String(8000 + i) } }));
  }
  const oneId = (await sd.send(new CreateServiceCommand({ Name: 'one', NamespaceId: nsId, DnsConfig: { RoutingPolicy: 'WEIGHTED', DnsRecords: [{ Type: 'A', TTL: 5 }] } }))).Service!.Id!;
  for (let i = 1; i <= 3; i++) await sd.send(new RegisterInstanceCommand({ ServiceId: oneId, InstanceId: `one-${i}`, Attributes: { AWS_INSTANCE_IPV4: `10.8.0.${i}` } }));
});

after(async () => {
  upstream?.close();
  await server?.stop();
  server?.cleanup();
});

const all = Array.from({ length: 10 }, (_, i) => `10.9.0.${i + 1}`);

describe('the DNS server', () => {
  it('answers A with the service\'s TTL, at most eight of the instances, only healthy ones, and fails open', async () => {
    const a = await resolver.resolve4('api.apps.local', { ttl: true });
    assert.equal(a.length, 8, 'MULTIVALUE: eight of ten');
    assert.ok(a.every((r) => all.includes(r.address) && r.ttl === 7), JSON.stringify(a));
    assert.equal(new Set(a.map((r) => r.address)).size, 8);
    for (let i = 3; i <= 10; i++) await sd.send(new UpdateInstanceCustomHealthStatusCommand({ ServiceId: apiId, InstanceId: `api-${i}`, Status: 'UNHEALTHY' }));
    assert.deepEqual((await resolver.resolve4('API.Apps.Local')).sort(), ['10.9.0.1', '10.9.0.2'], 'only the healthy two (names are case-insensitive)');
    for (const i of [1, 2]) await sd.send(new UpdateInstanceCustomHealthStatusCommand({ ServiceId: apiId, InstanceId: `api-${i}`, Status: 'UNHEALTHY' }));
    assert.equal((await resolver.resolve4('api.apps.local')).length, 8, 'none healthy: answered as if all were');
    for (let i = 1; i <= 10; i++) await sd.send(new UpdateInstanceCustomHealthStatusCommand({ ServiceId: apiId, InstanceId: `api-${i}`, Status: 'HEALTHY' }));
  });

  it('answers WEIGHTED services with one instance', async () => {
    const seen = new Set<string>();
    for (let n = 0; n < 20; n++) {
      const a = await resolver.resolve4('one.apps.local');
      assert.equal(a.length, 1);
      seen.add(a[0]!);
    }
    assert.ok(seen.size > 1, `one at random each time: ${[...seen]}`);
  });

  it('answers SRV with the instances\' ports and targets whose A records resolve', async () => {
    const srv = await resolver.resolveSrv('api.apps.local');
    assert.equal(srv.length, 8);
    for (const r of srv) {
      const i = Number(/^api-(\d+)\.api\.apps\.local$/.exec(r.name)?.[1]);
      assert.ok(i >= 1 && i <= 10, r.name);
      assert.deepEqual([r.port, r.priority, r.weight], [8000 + i, 1, 1]);
    }
    assert.deepEqual(await resolver.resolve4('api-3.api.apps.local'), ['10.9.0.3']);
  });

  it('answers NXDOMAIN for other names in the namespace, with the SOA\'s TTL', async () => {
    await assert.rejects(resolver.resolve4('nope.apps.local'), (e: NodeJS.ErrnoException) => e.code === 'ENOTFOUND');
    await assert.rejects(resolver.resolve4('api-99.api.apps.local'), (e: NodeJS.ErrnoException) => e.code === 'ENOTFOUND');
    const soa = await resolver.resolveSoa('apps.local');
    assert.equal(soa.minttl, 30);
    await assert.rejects(resolver.resolve6('api.apps.local'), (e: NodeJS.ErrnoException) => e.code === 'ENODATA', 'no AAAA records: NODATA, not NXDOMAIN');
  });

  it('a registration shows in the next answer, a deregistration leaves it', async () => {
    await assert.rejects(resolver.resolve4('api-11.api.apps.local'), (e: NodeJS.ErrnoException) => e.code === 'ENOTFOUND');
    await sd.send(new RegisterInstanceCommand({ ServiceId: apiId, InstanceId: 'api-11', Attributes: { AWS_INSTANCE_IPV4: '10.9.0.11', AWS_INSTANCE_PORT: '8011' } }));
    await waitFor('api-11 in an answer', async () => (await resolver.resolveSrv('api.apps.local')).some((r) => r.name === 'api-11.api.apps.local') || undefined);
    assert.deepEqual(await resolver.resolve4('api-11.api.apps.local'), ['10.9.0.11']);
    await sd.send(new DeregisterInstanceCommand({ ServiceId: apiId, InstanceId: 'api-11' }));
    await assert.rejects(resolver.resolve4('api-11.api.apps.local'), (e: NodeJS.ErrnoException) => e.code === 'ENOTFOUND');
  });

  it('relays names outside the namespaces to the upstream resolver', async () => {
    assert.deepEqual(await resolver.resolve4('example.test'), ['192.0.2.7']);
  });
});
