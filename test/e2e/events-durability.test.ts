/**
 * No event is lost to a crash between a task's state change and its delivery: the dispatcher writes the
 * "ECS Task State Change" event in the same transaction as the change (docs/events.md). The server is
 * SIGKILLed (WHARF_TEST_FAULT=events:before-delivery) after the task's STOPPED is committed and just
 * before the event reaches its target; after a restart the event is delivered.
 *
 * A scripted agent (test/support/scripted-agent.ts) plays the host: it runs the task and reports it
 * STOPPED with exit code 1, so no container is needed.
 *
 * The same for an EventBridge Scheduler occurrence: the server is killed after the invocation and the
 * schedule's progress were committed and before the RunTask; after the restart the task runs — once.
 */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateClusterCommand, DescribeTasksCommand, ListTasksCommand, RegisterTaskDefinitionCommand, RunTaskCommand } from '@aws-sdk/client-ecs';
import { CreateScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CloudWatchLogsClient, CreateLogGroupCommand, DescribeLogStreamsCommand, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { startServerProcess, type TestServer } from '../support/server.js';
import { ScriptedAgent } from '../support/scripted-agent.js';
import { until as waitUntil } from '../support/wait.js';

const clients = (s: TestServer) => {
  const cfg = { endpoint: s.endpoint, region: 'us-east-1', credentials: s.credentials, maxAttempts: 1 };
  return { eb: new EventBridgeClient(cfg), logs: new CloudWatchLogsClient(cfg) };
};

/** This file's waits: test/support/wait.ts's `until`, with the timeout and poll step this file uses. */
const until = <T>(what: string, fn: () => Promise<T | false | undefined>, ms = 30_000): Promise<T> => waitUntil(what, fn, ms, 200);

describe('ECS events survive a server SIGKILL', () => {
  let server: TestServer | undefined;
  let agent: ScriptedAgent | undefined;
  after(async () => { agent?.close(); if (server) { await server.stop(); server.cleanup(); } });

  it('killed after the task stopped and before delivery → delivered after the restart', async () => {
    server = await startServerProcess({ env: { WHARF_LOG_LEVEL: 'warn', WHARF_TEST_FAULT: 'events:before-delivery' } });
    const { eb, logs } = clients(server);
    const ecs = server.ecs();
    await ecs.send(new CreateClusterCommand({ clusterName: 'dur' }));
    await ecs.send(new RegisterTaskDefinitionCommand({ family: 'crashes', containerDefinitions: [{ name: 'app', image: 'busybox', memory: 64 }] }));
    await logs.send(new CreateLogGroupCommand({ logGroupName: '/aws/events/dur' }));
    const pattern = { source: ['aws.ecs'], detail: { lastStatus: ['STOPPED'], containers: { exitCode: [{ 'anything-but': 0 }] } } };
    const ruleArn = (await eb.send(new PutRuleCommand({ Name: 'dur', EventPattern: JSON.stringify(pattern) }))).RuleArn!;
    const account = ruleArn.split(':')[4];
    await eb.send(new PutTargetsCommand({ Rule: 'dur', Targets: [{ Id: 'logs', Arn: `arn:aws:logs:us-east-1:${account}:log-group:/aws/events/dur` }] }));

    const token = readFileSync(join(server.dataDir, 'join-token'), 'utf8').trim();
    agent = new ScriptedAgent(server.endpoint, 'dur-host', 'dur', { auto: true, behaviour: () => ({ kind: 'exit', exitCode: 1, afterMs: 200 }) });
    await agent.connect(token);
    const taskArn = (await ecs.send(new RunTaskCommand({ cluster: 'dur', taskDefinition: 'crashes' }))).tasks![0].taskArn!;

    // The task stops with exit code 1; the delivery controller takes its event and the fault kills the server.
    const proc = server.process!;
    await until('the server is killed before delivering', async () => proc.exitCode !== null || proc.signalCode !== null);
    assert.equal(proc.signalCode, 'SIGKILL');
    agent.close();

    server = await startServerProcess({ dataDir: server.dataDir, env: { WHARF_LOG_LEVEL: 'warn' } });
    const again = clients(server);
    const task = (await server.ecs().send(new DescribeTasksCommand({ cluster: 'dur', tasks: [taskArn] }))).tasks![0];
    assert.equal(task.lastStatus, 'STOPPED', 'the state change was committed before the kill');
    assert.equal(task.containers![0].exitCode, 1);
    const streams = await until('the event in /aws/events/dur after the restart', async () => {
      const s = (await again.logs.send(new DescribeLogStreamsCommand({ logGroupName: '/aws/events/dur' }))).logStreams ?? [];
      return s.length > 0 ? s : undefined;
    });
    assert.equal(streams.length, 1);
    const [e] = (await again.logs.send(new GetLogEventsCommand({ logGroupName: '/aws/events/dur', logStreamName: streams[0].logStreamName! }))).events!;
    const event = JSON.parse(e.message!);
    assert.deepEqual(event.resources, [taskArn]);
    assert.equal(event.detail.lastStatus, 'STOPPED');
    assert.equal(event.detail.containers[0].exitCode, 1);
    assert.equal(event.detail.stopCode, 'EssentialContainerExited');
  });
});

describe('a Scheduler occurrence survives a server SIGKILL, and runs once', () => {
  let server: TestServer | undefined;
  let agent: ScriptedAgent | undefined;
  after(async () => { agent?.close(); if (server) { await server.stop(); server.cleanup(); } });

  it('killed between the invocation\'s commit and its RunTask → one task after the restart', async () => {
    server = await startServerProcess({ env: { WHARF_LOG_LEVEL: 'warn', WHARF_TEST_FAULT: 'events:before-delivery' } });
    const ecs = server.ecs();
    const clusterArn = (await ecs.send(new CreateClusterCommand({ clusterName: 'sdur' }))).cluster!.clusterArn!;
    const account = clusterArn.split(':')[4];
    await ecs.send(new RegisterTaskDefinitionCommand({ family: 'job', containerDefinitions: [{ name: 'app', image: 'busybox', memory: 64 }] }));
    const token = readFileSync(join(server.dataDir, 'join-token'), 'utf8').trim();
    agent = new ScriptedAgent(server.endpoint, 'sdur-host', 'sdur', { auto: true });
    await agent.connect(token);
    const schedule = (s: TestServer, name: string) => new SchedulerClient({ endpoint: s.endpoint, region: 'us-east-1', credentials: s.credentials, maxAttempts: 1 }).send(new CreateScheduleCommand({
      Name: name, ScheduleExpression: 'rate(1 hour)', FlexibleTimeWindow: { Mode: 'OFF' },
      Target: { Arn: clusterArn, RoleArn: `arn:aws:iam::${account}:role/scheduler`, EcsParameters: { TaskDefinitionArn: 'job' } },
    }));
    // rate() occurs at once; the delivery controller takes the invocation and the fault kills the server.
    await schedule(server, 'hourly');
    const proc = server.process!;
    await until('the server is killed before the RunTask', async () => proc.exitCode !== null || proc.signalCode !== null);
    assert.equal(proc.signalCode, 'SIGKILL');
    agent.close();

    server = await startServerProcess({ dataDir: server.dataDir, env: { WHARF_LOG_LEVEL: 'warn' } });
    agent = new ScriptedAgent(server.endpoint, 'sdur-host', 'sdur', { auto: true });
    await agent.connect(token);
    const tasksOf = async (startedBy: string) => (await server!.ecs().send(new ListTasksCommand({ cluster: 'sdur', startedBy }))).taskArns ?? [];
    await until('the occurrence\'s task after the restart', async () => (await tasksOf('scheduler/default/hourly')).length > 0);
    // A schedule made after the restart runs through the same passes: once its task is there, a second
    // invocation of the first occurrence would have been too.
    await schedule(server, 'later');
    await until('the later schedule\'s task', async () => (await tasksOf('scheduler/default/later')).length > 0);
    assert.equal((await tasksOf('scheduler/default/hourly')).length, 1, 'one occurrence, one task, across the restart');
  });
});
