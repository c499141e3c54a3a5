/**
 * AWS Cloud Map's API end to end: a real server, @aws-sdk/client-servicediscovery and /usr/bin/aws.
 *
 *   1. the AWS CLI's documented examples (create-private-dns-namespace, get-operation, create-service,
 *      register-instance, list-instances, deregister-instance, delete-service, delete-namespace) unchanged
 *      but for --endpoint-url and names; ids, ARNs and operations shaped as Cloud Map's
 *   2. discovery: query and optional parameters, health filters, MaxResults, InstancesRevision, custom
 *      health status
 *   3. listing: namespace, service and operation filters and paging
 *   4. bad input gets Cloud Map's errors and changes nothing
 *   5. tags, and everything still there after a server restart (records are in the store)
 *
 * DiscoverInstances is on Cloud Map's data endpoint (host prefix `data-`): the SDK client here sets
 * disableHostPrefix, as a Wharf user does (docs/service-discovery.md); the CLI has no such switch.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  ServiceDiscoveryClient, CreateHttpNamespaceCommand, CreatePrivateDnsNamespaceCommand, CreatePublicDnsNamespaceCommand, CreateServiceCommand,
  DeleteNamespaceCommand, DeleteServiceCommand, DeregisterInstanceCommand, DiscoverInstancesCommand, DiscoverInstancesRevisionCommand, GetInstanceCommand,
  GetInstancesHealthStatusCommand, GetNamespaceCommand, GetOperationCommand, GetServiceCommand, ListInstancesCommand, ListNamespacesCommand,
  ListOperationsCommand, ListServicesCommand, ListTagsForResourceCommand, RegisterInstanceCommand, TagResourceCommand, UntagResourceCommand,
  UpdateInstanceCustomHealthStatusCommand, UpdateServiceCommand, type HttpInstanceSummary,
} from '@aws-sdk/client-servicediscovery';
import { EC2Client, DescribeVpcsCommand } from '@aws-sdk/client-ec2';
import { startServerProcess, type TestServer } from '../support/server.js';

let server: TestServer;
let sd: ServiceDiscoveryClient;
let vpcId: string;
const NS_ID = /^ns-[a-z0-9]{16}$/;
const SRV_ID = /^srv-[a-z0-9]{16}$/;
const OP_ID = /^[a-z0-9]{32}-[a-z0-9]{8}$/;

const client = (s: TestServer) => new ServiceDiscoveryClient({ endpoint: s.endpoint, region: s.region, credentials: s.credentials, maxAttempts: 1, disableHostPrefix: true });

/** Asserts the call fails with this Cloud Map error, and a message matching `message`. */
async function fails(p: Promise<unknown>, name: string, message: RegExp): Promise<Record<string, unknown>> {
  let err: (Error & Record<string, unknown>) | undefined;
  try { await p; } catch (e) { err = e as Error & Record<string, unknown>; }
  assert.ok(err, `expected ${name}, but the call succeeded`);
  assert.equal(err.name, name, `expected ${name}, got ${err.name}: ${err.message}`);
  assert.match(err.message, message);
  return err;
}

const ids = (xs: HttpInstanceSummary[] | undefined) => (xs ?? []).map((i) => i.InstanceId).sort();

before(async () => {
  server = await startServerProcess({ env: { WHARF_LOG_LEVEL: 'warn' } });
  sd = client(server);
  const ec2 = new EC2Client({ endpoint: server.endpoint, region: server.region, credentials: server.credentials, maxAttempts: 1 });
  vpcId = (await ec2.send(new DescribeVpcsCommand({}))).Vpcs![0]!.VpcId!;
});

after(async () => {
  await server?.stop();
  server?.cleanup();
});

describe('Cloud Map with the AWS CLI (its documented examples)', () => {
  it('creates a private DNS namespace and a service, registers, lists and deregisters an instance, and deletes both', () => {
    const create = server.aws(['servicediscovery', 'create-private-dns-namespace', '--name', 'example.com', '--vpc', vpcId]);
    assert.equal(create.status, 0, create.stderr);
    assert.match(create.json.OperationId, OP_ID);

    const op = server.aws(['servicediscovery', 'get-operation', '--operation-id', create.json.OperationId]);
    assert.equal(op.status, 0, op.stderr);
    assert.equal(op.json.Operation.Type, 'CREATE_NAMESPACE');
    assert.equal(op.json.Operation.Status, 'SUCCESS');
    const nsId = op.json.Operation.Targets.NAMESPACE as string;
    assert.match(nsId, NS_ID);

    const ns = server.aws(['servicediscovery', 'get-namespace', '--id', nsId]).json.Namespace;
    assert.equal(ns.Arn, `arn:aws:servicediscovery:us-east-1:${ns.Arn.split(':')[4]}:namespace/${nsId}`);
    assert.equal(ns.Type, 'DNS_PRIVATE');
    assert.equal(ns.Properties.HttpProperties.HttpName, 'example.com');
    assert.match(ns.Properties.DnsProperties.HostedZoneId, /^Z[A-Z0-9]+$/);

    const svc = server.aws(['servicediscovery', 'create-service', '--name', 'myservice', '--namespace-id', nsId,
      '--dns-config', `NamespaceId=${nsId},RoutingPolicy=MULTIVALUE,DnsRecords=[{Type=A,TTL=60}]`]);
    assert.equal(svc.status, 0, svc.stderr);
    const srvId = svc.json.Service.Id as string;
    assert.match(srvId, SRV_ID);
    assert.equal(svc.json.Service.Arn, ns.Arn.replace(`namespace/${nsId}`, `service/${srvId}`));
    assert.deepEqual(svc.json.Service.DnsConfig, { NamespaceId: nsId, RoutingPolicy: 'MULTIVALUE', DnsRecords: [{ Type: 'A', TTL: 60 }] });
    assert.equal(svc.json.Service.NamespaceId, nsId);

    const reg = server.aws(['servicediscovery', 'register-instance', '--service-id', srvId, '--instance-id', 'myservice-53',
      '--attributes=AWS_INSTANCE_IPV4=172.2.1.3,AWS_INSTANCE_PORT=808']);
    assert.equal(reg.status, 0, reg.stderr);
    assert.match(reg.json.OperationId, OP_ID);
    const regOp = server.aws(['servicediscovery', 'get-operation', '--operation-id', reg.json.OperationId]).json.Operation;
    assert.equal(regOp.Type, 'REGISTER_INSTANCE');
    assert.equal(regOp.Status, 'SUCCESS');
    assert.deepEqual(regOp.Targets, { INSTANCE: 'myservice-53', SERVICE: srvId });

    const list = server.aws(['servicediscovery', 'list-instances', '--service-id', srvId]);
    assert.equal(list.status, 0, list.stderr);
    assert.deepEqual(list.json.Instances.map((i: { Id: string; Attributes: unknown }) => ({ Id: i.Id, Attributes: i.Attributes })),
      [{ Id: 'myservice-53', Attributes: { AWS_INSTANCE_IPV4: '172.2.1.3', AWS_INSTANCE_PORT: '808' } }]);

    const inUse = server.aws(['servicediscovery', 'delete-service', '--id', srvId]);
    assert.notEqual(inUse.status, 0);
    assert.match(inUse.stderr, /ResourceInUse.*Service contains registered instances; delete the instances before deleting the service/);

    const dereg = server.aws(['servicediscovery', 'deregister-instance', '--service-id', srvId, '--instance-id', 'myservice-53']);
    assert.equal(dereg.status, 0, dereg.stderr);
    assert.equal(server.aws(['servicediscovery', 'get-operation', '--operation-id', dereg.json.OperationId]).json.Operation.Type, 'DEREGISTER_INSTANCE');
    assert.equal(server.aws(['servicediscovery', 'delete-service', '--id', srvId]).status, 0);
    const del = server.aws(['servicediscovery', 'delete-namespace', '--id', nsId]);
    assert.equal(del.status, 0, del.stderr);
    assert.equal(server.aws(['servicediscovery', 'get-operation', '--operation-id', del.json.OperationId]).json.Operation.Type, 'DELETE_NAMESPACE');
    const gone = server.aws(['servicediscovery', 'get-namespace', '--id', nsId]);
    assert.notEqual(gone.status, 0);
    assert.match(gone.stderr, /NamespaceNotFound/);
  });
});

describe('discovery', () => {
  let nsId: string;
  let srvId: string;
  before(async () => {
    const op = await sd.send(new CreateHttpNamespaceCommand({ Name: 'shop', Description: 'API-only' }));
    nsId = (await sd.send(new GetOperationCommand({ OperationId: op.OperationId }))).Operation!.Targets!.NAMESPACE!;
    const svc = await sd.send(new CreateServiceCommand({ Name: 'cart', NamespaceId: nsId, HealthCheckCustomConfig: { FailureThreshold: 1 } }));
    srvId = svc.Service!.Id!;
    assert.equal(svc.Service!.Type, 'HTTP');
    const reg = (id: string, attrs: Record<string, string>) => sd.send(new RegisterInstanceCommand({ ServiceId: srvId, InstanceId: id, Attributes: attrs }));
    await reg('blue-1', { AWS_INSTANCE_IPV4: '10.0.0.1', AWS_INSTANCE_PORT: '8080', color: 'blue', zone: 'a' });
    await reg('blue-2', { AWS_INSTANCE_IPV4: '10.0.0.2', AWS_INSTANCE_PORT: '8080', color: 'blue', zone: 'b' });
    await reg('green-1', { AWS_INSTANCE_IPV4: '10.0.0.3', AWS_INSTANCE_PORT: '8080', color: 'green', zone: 'a', AWS_INIT_HEALTH_STATUS: 'UNHEALTHY' });
  });

  it('filters by query parameters, narrows by optional ones only when some match, and caps at MaxResults', async () => {
    const all = await sd.send(new DiscoverInstancesCommand({ NamespaceName: 'shop', ServiceName: 'cart', HealthStatus: 'ALL' }));
    assert.deepEqual(ids(all.Instances), ['blue-1', 'blue-2', 'green-1']);
    const one = all.Instances!.find((i) => i.InstanceId === 'blue-1')!;
    assert.deepEqual(one, { InstanceId: 'blue-1', NamespaceName: 'shop', ServiceName: 'cart', HealthStatus: 'HEALTHY', Attributes: { AWS_INSTANCE_IPV4: '10.0.0.1', AWS_INSTANCE_PORT: '8080', color: 'blue', zone: 'a' } });
    const blue = await sd.send(new DiscoverInstancesCommand({ NamespaceName: 'shop', ServiceName: 'cart', QueryParameters: { color: 'blue' } }));
    assert.deepEqual(ids(blue.Instances), ['blue-1', 'blue-2']);
    const blueInA = await sd.send(new DiscoverInstancesCommand({ NamespaceName: 'shop', ServiceName: 'cart', QueryParameters: { color: 'blue' }, OptionalParameters: { zone: 'a' } }));
    assert.deepEqual(ids(blueInA.Instances), ['blue-1']);
    const blueInC = await sd.send(new DiscoverInstancesCommand({ NamespaceName: 'shop', ServiceName: 'cart', QueryParameters: { color: 'blue' }, OptionalParameters: { zone: 'c' } }));
    assert.deepEqual(ids(blueInC.Instances), ['blue-1', 'blue-2'], 'optional parameters that match nothing are ignored');
    const capped = await sd.send(new DiscoverInstancesCommand({ NamespaceName: 'shop', ServiceName: 'cart', HealthStatus: 'ALL', MaxResults: 2 }));
    assert.equal(capped.Instances!.length, 2);
  });

  it('answers the health filters from custom health status, and UpdateInstanceCustomHealthStatus moves an instance between them', async () => {
    const q = (HealthStatus: 'HEALTHY' | 'UNHEALTHY' | 'ALL' | 'HEALTHY_OR_ELSE_ALL', QueryParameters?: Record<string, string>) =>
      sd.send(new DiscoverInstancesCommand({ NamespaceName: 'shop', ServiceName: 'cart', HealthStatus, QueryParameters }));
    assert.deepEqual(ids((await q('HEALTHY')).Instances), ['blue-1', 'blue-2']);
    assert.deepEqual(ids((await q('UNHEALTHY')).Instances), ['green-1']);
    assert.deepEqual(ids((await q('HEALTHY_OR_ELSE_ALL', { color: 'green' })).Instances), ['green-1'], 'no healthy green instance: fail open');
    assert.deepEqual(ids((await q('HEALTHY', { color: 'green' })).Instances), []);
    assert.deepEqual((await sd.send(new GetInstancesHealthStatusCommand({ ServiceId: srvId }))).Status, { 'blue-1': 'HEALTHY', 'blue-2': 'HEALTHY', 'green-1': 'UNHEALTHY' });

    const before = (await sd.send(new DiscoverInstancesRevisionCommand({ NamespaceName: 'shop', ServiceName: 'cart' }))).InstancesRevision!;
    await sd.send(new UpdateInstanceCustomHealthStatusCommand({ ServiceId: srvId, InstanceId: 'green-1', Status: 'HEALTHY' }));
    await sd.send(new UpdateInstanceCustomHealthStatusCommand({ ServiceId: srvId, InstanceId: 'blue-2', Status: 'UNHEALTHY' }));
    assert.deepEqual(ids((await q('HEALTHY')).Instances), ['blue-1', 'green-1']);
    assert.deepEqual((await sd.send(new GetInstancesHealthStatusCommand({ ServiceId: srvId, Instances: ['blue-2'] }))).Status, { 'blue-2': 'UNHEALTHY' });
    assert.equal((await sd.send(new DiscoverInstancesRevisionCommand({ NamespaceName: 'shop', ServiceName: 'cart' }))).InstancesRevision, before, 'health changes leave the revision');

    await sd.send(new RegisterInstanceCommand({ ServiceId: srvId, InstanceId: 'green-2', Attributes: { AWS_INSTANCE_IPV4: '10.0.0.4', color: 'green' } }));
    const after = await q('ALL');
    assert.equal(after.InstancesRevision, before + 1);
    await sd.send(new DeregisterInstanceCommand({ ServiceId: srvId, InstanceId: 'green-2' }));
    assert.equal((await q('ALL')).InstancesRevision, before + 2);
    assert.equal((await sd.send(new GetServiceCommand({ Id: srvId }))).Service!.InstanceCount, 3);
  });

  it('returns every instance, HealthStatus UNKNOWN, for a service without a health check, whatever the filter', async () => {
    const svc = await sd.send(new CreateServiceCommand({ Name: 'search', NamespaceId: nsId }));
    await sd.send(new RegisterInstanceCommand({ ServiceId: svc.Service!.Id, InstanceId: 's-1', Attributes: { AWS_INSTANCE_IPV4: '10.0.1.1' } }));
    const r = await sd.send(new DiscoverInstancesCommand({ NamespaceName: 'shop', ServiceName: 'search', HealthStatus: 'UNHEALTHY' }));
    assert.deepEqual(r.Instances!.map((i) => [i.InstanceId, i.HealthStatus]), [['s-1', 'UNKNOWN']]);
    await fails(sd.send(new UpdateInstanceCustomHealthStatusCommand({ ServiceId: svc.Service!.Id, InstanceId: 's-1', Status: 'UNHEALTHY' })),
      'CustomHealthNotFound', /isn't a custom health check/);
    const got = await sd.send(new GetInstanceCommand({ ServiceId: svc.Service!.Arn, InstanceId: 's-1' }));
    assert.deepEqual(got.Instance!.Attributes, { AWS_INSTANCE_IPV4: '10.0.1.1' });
    await sd.send(new DeregisterInstanceCommand({ ServiceId: svc.Service!.Id, InstanceId: 's-1' }));
    await sd.send(new DeleteServiceCommand({ Id: svc.Service!.Id }));
  });

  it('a DNS service registers A and SRV records\' attributes, and refuses an instance that lacks them without changing anything', async () => {
    const op = await sd.send(new CreatePrivateDnsNamespaceCommand({ Name: 'svc.local', Vpc: vpcId, Properties: { DnsProperties: { SOA: { TTL: 30 } } } }));
    const dnsNs = (await sd.send(new GetOperationCommand({ OperationId: op.OperationId }))).Operation!.Targets!.NAMESPACE!;
    assert.equal((await sd.send(new GetNamespaceCommand({ Id: dnsNs }))).Namespace!.Properties!.DnsProperties!.SOA!.TTL, 30);
    const svc = (await sd.send(new CreateServiceCommand({
      Name: 'api', NamespaceId: dnsNs, DnsConfig: { RoutingPolicy: 'MULTIVALUE', DnsRecords: [{ Type: 'A', TTL: 10 }, { Type: 'SRV', TTL: 10 }] },
      HealthCheckCustomConfig: {},
    }))).Service!;
    assert.equal(svc.Type, 'DNS_HTTP');
    await fails(sd.send(new RegisterInstanceCommand({ ServiceId: svc.Id, InstanceId: 't-1', Attributes: { AWS_INSTANCE_IPV4: '10.1.0.5' } })),
      'InvalidInput', /AWS_INSTANCE_PORT is required because the service defines an SRV record/);
    await fails(sd.send(new RegisterInstanceCommand({ ServiceId: svc.Id, InstanceId: 't-1', Attributes: { AWS_INSTANCE_PORT: '80' } })),
      'InvalidInput', /AWS_INSTANCE_IPV4 is required because the service defines an A record/);
    await fails(sd.send(new RegisterInstanceCommand({ ServiceId: svc.Id, InstanceId: 't-1', Attributes: { AWS_INSTANCE_IPV4: '10.1.0.300', AWS_INSTANCE_PORT: '80' } })),
      'InvalidInput', /not a valid IPv4 address/);
    await fails(sd.send(new RegisterInstanceCommand({ ServiceId: svc.Id, InstanceId: 't-1', Attributes: { AWS_INSTANCE_IPV4: '10.1.0.5', AWS_INSTANCE_PORT: '70000' } })),
      'InvalidInput', /not a valid port/);
    const custom = Object.fromEntries(Array.from({ length: 31 }, (_, i) => [`k${i}`, 'v']));
    await fails(sd.send(new RegisterInstanceCommand({ ServiceId: svc.Id, InstanceId: 't-1', Attributes: { AWS_INSTANCE_IPV4: '10.1.0.5', AWS_INSTANCE_PORT: '80', ...custom } })),
      'InvalidInput', /at most 30 custom attributes/);
    assert.deepEqual((await sd.send(new ListInstancesCommand({ ServiceId: svc.Id }))).Instances, []);
    const s = (await sd.send(new GetServiceCommand({ Id: svc.Id }))).Service!;
    assert.equal(s.InstanceCount, 0);
    assert.equal((await sd.send(new DiscoverInstancesRevisionCommand({ NamespaceName: 'svc.local', ServiceName: 'api' }))).InstancesRevision, 0);
    const ops = (await sd.send(new ListOperationsCommand({ Filters: [{ Name: 'SERVICE_ID', Values: [svc.Id!] }] }))).Operations!;
    assert.deepEqual(ops, [], 'a refused registration leaves no operation');

    await sd.send(new RegisterInstanceCommand({ ServiceId: svc.Id, InstanceId: 't-1', Attributes: { AWS_INSTANCE_IPV4: '10.1.0.5', AWS_INSTANCE_PORT: '8080', AWS_INIT_HEALTH_STATUS: 'UNHEALTHY' } }));
    // Service names in a DNS namespace are DNS names: case-insensitive.
    const found = await sd.send(new DiscoverInstancesCommand({ NamespaceName: 'SVC.local', ServiceName: 'API', HealthStatus: 'ALL' }));
    assert.deepEqual(found.Instances!.map((i) => [i.InstanceId, i.HealthStatus, i.Attributes!.AWS_INSTANCE_PORT]), [['t-1', 'UNHEALTHY', '8080']]);

    const upd = await sd.send(new UpdateServiceCommand({ Id: svc.Id, Service: { Description: 'the API', DnsConfig: { DnsRecords: [{ Type: 'SRV', TTL: 5 }, { Type: 'A', TTL: 5 }] } } }));
    const updOp = (await sd.send(new GetOperationCommand({ OperationId: upd.OperationId }))).Operation!;
    assert.deepEqual([updOp.Type, updOp.Status, updOp.Targets], ['UPDATE_SERVICE', 'SUCCESS', { SERVICE: svc.Id }]);
    const after = (await sd.send(new GetServiceCommand({ Id: svc.Id }))).Service!;
    assert.deepEqual([after.Description, after.DnsConfig!.DnsRecords], ['the API', [{ Type: 'A', TTL: 5 }, { Type: 'SRV', TTL: 5 }]]);
    await fails(sd.send(new UpdateServiceCommand({ Id: svc.Id, Service: { DnsConfig: { DnsRecords: [{ Type: 'A', TTL: 5 }] } } })),
      'InvalidInput', /can change only the TTL of the service's existing DNS records \(A, SRV\); the request has A/);
    assert.deepEqual((await sd.send(new GetServiceCommand({ Id: svc.Id }))).Service!.DnsConfig!.DnsRecords, [{ Type: 'A', TTL: 5 }, { Type: 'SRV', TTL: 5 }]);
  });
});

describe('listing', () => {
  it('filters and pages namespaces, services and operations', async () => {
    for (const n of ['list-a', 'list-b', 'list-c']) await sd.send(new CreateHttpNamespaceCommand({ Name: n }));
    const byPrefix = await sd.send(new ListNamespacesCommand({ Filters: [{ Name: 'NAME', Values: ['list-'], Condition: 'BEGINS_WITH' }] }));
    assert.deepEqual(byPrefix.Namespaces!.map((n) => n.Name), ['list-a', 'list-b', 'list-c']);
    const p1 = await sd.send(new ListNamespacesCommand({ MaxResults: 2, Filters: [{ Name: 'NAME', Values: ['list-'], Condition: 'BEGINS_WITH' }] }));
    assert.equal(p1.Namespaces!.length, 2);
    assert.ok(p1.NextToken);
    const p2 = await sd.send(new ListNamespacesCommand({ MaxResults: 2, NextToken: p1.NextToken, Filters: [{ Name: 'NAME', Values: ['list-'], Condition: 'BEGINS_WITH' }] }));
    assert.deepEqual(p2.Namespaces!.map((n) => n.Name), ['list-c']);
    assert.equal(p2.NextToken, undefined);
    const dns = await sd.send(new ListNamespacesCommand({ Filters: [{ Name: 'TYPE', Values: ['DNS_PRIVATE'] }] }));
    assert.ok(dns.Namespaces!.length > 0 && dns.Namespaces!.every((n) => n.Type === 'DNS_PRIVATE'));
    const both = await sd.send(new ListNamespacesCommand({ Filters: [{ Name: 'TYPE', Values: ['DNS_PRIVATE', 'HTTP'], Condition: 'IN' }] }));
    assert.equal(both.Namespaces!.length, (await sd.send(new ListNamespacesCommand({}))).Namespaces!.length);
    await fails(sd.send(new ListNamespacesCommand({ Filters: [{ Name: 'NAME', Values: ['a', 'b'], Condition: 'IN' }] })), 'InvalidInput', /IN condition is not supported for the NAME namespace filter/);
    await fails(sd.send(new ListNamespacesCommand({ NextToken: 'bm9wZQ' })), 'InvalidInput', /NextToken/);

    const nsA = byPrefix.Namespaces![0]!;
    assert.equal(nsA.ServiceCount, 0);
    await sd.send(new CreateServiceCommand({ Name: 'one', NamespaceId: nsA.Id }));
    await sd.send(new CreateServiceCommand({ Name: 'two', NamespaceId: nsA.Arn }));
    const svcs = await sd.send(new ListServicesCommand({ Filters: [{ Name: 'NAMESPACE_ID', Values: [nsA.Id!] }] }));
    assert.deepEqual(svcs.Services!.map((s) => s.Name), ['one', 'two']);
    assert.equal((await sd.send(new GetNamespaceCommand({ Id: nsA.Arn }))).Namespace!.ServiceCount, 2);

    const created = await sd.send(new ListOperationsCommand({ Filters: [{ Name: 'NAMESPACE_ID', Values: [nsA.Id!] }, { Name: 'TYPE', Values: ['CREATE_NAMESPACE', 'DELETE_NAMESPACE'], Condition: 'IN' }] }));
    assert.equal(created.Operations!.length, 1);
    assert.equal(created.Operations![0]!.Status, 'SUCCESS');
    const now = Math.floor(Date.now() / 1000);
    const recent = await sd.send(new ListOperationsCommand({ Filters: [{ Name: 'UPDATE_DATE', Values: [String(now - 600), String(now + 60)], Condition: 'BETWEEN' }] }));
    const old = await sd.send(new ListOperationsCommand({ Filters: [{ Name: 'UPDATE_DATE', Values: ['0', '1000'], Condition: 'BETWEEN' }] }));
    assert.ok(recent.Operations!.length >= 4);
    assert.deepEqual(old.Operations, []);
    const failed = await sd.send(new ListOperationsCommand({ Filters: [{ Name: 'STATUS', Values: ['FAIL'] }] }));
    assert.deepEqual(failed.Operations, []);
  });
});

describe('bad input changes nothing', () => {
  it('answers Cloud Map\'s not-found errors', async () => {
    await fails(sd.send(new GetNamespaceCommand({ Id: 'ns-0000000000000000' })), 'NamespaceNotFound', /ns-0000000000000000/);
    await fails(sd.send(new GetServiceCommand({ Id: 'srv-0000000000000000' })), 'ServiceNotFound', /srv-0000000000000000/);
    await fails(sd.send(new GetOperationCommand({ OperationId: 'nope' })), 'OperationNotFound', /nope/);
    await fails(sd.send(new CreateServiceCommand({ Name: 'x', NamespaceId: 'ns-0000000000000000' })), 'NamespaceNotFound', /ns-0000000000000000/);
    await fails(sd.send(new DiscoverInstancesCommand({ NamespaceName: 'no-such-ns', ServiceName: 'x' })), 'NamespaceNotFound', /no-such-ns/);
    await fails(sd.send(new DiscoverInstancesCommand({ NamespaceName: 'shop', ServiceName: 'nosuch' })), 'ServiceNotFound', /nosuch/);
    const svc = (await sd.send(new ListServicesCommand({}))).Services![0]!;
    await fails(sd.send(new GetInstanceCommand({ ServiceId: svc.Id, InstanceId: 'ghost' })), 'InstanceNotFound', /ghost/);
    await fails(sd.send(new DeregisterInstanceCommand({ ServiceId: svc.Id, InstanceId: 'ghost' })), 'InstanceNotFound', /ghost/);
    await fails(sd.send(new GetInstancesHealthStatusCommand({ ServiceId: svc.Id, Instances: ['ghost'] })), 'InstanceNotFound', /ghost/);
  });

  it('refuses duplicates and invalid configurations, and a retried create with the same CreatorRequestId is idempotent', async () => {
    const countBefore = (await sd.send(new ListNamespacesCommand({}))).Namespaces!.length;
    const opsBefore = (await sd.send(new ListOperationsCommand({}))).Operations!.length;
    const first = await sd.send(new CreateHttpNamespaceCommand({ Name: 'dup', CreatorRequestId: 'req-1' }));
    const again = await sd.send(new CreateHttpNamespaceCommand({ Name: 'dup', CreatorRequestId: 'req-1' }));
    assert.equal(again.OperationId, first.OperationId);
    const nsId = (await sd.send(new GetOperationCommand({ OperationId: first.OperationId }))).Operation!.Targets!.NAMESPACE!;
    const err = await fails(sd.send(new CreateHttpNamespaceCommand({ Name: 'dup', CreatorRequestId: 'req-2' })), 'NamespaceAlreadyExists', /already exists/);
    assert.equal(err.NamespaceId, nsId);
    assert.equal(err.CreatorRequestId, 'req-1');
    await fails(sd.send(new CreatePublicDnsNamespaceCommand({ Name: 'example.org' })), 'InvalidInput', /does not serve public DNS namespaces/);
    await fails(sd.send(new CreatePrivateDnsNamespaceCommand({ Name: 'x.local', Vpc: 'vpc-0123456789abcdef0' })), 'InvalidInput', /VPC vpc-0123456789abcdef0 does not exist/);
    await fails(sd.send(new CreatePrivateDnsNamespaceCommand({ Name: 'bad..name', Vpc: vpcId })), 'InvalidInput', /not a valid DNS domain name/);
    await fails(sd.send(new ListNamespacesCommand({ MaxResults: 101 })), 'InvalidInput', /MaxResults/);
    assert.equal((await sd.send(new ListNamespacesCommand({}))).Namespaces!.length, countBefore + 1);
    assert.equal((await sd.send(new ListOperationsCommand({}))).Operations!.length, opsBefore + 1);

    const svc = await sd.send(new CreateServiceCommand({ Name: 'orders', NamespaceId: nsId, CreatorRequestId: 'svc-1' }));
    assert.equal((await sd.send(new CreateServiceCommand({ Name: 'orders', NamespaceId: nsId, CreatorRequestId: 'svc-1' }))).Service!.Id, svc.Service!.Id);
    const dupSvc = await fails(sd.send(new CreateServiceCommand({ Name: 'orders', NamespaceId: nsId, CreatorRequestId: 'svc-2' })), 'ServiceAlreadyExists', /same name already exists/);
    assert.equal(dupSvc.ServiceId, svc.Service!.Id);
    assert.equal(dupSvc.ServiceArn, svc.Service!.Arn);
    await fails(sd.send(new CreateServiceCommand({ Name: 'dnsy', NamespaceId: nsId, DnsConfig: { DnsRecords: [{ Type: 'A', TTL: 10 }] } })),
      'InvalidInput', /When you specify an HTTP service, you can't include a DnsConfig element\./);
    await fails(sd.send(new CreateServiceCommand({ Name: 'probe', NamespaceId: nsId, HealthCheckConfig: { Type: 'HTTP', ResourcePath: '/' } })),
      'InvalidInput', /HealthCheckConfig is not supported/);
    const dnsNs = (await sd.send(new ListNamespacesCommand({ Filters: [{ Name: 'TYPE', Values: ['DNS_PRIVATE'] }] }))).Namespaces![0]!.Id!;
    await fails(sd.send(new CreateServiceCommand({ Name: 'cn', NamespaceId: dnsNs, DnsConfig: { RoutingPolicy: 'MULTIVALUE', DnsRecords: [{ Type: 'CNAME', TTL: 10 }] } })),
      'InvalidInput', /RoutingPolicy must be WEIGHTED/);
    await fails(sd.send(new CreateServiceCommand({ Name: 'mix', NamespaceId: dnsNs, DnsConfig: { RoutingPolicy: 'WEIGHTED', DnsRecords: [{ Type: 'CNAME', TTL: 10 }, { Type: 'A', TTL: 10 }] } })),
      'InvalidInput', /CNAME record can't be combined/);
    await fails(sd.send(new CreateServiceCommand({ Name: 'nodns', NamespaceId: dnsNs })), 'InvalidInput', /DnsConfig is required/);
    await fails(sd.send(new CreateServiceCommand({ Name: 'bad name!', NamespaceId: dnsNs })), 'InvalidInput', /Name/);
    assert.deepEqual((await sd.send(new ListServicesCommand({ Filters: [{ Name: 'NAMESPACE_ID', Values: [nsId] }] }))).Services!.map((s) => s.Name), ['orders']);

    await fails(sd.send(new DeleteNamespaceCommand({ Id: nsId })), 'ResourceInUse', /Namespace contains services/);
    assert.equal((await sd.send(new GetNamespaceCommand({ Id: nsId }))).Namespace!.ServiceCount, 1);
    await sd.send(new DeleteServiceCommand({ Id: svc.Service!.Id }));
    await sd.send(new DeleteNamespaceCommand({ Id: nsId }));
    await fails(sd.send(new GetServiceCommand({ Id: svc.Service!.Id })), 'ServiceNotFound', /srv-/);
  });
});

describe('tags and durability', () => {
  it('tags namespaces and services by ARN, and keeps every record across a server restart', async () => {
    const op = await sd.send(new CreateHttpNamespaceCommand({ Name: 'tagged', Tags: [{ Key: 'team', Value: 'core' }] }));
    const nsId = (await sd.send(new GetOperationCommand({ OperationId: op.OperationId }))).Operation!.Targets!.NAMESPACE!;
    const nsArn = (await sd.send(new GetNamespaceCommand({ Id: nsId }))).Namespace!.Arn!;
    assert.deepEqual((await sd.send(new ListTagsForResourceCommand({ ResourceARN: nsArn }))).Tags, [{ Key: 'team', Value: 'core' }]);
    await sd.send(new TagResourceCommand({ ResourceARN: nsArn, Tags: [{ Key: 'env', Value: 'dev' }, { Key: 'team', Value: 'edge' }] }));
    await sd.send(new UntagResourceCommand({ ResourceARN: nsArn, TagKeys: ['env'] }));
    assert.deepEqual((await sd.send(new ListTagsForResourceCommand({ ResourceARN: nsArn }))).Tags, [{ Key: 'team', Value: 'edge' }]);
    const tooMany = Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
    const err = await fails(sd.send(new TagResourceCommand({ ResourceARN: nsArn, Tags: tooMany })), 'TooManyTagsException', /maximum number of tags/);
    assert.equal(err.ResourceName, nsArn);
    assert.deepEqual((await sd.send(new ListTagsForResourceCommand({ ResourceARN: nsArn }))).Tags, [{ Key: 'team', Value: 'edge' }]);
    await fails(sd.send(new ListTagsForResourceCommand({ ResourceARN: nsArn.replace(nsId, 'ns-0000000000000000') })), 'ResourceNotFoundException', /ns-0000000000000000/);

    const svc = (await sd.send(new CreateServiceCommand({ Name: 'kept', NamespaceId: nsId, Tags: [{ Key: 'svc', Value: 'yes' }] }))).Service!;
    const reg = await sd.send(new RegisterInstanceCommand({ ServiceId: svc.Id, InstanceId: 'k-1', Attributes: { AWS_INSTANCE_IPV4: '10.2.0.1' } }));

    await server.stop();
    server = await startServerProcess({ dataDir: server.dataDir, env: { WHARF_LOG_LEVEL: 'warn' } });
    sd = client(server);
    assert.equal((await sd.send(new GetServiceCommand({ Id: svc.Id }))).Service!.InstanceCount, 1);
    assert.deepEqual((await sd.send(new ListTagsForResourceCommand({ ResourceARN: svc.Arn }))).Tags, [{ Key: 'svc', Value: 'yes' }]);
    assert.equal((await sd.send(new GetOperationCommand({ OperationId: reg.OperationId }))).Operation!.Type, 'REGISTER_INSTANCE');
    const found = await sd.send(new DiscoverInstancesCommand({ NamespaceName: 'tagged', ServiceName: 'kept' }));
    assert.deepEqual(ids(found.Instances), ['k-1']);
  });
});
