/**
 * The awsQuery codec against the oracle that matters: the real AWS SDK v3 ELBv2 client's own serializers
 * and parsers, talking to a tiny node:http server that decodes with this codec and answers with it.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  AddTagsCommand, CreateRuleCommand, CreateTargetGroupCommand, DescribeTargetGroupsCommand, DescribeTagsCommand,
  DuplicateTargetGroupNameException, ElasticLoadBalancingV2Client, ModifyTargetGroupAttributesCommand, DescribeLoadBalancersCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import elbv2Model from '../../model/aws/elbv2.json' with { type: 'json' };
import { ApiError } from '../../model/errors.js';
import type { ServiceModel } from '../service-model.js';
import { AwsQueryCodec } from './aws-query.js';
import type { RawRequest } from './codec.js';

const model = elbv2Model as unknown as ServiceModel;
const codec = new AwsQueryCodec();
let server: Server;
let client: ElasticLoadBalancingV2Client;
let lastInput: Record<string, unknown> | undefined;
let lastRaw = '';
let reply: (op: string, input: Record<string, unknown>) => unknown = () => ({});

before(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = req.url ?? '/';
      const q = url.indexOf('?');
      const raw: RawRequest = {
        method: req.method ?? 'POST', path: q < 0 ? url : url.slice(0, q), query: q < 0 ? '' : url.slice(q + 1),
        headers: req.headers as Record<string, string>, body: Buffer.concat(chunks),
      };
      lastRaw = Buffer.concat(chunks).toString('utf8');
      assert.ok(codec.claims(raw), 'codec claims the SDK request');
      const op = codec.selectOperation(raw)!.operation;
      let wire;
      try {
        lastInput = codec.decodeInput(raw, model, op);
        wire = codec.encodeOutput(reply(op, lastInput), { model, operation: op, requestId: 'req-1' });
      } catch (e) {
        wire = codec.encodeError(e as ApiError, { model, operation: op, requestId: 'req-1' });
      }
      res.writeHead(wire.status, wire.headers).end(wire.body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  client = new ElasticLoadBalancingV2Client({
    endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', maxAttempts: 1,
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
  });
});
after(() => { client.destroy(); server.close(); });

test('decodes nested structures, lists, booleans and integers as the SDK serializes them', async () => {
  reply = () => ({ TargetGroups: [] });
  await client.send(new CreateTargetGroupCommand({
    Name: 'tg-a', Protocol: 'HTTP', Port: 8080, VpcId: 'vpc-1', HealthCheckEnabled: false, HealthCheckPath: '/health?x=1&y=2',
    HealthCheckIntervalSeconds: 10, Matcher: { HttpCode: '200-299' }, TargetType: 'ip',
    Tags: [{ Key: 'a', Value: 'b' }, { Key: 'empty', Value: '' }],
  }));
  assert.deepEqual(lastInput, {
    Name: 'tg-a', Protocol: 'HTTP', Port: 8080, VpcId: 'vpc-1', HealthCheckEnabled: false, HealthCheckPath: '/health?x=1&y=2',
    HealthCheckIntervalSeconds: 10, Matcher: { HttpCode: '200-299' }, TargetType: 'ip',
    Tags: [{ Key: 'a', Value: 'b' }, { Key: 'empty', Value: '' }],
  });
  assert.match(lastRaw, /Action=CreateTargetGroup/);
  assert.match(lastRaw, /Version=2015-12-01/);
});

test('decodes deeply nested lists of structures (rule conditions and weighted forward actions)', async () => {
  reply = () => ({ Rules: [] });
  await client.send(new CreateRuleCommand({
    ListenerArn: 'arn:l', Priority: 10,
    Conditions: [
      { Field: 'path-pattern', PathPatternConfig: { Values: ['/api/*', '/v?/*'] } },
      { Field: 'query-string', QueryStringConfig: { Values: [{ Key: 'k', Value: 'v' }, { Value: 'x' }] } },
    ],
    Actions: [{ Type: 'forward', ForwardConfig: { TargetGroups: [{ TargetGroupArn: 'arn:a', Weight: 3 }, { TargetGroupArn: 'arn:b', Weight: 1 }] } }],
  }));
  assert.deepEqual(lastInput, {
    ListenerArn: 'arn:l', Priority: 10,
    Conditions: [
      { Field: 'path-pattern', PathPatternConfig: { Values: ['/api/*', '/v?/*'] } },
      { Field: 'query-string', QueryStringConfig: { Values: [{ Key: 'k', Value: 'v' }, { Value: 'x' }] } },
    ],
    Actions: [{ Type: 'forward', ForwardConfig: { TargetGroups: [{ TargetGroupArn: 'arn:a', Weight: 3 }, { TargetGroupArn: 'arn:b', Weight: 1 }] } }],
  });
});

test('an empty list on the wire decodes as an empty list, an absent one as absent', async () => {
  reply = () => ({});
  await client.send(new ModifyTargetGroupAttributesCommand({ TargetGroupArn: 'arn:t', Attributes: [] }));
  assert.deepEqual(lastInput, { TargetGroupArn: 'arn:t', Attributes: [] });
  await client.send(new DescribeTargetGroupsCommand({}));
  assert.deepEqual(lastInput, {});
});

test('encodes lists as <member>, empty lists, timestamps and nested structures the SDK parses back', async () => {
  const created = new Date('2024-05-06T07:08:09.123Z');
  reply = (op) => op === 'DescribeLoadBalancers' ? {
    LoadBalancers: [{
      LoadBalancerArn: 'arn:aws:elasticloadbalancing:us-east-1:000000000000:loadbalancer/app/web/abc', DNSName: 'web-abc.us-east-1.elb.localhost',
      CreatedTime: created, LoadBalancerName: 'web', Scheme: 'internet-facing', State: { Code: 'active' }, Type: 'application',
      AvailabilityZones: [{ ZoneName: 'us-east-1a', LoadBalancerAddresses: [] }], SecurityGroups: [], IpAddressType: 'ipv4',
    }],
  } : {};
  const out = await client.send(new DescribeLoadBalancersCommand({ Names: ['web', 'a&b<c>'] }));
  assert.deepEqual(lastInput, { Names: ['web', 'a&b<c>'] });
  const lb = out.LoadBalancers![0];
  assert.equal(lb.DNSName, 'web-abc.us-east-1.elb.localhost');
  assert.equal(lb.CreatedTime?.toISOString(), created.toISOString());
  assert.deepEqual(lb.State, { Code: 'active' });
  assert.deepEqual(lb.SecurityGroups, []);
  assert.equal(lb.AvailabilityZones![0].ZoneName, 'us-east-1a');
});

test('escapes XML text and keeps tag values with markup intact', async () => {
  reply = () => ({ TagDescriptions: [{ ResourceArn: 'arn:x', Tags: [{ Key: 'k', Value: '<a href="x">&\'</a>' }] }] });
  const out = await client.send(new DescribeTagsCommand({ ResourceArns: ['arn:x'] }));
  assert.equal(out.TagDescriptions![0].Tags![0].Value, '<a href="x">&\'</a>');
});

test('errors come back as the modeled exception class with code, message and request id', async () => {
  reply = () => { throw new ApiError('DuplicateTargetGroupName', 'A target group with the same name \'tg\' exists'); };
  await assert.rejects(client.send(new AddTagsCommand({ ResourceArns: ['arn:x'], Tags: [{ Key: 'a' }] })), (e: unknown) => {
    assert.ok(e instanceof DuplicateTargetGroupNameException, String(e));
    assert.equal((e as Error).message, 'A target group with the same name \'tg\' exists');
    assert.equal((e as { $metadata: { httpStatusCode: number; requestId: string } }).$metadata.httpStatusCode, 400);
    assert.equal((e as { $metadata: { requestId: string } }).$metadata.requestId, 'req-1');
    return true;
  });
});

test('GET with the parameters in the query string, wrong version, bad scalars', () => {
  const get: RawRequest = { method: 'GET', path: '/', query: 'Action=DescribeTargetGroups&Version=2015-12-01&Names.member.1=a&PageSize=5', headers: {}, body: new Uint8Array() };
  assert.ok(codec.claims(get));
  assert.deepEqual(codec.decodeInput(get, model, 'DescribeTargetGroups'), { Names: ['a'], PageSize: 5 });
  const old: RawRequest = { ...get, query: 'Action=DescribeTargetGroups&Version=2012-06-01' };
  assert.throws(() => codec.decodeInput(old, model, 'DescribeTargetGroups'), /Could not find operation/);
  const bad: RawRequest = { ...get, query: 'Action=DescribeTargetGroups&Version=2015-12-01&PageSize=many' };
  assert.throws(() => codec.decodeInput(bad, model, 'DescribeTargetGroups'), (e: unknown) => (e as ApiError).code === 'InvalidParameterValue');
  const json: RawRequest = { method: 'POST', path: '/', query: '', headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'X.Y' }, body: new Uint8Array() };
  assert.ok(!codec.claims(json));
});

test('error envelope: Sender for client faults, Receiver for server faults, namespace and status', () => {
  const e = codec.encodeError(new ApiError('InternalFailure', 'boom'), { model, operation: 'X', requestId: 'r' });
  assert.equal(e.status, 500);
  assert.equal(e.body, '<ErrorResponse xmlns="http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/"><Error><Type>Receiver</Type><Code>InternalFailure</Code><Message>boom</Message></Error><RequestId>r</RequestId></ErrorResponse>');
  const ok = codec.encodeOutput({}, { model, operation: 'DeleteTargetGroup', requestId: 'r' });
  assert.equal(ok.body, '<DeleteTargetGroupResponse xmlns="http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/"><DeleteTargetGroupResult></DeleteTargetGroupResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></DeleteTargetGroupResponse>');
});
