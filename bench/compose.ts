/**
 * Issue 20 benchmark: `wharf deploy` of a three-service Compose file until the front end answers, against
 * `podman-compose up -d` of the same file on the same machine, in the same run (goal ≤ 1.5× the time).
 *
 *   ours  = `wharf deploy -f FILE --project P` (returns when every service is stable: tasks RUNNING, the
 *           web's and the api's targets healthy in the load balancer; web's depends_on makes it wait for api
 *           to be stable before it creates web), then GET / on the web's published port until 200
 *   peer  = `podman-compose -f FILE -p P up -d`, then GET / on the web's published port until 200
 *
 * "Healthy" is the same for both: the web front end answers HTTP 200 through its published port. The file
 * is the e2e test's shape (test/e2e/compose-deploy.test.ts): web (busybox httpd, published port), api (busybox
 * httpd, published port), worker (a shell loop); one replica each on both sides; images built offline and
 * loaded into Podman before the first round, so neither side pulls. Each side publishes on its own ephemeral
 * ports (WEB_PORT / API_PORT in the file's environment). Rounds alternate which side goes first; after each
 * measurement the project is removed (`wharf down --project` / `podman-compose down`) outside the timing.
 * No healthcheck in the file: podman-compose 1.0.3 hands it to Podman, whose checks need systemd timers.
 *
 * Hygiene (bench/support/harness.ts): data directories on a real disk, ≥ 3 rounds in alternating order,
 * the ratio per round (median, min, max); a round that fails fails the run.
 *
 * Run: npm run build && node dist/bench/compose.js [--rounds 3] [--short]   (needs podman-compose: apt-get install -y podman-compose)
 */
import { spawn, spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { request } from 'node:http';
import { join } from 'node:path';
import { CreateClusterCommand } from '@aws-sdk/client-ecs';
import { cliEntry, startServerProcess, testEnv } from '../test/support/server.js';
import { startAgent, removeClusterContainers } from '../test/support/agent-process.js';
import { buildBusyboxImage, loadIntoRuntime } from '../test/support/images.js';

import { benchDir, CouldNotMeasure, mmm, needs, ratio, roundsArg, runBenchmark } from './support/harness.js';

const ROUNDS = roundsArg();
let work = '';
const cluster = `benchcompose-${process.pid}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const f = (x: number, d = 2) => x.toFixed(d);
const freePort = () => new Promise<number>((res) => { const s = createServer().listen(0, '127.0.0.1', () => { const p = (s.address() as { port: number }).port; s.close(() => res(p)); }); });


interface Run { status: number; out: string }
function run(cmd: string, argv: string[], env: NodeJS.ProcessEnv, timeoutMs = 300_000): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(cmd, argv, { cwd: work, env: { ...process.env, ...env } });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code) => { clearTimeout(timer); resolve({ status: code ?? -1, out }); });
  });
}

function status(port: number): Promise<number> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/', timeout: 2000 }, (r) => { r.resume(); r.on('end', () => resolve(r.statusCode ?? 0)); });
    req.on('error', () => resolve(0));
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end();
  });
}
async function answers(port: number, what: string, deadlineMs = 120_000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while ((await status(port)) !== 200) {
    if (Date.now() > deadline) throw new Error(`${what}: the web front end did not answer 200 on port ${port} within ${deadlineMs / 1000} s`);
    await sleep(20);
  }
}

const built: string[] = [];
async function image(name: string, cmd: string[], files?: Record<string, string>): Promise<string> {
  const b = await buildBusyboxImage(join(work, `img-${name}`), { cmd, files });
  const ref = await loadIntoRuntime(b.layoutDir, `wharf-bench/compose-${name}:${process.pid}`);
  built.push(ref);
  return ref;
}
runBenchmark('Compose deploy (bench/compose.ts)', async () => {
needs('podman-compose');
work = benchDir('compose');
const web = await image('web', ['httpd', '-f', '-p', '8080', '-h', '/www'], { 'www/index.html': 'web front end\n' });
const api = await image('api', ['httpd', '-f', '-p', '9000', '-h', '/www'], { 'www/index.html': 'api\n' });
const worker = await image('worker', ['sh', '-c', 'trap "exit 0" TERM; while true; do echo working; sleep 1; done']);
const file = join(work, 'compose.yaml');
writeFileSync(file, `services:
  web:
    image: ${web}
    ports: ["\${WEB_PORT}:8080"]
    depends_on: [api]
    deploy: { replicas: 1 }
  api:
    image: ${api}
    ports: ["\${API_PORT}:9000"]
    deploy: { replicas: 1 }
  worker:
    image: ${worker}
    stop_grace_period: 2s
    deploy: { replicas: 1 }
`);

const server = await startServerProcess({ dataDir: join(work, 'server'), extraArgs: ['--log-level', 'warn'] });
await server.ecs().send(new CreateClusterCommand({ clusterName: cluster }));
const agent = await startAgent(server, { cluster, name: 'benchcompose', cpu: 4096, memory: 4096, stopTimeout: 2, stateDir: join(work, 'agent') });
const wharfEnv = { ...testEnv(server.credentials), WHARF_ENDPOINT: server.endpoint };
const times: Record<'wharf' | 'peer', number[]> = { wharf: [], peer: [] };
const ratios: number[] = [];
let failure: Error | undefined;
const peerProjects: string[] = [];

async function wharfRound(r: number): Promise<number> {
  const project = `benchc${process.pid}w${r}`;
  const env = { ...wharfEnv, WEB_PORT: String(await freePort()), API_PORT: String(await freePort()) };
  const t0 = performance.now();
  const d = await run(process.execPath, [cliEntry, 'deploy', '-f', file, '--project', project, '--cluster', cluster], env);
  if (d.status !== 0) throw new Error(`wharf deploy exited ${d.status}:\n${d.out}`);
  await answers(Number(env.WEB_PORT), 'wharf deploy');
  const ms = performance.now() - t0;
  const down = await run(process.execPath, [cliEntry, 'down', '--project', project, '--cluster', cluster], env);
  if (down.status !== 0) throw new Error(`wharf down exited ${down.status}:\n${down.out}`);
  return ms;
}

async function peerRound(r: number): Promise<number> {
  const project = `benchc${process.pid}p${r}`;
  peerProjects.push(project);
  const env = { WEB_PORT: String(await freePort()), API_PORT: String(await freePort()) };
  const t0 = performance.now();
  const u = await run('podman-compose', ['-f', file, '-p', project, 'up', '-d'], env);
  if (u.status !== 0) throw new Error(`podman-compose up exited ${u.status}:\n${u.out}`);
  await answers(Number(env.WEB_PORT), 'podman-compose up');
  const ms = performance.now() - t0;
  await peerDown(project, env);
  return ms;
}
async function peerDown(project: string, env: NodeJS.ProcessEnv = { WEB_PORT: '1', API_PORT: '2' }): Promise<void> {
  await run('podman-compose', ['-f', file, '-p', project, 'down', '-t', '2'], env);
  // podman-compose 1.0.3 creates PROJECT_default and leaves it behind on down.
  spawnSync('podman', ['network', 'rm', '-f', `${project}_default`], { stdio: 'ignore' });
}

try {
  for (let r = 0; r < ROUNDS; r++) {
    const order = r % 2 === 0 ? (['wharf', 'peer'] as const) : (['peer', 'wharf'] as const);
    const round: Partial<Record<'wharf' | 'peer', number>> = {};
    for (const side of order) {
      round[side] = side === 'wharf' ? await wharfRound(r) : await peerRound(r);
      times[side].push(round[side]);
      await sleep(1000);
    }
    ratios.push(round.wharf! / round.peer!);
    console.log(`round ${r + 1} (${order[0]} first): wharf deploy ${f(round.wharf! / 1000)} s, podman-compose up -d ${f(round.peer! / 1000)} s → ${f(ratios[r])}×`);
  }
} catch (e) {
  failure = e as Error;
} finally {
  await agent.kill('SIGKILL');
  agent.cleanup();
  await removeClusterContainers(cluster);
  await server.stop();
  server.cleanup();
  for (const p of peerProjects) await peerDown(p);
  spawnSync('podman', ['rmi', '-f', ...built], { stdio: 'ignore' });
  rmSync(work, { recursive: true, force: true });
}

if (failure) throw failure instanceof CouldNotMeasure ? failure : new CouldNotMeasure(failure.stack ?? failure.message);
console.log([
  '',
  `- wharf deploy → front end answers: ${times.wharf.map((x) => f(x / 1000)).join(', ')} s → median **${mmm(times.wharf.map((x) => x / 1000))} s**`,
  `- podman-compose up -d → front end answers: ${times.peer.map((x) => f(x / 1000)).join(', ')} s → median **${mmm(times.peer.map((x) => x / 1000))} s**`,
].join('\n'));
ratio('wharf deploy / podman-compose up -d, until the front end answers (lower is better)', ratios, { goal: '≤ 1.5' });
});
