/**
 * EventBridge's API end to end: a real server, @aws-sdk/client-eventbridge and /usr/bin/aws events.
 *
 *   1. the CLI: put-rule with a pattern, put-targets, list-targets-by-rule, test-event-pattern;
 *      bad patterns and schedules refused with AWS's errors, leaving the rules as they were
 *   2. event buses: default always there, custom ones made, listed, refused while they have rules
 *   3. rules: schedules (rate/cron checked), NamePrefix and paging, enable/disable, delete refused
 *      while the rule has targets
 *   4. targets: FailedEntries for a malformed ARN, the 5-target limit and bad Input changing nothing
 *   5. PutEvents: an EventId per good entry, AWS's ErrorCodes for bad ones; TestEventPattern on an
 *      ECS task state change; tags on rules and buses
 *   6. a rate(1 minute) schedule rule sends a Scheduled Event to its log group target once the
 *      server's clock is moved a minute on (WHARF_TEST_CLOCK_FILE)
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateEventBusCommand, DeleteEventBusCommand, DeleteRuleCommand, DescribeEventBusCommand, DescribeRuleCommand, DisableRuleCommand, EnableRuleCommand,
  EventBridgeClient, ListEventBusesCommand, ListRuleNamesByTargetCommand, ListRulesCommand, ListTagsForResourceCommand, ListTargetsByRuleCommand,
  PutEventsCommand, PutRuleCommand, PutTargetsCommand, RemoveTargetsCommand, TagResourceCommand, TestEventPatternCommand, UntagResourceCommand,
} from '@aws-sdk/client-eventbridge';
import { CloudWatchLogsClient, CreateLogGroupCommand, DescribeLogStreamsCommand, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServerProcess, type TestServer } from '../support/server.js';

let server: TestServer;
let eb: EventBridgeClient;
const work = mkdtempSync(join(tmpdir(), 'wharf-events-api-'));
const clockFile = join(work, 'clock-offset-ms');
let account: string;
const logGroupArn = (name: string) => `arn:aws:logs:us-east-1:${account}:log-group:${name}`;

before(async () => {
  writeFileSync(clockFile, '0');
  server = await startServerProcess({ env: { WHARF_LOG_LEVEL: 'warn', WHARF_TEST_CLOCK_FILE: clockFile } });
  eb = new EventBridgeClient({ endpoint: server.endpoint, region: 'us-east-1', credentials: server.credentials, maxAttempts: 1 });
  const bus = await eb.send(new DescribeEventBusCommand({}));
  account = /^arn:aws:events:us-east-1:(\d{12}):event-bus\/default$/.exec(bus.Arn!)![1];
});

after(async () => {
  await server?.stop();
  server?.cleanup();
  rmSync(work, { recursive: true, force: true });
});

const rejects = (p: Promise<unknown>, name: string, message: string | RegExp) =>
  assert.rejects(p, (e: Error) => {
    assert.equal(e.name, name, e.message);
    if (typeof message === 'string') assert.equal(e.message, message);
    else assert.match(e.message, message);
    return true;
  });

const ecsPattern = { source: ['aws.ecs'], 'detail-type': ['ECS Task State Change'], detail: { lastStatus: ['STOPPED'], containers: { exitCode: [{ 'anything-but': 0 }] } } };
const ecsEvent = (exitCodes: number[]) => ({
  version: '0', id: '3317b2af-7005-947d-b652-f55e762e571a', 'detail-type': 'ECS Task State Change', source: 'aws.ecs', account: '111122223333',
  time: '2020-01-23T17:57:58Z', region: 'us-west-2', resources: ['arn:aws:ecs:us-west-2:111122223333:task/FargateCluster/c13b4cb40f1f4fe4a2971f76ae5a47ad'],
  detail: { lastStatus: 'STOPPED', desiredStatus: 'STOPPED', containers: exitCodes.map((exitCode, i) => ({ name: `c${i}`, exitCode, lastStatus: 'STOPPED' })) },
});

describe('aws events (the CLI)', () => {
  it('put-rule, put-targets, list-targets-by-rule, test-event-pattern', () => {
    const put = server.aws(['events', 'put-rule', '--name', 'cli-failed-tasks', '--event-pattern', JSON.stringify(ecsPattern), '--description', 'tasks that failed']);
    assert.equal(put.status, 0, put.stderr);
    assert.equal(put.json.RuleArn, `arn:aws:events:us-east-1:${account}:rule/cli-failed-tasks`);

    const targets = server.aws(['events', 'put-targets', '--rule', 'cli-failed-tasks', '--targets', JSON.stringify([
      { Id: 'logs', Arn: logGroupArn('/aws/events/failed-tasks') },
      { Id: 'bad', Arn: 'not-an-arn' },
    ])]);
    assert.equal(targets.status, 0, targets.stderr);
    assert.equal(targets.json.FailedEntryCount, 1);
    assert.deepEqual(targets.json.FailedEntries, [{ TargetId: 'bad', ErrorCode: 'ValidationException', ErrorMessage: 'Parameter not-an-arn is not valid. Reason: Provided Arn is not in correct format.' }]);

    const list = server.aws(['events', 'list-targets-by-rule', '--rule', 'cli-failed-tasks']);
    assert.equal(list.status, 0, list.stderr);
    assert.deepEqual(list.json.Targets, [{ Id: 'logs', Arn: logGroupArn('/aws/events/failed-tasks') }]);

    const yes = server.aws(['events', 'test-event-pattern', '--event-pattern', JSON.stringify(ecsPattern), '--event', JSON.stringify(ecsEvent([0, 1]))]);
    assert.equal(yes.status, 0, yes.stderr);
    assert.equal(yes.json.Result, true);
    const no = server.aws(['events', 'test-event-pattern', '--event-pattern', JSON.stringify(ecsPattern), '--event', JSON.stringify(ecsEvent([0, 0]))]);
    assert.equal(no.json.Result, false);
  });

  it('bad patterns and schedules get AWS\'s errors and change nothing', () => {
    const before = server.aws(['events', 'describe-rule', '--name', 'cli-failed-tasks']).json;
    const badPattern = server.aws(['events', 'put-rule', '--name', 'cli-failed-tasks', '--event-pattern', '{"source": "aws.ecs"}']);
    assert.notEqual(badPattern.status, 0);
    assert.match(badPattern.stderr, /InvalidEventPatternException.*Event pattern is not valid\. Reason: "source" must be an object or an array/);
    const badSchedule = server.aws(['events', 'put-rule', '--name', 'cli-failed-tasks', '--schedule-expression', 'rate(1 minutes)']);
    assert.notEqual(badSchedule.status, 0);
    assert.match(badSchedule.stderr, /ValidationException.*Parameter ScheduleExpression is not valid\./);
    const neither = server.aws(['events', 'put-rule', '--name', 'cli-other']);
    assert.match(neither.stderr, /ValidationException.*Parameter\(s\) EventPattern or ScheduleExpression must be specified\./);
    assert.deepEqual(server.aws(['events', 'describe-rule', '--name', 'cli-failed-tasks']).json, before);
    const names = server.aws(['events', 'list-rules']).json.Rules.map((r: { Name: string }) => r.Name);
    assert.deepEqual(names, ['cli-failed-tasks']);
    const badTest = server.aws(['events', 'test-event-pattern', '--event-pattern', '{"detail": {}}', '--event', JSON.stringify(ecsEvent([1]))]);
    assert.match(badTest.stderr, /InvalidEventPatternException.*Empty objects are not allowed/);
  });
});

describe('event buses', () => {
  it('the default bus always exists; custom buses are made, listed, described and deleted', async () => {
    const made = await eb.send(new CreateEventBusCommand({ Name: 'orders', Description: 'order events', Tags: [{ Key: 'team', Value: 'shop' }] }));
    assert.equal(made.EventBusArn, `arn:aws:events:us-east-1:${account}:event-bus/orders`);
    await rejects(eb.send(new CreateEventBusCommand({ Name: 'orders' })), 'ResourceAlreadyExistsException', 'Event bus orders already exists.');
    await rejects(eb.send(new CreateEventBusCommand({ Name: 'default' })), 'ResourceAlreadyExistsException', 'Event bus default already exists.');
    const d = await eb.send(new DescribeEventBusCommand({ Name: made.EventBusArn }));
    assert.equal(d.Name, 'orders');
    assert.equal(d.Description, 'order events');
    assert.ok(d.CreationTime instanceof Date);
    const buses = (await eb.send(new ListEventBusesCommand({}))).EventBuses!.map((b) => b.Name);
    assert.deepEqual(buses, ['default', 'orders']);
    assert.deepEqual((await eb.send(new ListEventBusesCommand({ NamePrefix: 'ord' }))).EventBuses!.map((b) => b.Name), ['orders']);

    await eb.send(new PutRuleCommand({ Name: 'big-orders', EventBusName: 'orders', EventPattern: JSON.stringify({ detail: { total: [{ numeric: ['>=', 100] }] } }) }));
    assert.equal((await eb.send(new DescribeRuleCommand({ Name: 'big-orders', EventBusName: 'orders' }))).Arn, `arn:aws:events:us-east-1:${account}:rule/orders/big-orders`);
    await rejects(eb.send(new DescribeRuleCommand({ Name: 'big-orders' })), 'ResourceNotFoundException', 'Rule big-orders does not exist on EventBus default.');
    await rejects(eb.send(new DeleteEventBusCommand({ Name: 'orders' })), 'ValidationException', "EventBus can't be deleted since it has rules.");
    await rejects(eb.send(new DeleteEventBusCommand({ Name: 'default' })), 'ValidationException', 'Cannot delete event bus default.');
    await rejects(eb.send(new PutRuleCommand({ Name: 'nightly', EventBusName: 'orders', ScheduleExpression: 'rate(1 day)' })),
      'ValidationException', 'ScheduleExpression is supported only on the default event bus.');
    await rejects(eb.send(new PutRuleCommand({ Name: 'x', EventBusName: 'nope', EventPattern: '{"source":["a"]}' })), 'ResourceNotFoundException', 'Event bus nope does not exist.');

    await eb.send(new DeleteRuleCommand({ Name: 'big-orders', EventBusName: 'orders' }));
    await eb.send(new DeleteEventBusCommand({ Name: 'orders' }));
    await rejects(eb.send(new DescribeEventBusCommand({ Name: 'orders' })), 'ResourceNotFoundException', 'Event bus orders does not exist.');
    await eb.send(new DeleteEventBusCommand({ Name: 'orders' })); // deleting again succeeds, as at AWS
  });
});

describe('rules', () => {
  it('schedules: rate() and cron() are checked; at() and malformed ones are refused', async () => {
    for (const ok of ['rate(1 minute)', 'rate(5 minutes)', 'cron(0 3 * * ? *)', 'cron(15 10 ? * MON-FRI *)']) {
      await eb.send(new PutRuleCommand({ Name: 'sched', ScheduleExpression: ok }));
      assert.equal((await eb.send(new DescribeRuleCommand({ Name: 'sched' }))).ScheduleExpression, ok);
    }
    for (const bad of ['rate(1 minutes)', 'rate(5 minute)', 'rate(0 minutes)', 'cron(0 3 * * * *)', 'cron(0 3 * *)', 'at(2030-01-01T00:00:00)', 'every 5 minutes']) {
      await rejects(eb.send(new PutRuleCommand({ Name: 'sched', ScheduleExpression: bad })), 'ValidationException', 'Parameter ScheduleExpression is not valid.');
    }
    assert.equal((await eb.send(new DescribeRuleCommand({ Name: 'sched' }))).ScheduleExpression, 'cron(15 10 ? * MON-FRI *)', 'unchanged by the refused ones');
    await eb.send(new DeleteRuleCommand({ Name: 'sched' }));
  });

  it('ListRules with NamePrefix and paging; DescribeRule; Enable/DisableRule', async () => {
    for (let i = 1; i <= 5; i++) await eb.send(new PutRuleCommand({ Name: `page-${i}`, EventPattern: JSON.stringify({ source: [`app.${i}`] }), State: i === 3 ? 'DISABLED' : undefined }));
    const first = await eb.send(new ListRulesCommand({ NamePrefix: 'page-', Limit: 2 }));
    assert.deepEqual(first.Rules!.map((r) => r.Name), ['page-1', 'page-2']);
    assert.ok(first.NextToken);
    const second = await eb.send(new ListRulesCommand({ NamePrefix: 'page-', Limit: 2, NextToken: first.NextToken }));
    const third = await eb.send(new ListRulesCommand({ NamePrefix: 'page-', Limit: 2, NextToken: second.NextToken }));
    assert.deepEqual([...second.Rules!, ...third.Rules!].map((r) => r.Name), ['page-3', 'page-4', 'page-5']);
    assert.equal(third.NextToken, undefined);
    assert.equal(second.Rules![0].State, 'DISABLED');

    const d = await eb.send(new DescribeRuleCommand({ Name: 'page-2' }));
    assert.deepEqual({ ...d, $metadata: undefined }, {
      $metadata: undefined, Name: 'page-2', Arn: `arn:aws:events:us-east-1:${account}:rule/page-2`, EventPattern: '{"source":["app.2"]}',
      State: 'ENABLED', EventBusName: 'default', CreatedBy: account,
    });
    await eb.send(new DisableRuleCommand({ Name: 'page-2' }));
    assert.equal((await eb.send(new DescribeRuleCommand({ Name: 'page-2' }))).State, 'DISABLED');
    await eb.send(new EnableRuleCommand({ Name: 'page-2' }));
    assert.equal((await eb.send(new DescribeRuleCommand({ Name: 'page-2' }))).State, 'ENABLED');
    await rejects(eb.send(new EnableRuleCommand({ Name: 'page-9' })), 'ResourceNotFoundException', 'Rule page-9 does not exist on EventBus default.');
    for (let i = 1; i <= 5; i++) await eb.send(new DeleteRuleCommand({ Name: `page-${i}` }));
  });

  it('PutRule replaces the definition and keeps the targets', async () => {
    await eb.send(new PutRuleCommand({ Name: 'replace', EventPattern: '{"source":["a"]}', Description: 'first' }));
    await eb.send(new PutTargetsCommand({ Rule: 'replace', Targets: [{ Id: 't', Arn: logGroupArn('replace') }] }));
    await eb.send(new PutRuleCommand({ Name: 'replace', EventPattern: '{"source":["b"]}' }));
    const d = await eb.send(new DescribeRuleCommand({ Name: 'replace' }));
    assert.equal(d.EventPattern, '{"source":["b"]}');
    assert.equal(d.Description, undefined, 'left out → cleared, as AWS documents');
    assert.equal((await eb.send(new ListTargetsByRuleCommand({ Rule: 'replace' }))).Targets!.length, 1);
  });
});

describe('targets', () => {
  it('DeleteRule is refused while the rule has targets; RemoveTargets then DeleteRule', async () => {
    await rejects(eb.send(new DeleteRuleCommand({ Name: 'replace' })), 'ValidationException', "Rule can't be deleted since it has targets.");
    assert.equal((await eb.send(new DescribeRuleCommand({ Name: 'replace' }))).Name, 'replace');
    const removed = await eb.send(new RemoveTargetsCommand({ Rule: 'replace', Ids: ['t'] }));
    assert.equal(removed.FailedEntryCount, 0);
    await eb.send(new DeleteRuleCommand({ Name: 'replace' }));
    await rejects(eb.send(new DescribeRuleCommand({ Name: 'replace' })), 'ResourceNotFoundException', 'Rule replace does not exist on EventBus default.');
  });

  it('at most 5 targets; bad Input; unknown rule — each refused whole, nothing changed', async () => {
    await eb.send(new PutRuleCommand({ Name: 'fan-out', EventPattern: '{"source":["a"]}' }));
    const four = [1, 2, 3, 4].map((i) => ({ Id: `t${i}`, Arn: logGroupArn(`g${i}`) }));
    const put = await eb.send(new PutTargetsCommand({ Rule: 'fan-out', Targets: four }));
    assert.equal(put.FailedEntryCount, 0);
    await rejects(eb.send(new PutTargetsCommand({ Rule: 'fan-out', Targets: [{ Id: 't5', Arn: logGroupArn('g5') }, { Id: 't6', Arn: logGroupArn('g6') }] })),
      'LimitExceededException', /at most 5 targets/);
    await rejects(eb.send(new PutTargetsCommand({ Rule: 'fan-out', Targets: [{ Id: 't1', Arn: logGroupArn('g1'), Input: '{not json' }] })), 'ValidationException', 'Target t1: Input is not valid JSON text.');
    await rejects(eb.send(new PutTargetsCommand({ Rule: 'fan-out', Targets: [{ Id: 't1', Arn: logGroupArn('g1'), Input: '{}', InputPath: '$.detail' }] })),
      'ValidationException', 'Target t1: only one of Input, InputPath and InputTransformer may be set.');
    await rejects(eb.send(new PutTargetsCommand({ Rule: 'nope', Targets: [{ Id: 't1', Arn: logGroupArn('g1') }] })), 'ResourceNotFoundException', 'Rule nope does not exist on EventBus default.');
    const targets = (await eb.send(new ListTargetsByRuleCommand({ Rule: 'fan-out' }))).Targets!;
    assert.deepEqual(targets, four, 'the refused requests changed nothing');

    // Replacing a target by Id keeps its place; InputTransformer is stored as given.
    await eb.send(new PutTargetsCommand({ Rule: 'fan-out', Targets: [{ Id: 't2', Arn: logGroupArn('g2'), InputTransformer: { InputPathsMap: { task: '$.detail.taskArn' }, InputTemplate: '"<task> stopped"' } }] }));
    const after = (await eb.send(new ListTargetsByRuleCommand({ Rule: 'fan-out', Limit: 2 })));
    assert.deepEqual(after.Targets!.map((t) => t.Id), ['t1', 't2']);
    assert.equal(after.Targets![1].InputTransformer?.InputTemplate, '"<task> stopped"');
    assert.ok(after.NextToken);
    assert.deepEqual((await eb.send(new ListRuleNamesByTargetCommand({ TargetArn: logGroupArn('g3') }))).RuleNames, ['fan-out']);
    assert.deepEqual((await eb.send(new ListRuleNamesByTargetCommand({ TargetArn: logGroupArn('elsewhere') }))).RuleNames, []);
  });
});

describe('PutEvents and TestEventPattern', () => {
  it('an EventId per accepted entry; AWS\'s ErrorCodes for the others', async () => {
    const r = await eb.send(new PutEventsCommand({
      Entries: [
        { Source: 'com.example.orders', DetailType: 'Order Placed', Detail: JSON.stringify({ total: 120 }) },
        { DetailType: 'Order Placed', Detail: '{}' },
        { Source: 'com.example.orders', DetailType: 'Order Placed', Detail: '[1,2]' },
        { Source: 'aws.ecs', DetailType: 'ECS Task State Change', Detail: '{}' },
        { Source: 'com.example.orders', DetailType: 'Order Placed', Detail: '{}', EventBusName: 'nope' },
        { Source: 'com.example.orders', DetailType: 'Order Placed', Detail: '{}', Time: new Date('2026-01-01T00:00:00Z') },
      ],
    }));
    assert.equal(r.FailedEntryCount, 4);
    assert.match(r.Entries![0].EventId!, /^[0-9a-f-]{36}$/);
    assert.deepEqual(r.Entries!.slice(1, 5), [
      { ErrorCode: 'InvalidArgument', ErrorMessage: 'Parameter Source is not valid. Reason: Source is a required argument.' },
      { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' },
      { ErrorCode: 'NotAuthorizedForSourceException', ErrorMessage: 'Not authorized for the source.' },
      { ErrorCode: 'ResourceNotFoundException', ErrorMessage: 'Event bus nope does not exist.' },
    ]);
    assert.notEqual(r.Entries![5].EventId, r.Entries![0].EventId);
    await rejects(eb.send(new PutEventsCommand({ Entries: [{ Source: 's', DetailType: 'd', Detail: JSON.stringify({ blob: 'x'.repeat(300 * 1024) }) }] })),
      'ValidationException', 'Total size of the entries in the request is over the limit.');
  });

  it('TestEventPattern: the ECS "stopped with a non-zero exit code" pattern, and a bad event', async () => {
    assert.equal((await eb.send(new TestEventPatternCommand({ EventPattern: JSON.stringify(ecsPattern), Event: JSON.stringify(ecsEvent([0, 137])) }))).Result, true);
    assert.equal((await eb.send(new TestEventPatternCommand({ EventPattern: JSON.stringify(ecsPattern), Event: JSON.stringify(ecsEvent([0])) }))).Result, false);
    const numeric = JSON.stringify({ detail: { containers: { exitCode: [{ numeric: ['>', 0, '<', 128] }] } } });
    assert.equal((await eb.send(new TestEventPatternCommand({ EventPattern: numeric, Event: JSON.stringify(ecsEvent([137])) }))).Result, false);
    await rejects(eb.send(new TestEventPatternCommand({ EventPattern: JSON.stringify(ecsPattern), Event: '{"source":"aws.ecs"}' })), 'ValidationException', /^Parameter Event is not valid\./);
    await rejects(eb.send(new TestEventPatternCommand({ EventPattern: '{"source":[{"numeric":[">","1"]}]}', Event: JSON.stringify(ecsEvent([1])) })),
      'InvalidEventPatternException', 'Event pattern is not valid. Reason: Value of > must be numeric');
  });
});

describe('tags', () => {
  it('on rules and on buses (the default bus too)', async () => {
    const arn = (await eb.send(new PutRuleCommand({ Name: 'tagged', EventPattern: '{"source":["a"]}', Tags: [{ Key: 'env', Value: 'test' }] }))).RuleArn!;
    await eb.send(new TagResourceCommand({ ResourceARN: arn, Tags: [{ Key: 'team', Value: 'ops' }] }));
    assert.deepEqual((await eb.send(new ListTagsForResourceCommand({ ResourceARN: arn }))).Tags, [{ Key: 'env', Value: 'test' }, { Key: 'team', Value: 'ops' }]);
    await eb.send(new UntagResourceCommand({ ResourceARN: arn, TagKeys: ['env'] }));
    assert.deepEqual((await eb.send(new ListTagsForResourceCommand({ ResourceARN: arn }))).Tags, [{ Key: 'team', Value: 'ops' }]);
    await rejects(eb.send(new TagResourceCommand({ ResourceARN: arn, Tags: [{ Key: 'aws:owner', Value: 'x' }] })), 'ValidationException', /reserved/);
    assert.deepEqual((await eb.send(new ListTagsForResourceCommand({ ResourceARN: arn }))).Tags, [{ Key: 'team', Value: 'ops' }]);

    const bus = `arn:aws:events:us-east-1:${account}:event-bus/default`;
    assert.deepEqual((await eb.send(new ListTagsForResourceCommand({ ResourceARN: bus }))).Tags, []);
    await eb.send(new TagResourceCommand({ ResourceARN: bus, Tags: [{ Key: 'k', Value: 'v' }] }));
    assert.deepEqual((await eb.send(new ListTagsForResourceCommand({ ResourceARN: bus }))).Tags, [{ Key: 'k', Value: 'v' }]);
    await rejects(eb.send(new ListTagsForResourceCommand({ ResourceARN: `arn:aws:events:us-east-1:${account}:rule/missing` })), 'ResourceNotFoundException', 'Rule missing does not exist on EventBus default.');
  });
});

describe('schedule rules', () => {
  it('rate(1 minute) sends one Scheduled Event to its target when the clock moves a minute on', async () => {
    const logs = new CloudWatchLogsClient({ endpoint: server.endpoint, region: 'us-east-1', credentials: server.credentials, maxAttempts: 1 });
    await logs.send(new CreateLogGroupCommand({ logGroupName: '/aws/events/tick' }));
    const arn = (await eb.send(new PutRuleCommand({ Name: 'tick', ScheduleExpression: 'rate(1 minute)' }))).RuleArn!;
    await eb.send(new PutTargetsCommand({ Rule: 'tick', Targets: [{ Id: 'logs', Arn: logGroupArn('/aws/events/tick') }] }));
    const streams = async () => (await logs.send(new DescribeLogStreamsCommand({ logGroupName: '/aws/events/tick' }))).logStreams ?? [];
    // The schedule counts from PutRule; the clock moves 61 s on, so one fire time is due.
    writeFileSync(clockFile, String(61_000));
    let found: Awaited<ReturnType<typeof streams>> = [];
    const until = Date.now() + 15_000;
    while (found.length === 0 && Date.now() < until) {
      found = await streams();
      if (found.length === 0) await new Promise((r) => setTimeout(r, 250));
    }
    assert.equal(found.length, 1, 'one Scheduled Event within 15 s of the clock moving on');
    const [e] = (await logs.send(new GetLogEventsCommand({ logGroupName: '/aws/events/tick', logStreamName: found[0].logStreamName! }))).events!;
    const event = JSON.parse(e.message!);
    assert.equal(event['detail-type'], 'Scheduled Event');
    assert.equal(event.source, 'aws.events');
    assert.deepEqual(event.resources, [arn]);
    assert.deepEqual(event.detail, {});
    await eb.send(new RemoveTargetsCommand({ Rule: 'tick', Ids: ['logs'] }));
  });
});
