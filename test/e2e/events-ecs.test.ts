/**
 * ECS events through EventBridge to CloudWatch Logs, end to end: a real server and agent, a real task
 * that exits 1, a rule on "task STOPPED with a container exit code ≠ 0" with a log group target, and
 * the event read back with @aws-sdk/client-cloudwatch-logs. A task that exits 0 stops first and must
 * not be delivered (events go out in commit order, so its event was decided before the failing one's).
 * A second rule on the same pattern has an ECS RunTask target: the failed task's ARN reaches the
 * cleanup task it starts through an InputTransformer (containerOverrides environment).
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateClusterCommand, DescribeTasksCommand, ListContainerInstancesCommand, ListTasksCommand, RegisterTaskDefinitionCommand, RunTaskCommand, type Task } from '@aws-sdk/client-ecs';
import { ECRClient, CreateRepositoryCommand } from '@aws-sdk/client-ecr';
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CloudWatchLogsClient, CreateLogGroupCommand, DescribeLogStreamsCommand, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { CloudWatchClient, GetMetricStatisticsCommand } from '@aws-sdk/client-cloudwatch';
import { startServerProcess, type TestServer } from '../support/server.js';
import { startAgent, removeClusterContainers, type AgentProcess } from '../support/agent-process.js';
import { buildBusyboxImage, pushToRegistry } from '../support/images.js';
import { until as waitUntil } from '../support/wait.js';

const cluster = `events-e2e-${process.pid}`;
const work = mkdtempSync(join(tmpdir(), 'wharf-events-ecs-'));
let server: TestServer;
let agent: AgentProcess;
let image: string;
let eb: EventBridgeClient;
let logs: CloudWatchLogsClient;

/** This file's waits: test/support/wait.ts's `until`, with the timeout and poll step this file uses. */
const until = <T>(what: string, fn: () => Promise<T | false | undefined>, ms = 60_000): Promise<T> => waitUntil(what, fn, ms, 250);

before(async () => {
  server = await startServerProcess({ env: { WHARF_LOG_LEVEL: 'warn' } });
  const cfg = { endpoint: server.endpoint, region: 'us-east-1', credentials: server.credentials, maxAttempts: 1 };
  eb = new EventBridgeClient(cfg);
  logs = new CloudWatchLogsClient(cfg);
  await server.ecs().send(new CreateClusterCommand({ clusterName: cluster }));
  const repo = await new ECRClient(cfg).send(new CreateRepositoryCommand({ repositoryName: 'events-e2e/busybox' }));
  image = `${repo.repository!.repositoryUri}:1`;
  const built = await buildBusyboxImage(join(work, 'img'));
  await pushToRegistry(built.layoutDir, image, { creds: { username: server.credentials.accessKeyId, password: server.credentials.secretAccessKey } });
  agent = await startAgent(server, { cluster, name: 'events-a1', cpu: 1024, memory: 512, stopTimeout: 2 });
  await until('the agent connects', async () => (await server.ecs().send(new ListContainerInstancesCommand({ cluster, filter: 'agentConnected == true' }))).containerInstanceArns?.length === 1, 90_000); // generous: agents start slowly on a loaded 2-core machine
});

after(async () => {
  if (agent) { await agent.kill('SIGKILL'); agent.cleanup(); }
  await removeClusterContainers(cluster);
  await server?.stop();
  server?.cleanup();
  rmSync(work, { recursive: true, force: true });
});

async function runToStop(family: string, exitCode: number): Promise<Task> {
  const ecs = server.ecs();
  await ecs.send(new RegisterTaskDefinitionCommand({ family, containerDefinitions: [{ name: 'main', image, memory: 32, command: ['sh', '-c', `echo bye; exit ${exitCode}`] }] }));
  const arn = (await ecs.send(new RunTaskCommand({ cluster, taskDefinition: family }))).tasks![0].taskArn!;
  return until(`${family} stops`, async () => {
    const t = (await ecs.send(new DescribeTasksCommand({ cluster, tasks: [arn] }))).tasks![0];
    return t.lastStatus === 'STOPPED' ? t : undefined;
  });
}

describe('ECS task state changes through EventBridge', () => {
  it('a task that exits 1 → the rule matches its STOPPED event → the event is in the log group', async () => {
    await logs.send(new CreateLogGroupCommand({ logGroupName: '/aws/events/failed-tasks' }));
    await logs.send(new CreateLogGroupCommand({ logGroupName: '/aws/events/failed-tasks-text' }));
    const pattern = { source: ['aws.ecs'], 'detail-type': ['ECS Task State Change'], detail: { lastStatus: ['STOPPED'], containers: { exitCode: [{ 'anything-but': 0 }] } } };
    await eb.send(new PutRuleCommand({ Name: 'failed-tasks', EventPattern: JSON.stringify(pattern) }));
    const put = await eb.send(new PutTargetsCommand({ Rule: 'failed-tasks', Targets: [
      { Id: 'whole-event', Arn: `arn:aws:logs:us-east-1:000000000000:log-group:/aws/events/failed-tasks` },
      { Id: 'text', Arn: `arn:aws:logs:us-east-1:000000000000:log-group:/aws/events/failed-tasks-text`, InputTransformer: {
        InputPathsMap: { task: '$.detail.taskArn', code: '$.detail.containers[0].exitCode', reason: '$.detail.stoppedReason' },
        InputTemplate: '"<task> stopped (exit <code>): <reason>"',
      } },
    ] }));
    assert.equal(put.FailedEntryCount, 0);
    const cleanupDef = (await server.ecs().send(new RegisterTaskDefinitionCommand({ family: 'cleanup', containerDefinitions: [
      { name: 'main', image, memory: 32, command: ['sh', '-c', 'echo cleaning up after $FAILED_TASK; exit 0'] },
    ] }))).taskDefinition!.taskDefinitionArn!;
    const ruleArn = (await eb.send(new PutRuleCommand({ Name: 'rerun-failed', EventPattern: JSON.stringify(pattern) }))).RuleArn!;
    const clusterArn = `arn:aws:ecs:us-east-1:${ruleArn.split(':')[4]}:cluster/${cluster}`;
    const rerun = await eb.send(new PutTargetsCommand({ Rule: 'rerun-failed', Targets: [{
      Id: 'cleanup', Arn: clusterArn, RoleArn: 'arn:aws:iam::000000000000:role/ecsEventsRole',
      EcsParameters: { TaskDefinitionArn: cleanupDef, TaskCount: 1, LaunchType: 'EC2' },
      InputTransformer: { InputPathsMap: { task: '$.detail.taskArn' }, InputTemplate: '{"containerOverrides":[{"name":"main","environment":[{"name":"FAILED_TASK","value":"<task>"}]}]}' },
    }] }));
    assert.equal(rerun.FailedEntryCount, 0);

    const ok = await runToStop('exits-zero', 0);
    assert.equal(ok.containers![0].exitCode, 0);
    const failed = await runToStop('exits-one', 1);
    assert.equal(failed.containers![0].exitCode, 1);

    const streams = await until('an event in /aws/events/failed-tasks', async () => {
      const s = (await logs.send(new DescribeLogStreamsCommand({ logGroupName: '/aws/events/failed-tasks' }))).logStreams ?? [];
      return s.length > 0 ? s : undefined;
    }, 30_000);
    assert.equal(streams.length, 1, `one event delivered, not the exit-0 task's: ${streams.map((s) => s.logStreamName).join(', ')}`);
    const got = (await logs.send(new GetLogEventsCommand({ logGroupName: '/aws/events/failed-tasks', logStreamName: streams[0].logStreamName! }))).events ?? [];
    assert.equal(got.length, 1);
    const event = JSON.parse(got[0].message!);
    assert.equal(event.id, streams[0].logStreamName, 'the log stream is named by the event id');
    assert.equal(event.source, 'aws.ecs');
    assert.equal(event['detail-type'], 'ECS Task State Change');
    assert.equal(event.version, '0');
    assert.equal(event.region, 'us-east-1');
    assert.match(event.account, /^\d{12}$/);
    assert.match(event.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.deepEqual(event.resources, [failed.taskArn]);
    const d = event.detail;
    assert.equal(d.taskArn, failed.taskArn);
    assert.equal(d.clusterArn, failed.clusterArn);
    assert.equal(d.taskDefinitionArn, failed.taskDefinitionArn);
    assert.equal(d.lastStatus, 'STOPPED');
    assert.equal(d.desiredStatus, 'STOPPED');
    assert.equal(d.stopCode, 'EssentialContainerExited');
    assert.equal(d.stoppedReason, 'Essential container in task exited');
    assert.equal(d.group, 'family:exits-one');
    assert.equal(d.launchType, 'EC2');
    assert.equal(d.version, failed.version);
    assert.equal(d.containers.length, 1);
    assert.equal(d.containers[0].name, 'main');
    assert.equal(d.containers[0].exitCode, 1);
    assert.equal(d.containers[0].lastStatus, 'STOPPED');
    assert.equal(d.containers[0].taskArn, failed.taskArn);
    for (const k of ['createdAt', 'startedAt', 'stoppedAt', 'updatedAt']) assert.match(d[k], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/, k);
    assert.equal(d.stoppedAt, failed.stoppedAt!.toISOString());

    const text = await until('the transformed event in /aws/events/failed-tasks-text', async () => {
      const s = (await logs.send(new DescribeLogStreamsCommand({ logGroupName: '/aws/events/failed-tasks-text' }))).logStreams ?? [];
      if (s.length === 0) return undefined;
      return (await logs.send(new GetLogEventsCommand({ logGroupName: '/aws/events/failed-tasks-text', logStreamName: s[0].logStreamName! }))).events?.[0]?.message;
    }, 30_000);
    assert.equal(text, `"${failed.taskArn} stopped (exit 1): Essential container in task exited"`);

    // The RunTask target: one cleanup task, started by the rule, with the failed task's ARN in its environment.
    const started = await until('the cleanup task the rule started', async () => {
      const arns = (await server.ecs().send(new ListTasksCommand({ cluster, startedBy: 'events-rule/rerun-failed', desiredStatus: 'STOPPED' }))).taskArns ?? [];
      const running = (await server.ecs().send(new ListTasksCommand({ cluster, startedBy: 'events-rule/rerun-failed' }))).taskArns ?? [];
      const all = [...new Set([...arns, ...running])];
      return all.length > 0 ? all : undefined;
    }, 30_000);
    assert.equal(started.length, 1, 'one task: the exit-0 task started none, and a retried delivery starts none twice');
    const cleanup = (await server.ecs().send(new DescribeTasksCommand({ cluster, tasks: started }))).tasks![0];
    assert.equal(cleanup.taskDefinitionArn, cleanupDef);
    assert.equal(cleanup.group, 'family:cleanup');
    assert.equal(cleanup.startedBy, 'events-rule/rerun-failed');
    assert.deepEqual(cleanup.overrides?.containerOverrides?.[0]?.environment, [{ name: 'FAILED_TASK', value: failed.taskArn }]);
    const done = await until('the cleanup task stops', async () => {
      const t = (await server.ecs().send(new DescribeTasksCommand({ cluster, tasks: started }))).tasks![0];
      return t.lastStatus === 'STOPPED' ? t : undefined;
    });
    assert.equal(done.containers![0].exitCode, 0, 'it ran, and its exit 0 does not trigger the rule again');

    // EventBridge's metrics: each rule was triggered and invoked its targets.
    const cw = new CloudWatchClient({ endpoint: server.endpoint, region: 'us-east-1', credentials: server.credentials, maxAttempts: 1 });
    const sum = async (metric: string, rule: string) => ((await cw.send(new GetMetricStatisticsCommand({
      Namespace: 'AWS/Events', MetricName: metric, Dimensions: [{ Name: 'RuleName', Value: rule }], StartTime: new Date(Date.now() - 3_600_000), EndTime: new Date(Date.now() + 60_000),
      Period: 3600, Statistics: ['Sum'],
    }))).Datapoints ?? []).reduce((n, d) => n + (d.Sum ?? 0), 0);
    assert.equal(await sum('TriggeredRules', 'failed-tasks'), 1);
    assert.equal(await sum('Invocations', 'failed-tasks'), 2, 'two targets');
    assert.equal(await sum('Invocations', 'rerun-failed'), 1);
    assert.equal(await sum('FailedInvocations', 'failed-tasks'), 0);
  });
});
