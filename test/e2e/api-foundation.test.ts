/**
 * The signed endpoint end to end: a real `wharf server`, the real AWS CLI and the AWS SDK v3, clusters,
 * and every kind of bad input — each must get the AWS-shaped error a client parses and change nothing.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateClusterCommand, DescribeClustersCommand, ListClustersCommand, DeleteClusterCommand, UpdateClusterSettingsCommand,
  UpdateClusterCommand, ClusterNotFoundException, ECSClient, InvalidParameterException,
} from '@aws-sdk/client-ecs';
import { startServerProcess, type TestServer } from '../support/server.js';
import { signedFetch, ecsTarget } from '../support/signed-fetch.js';

let server: TestServer;
let ecs: ECSClient;

before(async () => {
  server = await startServerProcess();
  ecs = server.ecs();
});
after(async () => {
  await server.stop();
  server.cleanup();
});

async function clusterNames(): Promise<string[]> {
  const out = await ecs.send(new ListClustersCommand({}));
  return (out.clusterArns ?? []).map((a) => a.split('/').pop()!).sort();
}

describe('clusters through the AWS CLI', () => {
  it('create-cluster, describe-clusters (with a MISSING failure), list-clusters, delete-cluster', () => {
    const created = server.aws(['ecs', 'create-cluster', '--cluster-name', 'demo', '--tags', 'key=team,value=core']);
    assert.equal(created.status, 0, created.stderr);
    assert.equal(created.json.cluster.clusterArn, 'arn:aws:ecs:us-east-1:000000000000:cluster/demo');
    assert.equal(created.json.cluster.status, 'ACTIVE');

    const described = server.aws(['ecs', 'describe-clusters', '--clusters', 'nope', 'demo', '--include', 'TAGS', 'SETTINGS']);
    assert.equal(described.status, 0, described.stderr);
    assert.deepEqual(described.json.failures, [{ arn: 'arn:aws:ecs:us-east-1:000000000000:cluster/nope', reason: 'MISSING' }]);
    assert.equal(described.json.clusters[0].clusterName, 'demo');
    assert.deepEqual(described.json.clusters[0].tags, [{ key: 'team', value: 'core' }]);
    assert.deepEqual(described.json.clusters[0].settings, [{ name: 'containerInsights', value: 'disabled' }]);

    const listed = server.aws(['ecs', 'list-clusters']);
    assert.ok(listed.json.clusterArns.includes('arn:aws:ecs:us-east-1:000000000000:cluster/demo'));

    const settings = server.aws(['ecs', 'update-cluster-settings', '--cluster', 'demo', '--settings', 'name=containerInsights,value=enabled']);
    assert.equal(settings.status, 0, settings.stderr);
    assert.deepEqual(settings.json.cluster.settings, [{ name: 'containerInsights', value: 'enabled' }]);

    const deleted = server.aws(['ecs', 'delete-cluster', '--cluster', 'demo']);
    assert.equal(deleted.status, 0, deleted.stderr);
    assert.equal(deleted.json.cluster.status, 'INACTIVE');
    const again = server.aws(['ecs', 'delete-cluster', '--cluster', 'demo']);
    assert.notEqual(again.status, 0);
    assert.match(again.stderr, /ClusterNotFoundException/);
  });

  it('the AWS CLI paginates list-clusters across pages', () => {
    for (let i = 0; i < 7; i++) assert.equal(server.aws(['ecs', 'create-cluster', '--cluster-name', `page-${i}`]).status, 0);
    const all = server.aws(['ecs', 'list-clusters', '--page-size', '2']);
    const names = all.json.clusterArns.map((a: string) => a.split('/').pop()).filter((n: string) => n.startsWith('page-'));
    assert.deepEqual(names, ['page-0', 'page-1', 'page-2', 'page-3', 'page-4', 'page-5', 'page-6']);
    const first = server.aws(['ecs', 'list-clusters', '--max-items', '3']);
    assert.equal(first.json.clusterArns.length, 3);
    assert.ok(first.json.NextToken);
  });
});

describe('clusters through the AWS SDK v3', () => {
  it('creates idempotently, describes by name or ARN, updates, deletes', async () => {
    const a = await ecs.send(new CreateClusterCommand({ clusterName: 'sdk', settings: [{ name: 'containerInsights', value: 'enabled' }] }));
    const b = await ecs.send(new CreateClusterCommand({ clusterName: 'sdk' }));
    assert.equal(b.cluster?.clusterArn, a.cluster?.clusterArn);
    assert.deepEqual(b.cluster?.settings, [{ name: 'containerInsights', value: 'enabled' }], 'creating an ACTIVE cluster again returns it unchanged');
    const byArn = await ecs.send(new DescribeClustersCommand({ clusters: [a.cluster!.clusterArn!], include: ['STATISTICS'] }));
    assert.equal(byArn.clusters?.[0].clusterName, 'sdk');
    assert.ok(byArn.clusters?.[0].statistics?.some((s) => s.name === 'runningEC2TasksCount'));
    const upd = await ecs.send(new UpdateClusterCommand({ cluster: 'sdk', configuration: { executeCommandConfiguration: { logging: 'DEFAULT' } } }));
    assert.equal(upd.cluster?.configuration?.executeCommandConfiguration?.logging, 'DEFAULT');
    const del = await ecs.send(new DeleteClusterCommand({ cluster: a.cluster!.clusterArn! }));
    assert.equal(del.cluster?.status, 'INACTIVE');
    const after = await ecs.send(new DescribeClustersCommand({ clusters: ['sdk'] }));
    assert.equal(after.clusters?.[0].status, 'INACTIVE', 'a deleted cluster stays describable as INACTIVE');
    // ECS keeps listing an INACTIVE cluster for as long as it is still describable (ListClusters returns
    // its ARN); DescribeClusters says INACTIVE.
    assert.ok((await clusterNames()).includes('sdk'), 'an INACTIVE cluster is still listed while describable, as ECS lists it');
  });

  it('returns ECS exception types the SDK maps to classes', async () => {
    await assert.rejects(ecs.send(new UpdateClusterSettingsCommand({ cluster: 'missing', settings: [{ name: 'containerInsights', value: 'enabled' }] })), ClusterNotFoundException);
    await assert.rejects(ecs.send(new CreateClusterCommand({ clusterName: 'bad name!' })), InvalidParameterException);
    await assert.rejects(ecs.send(new UpdateClusterSettingsCommand({ cluster: 'default', settings: [] })), (e: Error) => e.name === 'ClusterNotFoundException' || e.name === 'InvalidParameterException');
    await ecs.send(new CreateClusterCommand({ clusterName: 'settings' }));
    await assert.rejects(ecs.send(new UpdateClusterSettingsCommand({ cluster: 'settings', settings: [{ name: 'containerInsights', value: 'sometimes' }] })), InvalidParameterException);
  });

  it('a wrong secret or unknown key is refused with AWS error names', async () => {
    const wrongSecret = new ECSClient({ endpoint: server.endpoint, region: 'us-east-1', credentials: { ...server.credentials, secretAccessKey: 'x'.repeat(40) }, maxAttempts: 1 });
    await assert.rejects(wrongSecret.send(new ListClustersCommand({})), (e: Error) => e.name === 'InvalidSignatureException');
    const unknown = new ECSClient({ endpoint: server.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'AKIAUNKNOWNUNKNOWN00', secretAccessKey: 'x'.repeat(40) }, maxAttempts: 1 });
    await assert.rejects(unknown.send(new ListClustersCommand({})), (e: Error) => e.name === 'UnrecognizedClientException');
  });
});

describe('bad input gets an AWS-shaped error and changes nothing', () => {
  const call = (op: string, body: string | Buffer, extra: Partial<Parameters<typeof signedFetch>[2]> = {}) =>
    signedFetch(server.endpoint, server.credentials, { headers: ecsTarget(op), body, ...extra });

  async function expectError(p: Promise<{ status: number; json: any; headers: Headers }>, status: number, type: string, message?: RegExp) {
    const before = await clusterNames();
    const r = await p;
    assert.equal(r.status, status, JSON.stringify(r.json));
    assert.equal(r.json?.__type, type, JSON.stringify(r.json));
    assert.equal(r.headers.get('x-amzn-errortype'), type);
    assert.ok(r.headers.get('x-amzn-requestid'), 'every reply carries x-amzn-RequestId');
    assert.equal(typeof r.json.message, 'string');
    if (message) assert.match(r.json.message, message);
    assert.deepEqual(await clusterNames(), before, 'the store is unchanged');
  }

  it('malformed JSON', () => expectError(call('CreateCluster', '{"clusterName": "x",'), 400, 'SerializationException'));
  it('a JSON body that is not an object', () => expectError(call('CreateCluster', '["x"]'), 400, 'SerializationException'));
  it('a wrong member type', () => expectError(call('CreateCluster', '{"clusterName": 42}'), 400, 'SerializationException', /clusterName/));
  it('a wrong nested type', () => expectError(call('CreateCluster', '{"clusterName": "t", "tags": [{"key": 1}]}'), 400, 'SerializationException'));
  it('a missing required member', () => expectError(call('UpdateClusterSettings', '{"settings": []}'), 400, 'InvalidParameterException', /Value null at 'cluster' failed to satisfy constraint: Member must not be null/));
  it('a value outside its enum', () => expectError(call('CreateCluster', '{"clusterName": "e", "settings": [{"name": "bogus", "value": "x"}]}'), 400, 'InvalidParameterException', /enum value set/));
  it('a value out of range', () => expectError(call('ListClusters', '{"maxResults": 1000}'), 400, 'InvalidParameterException'));
  it('an unknown operation', () => expectError(call('LaunchRockets', '{}'), 400, 'UnknownOperationException'));
  it('an operation of another service under the ECS target', () => expectError(signedFetch(server.endpoint, server.credentials, { headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'Logs_20140328.CreateLogGroup' }, body: '{}' }), 400, 'UnknownOperationException'));
  it('a wrong content type', () => expectError(call('CreateCluster', '{"clusterName":"ct"}', { headers: { 'content-type': 'text/plain', 'x-amz-target': 'AmazonEC2ContainerServiceV20141113.CreateCluster' } }), 415, 'UnsupportedMediaTypeException'));
  it('an oversized body (413)', () => expectError(call('CreateCluster', JSON.stringify({ clusterName: 'big', pad: 'x'.repeat(11 * 1024 * 1024) })), 413, 'RequestEntityTooLargeException'));
  it('an unsigned request', () => expectError(call('CreateCluster', '{"clusterName":"u"}', { unsigned: true }), 403, 'MissingAuthenticationTokenException'));
  it('a tampered body', () => expectError(call('CreateCluster', '{"clusterName":"t1"}', { tamper: (r) => { r.body = '{"clusterName":"t2"}'; } }), 403, 'InvalidSignatureException'));
  it('a swapped operation under a valid signature', () => expectError(call('ListClusters', '{"clusterName":"t3"}', { tamper: (r) => { r.headers['x-amz-target'] = 'AmazonEC2ContainerServiceV20141113.CreateCluster'; } }), 403, 'InvalidSignatureException'));
  it('an expired date', () => expectError(call('CreateCluster', '{"clusterName":"old"}', { date: new Date(Date.now() - 20 * 60_000) }), 403, 'InvalidSignatureException', /Signature expired/));
  it('a future date', () => expectError(call('CreateCluster', '{"clusterName":"future"}', { date: new Date(Date.now() + 20 * 60_000) }), 403, 'InvalidSignatureException', /not yet current/));
  it('a truncated Authorization header', () => expectError(call('CreateCluster', '{"clusterName":"trunc"}', { tamper: (r) => { r.headers.authorization = r.headers.authorization.split(', Signature=')[0]; } }), 403, 'IncompleteSignatureException'));
  it('a service the endpoint does not serve', () => expectError(call('CreateCluster', '{"clusterName":"svc"}', { service: 'rockets' }), 400, 'UnknownOperationException'));

  it('the server survives a burst of garbage', async () => {
    const junk = ['', '{', 'null', '"str"', '[]', '{"clusterName":{"a":1}}', Buffer.from([0xff, 0xfe, 0x00, 0x01]).toString('latin1'), '{"clusterName":"' + '\u0000'.repeat(10) + '"}'];
    for (const j of junk) {
      const r = await call('CreateCluster', j);
      assert.ok(r.status === 400 || r.status === 200, `status ${r.status} for ${JSON.stringify(j)}`);
    }
    const ok = await ecs.send(new ListClustersCommand({}));
    assert.ok(Array.isArray(ok.clusterArns));
  });
});
