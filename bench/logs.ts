/**
 * Issue 6 benchmark: log lines per second from a container writing as fast as it can, end to end into
 * CloudWatch Logs (runtime log → agent awslogs reader → batches → server → logs.db → FilterLogEvents),
 * against the runtime's own logs endpoint reading the same kind of container (Podman's Docker-compatible
 * GET /containers/{id}/logs?follow=1, demultiplexed and split into lines — exactly the reader the agent
 * uses, so the ratio is the cost of shipping and storing). Goal ≥ 0.8×, zero lines lost.
 *
 *   ours  = N / (time the last line is queryable − time of the container's first line)
 *   peer  = N / (time the last line is read from the runtime − time of the container's first line)
 *
 * Both containers run `seq 1 N` (busybox, a few ms for 200k lines), so the writer is never the limit;
 * "queryable" is polled every 100 ms on the stream's storedBytes, then checked with a full FilterLogEvents
 * read (count, order, no duplicates). Rounds alternate ours/peer.
 *
 * Run: npm run build && node dist/bench/logs.js [--lines 200000] [--rounds 2]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateClusterCommand, DescribeTasksCommand, ListContainerInstancesCommand, RegisterTaskDefinitionCommand, RunTaskCommand, StopTaskCommand } from '@aws-sdk/client-ecs';
import { ECRClient, CreateRepositoryCommand } from '@aws-sdk/client-ecr';
import { CloudWatchLogsClient, DescribeLogStreamsCommand, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { startServerProcess } from '../test/support/server.js';
import { startAgent, removeClusterContainers } from '../test/support/agent-process.js';
import { buildBusyboxImage, pushToRegistry } from '../test/support/images.js';
import { DockerApiDriver } from '../src/agent/runtime/docker-api/docker-api-driver.js';
import { discoverEndpoint } from '../src/agent/runtime/docker-api/endpoint.js';

const args = process.argv.slice(2);
const opt = (name: string, def: number) => { const i = args.indexOf(`--${name}`); return i >= 0 ? Number(args[i + 1]) : def; };
const N = opt('lines', 200_000);
const ROUNDS = opt('rounds', 2);
const cluster = 'bench-logs';
const work = mkdtempSync(join(tmpdir(), 'wharf-bench-logs-'));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const server = await startServerProcess({ env: { WHARF_LOG_LEVEL: 'warn' } });
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
  agent = await startAgent(server, { cluster, name: 'bench', cpu: 2048, memory: 2048, stopTimeout: 1 });
  while (!(await ecs.send(new ListContainerInstancesCommand({ cluster, filter: 'agentConnected == true' }))).containerInstanceArns?.length) await sleep(200);
  const cmd = ['sh', '-c', `seq 1 ${N}; exec sleep 3600`];
  await ecs.send(new RegisterTaskDefinitionCommand({ family: 'ours', containerDefinitions: [{ name: 'w', image, memory: 64, command: cmd,
    logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': '/bench/logs', 'awslogs-stream-prefix': 'b', 'awslogs-create-group': 'true' } } }] }));
  await ecs.send(new RegisterTaskDefinitionCommand({ family: 'peer', containerDefinitions: [{ name: 'w', image, memory: 64, command: cmd }] }));
  const expectedBytes = Array.from({ length: N }, (_, i) => String(i + 1).length + 26).reduce((a, b) => a + b, 0);

  const running = async (family: string) => {
    const t = (await ecs.send(new RunTaskCommand({ cluster, taskDefinition: family }))).tasks![0];
    for (;;) {
      const d = (await ecs.send(new DescribeTasksCommand({ cluster, tasks: [t.taskArn!] }))).tasks![0];
      const id = d.containers?.[0]?.runtimeId;
      if (d.lastStatus === 'RUNNING' && id) return { arn: t.taskArn!, id, taskId: t.taskArn!.split('/').pop()! };
      if (d.lastStatus === 'STOPPED') throw new Error(`task stopped: ${d.stoppedReason}`);
      await sleep(50);
    }
  };
  const firstLineTime = async (id: string) => {
    for await (const l of driver.logs(id, { follow: false })) return l.time.getTime();
    throw new Error('no lines');
  };

  const results: { ours: number[]; peer: number[]; lost: number[] } = { ours: [], peer: [], lost: [] };
  for (let round = 1; round <= ROUNDS; round++) {
    // ours
    const o = await running('ours');
    const stream = `b/w/${o.taskId}`;
    let done = 0;
    for (;;) {
      const s = (await logs.send(new DescribeLogStreamsCommand({ logGroupName: '/bench/logs', logStreamNamePrefix: stream })).catch(() => undefined))?.logStreams?.[0];
      if (s && (s.storedBytes ?? 0) >= expectedBytes) { done = Date.now(); break; }
      await sleep(100);
    }
    const t0 = await firstLineTime(o.id);
    const oursRate = N / ((done - t0) / 1000);
    // verify: every line once, in order
    const seen: string[] = [];
    let nextToken: string | undefined;
    do {
      const r = await logs.send(new FilterLogEventsCommand({ logGroupName: '/bench/logs', logStreamNames: [stream], nextToken }));
      for (const e of r.events!) seen.push(e.message!);
      nextToken = r.nextToken;
    } while (nextToken);
    let lost = 0;
    const set = new Set(seen);
    for (let i = 1; i <= N; i++) if (!set.has(String(i))) lost++;
    const dup = seen.length - set.size;
    if (lost + dup > 0) {
      const missing: number[] = [];
      for (let i = 1; i <= N && missing.length < 10; i++) if (!set.has(String(i))) missing.push(i);
      console.log(`  lost ${lost} (first: ${missing.join(', ')}), duplicated ${dup}, events read ${seen.length}`);
      console.log(`  odd events: ${JSON.stringify(seen.filter((m) => !/^[0-9]+$/.test(m) || Number(m) > N).slice(0, 5))}`);
    }
    results.ours.push(oursRate);
    results.lost.push(lost + dup);
    await ecs.send(new StopTaskCommand({ cluster, task: o.arn }));

    // peer: the runtime's own logs endpoint, following the same kind of container from its first line
    const p = await running('peer');
    let n = 0;
    let last = 0;
    const ac = new AbortController();
    for await (const l of driver.logs(p.id, { follow: true, signal: ac.signal })) {
      if (++n === N) { last = Date.now(); void l; ac.abort(); break; }
    }
    const p0 = await firstLineTime(p.id);
    const peerRate = N / ((last - p0) / 1000);
    results.peer.push(peerRate);
    await ecs.send(new StopTaskCommand({ cluster, task: p.arn }));
    console.log(`round ${round}: ours ${Math.round(oursRate).toLocaleString('en')} lines/s (lost+dup ${lost + dup} of ${N}), peer ${Math.round(peerRate).toLocaleString('en')} lines/s, ratio ${(oursRate / peerRate).toFixed(2)}×`);
  }
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.log(`\nlines/s, median of ${ROUNDS}: wharf awslogs → FilterLogEvents ${Math.round(med(results.ours)).toLocaleString('en')}, ` +
    `runtime logs endpoint ${Math.round(med(results.peer)).toLocaleString('en')}, ratio ${(med(results.ours) / med(results.peer)).toFixed(2)}× (goal ≥ 0.8×), ` +
    `lines lost or duplicated: ${results.lost.reduce((a, b) => a + b, 0)}`);
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
