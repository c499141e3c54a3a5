/**
 * CloudWatch Logs API end to end through @aws-sdk/client-cloudwatch-logs (awsJson1_1) and the AWS CLI:
 * groups, streams, PutLogEvents batch rules, GetLogEvents tokens both ways, FilterLogEvents patterns and
 * paging, retention enforced by the server's sweep, tags.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, DeleteLogGroupCommand, DescribeLogGroupsCommand, DescribeLogStreamsCommand,
  FilterLogEventsCommand, GetLogEventsCommand, ListTagsForResourceCommand, PutLogEventsCommand, PutRetentionPolicyCommand, TagResourceCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { startServerProcess, type TestServer } from '../support/server.js';

let server: TestServer;
let logs: CloudWatchLogsClient;
before(async () => {
  server = await startServerProcess({ env: { WHARF_LOGS_RETENTION_MS: '300' } });
  logs = new CloudWatchLogsClient({ endpoint: server.endpoint, region: 'us-east-1', credentials: server.credentials, maxAttempts: 1 });
});
after(async () => { logs?.destroy(); await server?.stop(); server?.cleanup(); });

const fails = (p: Promise<unknown>, name: string, msg?: RegExp) =>
  assert.rejects(p, (e: Error) => { assert.equal(e.name, name, e.message); if (msg) assert.match(e.message, msg); return true; });

test('groups and streams: create, duplicates, describe, order by LastEventTime, tags, delete', async () => {
  await logs.send(new CreateLogGroupCommand({ logGroupName: '/app/one', tags: { team: 'a' } }));
  await fails(logs.send(new CreateLogGroupCommand({ logGroupName: '/app/one' })), 'ResourceAlreadyExistsException');
  await fails(logs.send(new CreateLogGroupCommand({ logGroupName: 'bad name!' })), 'InvalidParameterException');
  await logs.send(new CreateLogStreamCommand({ logGroupName: '/app/one', logStreamName: 's1' }));
  await logs.send(new CreateLogStreamCommand({ logGroupName: '/app/one', logStreamName: 's2' }));
  await fails(logs.send(new CreateLogStreamCommand({ logGroupName: '/nope', logStreamName: 's' })), 'ResourceNotFoundException');
  const now = Date.now();
  await logs.send(new PutLogEventsCommand({ logGroupName: '/app/one', logStreamName: 's2', logEvents: [{ timestamp: now - 1000, message: 'older' }] }));
  await logs.send(new PutLogEventsCommand({ logGroupName: '/app/one', logStreamName: 's1', logEvents: [{ timestamp: now, message: 'newer' }] }));
  const byTime = await logs.send(new DescribeLogStreamsCommand({ logGroupName: '/app/one', orderBy: 'LastEventTime', descending: true }));
  assert.deepEqual(byTime.logStreams!.map((s) => s.logStreamName), ['s1', 's2']);
  assert.equal(byTime.logStreams![0].lastEventTimestamp, now);
  await fails(logs.send(new DescribeLogStreamsCommand({ logGroupName: '/app/one', orderBy: 'LastEventTime', logStreamNamePrefix: 's' })), 'InvalidParameterException');
  const groups = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/app/' }));
  assert.equal(groups.logGroups![0].logGroupName, '/app/one');
  const arn = groups.logGroups![0].logGroupArn!;
  await logs.send(new TagResourceCommand({ resourceArn: arn, tags: { env: 'test' } }));
  assert.deepEqual((await logs.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags, { team: 'a', env: 'test' });
  await logs.send(new DeleteLogGroupCommand({ logGroupName: '/app/one' }));
  await fails(logs.send(new DescribeLogStreamsCommand({ logGroupName: '/app/one' })), 'ResourceNotFoundException');
});

test('PutLogEvents: AWS batch rules and rejected-events info', async () => {
  await logs.send(new CreateLogGroupCommand({ logGroupName: 'rules' }));
  await logs.send(new CreateLogStreamCommand({ logGroupName: 'rules', logStreamName: 's' }));
  const now = Date.now();
  const put = (logEvents: { timestamp: number; message: string }[]) => logs.send(new PutLogEventsCommand({ logGroupName: 'rules', logStreamName: 's', logEvents }));
  await fails(put([{ timestamp: now, message: 'b' }, { timestamp: now - 5, message: 'a' }]), 'InvalidParameterException', /chronological/);
  await fails(put([{ timestamp: now - 25 * 3600_000, message: 'a' }, { timestamp: now, message: 'b' }]), 'InvalidParameterException', /24 hours/);
  await fails(put(Array.from({ length: 5 }, (_, i) => ({ timestamp: now + i, message: 'x'.repeat(300_000) }))), 'InvalidParameterException', /Upload too large/);
  await fails(put(Array.from({ length: 10_001 }, () => ({ timestamp: now, message: 'x' }))), 'InvalidParameterException');
  await fails(put([]), 'InvalidParameterException');
});

test('PutLogEvents rejects too-new events by index and keeps the rest', async () => {
  await logs.send(new CreateLogGroupCommand({ logGroupName: 'rej' }));
  await logs.send(new CreateLogStreamCommand({ logGroupName: 'rej', logStreamName: 's' }));
  const now = Date.now();
  const r = await logs.send(new PutLogEventsCommand({ logGroupName: 'rej', logStreamName: 's', logEvents: [
    { timestamp: now, message: 'ok' }, { timestamp: now + 3 * 3600_000, message: 'too new' },
  ] }));
  assert.deepEqual(r.rejectedLogEventsInfo, { tooNewLogEventStartIndex: 1 });
  const got = await logs.send(new GetLogEventsCommand({ logGroupName: 'rej', logStreamName: 's', startFromHead: true }));
  assert.deepEqual(got.events!.map((e) => e.message), ['ok']);
});

test('GetLogEvents pages forward and backward with tokens; the end returns the same token', async () => {
  await logs.send(new CreateLogGroupCommand({ logGroupName: 'pages' }));
  await logs.send(new CreateLogStreamCommand({ logGroupName: 'pages', logStreamName: 's' }));
  const t0 = Date.now() - 60_000;
  await logs.send(new PutLogEventsCommand({ logGroupName: 'pages', logStreamName: 's', logEvents: Array.from({ length: 25 }, (_, i) => ({ timestamp: t0 + i, message: `m${i}` })) }));
  const seen: string[] = [];
  let token: string | undefined;
  for (;;) {
    const r = await logs.send(new GetLogEventsCommand({ logGroupName: 'pages', logStreamName: 's', startFromHead: true, limit: 10, nextToken: token }));
    seen.push(...r.events!.map((e) => e.message!));
    if (r.nextForwardToken === token) break;
    token = r.nextForwardToken;
  }
  assert.deepEqual(seen, Array.from({ length: 25 }, (_, i) => `m${i}`));
  const tail = await logs.send(new GetLogEventsCommand({ logGroupName: 'pages', logStreamName: 's', limit: 10 }));
  assert.deepEqual(tail.events!.map((e) => e.message), Array.from({ length: 10 }, (_, i) => `m${15 + i}`));
  const back = await logs.send(new GetLogEventsCommand({ logGroupName: 'pages', logStreamName: 's', limit: 10, nextToken: tail.nextBackwardToken }));
  assert.deepEqual(back.events!.map((e) => e.message), Array.from({ length: 10 }, (_, i) => `m${5 + i}`));
});

test('FilterLogEvents: terms, phrases, exclusions, JSON and space-delimited patterns, paging, bad patterns', async () => {
  await logs.send(new CreateLogGroupCommand({ logGroupName: 'filter' }));
  await logs.send(new CreateLogStreamCommand({ logGroupName: 'filter', logStreamName: 'a' }));
  await logs.send(new CreateLogStreamCommand({ logGroupName: 'filter', logStreamName: 'b' }));
  const t0 = Date.now() - 10_000;
  const msgs = ['ERROR disk full', 'INFO started', JSON.stringify({ level: 'error', ms: 250 }), JSON.stringify({ level: 'info', ms: 5 }), '10.0.0.1 GET /x 404 512', 'ERROR Exiting'];
  await logs.send(new PutLogEventsCommand({ logGroupName: 'filter', logStreamName: 'a', logEvents: msgs.slice(0, 3).map((message, i) => ({ timestamp: t0 + i, message })) }));
  await logs.send(new PutLogEventsCommand({ logGroupName: 'filter', logStreamName: 'b', logEvents: msgs.slice(3).map((message, i) => ({ timestamp: t0 + 3 + i, message })) }));
  const f = async (filterPattern: string, extra: object = {}) =>
    (await logs.send(new FilterLogEventsCommand({ logGroupName: 'filter', filterPattern, ...extra }))).events!.map((e) => e.message);
  assert.deepEqual(await f('ERROR'), ['ERROR disk full', 'ERROR Exiting']);
  assert.deepEqual(await f('ERROR -Exiting'), ['ERROR disk full']);
  assert.deepEqual(await f('"disk full"'), ['ERROR disk full']);
  assert.deepEqual(await f('?started ?Exiting'), ['INFO started', 'ERROR Exiting']);
  assert.deepEqual(await f('{ $.level = "error" }'), [msgs[2]]);
  assert.deepEqual(await f('{ $.ms > 100 }'), [msgs[2]]);
  assert.deepEqual(await f('[ip, method, path, status = 4*, bytes > 500]'), [msgs[4]]);
  assert.deepEqual(await f('', { logStreamNames: ['b'] }), msgs.slice(3));
  const all: string[] = [];
  let nextToken: string | undefined;
  do {
    const r = await logs.send(new FilterLogEventsCommand({ logGroupName: 'filter', limit: 2, nextToken }));
    all.push(...r.events!.map((e) => e.message!));
    nextToken = r.nextToken;
  } while (nextToken);
  assert.deepEqual(all, msgs);
  await fails(logs.send(new FilterLogEventsCommand({ logGroupName: 'filter', filterPattern: '{ $.level = ' })), 'InvalidParameterException', /filter pattern/);
  await fails(logs.send(new FilterLogEventsCommand({ logGroupName: 'filter', filterPattern: '"unterminated' })), 'InvalidParameterException');
});

test('retention: PutRetentionPolicy removes older events on the server sweep', async () => {
  await logs.send(new CreateLogGroupCommand({ logGroupName: 'ret' }));
  await logs.send(new CreateLogStreamCommand({ logGroupName: 'ret', logStreamName: 's' }));
  const now = Date.now();
  await logs.send(new PutLogEventsCommand({ logGroupName: 'ret', logStreamName: 's', logEvents: [
    { timestamp: now - 3 * 86_400_000, message: 'three days old' }, { timestamp: now - 3 * 86_400_000 + 1, message: 'also old' },
  ] }));
  await logs.send(new PutLogEventsCommand({ logGroupName: 'ret', logStreamName: 's', logEvents: [{ timestamp: now, message: 'fresh' }] }));
  await fails(logs.send(new PutRetentionPolicyCommand({ logGroupName: 'ret', retentionInDays: 2 })), 'InvalidParameterException', /enum value set/);
  await logs.send(new PutRetentionPolicyCommand({ logGroupName: 'ret', retentionInDays: 1 }));
  const deadline = Date.now() + 10_000;
  let left: string[] = [];
  do {
    await new Promise((r) => setTimeout(r, 300));
    left = (await logs.send(new FilterLogEventsCommand({ logGroupName: 'ret' }))).events!.map((e) => e.message!);
  } while (left.length !== 1 && Date.now() < deadline);
  assert.deepEqual(left, ['fresh']);
  assert.equal((await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: 'ret' }))).logGroups![0].retentionInDays, 1);
  // Now older than the retention: rejected as expired, by index.
  const r = await logs.send(new PutLogEventsCommand({ logGroupName: 'ret', logStreamName: 's', logEvents: [{ timestamp: now - 2 * 86_400_000, message: 'expired' }] }));
  assert.deepEqual(r.rejectedLogEventsInfo, { expiredLogEventEndIndex: 0 });
});

test('the AWS CLI: create, put, get, filter, tail', async () => {
  let r = server.aws(['logs', 'create-log-group', '--log-group-name', 'cli']);
  assert.equal(r.status, 0, r.stderr);
  r = server.aws(['logs', 'create-log-stream', '--log-group-name', 'cli', '--log-stream-name', 's']);
  assert.equal(r.status, 0, r.stderr);
  const now = Date.now();
  r = server.aws(['logs', 'put-log-events', '--log-group-name', 'cli', '--log-stream-name', 's', '--log-events', `timestamp=${now},message=hello-cli`, `timestamp=${now + 1},message=second`]);
  assert.equal(r.status, 0, r.stderr);
  r = server.aws(['logs', 'get-log-events', '--log-group-name', 'cli', '--log-stream-name', 's', '--start-from-head']);
  assert.deepEqual(r.json.events.map((e: { message: string }) => e.message), ['hello-cli', 'second']);
  r = server.aws(['logs', 'filter-log-events', '--log-group-name', 'cli', '--filter-pattern', 'hello']);
  assert.deepEqual(r.json.events.map((e: { message: string }) => e.message), ['hello-cli']);
  r = server.aws(['logs', 'tail', 'cli', '--since', '1h', '--format', 'short']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /hello-cli/);
  assert.match(r.stdout, /second/);
});
