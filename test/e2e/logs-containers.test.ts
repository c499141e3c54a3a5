/**
 * Issue 6 end to end with real containers: a real `wharf server`, a real `wharf agent`, Podman, and the
 * AWS CLI/SDK as a user would drive them.
 *   - a container's lines appear in `aws logs tail --follow` and in FilterLogEvents (awslogs driver)
 *   - awslogs-create-group creates the group; the stream is prefix/container/task-id
 *   - SIGKILL of the agent in the middle of a burst: every line arrives exactly once
 *   - a busy service raises its AWS/ECS CPUUtilization; Container Insights metrics appear; /metrics has
 *     per-task series labelled cluster/service/task/container
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import {
  CreateClusterCommand, CreateServiceCommand, ListContainerInstancesCommand, RegisterTaskDefinitionCommand, RunTaskCommand, type Task,
} from '@aws-sdk/client-ecs';
import { ECRClient, CreateRepositoryCommand } from '@aws-sdk/client-ecr';
import { CloudWatchLogsClient, CreateLogGroupCommand, DescribeLogStreamsCommand, FilterLogEventsCommand, type FilteredLogEvent } from '@aws-sdk/client-cloudwatch-logs';
import { CloudWatchClient, GetMetricStatisticsCommand, ListMetricsCommand } from '@aws-sdk/client-cloudwatch';
import { cliEntry, startServerProcess, testEnv, type TestServer } from '../support/server.js';
import { startAgent, type AgentProcess, removeClusterContainers } from '../support/agent-process.js';
import { buildBusyboxImage, pushToRegistry } from '../support/images.js';

const cluster = `logs-${process.pid}`;
let server: TestServer;
let agent: AgentProcess;
let image: string;
let logs: CloudWatchLogsClient;
let cw: CloudWatchClient;
const work = mkdtempSync(join(tmpdir(), 'wharf-logs-e2e-'));

function cliEnv(): NodeJS.ProcessEnv {
  const e = { ...process.env };
  delete e.AWS_ACCESS_KEY_ID;
  delete e.AWS_SECRET_ACCESS_KEY;
  return e;
}

async function until<T>(what: string, f: () => Promise<T | undefined | false>, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function allEvents(group: string, extra: object = {}): Promise<FilteredLogEvent[]> {
  const out: FilteredLogEvent[] = [];
  let nextToken: string | undefined;
  do {
    const r = await logs.send(new FilterLogEventsCommand({ logGroupName: group, nextToken, ...extra }));
    out.push(...r.events!);
    nextToken = r.nextToken;
  } while (nextToken);
  return out;
}

const awslogs = (group: string, extra: Record<string, string> = {}) => ({
  logDriver: 'awslogs' as const, options: { 'awslogs-group': group, 'awslogs-region': 'us-east-1', 'awslogs-stream-prefix': 'ecs', ...extra },
});

async function runTask(family: string): Promise<Task> {
  const r = await server.ecs().send(new RunTaskCommand({ cluster, taskDefinition: family }));
  assert.equal(r.failures?.length ?? 0, 0, JSON.stringify(r.failures));
  return r.tasks![0];
}

before(async () => {
  server = await startServerProcess({ env: { WHARF_LOG_LEVEL: 'warn', WHARF_METRICS_PUBLISH_MS: '3000' } });
  const ecs = server.ecs();
  await ecs.send(new CreateClusterCommand({ clusterName: cluster, settings: [{ name: 'containerInsights', value: 'enabled' }] }));
  const ecr = new ECRClient({ endpoint: server.endpoint, region: 'us-east-1', credentials: server.credentials });
  const repo = await ecr.send(new CreateRepositoryCommand({ repositoryName: 'logs/busybox' }));
  image = `${repo.repository!.repositoryUri}:1`;
  const built = await buildBusyboxImage(join(work, 'img'));
  await pushToRegistry(built.layoutDir, image, { creds: { username: server.credentials.accessKeyId, password: server.credentials.secretAccessKey } });
  process.env.WHARF_AGENT_STATS_MS = '1000';
  agent = await startAgent(server, { cluster, name: 'logs', cpu: 2048, memory: 1024, stopTimeout: 1 });
  await until('agent connected', async () => (await ecs.send(new ListContainerInstancesCommand({ cluster, filter: 'agentConnected == true' }))).containerInstanceArns?.length === 1);
  logs = new CloudWatchLogsClient({ endpoint: server.endpoint, region: 'us-east-1', credentials: server.credentials });
  cw = new CloudWatchClient({ endpoint: server.endpoint, region: 'us-east-1', credentials: server.credentials });
});

after(async () => {
  await agent?.kill('SIGKILL');
  agent?.cleanup();
  await removeClusterContainers(cluster);
  logs?.destroy();
  cw?.destroy();
  await server?.stop();
  server?.cleanup();
  rmSync(work, { recursive: true, force: true });
});

describe('awslogs', () => {
  it("a container's lines appear in `aws logs tail --follow` and FilterLogEvents", async () => {
    await logs.send(new CreateLogGroupCommand({ logGroupName: '/ecs/tail' }));
    const tail = spawn('/usr/bin/aws', ['--endpoint-url', server.endpoint, 'logs', 'tail', '/ecs/tail', '--follow', '--format', 'short'], { env: testEnv(server.credentials) });
    const seen: string[] = [];
    createInterface({ input: tail.stdout! }).on('line', (l) => seen.push(l));
    try {
      await server.ecs().send(new RegisterTaskDefinitionCommand({
        family: 'talker',
        containerDefinitions: [{
          name: 'app', image, memory: 32, logConfiguration: awslogs('/ecs/tail'),
          command: ['sh', '-c', 'sleep 2; i=1; while [ $i -le 50 ]; do echo "hello $i"; i=$((i+1)); done; echo "ERROR something broke" >&2; exec sleep 600'],
        }],
      }));
      const task = await runTask('talker');
      const taskId = task.taskArn!.split('/').pop()!;
      await until('tail --follow shows the last line', async () => seen.some((l) => l.includes('ERROR something broke')), 60_000);
      assert.ok(seen.some((l) => l.endsWith('hello 1')), seen.slice(0, 5).join('\n'));
      const events = await allEvents('/ecs/tail');
      assert.equal(events.length, 51);
      assert.deepEqual(events.slice(0, 50).map((e) => e.message), Array.from({ length: 50 }, (_, i) => `hello ${i + 1}`));
      assert.equal(events[0].logStreamName, `ecs/app/${taskId}`);
      const errors = await allEvents('/ecs/tail', { filterPattern: 'ERROR' });
      assert.deepEqual(errors.map((e) => e.message), ['ERROR something broke']);
      const streams = await logs.send(new DescribeLogStreamsCommand({ logGroupName: '/ecs/tail', orderBy: 'LastEventTime', descending: true }));
      assert.equal(streams.logStreams![0].logStreamName, `ecs/app/${taskId}`);
      // `wharf logs TASK` prints the same lines.
      const out = execFileSync(process.execPath, [cliEntry, 'logs', taskId, '--cluster', cluster, '--data-dir', server.dataDir], { encoding: 'utf8', env: cliEnv() });
      assert.equal(out.trim().split('\n').length, 51, out);
      assert.match(out, /^hello 1$/m);
      assert.match(out, /ERROR something broke/);
    } finally {
      tail.kill();
    }
  });

  it('awslogs-create-group and multiline pattern; SIGKILL of the agent mid-burst loses and duplicates nothing', async () => {
    const N = 3000;
    await server.ecs().send(new RegisterTaskDefinitionCommand({
      family: 'burst',
      containerDefinitions: [{
        name: 'app', image, memory: 32, logConfiguration: awslogs('/ecs/burst', { 'awslogs-create-group': 'true', 'awslogs-multiline-pattern': '^n=' }),
        // Every 100th line has a continuation line that must join its event.
        command: ['sh', '-c', `i=1; while [ $i -le ${N} ]; do echo "n=$i"; if [ $((i % 100)) = 0 ]; then echo "  cont $i"; sleep 0.2; fi; i=$((i+1)); done; exec sleep 600`],
      }],
    }));
    await runTask('burst');
    // Kill the agent while the container is writing, leave it dead for a while, bring it back.
    await until('some lines shipped', async () => (await logs.send(new DescribeLogStreamsCommand({ logGroupName: '/ecs/burst' })).catch(() => undefined))?.logStreams?.[0]?.lastEventTimestamp !== undefined, 30_000);
    await agent.kill('SIGKILL');
    // Deliberate: the outage's length (the container keeps writing meanwhile), not a wait for an event.
    await new Promise((r) => setTimeout(r, 2500));
    await agent.restart();
    const events = await until('all lines shipped', async () => {
      const ev = await allEvents('/ecs/burst');
      return ev.length >= N ? ev : undefined;
    }, 90_000);
    // Deliberate: the test is named "duplicates nothing" — a window in which no late duplicate may arrive.
    await new Promise((r) => setTimeout(r, 1500));
    const final = await allEvents('/ecs/burst');
    assert.equal(final.length, N, `expected ${N} events, got ${final.length}`);
    const msgs = final.map((e) => e.message!);
    for (let i = 1; i <= N; i++) {
      const want = i % 100 === 0 ? `n=${i}\n  cont ${i}` : `n=${i}`;
      if (msgs[i - 1] !== want) assert.fail(`event ${i}: ${JSON.stringify(msgs[i - 1])} != ${JSON.stringify(want)}`);
    }
    assert.equal(events.length >= N, true);
  });
});

describe('metrics', () => {
  it("a busy service raises its AWS/ECS CPUUtilization; Container Insights and /metrics see it", async () => {
    await server.ecs().send(new RegisterTaskDefinitionCommand({
      family: 'busy', cpu: '512', memory: '64',
      containerDefinitions: [{ name: 'spin', image, command: ['sh', '-c', 'while :; do :; done'] }],
    }));
    await server.ecs().send(new CreateServiceCommand({ cluster, serviceName: 'busy', taskDefinition: 'busy', desiredCount: 1 }));
    const dims = [{ Name: 'ClusterName', Value: cluster }, { Name: 'ServiceName', Value: 'busy' }];
    const max = await until('CPUUtilization datapoint above 50 %', async () => {
      const r = await cw.send(new GetMetricStatisticsCommand({
        Namespace: 'AWS/ECS', MetricName: 'CPUUtilization', Dimensions: dims, StartTime: new Date(Date.now() - 600_000), EndTime: new Date(Date.now() + 60_000),
        Period: 60, Statistics: ['Maximum', 'Average'],
      }));
      const m = Math.max(0, ...r.Datapoints!.map((d) => d.Maximum ?? 0));
      return m > 50 ? m : undefined;
    }, 90_000);
    // One busy-looping core against a 512-unit (half a CPU) reservation: about 200 %, never near 0.
    assert.ok(max > 50, `CPUUtilization max ${max}`);
    const mem = await cw.send(new ListMetricsCommand({ Namespace: 'AWS/ECS', MetricName: 'MemoryUtilization', Dimensions: dims }));
    assert.equal(mem.Metrics!.length, 1);
    const ci = await cw.send(new ListMetricsCommand({ Namespace: 'ECS/ContainerInsights', MetricName: 'CpuUtilized', Dimensions: [{ Name: 'ServiceName', Value: 'busy' }] }));
    assert.equal(ci.Metrics!.length, 1);
    const text = await (await fetch(`${server.endpoint}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith('wharf_container_cpu_cores{') && l.includes('service="busy"'));
    assert.ok(line, 'per-task series in /metrics');
    assert.match(line!, new RegExp(`cluster="${cluster}"`));
    assert.match(line!, /container="spin"/);
    assert.match(line!, /task="[0-9a-f]{32}"/);
    // `wharf top` shows the busy task near one full core.
    const top = JSON.parse(execFileSync(process.execPath, [cliEntry, 'top', '--once', '-o', 'json', '--cluster', cluster, '--data-dir', server.dataDir], { encoding: 'utf8', env: cliEnv() })) as { service: string; cores: number }[];
    const busy = top.find((r) => r.service === 'busy');
    assert.ok(busy && busy.cores > 0.3, JSON.stringify(top));
  });
});

