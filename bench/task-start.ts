/**
 * Issue 3 benchmark: RunTask → RUNNING latency (p50, p99) and a burst of 50 tasks, against a bare
 * Docker-API create+start of the same image, same network mode and port mapping, through the same
 * Podman socket — in one run.
 *
 *   ours  = RunTask (SDK) until DescribeTasks shows RUNNING (polled every 10 ms): API, placement, durable
 *           commit, dispatcher push, agent, runtime, report back
 *   peer  = POST /containers/create + /start through dockerode until start returns (the floor)
 *
 * Goals (issue 3): p50 ≤ 1.3× bare; burst throughput ≥ 0.8× bare.
 * Run: npm run build && node dist/bench/task-start.js [--n 20] [--burst 50]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import Docker from 'dockerode';
import { CreateClusterCommand, RegisterTaskDefinitionCommand, RunTaskCommand, DescribeTasksCommand, StopTaskCommand, ListContainerInstancesCommand } from '@aws-sdk/client-ecs';
import { startServerProcess } from '../test/support/server.js';
import { startAgent, removeClusterContainers } from '../test/support/agent-process.js';
import { buildBusyboxImage, loadIntoRuntime } from '../test/support/images.js';

const args = process.argv.slice(2);
const opt = (n: string, d: number) => { const i = args.indexOf(`--${n}`); return i >= 0 ? Number(args[i + 1]) : d; };
const N = opt('n', 20);
const BURST = opt('burst', 50);
const work = mkdtempSync(join(tmpdir(), 'wharf-bench-start-'));
const cluster = 'bench';
const pct = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(p / 100 * s.length))]; };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const docker = new Docker({ socketPath: '/run/podman/podman.sock' });
const built = await buildBusyboxImage(join(work, 'img'));
const image = await loadIntoRuntime(built.layoutDir, 'wharf-bench/busybox:1');

async function bareOnce(): Promise<{ ms: number; id: string }> {
  const t0 = performance.now();
  const c = await docker.createContainer({
    Image: image, Cmd: ['sleep', '600'], Labels: { 'wharf.bench': '1' },
    ExposedPorts: { '8080/tcp': {} },
    HostConfig: { Memory: 32 * 1024 * 1024, NetworkMode: 'bridge', PortBindings: { '8080/tcp': [{ HostPort: '0' }] } },
  });
  await c.start();
  return { ms: performance.now() - t0, id: c.id };
}
async function bareCleanup(): Promise<void> {
  const ids = execFileSync('podman', ['ps', '-aq', '--filter', 'label=wharf.bench=1'], { encoding: 'utf8' }).trim().split('\n').filter(Boolean);
  if (ids.length) execFileSync('podman', ['rm', '-f', '-t', '0', ...ids], { stdio: 'ignore' });
}

const server = await startServerProcess({ extraArgs: ['--log-level', 'warn'] });
const agent = await startAgent(server, { cluster, name: 'bench', cpu: 64 * 1024, memory: 8192, stopTimeout: 1 });
const ecs = server.ecs();
try {
  await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
  while (((await ecs.send(new ListContainerInstancesCommand({ cluster }))).containerInstanceArns ?? []).length === 0) await sleep(100);
  await sleep(500);
  const def = (await ecs.send(new RegisterTaskDefinitionCommand({
    family: 'bench', containerDefinitions: [{ name: 'app', image, memory: 32, command: ['sleep', '600'], portMappings: [{ containerPort: 8080, hostPort: 0 }] }],
  }))).taskDefinition!.taskDefinitionArn!;

  const waitRunning = async (arns: string[]) => {
    const pending = new Set(arns);
    while (pending.size > 0) {
      const ids = [...pending].slice(0, 100);
      const out = await ecs.send(new DescribeTasksCommand({ cluster, tasks: ids }));
      for (const t of out.tasks ?? []) {
        if (t.lastStatus === 'RUNNING') pending.delete(t.taskArn!);
        else if (t.lastStatus === 'STOPPED') throw new Error(`task stopped: ${t.stoppedReason} ${JSON.stringify(t.containers)}`);
      }
      if (pending.size > 0) await sleep(10);
    }
  };
  const stopAll = async (arns: string[]) => {
    for (const a of arns) await ecs.send(new StopTaskCommand({ cluster, task: a }));
  };

  // Warm-up (first pull/inspect, JIT).
  { const r = await ecs.send(new RunTaskCommand({ cluster, taskDefinition: def })); await waitRunning([r.tasks![0].taskArn!]); await stopAll([r.tasks![0].taskArn!]); await bareOnce(); await bareCleanup(); }

  const ours: number[] = [], bare: number[] = [];
  const started: string[] = [];
  for (let i = 0; i < N; i++) {
    // Interleaved A B A B.
    const t0 = performance.now();
    const r = await ecs.send(new RunTaskCommand({ cluster, taskDefinition: def }));
    const arn = r.tasks![0].taskArn!;
    await waitRunning([arn]);
    ours.push(performance.now() - t0);
    started.push(arn);
    bare.push((await bareOnce()).ms);
  }
  await stopAll(started);
  await bareCleanup();
  await sleep(3000);

  // Burst: BURST tasks at once (RunTask count ≤ 10 per call, calls in parallel) vs BURST parallel create+start.
  const b0 = performance.now();
  const calls = await Promise.all(Array.from({ length: Math.ceil(BURST / 10) }, (_, i) => ecs.send(new RunTaskCommand({ cluster, taskDefinition: def, count: Math.min(10, BURST - i * 10) }))));
  const burstArns = calls.flatMap((c) => c.tasks!.map((t) => t.taskArn!));
  if (burstArns.length !== BURST) throw new Error(`placed ${burstArns.length} of ${BURST}: ${JSON.stringify(calls.flatMap((c) => c.failures))}`);
  await waitRunning(burstArns);
  const oursBurst = performance.now() - b0;
  const c0 = performance.now();
  await Promise.all(Array.from({ length: BURST }, () => bareOnce()));
  const bareBurst = performance.now() - c0;
  await stopAll(burstArns);
  await bareCleanup();

  const p50o = pct(ours, 50), p99o = pct(ours, 99), p50b = pct(bare, 50), p99b = pct(bare, 99);
  console.log([
    `Task start — ${new Date().toISOString()} — ${N} sequential starts, burst of ${BURST}; bridge network, dynamic host port, Podman ${execFileSync('podman', ['--version'], { encoding: 'utf8' }).trim()}`,
    `reproduce: npm run build && node dist/bench/task-start.js --n ${N} --burst ${BURST}`,
    `  RunTask → RUNNING: p50 ${p50o.toFixed(0)} ms, p99 ${p99o.toFixed(0)} ms`,
    `  bare create+start: p50 ${p50b.toFixed(0)} ms, p99 ${p99b.toFixed(0)} ms`,
    `  p50 ratio wharf/bare ${(p50o / p50b).toFixed(2)} (goal ≤ 1.3), p99 ratio ${(p99o / p99b).toFixed(2)}`,
    `  burst of ${BURST}: wharf ${(BURST / (oursBurst / 1000)).toFixed(1)} tasks/s (${oursBurst.toFixed(0)} ms), bare ${(BURST / (bareBurst / 1000)).toFixed(1)} containers/s (${bareBurst.toFixed(0)} ms)`,
    `  burst throughput ratio wharf/bare ${(bareBurst / oursBurst).toFixed(2)} (goal ≥ 0.8)`,
  ].join('\n'));
} finally {
  await agent.kill('SIGTERM');
  await removeClusterContainers(cluster);
  await bareCleanup().catch(() => {});
  await server.stop();
  server.cleanup();
  agent.cleanup();
  rmSync(work, { recursive: true, force: true });
}
