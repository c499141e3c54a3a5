/**
 * The EC2 codec against the real AWS SDK v3 EC2 client's serializers and parsers (the oracle), through a
 * tiny node:http server that decodes and answers with this codec.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AuthorizeSecurityGroupIngressCommand, DescribeSecurityGroupsCommand, DescribeVpcsCommand, EC2Client } from '@aws-sdk/client-ec2';
import ec2Model from '../../model/aws/ec2.json' with { type: 'json' };
import { ApiError } from '../../model/errors.js';
import type { ServiceModel } from '../service-model.js';
import { Ec2QueryCodec } from './ec2-query.js';
import type { RawRequest } from './codec.js';

const model = ec2Model as unknown as ServiceModel;
const codec = new Ec2QueryCodec();
let server: Server;
let client: EC2Client;
let lastInput: Record<string, unknown> | undefined;
let reply: (op: string, input: Record<string, unknown>) => unknown = () => ({});

before(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw: RawRequest = { method: req.method ?? 'POST', path: req.url ?? '/', query: '', headers: req.headers as Record<string, string>, body: Buffer.concat(chunks) };
      assert.ok(codec.claims(raw), 'codec claims the SDK request (credential scope names ec2)');
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
  client = new EC2Client({
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, region: 'us-east-1', maxAttempts: 1,
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
  });
});
after(() => { client.destroy(); server.close(); });

test('decodes EC2-style names and flattened lists (Filter.N.Value.M, VpcId.N)', async () => {
  reply = () => ({ Vpcs: [] });
  await client.send(new DescribeVpcsCommand({ VpcIds: ['vpc-1', 'vpc-2'], Filters: [{ Name: 'is-default', Values: ['true', 'false'] }] }));
  assert.deepEqual(lastInput, { VpcIds: ['vpc-1', 'vpc-2'], Filters: [{ Name: 'is-default', Values: ['true', 'false'] }] });
});

test('nested permissions and integers round-trip; replies parse into the SDK shapes (items, booleans, ints)', async () => {
  reply = () => ({ Return: true, SecurityGroupRules: [{ SecurityGroupRuleId: 'sgr-1', GroupId: 'sg-1', IsEgress: false, IpProtocol: 'tcp', FromPort: 80, ToPort: 81, CidrIpv4: '0.0.0.0/0' }] });
  const out = await client.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: 'sg-1', IpPermissions: [{ IpProtocol: 'tcp', FromPort: 80, ToPort: 81, IpRanges: [{ CidrIp: '0.0.0.0/0' }], UserIdGroupPairs: [{ GroupId: 'sg-2' }] }] }));
  assert.deepEqual(lastInput, { GroupId: 'sg-1', IpPermissions: [{ IpProtocol: 'tcp', FromPort: 80, ToPort: 81, IpRanges: [{ CidrIp: '0.0.0.0/0' }], UserIdGroupPairs: [{ GroupId: 'sg-2' }] }] });
  assert.equal(out.Return, true);
  assert.deepEqual(out.SecurityGroupRules?.[0], { SecurityGroupRuleId: 'sgr-1', GroupId: 'sg-1', IsEgress: false, IpProtocol: 'tcp', FromPort: 80, ToPort: 81, CidrIpv4: '0.0.0.0/0' });
  reply = () => ({ SecurityGroups: [{ GroupId: 'sg-1', GroupName: 'web', IpPermissions: [{ IpProtocol: '-1', IpRanges: [], UserIdGroupPairs: [{ GroupId: 'sg-1', UserId: '000000000000' }] }] }] });
  const d = await client.send(new DescribeSecurityGroupsCommand({}));
  assert.deepEqual(d.SecurityGroups?.[0].IpPermissions?.[0].UserIdGroupPairs, [{ GroupId: 'sg-1', UserId: '000000000000' }]);
});

test("errors use EC2's <Response><Errors> shape, and the SDK reads code and message from it", async () => {
  reply = () => { throw new ApiError('InvalidVpcID.NotFound', "The vpc ID 'vpc-9' does not exist"); };
  await assert.rejects(client.send(new DescribeVpcsCommand({ VpcIds: ['vpc-9'] })), (e: Error & { $metadata?: { httpStatusCode?: number } }) => {
    assert.equal(e.name, 'InvalidVpcID.NotFound');
    assert.equal(e.message, "The vpc ID 'vpc-9' does not exist");
    assert.equal(e.$metadata?.httpStatusCode, 400);
    return true;
  });
  const wire = codec.encodeError(new ApiError('DependencyViolation', 'x'), { requestId: 'r' });
  assert.match(String(wire.body), /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<Response><Errors><Error><Code>DependencyViolation<\/Code><Message>x<\/Message><\/Error><\/Errors><RequestID>r<\/RequestID><\/Response>$/);
});

test('claims only requests signed for ec2', () => {
  const req = (scope: string): RawRequest => ({ method: 'POST', path: '/', query: '', body: new Uint8Array(Buffer.from('Action=DescribeVpcs&Version=2016-11-15')),
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/${scope}/aws4_request, SignedHeaders=host, Signature=x` } });
  assert.equal(codec.claims(req('ec2')), true);
  assert.equal(codec.claims(req('elasticloadbalancing')), false);
});
