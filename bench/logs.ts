/**
 * Issue 6 benchmark: log lines per second from a container writing as fast as it can, end to end into
 * CloudWatch Logs (runtime log → agent awslogs reader → batches → server → logs.db → FilterLogEvents),
 * against the runtime's own logs endpoint reading the same kind of container (Podman's Docker-compatible
 * GET /containers/{id}/logs?follow=1, demultiplexed and split into lines — exactly the reader the agent
 * uses, so the ratio is the cost of shipping and storing). Goal ≥ 0.8× (moonshot 0.9×), zero lines lost,
 * zero duplicated, order kept.
 *
 *   ours  = N / (time the last line is queryable − time of the container's first line)
 *   peer  = N / (time the last line is read from the runtime − time of the container's first line)
 *
 * Both containers run `seq 1 N` (busybox, a few ms for 200k lines), so the writer is never the limit;
 * "queryable" is polled every 100 ms on the stream's storedBytes, then checked with a full FilterLogEvents
 * read: every line once, and in order (line i is the number i). Rounds alternate which side goes first
 * (bench/support/harness.ts); a lost, duplicated or reordered line fails the run.
 *
 * Run: npm run build && node dist/bench/logs.js [--lines 200000] [--rounds 3] [--short]
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { CreateClusterCommand, DescribeTasksCommand, ListContainerInstancesCommand, RegisterTaskDefinitionCommand, RunTaskCommand, StopTaskCommand } from '@aws-sdk/client-ecs';
import { ECRClient, CreateRepositoryCommand } from '@aws-sdk/client-ecr';
import { CloudWatchLogsClient, DescribeLogStreamsCommand, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { startServerProcess } from '../test/support/server.js';
import { startAgent, removeClusterContainers } from '../test/support/agent-process.js';
import { buildBusyboxImage, pushToRegistry } from '../test/support/images.js';
import { DockerApiDriver } from '../src/agent/runtime/docker-api/docker-api-driver.js';
import { discoverEndpoint } from '../src/agent/runtime/docker-api/endpoint.js';
import { benchDir, CouldNotMeasure, fmt, interleaved, median, numArg, positive, ratio, roundsArg, runBenchmark, waitFor } from './support/harness.js';

const N = numArg('lines', 200_000, 5_000);
const ROUNDS = roundsArg();
const cluster = `bench-logs-${process.pid}`;

runBenchmark('Logs (bench/logs.ts)', async () => {
  const work = benchDir('logs');
  const server = await startServerProcess({ dataDir: join(work, 'server'), env: { WHARF_LOG_LEVEL: 'warn' } });
  const ecs = server.ecs();
  const logs = new CloudWatchLogsClient({ endpoint: server.endpoint, region: 'us-east-1', credentials: server.credentials });
  const driver = await DockerApiDriver.open({ endpoint: discoverEndpoint(process.env), exitsDir: null });
  let agent: Awaited<ReturnType<typeof startAgent>> | undefined;
  try {
    await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
    const ecr = new ECRClient({ endpoint: server.endpoint, region: 'us-east-1', credentials: server.credentials });
    const repo = await ecr.send(new CreateRepositoryCommand({ repositoryName: 'bench/busybox' }));
    const image = `${repo.repository!.repositoryUri}:1`;
    await pushToRegistry((await buildBusyboxImage(join(work, 'img'))).layoutDir, image, { creds: { username: server.credentials.accessKeyId, password: server.credentials.secretAccessKey } });
    agent = await startAgent(server, { cluster, name: 'bench', cpu: 2048, memory: 2048, stopTimeout: 1, stateDir: join(work, 'agent') });
    await waitFor('the agent to register', async () => !!(await ecs.send(new ListContainerInstancesCommand({ cluster, filter: 'agentConnected == true' }))).containerInstanceArns?.length, 60_000, 200);
    const cmd = ['sh', '-c', `seq 1 ${N}; exec sleep 3600`];
    await ecs.send(new RegisterTaskDefinitionCommand({ family: 'ours', containerDefinitions: [{ name: 'w', image, memory: 64, command: cmd,
      logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': '/bench/logs', 'awslogs-stream-prefix': 'b', 'awslogs-create-group': 'true' } } }] }));
    await ecs.send(new RegisterTaskDefinitionCommand({ family: 'peer', containerDefinitions: [{ name: 'w', image, memory: 64, command: cmd }] }));
    const expectedBytes = Array.from({ length: N }, (_, i) => String(i + 1).length + 26).reduce((a, b) => a + b, 0);

    const running = async (family: string) => {
      const t = (await ecs.send(new RunTaskCommand({ cluster, taskDefinition: family }))).tasks![0]!;
      return waitFor(`the ${family} task to run`, async () => {
        const d = (await ecs.send(new DescribeTasksCommand({ cluster, tasks: [t.taskArn!] }))).tasks![0]!;
        const id = d.containers?.[0]?.runtimeId;
        if (d.lastStatus === 'STOPPED') throw new CouldNotMeasure(`task stopped: ${d.stoppedReason}`);
        return d.lastStatus === 'RUNNING' && id ? { arn: t.taskArn!, id, taskId: t.taskArn!.split('/').pop()! } : undefined;
      }, 120_000, 50);
    };
    const firstLineTime = async (id: string) => {
      for await (const l of driver.logs(id, { follow: false })) return l.time.getTime();
      throw new CouldNotMeasure('the container logged no line');
    };

    const lost: number[] = [];
    const rounds = await interleaved(ROUNDS, {
      wharf: async () => {
        const o = await running('ours');
        const stream = `b/w/${o.taskId}`;
        // A bounded wait: 0.8× the peer at 60,000 lines/s is ~4 s for 200,000 lines; 30 s + 1 ms a line is generous.
        const done = await waitFor(`${N} lines stored in ${stream}`, async () => {
          const s = (await logs.send(new DescribeLogStreamsCommand({ logGroupName: '/bench/logs', logStreamNamePrefix: stream })).catch(() => undefined))?.logStreams?.[0];
          return s && (s.storedBytes ?? 0) >= expectedBytes ? Date.now() : undefined;
        }, 30_000 + N, 100);
        const t0 = await firstLineTime(o.id);
        // Every line once, in order.
        const seen: string[] = [];
        let nextToken: string | undefined;
        do {
          const r = await logs.send(new FilterLogEventsCommand({ logGroupName: '/bench/logs', logStreamNames: [stream], nextToken }));
          for (const e of r.events!) seen.push(e.message!);
          nextToken = r.nextToken;
        } while (nextToken);
        const set = new Set(seen);
        let missing = 0;
        for (let i = 1; i <= N; i++) if (!set.has(String(i))) missing++;
        const dup = seen.length - set.size;
        const outOfOrder = seen.findIndex((m, i) => m !== String(i + 1));
        await ecs.send(new StopTaskCommand({ cluster, task: o.arn }));
        if (missing + dup > 0 || outOfOrder >= 0) {
          throw new CouldNotMeasure(`awslogs lost ${missing}, duplicated ${dup} of ${N} lines` +
            (outOfOrder >= 0 ? `; first line out of order at position ${outOfOrder + 1}: ${JSON.stringify(seen.slice(Math.max(0, outOfOrder - 2), outOfOrder + 3))}` : ''));
        }
        lost.push(0);
        return positive(N / ((done - t0) / 1000), 'awslogs lines/s');
      },
      peer: async () => {
        // The runtime's own logs endpoint, following the same kind of container from its first line.
        const p = await running('peer');
        let n = 0;
        let last = 0;
        const ac = new AbortController();
        const timer = setTimeout(() => ac.abort(), 30_000 + N);
        try {
          for await (const _l of driver.logs(p.id, { follow: true, signal: ac.signal })) {
            if (++n === N) { last = Date.now(); ac.abort(); break; }
          }
        } catch (e) {
          if (n < N) throw new CouldNotMeasure(`the runtime's logs endpoint gave ${n} of ${N} lines: ${String(e)}`);
        } finally { clearTimeout(timer); }
        if (n < N) throw new CouldNotMeasure(`the runtime's logs endpoint gave ${n} of ${N} lines`);
        const p0 = await firstLineTime(p.id);
        await ecs.send(new StopTaskCommand({ cluster, task: p.arn }));
        return positive(N / ((last - p0) / 1000), 'runtime logs lines/s');
      },
    }, { log: (round, r) => console.log(`round ${round + 1}: ours ${Math.round(r.wharf).toLocaleString('en')} lines/s, peer ${Math.round(r.peer).toLocaleString('en')} lines/s, ratio ${fmt(r.wharf / r.peer)}×`) });
    console.log(`lines/s, median of ${ROUNDS} rounds: wharf awslogs → FilterLogEvents ${Math.round(median(rounds.map((r) => r.wharf))).toLocaleString('en')}, ` +
      `runtime logs endpoint ${Math.round(median(rounds.map((r) => r.peer))).toLocaleString('en')}; lines lost, duplicated or out of order: 0 of ${N} × ${lost.length} rounds`);
    ratio(`awslogs end to end / runtime logs endpoint, ${N} lines`, rounds.map((r) => r.wharf / r.peer), { goal: '≥ 0.8 (moonshot 0.9), 0 lost, 0 duplicated, order kept' });
  } finally {
    await agent?.kill('SIGKILL');
    agent?.cleanup();
    await removeClusterContainers(cluster);
    await driver.close();
    logs.destroy();
    await server.stop();
    server.cleanup();
    rmSync(work, { recursive: true, force: true });
  }
});
