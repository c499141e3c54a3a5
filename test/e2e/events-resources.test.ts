/**
 * ECS's other events and CloudWatch's alarm events through EventBridge, end to end: a real server, a
 * scripted agent (test/support/scripted-agent.ts) playing the host, rules with log group targets, and the
 * events read back with @aws-sdk/client-cloudwatch-logs.
 *
 *   - the agent registers: "ECS Container Instance State Change" (agentConnected, status, resources, version)
 *   - a service reaches its desired count: "ECS Deployment State Change" IN_PROGRESS then COMPLETED, and
 *     "ECS Service Action" SERVICE_STEADY_STATE (eventType INFO), in that order
 *   - a service whose task cannot be placed: SERVICE_TASK_PLACEMENT_FAILURE (ERROR, reason RESOURCE:MEMORY)
 *   - SetAlarmState: "CloudWatch Alarm State Change" with the previous and the new state
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { CreateClusterCommand, CreateServiceCommand, DescribeTasksCommand, RegisterTaskDefinitionCommand, RunTaskCommand } from '@aws-sdk/client-ecs';
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CloudWatchLogsClient, CreateLogGroupCommand, DescribeLogStreamsCommand, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { CloudWatchClient, PutMetricAlarmCommand, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import { cliEntry, startServerProcess, type TestServer } from '../support/server.js';
import { ScriptedAgent } from '../support/scripted-agent.js';
import { until as waitUntil } from '../support/wait.js';

const until = <T>(what: string, fn: () => Promise<T | false | undefined>, ms = 60_000): Promise<T> => waitUntil(what, fn, ms, 250);

let server: TestServer;
let agent: ScriptedAgent;
let logs: CloudWatchLogsClient;
let account: string;

function wharf(args: string[]): { status: number; stdout: string; stderr: string } {
  const env = { ...process.env };
  delete env.AWS_ACCESS_KEY_ID; delete env.AWS_SECRET_ACCESS_KEY; delete env.WHARF_ENDPOINT;
  const r = spawnSync(process.execPath, [cliEntry, ...args, '--data-dir', server.dataDir, '--endpoint-url', server.endpoint], { encoding: 'utf8', env, timeout: 30_000 });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

interface Ev { id: string; 'detail-type': string; source: string; resources: string[]; time: string; detail: Record<string, any> }

/** Every event delivered to a log group so far, oldest first (one stream per event). */
async function eventsIn(group: string): Promise<Ev[]> {
  const streams = (await logs.send(new DescribeLogStreamsCommand({ logGroupName: group }))).logStreams ?? [];
  const out: { at: number; e: Ev }[] = [];
  for (const s of streams) {
    for (const e of (await logs.send(new GetLogEventsCommand({ logGroupName: group, logStreamName: s.logStreamName! }))).events ?? []) out.push({ at: s.creationTime ?? 0, e: JSON.parse(e.message!) as Ev });
  }
  return out.sort((a, b) => a.at - b.at).map((x) => x.e);
}

before(async () => {
  server = await startServerProcess({ env: { WHARF_LOG_LEVEL: 'warn' } });
  const cfg = { endpoint: server.endpoint, region: 'us-east-1', credentials: server.credentials, maxAttempts: 1 };
  const eb = new EventBridgeClient(cfg);
  logs = new CloudWatchLogsClient(cfg);
  const ruleArn = (await eb.send(new PutRuleCommand({ Name: 'ecs-resources', EventPattern: JSON.stringify({
    source: ['aws.ecs'], 'detail-type': ['ECS Container Instance State Change', 'ECS Service Action', 'ECS Deployment State Change'],
  }) }))).RuleArn!;
  account = ruleArn.split(':')[4];
  await logs.send(new CreateLogGroupCommand({ logGroupName: '/aws/events/ecs' }));
  await eb.send(new PutTargetsCommand({ Rule: 'ecs-resources', Targets: [{ Id: 'logs', Arn: `arn:aws:logs:us-east-1:${account}:log-group:/aws/events/ecs` }] }));
  await eb.send(new PutRuleCommand({ Name: 'alarms', EventPattern: JSON.stringify({ source: ['aws.cloudwatch'], 'detail-type': ['CloudWatch Alarm State Change'] }) }));
  await logs.send(new CreateLogGroupCommand({ logGroupName: '/aws/events/alarms' }));
  await eb.send(new PutTargetsCommand({ Rule: 'alarms', Targets: [{ Id: 'logs', Arn: `arn:aws:logs:us-east-1:${account}:log-group:/aws/events/alarms` }] }));
  // `wharf events` keeps ECS events from its first run on (its rule and log group).
  const first = wharf(['events']);
  assert.equal(first.status, 0, first.stderr);
  assert.match(first.stderr, /rule wharf-ecs-events now keeps ECS events in log group \/wharf\/events/);
  await server.ecs().send(new CreateClusterCommand({ clusterName: 'feed' }));
  agent = new ScriptedAgent(server.endpoint, 'feed-host', 'feed', { auto: true });
  await agent.connect(readFileSync(join(server.dataDir, 'join-token'), 'utf8').trim());
});

after(async () => {
  agent?.close();
  await server?.stop();
  server?.cleanup();
});

describe('ECS resource events and alarm events on the default bus', () => {
  it('a container instance registers → ECS Container Instance State Change', async () => {
    const [e] = await until('the container instance event', async () => {
      const all = (await eventsIn('/aws/events/ecs')).filter((x) => x['detail-type'] === 'ECS Container Instance State Change');
      return all.length > 0 ? all : undefined;
    });
    assert.equal(e.source, 'aws.ecs');
    const d = e.detail;
    assert.match(d.containerInstanceArn, new RegExp(`^arn:aws:ecs:us-east-1:${account}:container-instance/feed/[0-9a-f]+$`));
    assert.deepEqual(e.resources, [d.containerInstanceArn]);
    assert.equal(d.clusterArn, `arn:aws:ecs:us-east-1:${account}:cluster/feed`);
    assert.equal(d.agentConnected, true);
    assert.equal(d.status, 'ACTIVE');
    assert.equal(d.ec2InstanceId, 'feed-host');
    assert.equal(typeof d.version, 'number');
    assert.deepEqual(d.registeredResources.map((r: { name: string }) => r.name), ['CPU', 'MEMORY', 'PORTS', 'PORTS_UDP']);
    assert.deepEqual(d.remainingResources.map((r: { name: string }) => r.name), ['CPU', 'MEMORY', 'PORTS', 'PORTS_UDP']);
    assert.ok(Array.isArray(d.attributes) && d.attributes.length > 0);
    assert.match(d.updatedAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('a service deploys and reaches a steady state → deployment IN_PROGRESS, COMPLETED, then SERVICE_STEADY_STATE', async () => {
    const ecs = server.ecs();
    await ecs.send(new RegisterTaskDefinitionCommand({ family: 'web', containerDefinitions: [{ name: 'app', image: 'busybox', memory: 64 }] }));
    const svc = (await ecs.send(new CreateServiceCommand({ cluster: 'feed', serviceName: 'web', taskDefinition: 'web', desiredCount: 1 }))).service!;
    const deploymentId = svc.deployments![0].id!;
    const events = await until('the steady state event', async () => {
      const all = (await eventsIn('/aws/events/ecs')).filter((x) => x.resources[0] === svc.serviceArn);
      return all.some((x) => x.detail.eventName === 'SERVICE_STEADY_STATE') ? all : undefined;
    });
    // (Their order on the bus is unit-tested in ecs-feed.test.ts: one pass can write all three, and log
    // streams made in the same millisecond do not show it.)
    const byName = (n: string) => events.find((x) => x.detail.eventName === n)!;
    const names = [byName('SERVICE_DEPLOYMENT_IN_PROGRESS'), byName('SERVICE_DEPLOYMENT_COMPLETED'), byName('SERVICE_STEADY_STATE')].filter(Boolean).map((x) => `${x['detail-type']}:${x.detail.eventName}`);
    assert.equal(events.length, 3, JSON.stringify(events.map((x) => x.detail.eventName)));
    assert.deepEqual(names, [
      'ECS Deployment State Change:SERVICE_DEPLOYMENT_IN_PROGRESS',
      'ECS Deployment State Change:SERVICE_DEPLOYMENT_COMPLETED',
      'ECS Service Action:SERVICE_STEADY_STATE',
    ]);
    const [progress, completed, steady] = ['SERVICE_DEPLOYMENT_IN_PROGRESS', 'SERVICE_DEPLOYMENT_COMPLETED', 'SERVICE_STEADY_STATE'].map(byName);
    assert.ok(progress.detail.updatedAt <= completed.detail.updatedAt);
    assert.deepEqual(Object.keys(progress.detail).sort(), ['deploymentId', 'eventName', 'eventType', 'reason', 'updatedAt']);
    assert.equal(progress.detail.eventType, 'INFO');
    assert.equal(progress.detail.deploymentId, deploymentId);
    assert.equal(progress.detail.reason, `ECS deployment ${deploymentId} in progress.`);
    assert.equal(completed.detail.reason, `ECS deployment ${deploymentId} completed.`);
    assert.match(completed.detail.updatedAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.deepEqual(steady.detail, { eventType: 'INFO', eventName: 'SERVICE_STEADY_STATE', clusterArn: `arn:aws:ecs:us-east-1:${account}:cluster/feed`, createdAt: steady.detail.createdAt });
    assert.match(steady.detail.createdAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('a task that fits nowhere → SERVICE_TASK_PLACEMENT_FAILURE (ERROR, RESOURCE:MEMORY)', async () => {
    const ecs = server.ecs();
    await ecs.send(new RegisterTaskDefinitionCommand({ family: 'huge', containerDefinitions: [{ name: 'app', image: 'busybox', memory: 999_999 }] }));
    const svc = (await ecs.send(new CreateServiceCommand({ cluster: 'feed', serviceName: 'huge', taskDefinition: 'huge', desiredCount: 1 }))).service!;
    const e = await until('the placement failure event', async () => (await eventsIn('/aws/events/ecs')).find((x) => x.resources[0] === svc.serviceArn && x.detail.eventName === 'SERVICE_TASK_PLACEMENT_FAILURE'));
    assert.equal(e['detail-type'], 'ECS Service Action');
    assert.equal(e.detail.eventType, 'ERROR');
    assert.equal(e.detail.reason, 'RESOURCE:MEMORY');
    assert.equal(e.detail.clusterArn, `arn:aws:ecs:us-east-1:${account}:cluster/feed`);
  });

  it('Wharf extension: a task tagged wharf:timeout-seconds=2 is stopped once it has run 2 s, with a clear stoppedReason', async () => {
    const ecs = server.ecs();
    await ecs.send(new RegisterTaskDefinitionCommand({ family: 'forever', containerDefinitions: [{ name: 'app', image: 'busybox', memory: 16 }] }));
    const run = await ecs.send(new RunTaskCommand({ cluster: 'feed', taskDefinition: 'forever', tags: [{ key: 'wharf:timeout-seconds', value: '2' }] }));
    assert.deepEqual(run.failures, []);
    const [started] = run.tasks!;
    const [untagged] = (await ecs.send(new RunTaskCommand({ cluster: 'feed', taskDefinition: 'forever' }))).tasks!;
    const t = await until('the timed-out task stops', async () => {
      const x = (await ecs.send(new DescribeTasksCommand({ cluster: 'feed', tasks: [started.taskArn!] }))).tasks![0];
      return x.lastStatus === 'STOPPED' ? x : undefined;
    });
    assert.equal(t.stopCode, 'UserInitiated');
    assert.equal(t.stoppedReason, 'Task timed out after 2 seconds (wharf:timeout-seconds)');
    assert.ok(t.stoppingAt!.getTime() - t.startedAt!.getTime() >= 2000, `ran ${t.stoppingAt!.getTime() - t.startedAt!.getTime()} ms before the stop`);
    const other = (await ecs.send(new DescribeTasksCommand({ cluster: 'feed', tasks: [untagged.taskArn!] }))).tasks![0];
    assert.equal(other.desiredStatus, 'RUNNING', 'a task without the tag runs on');
  });

  it('SetAlarmState → CloudWatch Alarm State Change with the previous and the new state', async () => {
    const cw = new CloudWatchClient({ endpoint: server.endpoint, region: 'us-east-1', credentials: server.credentials, maxAttempts: 1 });
    await cw.send(new PutMetricAlarmCommand({
      AlarmName: 'web-cpu-high', AlarmDescription: 'CPU too high', Namespace: 'AWS/ECS', MetricName: 'CPUUtilization', Dimensions: [{ Name: 'ClusterName', Value: 'feed' }],
      Statistic: 'Average', Period: 60, EvaluationPeriods: 1, Threshold: 80, ComparisonOperator: 'GreaterThanThreshold',
    }));
    await cw.send(new SetAlarmStateCommand({ AlarmName: 'web-cpu-high', StateValue: 'ALARM', StateReason: 'testing the rule' }));
    const events = await until('the alarm event', async () => {
      const all = (await eventsIn('/aws/events/alarms')).filter((x) => x.detail.alarmName === 'web-cpu-high' && x.detail.state.value === 'ALARM');
      return all.length > 0 ? all : undefined;
    });
    assert.equal(events.length, 1);
    const [e] = events;
    assert.equal(e.source, 'aws.cloudwatch');
    assert.deepEqual(e.resources, [`arn:aws:cloudwatch:us-east-1:${account}:alarm:web-cpu-high`]);
    assert.equal(e.detail.state.reason, 'testing the rule');
    assert.match(e.detail.state.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);
    assert.equal(e.detail.previousState.value, 'INSUFFICIENT_DATA');
    assert.equal(e.detail.configuration.description, 'CPU too high');
    assert.deepEqual(e.detail.configuration.metrics, [{ id: 'm1', metricStat: { metric: { namespace: 'AWS/ECS', name: 'CPUUtilization', dimensions: { ClusterName: 'feed' } }, period: 60, stat: 'Average' }, returnData: true }]);
  });

  // Last: `wharf events` runs with spawnSync, which blocks this process — the scripted agent in it then
  // answers no pings and the server drops it, so every test that needs the agent comes before.
  it('wharf events --cluster --service: the service\'s own events, tasks included, as a table or JSON', async () => {
    const json = await until('wharf events shows the steady state', async () => {
      const r = wharf(['events', '--cluster', 'feed', '--service', 'web', '-o', 'json']);
      assert.equal(r.status, 0, r.stderr);
      const out = JSON.parse(r.stdout) as { events: Ev[] };
      return out.events.some((e) => e.detail.eventName === 'SERVICE_STEADY_STATE') && out.events.some((e) => e['detail-type'] === 'ECS Task State Change') ? out : undefined;
    });
    for (const e of json.events) {
      assert.ok(e.resources[0].endsWith('/web') || e.detail.group === 'service:web', `${e['detail-type']} ${e.resources[0]} is web's`);
    }
    assert.ok(!json.events.some((e) => e['detail-type'] === 'ECS Container Instance State Change'), 'instance events are no service\'s');
    const table = wharf(['events', '--cluster', 'feed', '--service', 'web']);
    assert.equal(table.status, 0, table.stderr);
    assert.match(table.stdout, /Service Action\s+web\s+INFO SERVICE_STEADY_STATE/);
    assert.match(table.stdout, /Task\s+[0-9a-f]{32}\s+RUNNING \(desired RUNNING\)/);
    const other = wharf(['events', '--cluster', 'nope', '-o', 'json']);
    assert.deepEqual(JSON.parse(other.stdout).events, []);
  });

});
