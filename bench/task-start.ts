/**
 * Issue 3 benchmark: RunTask → RUNNING latency (p50, p99) and bursts of tasks, against a bare Docker-API
 * create+start of the same image, same network mode and port mapping, through the same runtime socket —
 * in one run.
 *
 *   ours  = RunTask (SDK) until DescribeTasks shows RUNNING (polled every 10 ms): API, placement, durable
 *           commit, dispatcher push, agent, runtime, report back
 *   peer  = POST /containers/create + /start through dockerode until start returns (the floor)
 *
 * Hygiene (bench/support/harness.ts): the sequential starts are pairs in alternating order, one ratio per
 * pair; each burst is sampled --bursts times (≥ 3), alternating which side goes first, and each burst starts
 * from a clean slate: every task of the previous burst STOPPED and no container of either side running.
 *
 * Goals (issue 19): p50 ≤ 1.15× bare (moonshot 1.05×); burst throughput ≥ 0.8× bare (moonshot 0.95×).
 * Run: npm run build && node dist/bench/task-start.js [--n 20] [--burst 50] [--bursts 3] [--short]
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import Docker from 'dockerode';
import { CreateClusterCommand, RegisterTaskDefinitionCommand, RunTaskCommand, DescribeTasksCommand, StopTaskCommand, ListContainerInstancesCommand } from '@aws-sdk/client-ecs';
import { startServerProcess } from '../test/support/server.js';
import { startAgent, removeClusterContainers } from '../test/support/agent-process.js';
import { buildBusyboxImage, loadIntoRuntime } from '../test/support/images.js';
import { discoverEndpoint } from '../src/agent/runtime/docker-api/endpoint.js';
import { benchDir, CouldNotMeasure, fmt, interleaved, numArg, pct, ratio, runBenchmark, waitFor } from './support/harness.js';

const N = Math.max(3, numArg('n', 20, 3));
const BURST = numArg('burst', 50, 5);
const BURSTS = Math.max(3, numArg('bursts', 3));
const cluster = `benchstart-${process.pid}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

runBenchmark('Task start (bench/task-start.ts)', async () => {
  const work = benchDir('start');
  const endpoint = discoverEndpoint(process.env);
  const docker = endpoint.kind === 'unix' ? new Docker({ socketPath: endpoint.socketPath }) : new Docker({ host: endpoint.host, port: endpoint.port, protocol: endpoint.protocol });
  const built = await buildBusyboxImage(join(work, 'img'));
  const image = await loadIntoRuntime(built.layoutDir, 'wharf-bench/busybox:1');
  const label = `wharf.bench=${process.pid}`;

  async function bareOnce(): Promise<number> {
    const t0 = performance.now();
    const c = await docker.createContainer({
      Image: image, Cmd: ['sleep', '600'], Labels: { 'wharf.bench': String(process.pid) },
      ExposedPorts: { '8080/tcp': {} },
      HostConfig: { Memory: 32 * 1024 * 1024, NetworkMode: 'bridge', PortBindings: { '8080/tcp': [{ HostPort: '0' }] } },
    });
    await c.start();
    return performance.now() - t0;
  }
  const bareIds = async (all: boolean) => (await docker.listContainers({ all, filters: { label: [label] } })).map((c) => c.Id);
  async function bareCleanup(): Promise<void> {
    await Promise.all((await bareIds(true)).map((id) => docker.getContainer(id).remove({ force: true, v: true }).catch(() => undefined)));
  }
  const running = async (filter: string) => (await docker.listContainers({ filters: { label: [filter] } })).length;

  const server = await startServerProcess({ dataDir: join(work, 'server'), extraArgs: ['--log-level', 'warn'] });
  const agent = await startAgent(server, { cluster, name: 'bench', cpu: 64 * 1024, memory: 8192, stopTimeout: 1, stateDir: join(work, 'agent') });
  const ecs = server.ecs();
  try {
    await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
    await waitFor('the agent to register', async () => ((await ecs.send(new ListContainerInstancesCommand({ cluster, filter: 'agentConnected == true' }))).containerInstanceArns ?? []).length > 0, 60_000, 100);
    const def = (await ecs.send(new RegisterTaskDefinitionCommand({
      family: 'bench', containerDefinitions: [{ name: 'app', image, memory: 32, command: ['sleep', '600'], portMappings: [{ containerPort: 8080, hostPort: 0 }] }],
    }))).taskDefinition!.taskDefinitionArn!;

    const describe = async (arns: string[]) => {
      const out = [];
      for (let i = 0; i < arns.length; i += 100) out.push(...((await ecs.send(new DescribeTasksCommand({ cluster, tasks: arns.slice(i, i + 100) }))).tasks ?? []));
      return out;
    };
    const waitRunning = async (arns: string[]) => {
      const pending = new Set(arns);
      const deadline = Date.now() + 120_000;
      while (pending.size > 0) {
        for (const t of await describe([...pending])) {
          if (t.lastStatus === 'RUNNING') pending.delete(t.taskArn!);
          else if (t.lastStatus === 'STOPPED') throw new CouldNotMeasure(`task stopped: ${t.stoppedReason} ${JSON.stringify(t.containers)}`);
        }
        if (Date.now() > deadline) throw new CouldNotMeasure(`${pending.size} of ${arns.length} tasks not RUNNING after 120 s`);
        if (pending.size > 0) await sleep(10);
      }
    };
    /** Stops the tasks and waits until each is STOPPED and none of its containers still runs. */
    const stopAll = async (arns: string[]) => {
      await Promise.all(arns.map((a) => ecs.send(new StopTaskCommand({ cluster, task: a }))));
      await waitFor(`${arns.length} tasks to be STOPPED`, async () => (await describe(arns)).every((t) => t.lastStatus === 'STOPPED'), 120_000, 100);
    };
    /** A clean slate: nothing of either side running in the runtime. */
    const clean = async () => {
      await bareCleanup();
      await waitFor('no benchmark container running', async () => (await running(label)) === 0 && (await running(`com.amazonaws.ecs.cluster=${cluster}`)) === 0, 60_000, 100);
    };
    const runOurs = async (count: number) => {
      const calls = await Promise.all(Array.from({ length: Math.ceil(count / 10) }, (_, i) => ecs.send(new RunTaskCommand({ cluster, taskDefinition: def, count: Math.min(10, count - i * 10) }))));
      const arns = calls.flatMap((c) => (c.tasks ?? []).map((t) => t.taskArn!));
      if (arns.length !== count) throw new CouldNotMeasure(`placed ${arns.length} of ${count}: ${JSON.stringify(calls.flatMap((c) => c.failures))}`);
      return arns;
    };

    // Warm-up (first inspect of the image, JIT) on both sides.
    { const a = await runOurs(1); await waitRunning(a); await stopAll(a); await bareOnce(); await clean(); }

    const started: string[] = [];
    const seq = await interleaved(N, {
      wharf: async () => { const t0 = performance.now(); const a = await runOurs(1); await waitRunning(a); started.push(...a); return performance.now() - t0; },
      bare: () => bareOnce(),
    });
    await stopAll(started);
    await clean();

    // Bursts: BURST tasks at once (RunTask count ≤ 10 per call, calls in parallel) vs BURST parallel create+start,
    // each from a clean slate.
    const bursts = await interleaved(BURSTS, {
      wharf: async () => {
        const t0 = performance.now();
        const arns = await runOurs(BURST);
        await waitRunning(arns);
        const ms = performance.now() - t0;
        await stopAll(arns);
        return ms;
      },
      bare: async () => {
        const t0 = performance.now();
        await Promise.all(Array.from({ length: BURST }, () => bareOnce()));
        return performance.now() - t0;
      },
    }, { between: clean });
    await clean();

    const ours = seq.map((r) => r.wharf), bare = seq.map((r) => r.bare);
    console.log(`${N} sequential starts in alternating order, ${BURSTS} bursts of ${BURST}; bridge network, dynamic host port, ${execFileSync('podman', ['--version'], { encoding: 'utf8' }).trim()}`);
    console.log(`  RunTask → RUNNING: p50 ${fmt(pct(ours, 50), 0)} ms, p99 ${fmt(pct(ours, 99), 0)} ms`);
    console.log(`  bare create+start: p50 ${fmt(pct(bare, 50), 0)} ms, p99 ${fmt(pct(bare, 99), 0)} ms`);
    console.log(`  bursts: wharf ${bursts.map((b) => `${fmt(BURST / (b.wharf / 1000), 1)}/s`).join(', ')}; bare ${bursts.map((b) => `${fmt(BURST / (b.bare / 1000), 1)}/s`).join(', ')}`);
    ratio('RunTask → RUNNING / bare create+start, per pair (lower is better)', seq.map((r) => r.wharf / r.bare), { goal: '≤ 1.15 (moonshot 1.05)' });
    ratio(`burst of ${BURST} throughput wharf/bare`, bursts.map((b) => b.bare / b.wharf), { goal: '≥ 0.8 (moonshot 0.95)' });
  } finally {
    await agent.kill('SIGTERM');
    await removeClusterContainers(cluster);
    await bareCleanup().catch(() => {});
    await server.stop();
    server.cleanup();
    agent.cleanup();
    rmSync(work, { recursive: true, force: true });
  }
});
