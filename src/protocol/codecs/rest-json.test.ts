/**
 * The restJson1 codec against the real @aws-sdk/client-scheduler's serializers and parsers, talking to a
 * tiny node:http server that routes, decodes and answers with this codec: labels (an ARN with slashes),
 * query members (renamed, numbers, lists), body members with timestamps, and modeled errors with their
 * HTTP status.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CreateScheduleCommand, DeleteScheduleCommand, GetScheduleCommand, ListSchedulesCommand, SchedulerClient, UntagResourceCommand,
} from '@aws-sdk/client-scheduler';
import schedulerModel from '../../model/aws/scheduler.json' with { type: 'json' };
import { ApiError } from '../../model/errors.js';
import type { ServiceModel } from '../service-model.js';
import { RestJsonCodec } from './rest-json.js';
import type { RawRequest } from './codec.js';

const model = schedulerModel as unknown as ServiceModel;
const codec = new RestJsonCodec([{ signingName: 'scheduler', model }]);
let server: Server;
let client: SchedulerClient;
let seen: { operation?: string; input?: Record<string, unknown> } = {};
let reply: (op: string) => unknown = () => ({});

before(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = req.url ?? '/';
      const q = url.indexOf('?');
      const raw: RawRequest = { method: req.method!, path: q < 0 ? url : url.slice(0, q), query: q < 0 ? '' : url.slice(q + 1), headers: req.headers, body: Buffer.concat(chunks) };
      let out;
      try {
        assert.ok(codec.claims(raw), 'a request signed for scheduler is claimed');
        const sel = codec.selectOperation(raw);
        if (!sel) throw new ApiError('UnknownOperationException', 'no route');
        seen = { operation: sel.operation, input: codec.decodeInput(raw, model, sel.operation) };
        const r = reply(sel.operation);
        if (r instanceof ApiError) throw r;
        out = codec.encodeOutput(r, { model, operation: sel.operation, requestId: 'r1' });
      } catch (e) {
        out = codec.encodeError(e as ApiError, { model, operation: seen.operation, requestId: 'r1' });
      }
      res.writeHead(out.status, out.headers);
      res.end(out.body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  client = new SchedulerClient({ endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, region: 'us-east-1', credentials: { accessKeyId: 'AKID', secretAccessKey: 'secret' }, maxAttempts: 1 });
});

after(() => { server.close(); });

test('a request signed for another service is not claimed', () => {
  const raw: RawRequest = { method: 'GET', path: '/schedules', query: '', headers: { authorization: 'AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/ecs/aws4_request, SignedHeaders=host, Signature=x' }, body: new Uint8Array() };
  assert.equal(codec.claims(raw), false);
  assert.deepEqual(codec.pathPrefixes().sort(), ['/schedule-groups', '/schedules', '/tags']);
});

test('query members: renamed (ScheduleGroup), numbers, enums; the output body is parsed back', async () => {
  reply = () => ({ Schedules: [{ Name: 's', Arn: 'arn:aws:scheduler:us-east-1:000000000000:schedule/g/s', CreationDate: new Date(1_700_000_000_000), State: 'ENABLED', Target: { Arn: 'arn:x' } }], NextToken: 'n' });
  const out = await client.send(new ListSchedulesCommand({ GroupName: 'g', MaxResults: 5, State: 'ENABLED', NamePrefix: 'a' }));
  assert.equal(seen.operation, 'ListSchedules');
  assert.deepEqual(seen.input, { GroupName: 'g', MaxResults: 5, State: 'ENABLED', NamePrefix: 'a' });
  assert.equal(out.Schedules![0].CreationDate!.getTime(), 1_700_000_000_000);
  assert.equal(out.NextToken, 'n');
});

test('labels and body: CreateSchedule with dates; GetSchedule and DeleteSchedule with groupName in the query', async () => {
  reply = () => ({ ScheduleArn: 'arn:aws:scheduler:us-east-1:000000000000:schedule/default/n.1' });
  await client.send(new CreateScheduleCommand({
    Name: 'n.1', ScheduleExpression: 'rate(1 hour)', StartDate: new Date('2030-01-01T00:00:00Z'), FlexibleTimeWindow: { Mode: 'OFF' },
    Target: { Arn: 'arn:aws:ecs:us-east-1:000000000000:cluster/c', RoleArn: 'arn:aws:iam::000000000000:role/r', EcsParameters: { TaskDefinitionArn: 'td', Tags: [{ a: 'b' }] } },
  }));
  assert.equal(seen.operation, 'CreateSchedule');
  assert.equal(seen.input!.Name, 'n.1');
  assert.deepEqual(seen.input!.StartDate, new Date('2030-01-01T00:00:00Z'));
  assert.deepEqual((seen.input!.Target as { EcsParameters: unknown }).EcsParameters, { TaskDefinitionArn: 'td', Tags: [{ a: 'b' }] });
  assert.equal(typeof seen.input!.ClientToken, 'string', 'the idempotency token travels in the body');

  reply = () => ({});
  await client.send(new DeleteScheduleCommand({ Name: 'n.1', GroupName: 'g' }));
  assert.equal(seen.operation, 'DeleteSchedule');
  assert.equal(seen.input!.Name, 'n.1');
  assert.equal(seen.input!.GroupName, 'g');
});

test('an ARN label with slashes and a list in the query (UntagResource)', async () => {
  reply = () => ({});
  const arn = 'arn:aws:scheduler:us-east-1:000000000000:schedule-group/g';
  await client.send(new UntagResourceCommand({ ResourceArn: arn, TagKeys: ['a', 'b'] }));
  assert.deepEqual(seen, { operation: 'UntagResource', input: { ResourceArn: arn, TagKeys: ['a', 'b'] } });
});

test('a modeled error: its name, Message and the status its shape names (404)', async () => {
  reply = () => new ApiError('ResourceNotFoundException', 'Schedule s does not exist.');
  await assert.rejects(client.send(new GetScheduleCommand({ Name: 's' })), (e: Error & { $metadata: { httpStatusCode?: number } }) => {
    assert.equal(e.name, 'ResourceNotFoundException');
    assert.equal(e.message, 'Schedule s does not exist.');
    assert.equal(e.$metadata.httpStatusCode, 404);
    return true;
  });
  reply = () => new ApiError('ConflictException', 'Schedule s already exists.');
  await assert.rejects(client.send(new GetScheduleCommand({ Name: 's' })), (e: Error & { $metadata: { httpStatusCode?: number } }) => e.name === 'ConflictException' && e.$metadata.httpStatusCode === 409);
});
