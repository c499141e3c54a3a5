/**
 * Issue 5 benchmark: the Wharf-managed HAProxy against the same HAProxy with a hand-written config that
 * does the same job, on the same backend, in the same run (performance.md §0 and §3 B3, floors.md §4).
 *
 *   A. closed loop (wrk -t1 -c64): requests/s, p99 and HAProxy CPU time per request (from
 *      /proc/PID/task/TID/schedstat, ns) for Wharf's LB, the peer and the backend directly. Interleaved
 *      pairs (Wharf, peer in shuffled order) for ≥3 rounds, per-round ratios, median (min–max); then one
 *      unpinned round (§0). Goal: Wharf ≥ 0.95× the peer. On 2 shared vCPUs the proxy is client-bound
 *      (wrk + backend fill CPU 1, the proxy uses 30–60 % of CPU 0) and other tenants land on CPU 0, so
 *      rps swings ±50 % between rounds; CPU per request is what the config decides, and it is stable.
 *   B. added p99 at half load: wrk with a per-connection think time (Lua `delay()`) offering half the
 *      peer's closed-loop rate; added = LB p99 − direct p99, per round. Goal ≤ 1 ms.
 *   C. registration → traffic: RegisterTargets for a fresh backend, then requests through the LB until
 *      the new target answers (HealthyThresholdCount 2 passes; see haproxy-config.ts for the check
 *      intervals). Goal p99 ≤ 1 s.
 *   D. a ten-task rolling deployment under steady load: a real `wharf agent` on Podman, a busybox httpd
 *      service of 10 tasks behind a load balancer, UpdateService to a new revision while a bounded
 *      keep-alive load loop on 127.0.0.1 counts non-2xx answers and socket errors (goal 0), and for each
 *      new task the time from its RUNNING (startedAt) to the first request it answers (goal p99 ≤ 1 s).
 *
 * The peer config (`peerConfig` below) is what an operator would hand-write for the same ALB behaviour:
 * the same X-Forwarded-* headers, the same HTTP health check on the same single server, connection
 * retries with redispatch, `http-reuse always`. What Wharf adds on top (L7 retries on empty response,
 * `http-reuse safe`, reload and state-file settings) is what the ratio prices.
 *
 * Layout (§0): both HAProxies `nbthread 1` (WHARF_LB_NBTHREAD=1; two threads pinned to one CPU spin on
 * each other) and pinned to CPU 0 with every thread (`taskset -a`); backend and wrk on CPU 1. Loopback
 * only, every load bounded.
 *
 * Hygiene (bench/support/harness.ts): the server's data directory on a real disk; Wharf and the peer in
 * alternating order round after round; every ratio per round (median, min, max); a wrk run that fails or
 * parses to nothing is an error.
 *
 * Run: npx tsc -p . && node dist/bench/lb.js [--seconds 3] [--rounds 5] [--trials 5] [--deploy 1] [--short]
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import {
  CreateListenerCommand, CreateLoadBalancerCommand, CreateTargetGroupCommand, DeregisterTargetsCommand, DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client, ModifyTargetGroupAttributesCommand, RegisterTargetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  CreateClusterCommand, CreateServiceCommand, DeleteServiceCommand, DescribeServicesCommand, DescribeTasksCommand, ListTasksCommand,
  RegisterTaskDefinitionCommand, UpdateServiceCommand, type ECSClient,
} from '@aws-sdk/client-ecs';
import { startServerProcess, type TestServer } from '../test/support/server.js';
import { startAgent, removeClusterContainers, type AgentProcess } from '../test/support/agent-process.js';
import { buildBusyboxImage, loadIntoRuntime } from '../src/cli/busybox-image.js';
import { TRANSITION_CHECK_MS, FAST_CHECK_MS } from '../src/lb/haproxy-config.js';

import { benchDir, CouldNotMeasure, median, needs, numArg, pct, positive, ratio, roundsArg, runBenchmark } from './support/harness.js';

const SECONDS = numArg('seconds', 3, 1);
const ROUNDS = roundsArg(5);
const TRIALS = Math.max(3, numArg('trials', 5, 3));
const DEPLOY = numArg('deploy', 1, 0) === 1;
const TASKS = numArg('tasks', 10);
let work = '';
const children: ChildProcess[] = [];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const f = (x: number, d = 0) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');
const mmm = (xs: number[], d = 2) => `${f(median(xs), d)} (${f(Math.min(...xs), d)}–${f(Math.max(...xs), d)})`;

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const p = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return p;
}

function latencyMs(s: string): number {
  const m = /([\d.]+)(us|ms|s)/.exec(s);
  if (!m) return NaN;
  const v = Number(m[1]);
  return m[2] === 'us' ? v / 1000 : m[2] === 's' ? v * 1000 : v;
}

interface WrkResult { rps: number; requests: number; p50: number; p99: number; errors: number }
function wrk(port: number, seconds: number, extra: string[] = [], conns = 64): WrkResult {
  const r = spawnSync('taskset', ['-c', '1', 'wrk', '-t1', `-c${conns}`, `-d${seconds}s`, '--latency', ...extra, `http://127.0.0.1:${port}/`], { encoding: 'utf8', timeout: (seconds + 30) * 1000 });
  const out = r.stdout ?? '';
  if (r.status !== 0) throw new CouldNotMeasure(`wrk failed against port ${port}: ${r.error ?? r.stderr}`);
  const errs = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0);
  return {
    rps: positive(Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? NaN), `req/s through port ${port}`),
    requests: positive(Number(/(\d+) requests in/.exec(out)?.[1] ?? NaN), `requests through port ${port}`),
    p50: positive(latencyMs(/^\s+50%\s+(\S+)/m.exec(out)?.[1] ?? ''), `p50 through port ${port}`),
    p99: positive(latencyMs(/^\s+99%\s+(\S+)/m.exec(out)?.[1] ?? ''), `p99 through port ${port}`),
    errors: non2xx + (errs ? errs.slice(1).reduce((a, b) => a + Number(b), 0) : 0),
  };
}

function get(port: number, agent: Agent | false = false, timeoutMs = 5000): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/', agent, timeout: timeoutMs }, (res) => {
      let b = '';
      res.on('data', (d) => { b += d; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: b }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end();
  });
}

/** Every process started with this config file (the Wharf master and its workers, or the peer). */
const pidsOf = (configPath: string) => spawnSync('pgrep', ['-f', configPath], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean).map(Number);
/** Pins every thread of these processes to `cpus`. */
function pin(pids: number[], cpus: string): void {
  for (const pid of pids) spawnSync('taskset', ['-a', '-p', '-c', cpus, String(pid)], { stdio: 'ignore' });
}
/** CPU time (ns) these processes' threads have run, from schedstat. */
function cpuNs(pids: number[]): number {
  let sum = 0;
  for (const pid of pids) {
    try {
      for (const t of readdirSync(`/proc/${pid}/task`)) sum += Number(readFileSync(`/proc/${pid}/task/${t}/schedstat`, 'utf8').split(' ')[0]);
    } catch { /* exited */ }
  }
  return sum;
}

/** The hand-written peer: the same job as Wharf's rendered config for one listener → one target group. */
function peerConfig(port: number, bePort: number, hc: { interval: number; timeout: number; rise: number; fall: number }): string {
  return `global
  nbthread 1
  maxconn 4000
defaults
  mode http
  option http-keep-alive
  timeout connect 5s
  timeout client 60s
  timeout server 60s
  http-reuse always
  option redispatch 1
  retries 3
  retry-on conn-failure
frontend fe
  bind 127.0.0.1:${port}
  option forwardfor
  http-request set-header X-Forwarded-Proto http
  http-request set-header X-Forwarded-Port ${port}
  default_backend be
backend be
  balance roundrobin
  option httpchk
  http-check send meth GET uri "/" ver HTTP/1.1 hdr Host localhost hdr User-Agent ELB-HealthChecker/2.0
  http-check expect status 200
  timeout check ${hc.timeout}s
  server s1 127.0.0.1:${bePort} check inter ${hc.interval}s fastinter ${FAST_CHECK_MS} downinter ${TRANSITION_CHECK_MS} rise ${hc.rise} fall ${hc.fall}
`;
}

// ------------------------------------------------------------------------------------------------ A–C

interface Target { port: number; pids: () => number[] }
interface Sample extends WrkResult { nsPerReq: number; util: number }

function measure(t: Target, seconds: number, extra: string[] = [], conns = 64): Sample {
  const pids = t.pids();
  const c0 = cpuNs(pids);
  const x = wrk(t.port, seconds, extra, conns);
  const c1 = cpuNs(pids);
  return { ...x, nsPerReq: pids.length ? (c1 - c0) / x.requests : NaN, util: pids.length ? (c1 - c0) / (seconds * 1e9) : NaN };
}

async function proxyBench(server: TestServer, elb: ElasticLoadBalancingV2Client, lines: string[]): Promise<void> {
  // Backend: a bare node:http hello (floors.md: ~43k rps, above HAProxy's 1-core figure), on CPU 1.
  const bePort = await freePort();
  const be = spawn('taskset', ['-c', '1', process.execPath, '-e',
    `require('http').createServer((q,r)=>{r.writeHead(200,{'content-type':'text/plain','content-length':3});r.end('ok\\n')}).listen(${bePort},'127.0.0.1')`], { stdio: 'ignore' });
  children.push(be);

  const hc = { interval: 5, timeout: 2, rise: 2, fall: 2 };
  const lb = (await elb.send(new CreateLoadBalancerCommand({ Name: 'bench' }))).LoadBalancers![0];
  const tg = (await elb.send(new CreateTargetGroupCommand({ Name: 'bench', Protocol: 'HTTP', Port: bePort, TargetType: 'ip', HealthCheckIntervalSeconds: hc.interval, HealthCheckTimeoutSeconds: hc.timeout, HealthyThresholdCount: hc.rise, UnhealthyThresholdCount: hc.fall }))).TargetGroups![0];
  await elb.send(new ModifyTargetGroupAttributesCommand({ TargetGroupArn: tg.TargetGroupArn, Attributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: '0' }] }));
  const wharfPort = await freePort();
  await elb.send(new CreateListenerCommand({ LoadBalancerArn: lb.LoadBalancerArn, Port: wharfPort, DefaultActions: [{ Type: 'forward', TargetGroupArn: tg.TargetGroupArn }] }));
  await elb.send(new RegisterTargetsCommand({ TargetGroupArn: tg.TargetGroupArn, Targets: [{ Id: '127.0.0.1' }] }));
  const healthy = async () => (await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tg.TargetGroupArn, Targets: [{ Id: '127.0.0.1', Port: bePort }] }))).TargetHealthDescriptions![0].TargetHealth?.State === 'healthy';
  for (let i = 0; i < 100 && !(await healthy()); i++) await sleep(100);
  const wharfCfg = join(server.dataDir, 'lb', 'haproxy.cfg');
  if (pidsOf(wharfCfg).length === 0) throw new Error('no Wharf-managed haproxy found');

  const peerPort = await freePort();
  const peerCfg = join(work, 'peer.cfg');
  writeFileSync(peerCfg, peerConfig(peerPort, bePort, hc));
  children.push(spawn('haproxy', ['-f', peerCfg, '-db'], { stdio: 'ignore' }));
  await sleep(500);
  const targets: Record<string, Target> = {
    wharf: { port: wharfPort, pids: () => pidsOf(wharfCfg) },
    peer: { port: peerPort, pids: () => pidsOf(peerCfg) },
    direct: { port: bePort, pids: () => [] },
  };
  const pinBoth = (cpus: string) => { pin(targets.wharf.pids(), cpus); pin(targets.peer.pids(), cpus); };
  pinBoth('0');
  for (const t of Object.values(targets)) wrk(t.port, 1);

  // A. Closed loop, interleaved: each round runs direct, then Wharf and the peer back to back in random order.
  const res: Record<string, Sample[]> = { wharf: [], peer: [], direct: [] };
  const rpsRatio: number[] = [], cpuRatio: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    res.direct.push(measure(targets.direct, SECONDS));
    const round: Record<string, Sample> = {};
    for (const k of r % 2 === 0 ? ['wharf', 'peer'] : ['peer', 'wharf']) {
      await sleep(300);
      round[k] = measure(targets[k], SECONDS);
      res[k].push(round[k]);
    }
    if (round.wharf.errors + round.peer.errors > 0) throw new CouldNotMeasure(`failed requests in round ${r + 1}: Wharf ${round.wharf.errors}, peer ${round.peer.errors}`);
    rpsRatio.push(round.wharf.rps / round.peer.rps);
    cpuRatio.push(positive(round.peer.nsPerReq, 'peer HAProxy CPU/request') / positive(round.wharf.nsPerReq, 'Wharf HAProxy CPU/request'));
    await sleep(300);
  }
  // One unpinned round (§0): both HAProxies may run on either CPU.
  pinBoth('0,1');
  const unpinned: Record<string, Sample> = {};
  for (const k of ['wharf', 'peer']) { await sleep(300); unpinned[k] = measure(targets[k], SECONDS); }
  pinBoth('0');

  // B. Half load: rate = ½ × the peer's closed-loop max; 32 connections, each waiting D ms between requests.
  const rate = median(res.peer.map((x) => x.rps)) / 2;
  const delayMs = Math.max(1, Math.round((32 * 1000) / rate));
  const script = join(work, 'delay.lua');
  writeFileSync(script, `function delay() return ${delayMs} end\n`);
  const half: Record<string, Sample[]> = { wharf: [], peer: [], direct: [] };
  const addedWharf: number[] = [], addedPeer: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const round: Record<string, Sample> = {};
    for (const k of ['direct', ...(r % 2 === 0 ? ['wharf', 'peer'] : ['peer', 'wharf'])]) {
      round[k] = measure(targets[k], SECONDS, ['-s', script], 32);
      half[k].push(round[k]);
      await sleep(200);
    }
    addedWharf.push(round.wharf.p99 - round.direct.p99);
    addedPeer.push(round.peer.p99 - round.direct.p99);
  }

  // C. Registration → first request answered by the new target.
  const regTimes: number[] = [];
  for (let t = 0; t < TRIALS; t++) {
    const marker = `new${t}`;
    const s = createServer((_q, r) => r.writeHead(200).end(marker));
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    const port = (s.address() as AddressInfo).port;
    const t0 = performance.now();
    await elb.send(new RegisterTargetsCommand({ TargetGroupArn: tg.TargetGroupArn, Targets: [{ Id: '127.0.0.1', Port: port }] }));
    let seen = false;
    while (!seen && performance.now() - t0 < 30_000) {
      for (let i = 0; i < 4 && !seen; i++) seen = (await get(wharfPort).catch(() => ({ body: '' }))).body === marker;
      if (!seen) await sleep(5);
    }
    if (!seen) throw new CouldNotMeasure(`the target registered in trial ${t + 1} never answered through the load balancer in 30 s`);
    regTimes.push(performance.now() - t0);
    await elb.send(new DeregisterTargetsCommand({ TargetGroupArn: tg.TargetGroupArn, Targets: [{ Id: '127.0.0.1', Port: port }] }));
    s.closeAllConnections();
    s.close();
    await sleep(300);
  }

  const row = (k: string, xs: Sample[]) => `| ${k} | ${mmm(xs.map((x) => x.rps), 0)} | ${mmm(xs.map((x) => x.p99))} | ${k === 'direct' ? '—' : mmm(xs.map((x) => x.nsPerReq / 1000), 1)} | ${k === 'direct' ? '—' : mmm(xs.map((x) => x.util))} | ${xs.reduce((a, x) => a + x.errors, 0)} |`;
  lines.push(`### A. closed loop (wrk -t1 -c64, ${ROUNDS} interleaved rounds × ${SECONDS} s; HAProxies pinned to CPU 0, backend + wrk to CPU 1)`, '',
    '| target | rps median (min–max) | p99 ms | HAProxy CPU µs / request | HAProxy CPU utilisation | errors |', '|---|---|---|---|---|---|',
    row('Wharf-managed', res.wharf), row('hand-written peer', res.peer), row('direct', res.direct), '',
    `- rps ratio Wharf / peer, per round: ${rpsRatio.map((x) => f(x, 2)).join(', ')} → median **${mmm(rpsRatio)}×** (goal ≥ 0.95×)`,
    `- CPU-per-request ratio peer / Wharf, per round: ${cpuRatio.map((x) => f(x, 2)).join(', ')} → median **${mmm(cpuRatio)}×** (capacity if the proxy were the bottleneck)`,
    `- unpinned round: Wharf ${f(unpinned.wharf.rps)} rps (${f(unpinned.wharf.nsPerReq / 1000, 1)} µs/req), peer ${f(unpinned.peer.rps)} rps (${f(unpinned.peer.nsPerReq / 1000, 1)} µs/req) → ${f(unpinned.wharf.rps / unpinned.peer.rps, 2)}× rps, ${f(unpinned.peer.nsPerReq / unpinned.wharf.nsPerReq, 2)}× CPU`, '',
    `### B. half load (${f(rate)} rps offered: 32 connections, ${delayMs} ms think time, ${ROUNDS} rounds)`, '',
    `- p99 ms: direct ${mmm(half.direct.map((x) => x.p99))}, peer ${mmm(half.peer.map((x) => x.p99))}, Wharf ${mmm(half.wharf.map((x) => x.p99))}`,
    `- achieved rps: direct ${f(median(half.direct.map((x) => x.rps)))}, peer ${f(median(half.peer.map((x) => x.rps)))}, Wharf ${f(median(half.wharf.map((x) => x.rps)))}`,
    `- added p99 (LB − direct, same round): Wharf **${mmm(addedWharf)} ms** (goal ≤ 1 ms); peer ${mmm(addedPeer)} ms`, '',
    `### C. registration → traffic (RegisterTargets → first answer from the new target; HealthyThresholdCount ${hc.rise}, first check after ${TRANSITION_CHECK_MS} ms, then every ${FAST_CHECK_MS} ms until healthy)`, '',
    `- ${regTimes.map((x) => f(x)).join(', ')} ms → median **${f(median(regTimes))} ms**, max ${f(Math.max(...regTimes))} ms (goal p99 ≤ 1 s); expected ≈ ${TRANSITION_CHECK_MS} + ${hc.rise - 1} × ${FAST_CHECK_MS} = ${TRANSITION_CHECK_MS + (hc.rise - 1) * FAST_CHECK_MS} ms + one controller pass`, '');
  ratios.push(() => ratio('LB req/s Wharf/hand-written peer, closed loop', rpsRatio, { goal: '≥ 0.95' }));
  ratios.push(() => ratio('LB HAProxy CPU per request peer/Wharf', cpuRatio, { goal: '≥ 0.95 (Wharf ≤ 1.05× the peer)' }));
  ratios.push(() => ratio('LB p99 at half load Wharf/peer', half.wharf.map((x, i) => x.p99 / half.peer[i]!.p99), { goal: `added p99 ≤ 1 ms over direct (Wharf adds ${mmm(addedWharf)} ms)` }));
}

/** Ratio lines, printed after the markdown report. */
const ratios: (() => void)[] = [];

// ------------------------------------------------------------------------------------------------ D

async function deployBench(server: TestServer, elb: ElasticLoadBalancingV2Client, lines: string[]): Promise<void> {
  const cluster = `benchlb-${process.pid}`;
  const ecs: ECSClient = server.ecs();
  let agent: AgentProcess | undefined;
  try {
    const built = await buildBusyboxImage(join(work, 'img'));
    const image = await loadIntoRuntime(built.layoutDir, 'wharf-bench/lbweb:1');
    await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
    agent = await startAgent(server, { cluster, name: 'benchlb', cpu: 8192, memory: 4096, stopTimeout: 2 });
    const tg = (await elb.send(new CreateTargetGroupCommand({ Name: 'benchweb', Protocol: 'HTTP', Port: 8080, VpcId: 'vpc-local', HealthCheckIntervalSeconds: 5, HealthCheckTimeoutSeconds: 2, HealthyThresholdCount: 2, UnhealthyThresholdCount: 2 }))).TargetGroups![0];
    const tgArn = tg.TargetGroupArn!;
    await elb.send(new ModifyTargetGroupAttributesCommand({ TargetGroupArn: tgArn, Attributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: '2' }] }));
    const lb = (await elb.send(new CreateLoadBalancerCommand({ Name: 'benchweb', Subnets: ['subnet-a', 'subnet-b'] }))).LoadBalancers![0];
    const port = await freePort();
    await elb.send(new CreateListenerCommand({ LoadBalancerArn: lb.LoadBalancerArn, Protocol: 'HTTP', Port: port, DefaultActions: [{ Type: 'forward', TargetGroupArn: tgArn }] }));
    const def = (version: string) => ({
      family: 'benchweb',
      containerDefinitions: [{
        name: 'web', image, memory: 32, essential: true,
        command: ['sh', '-c', `mkdir -p /www && echo "${version} $(hostname)" > /www/index.html && exec httpd -f -p 8080 -h /www`],
        portMappings: [{ containerPort: 8080, hostPort: 0 }],
      }],
    });
    const healthyCount = async () => ((await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tgArn }))).TargetHealthDescriptions ?? []).filter((d) => d.TargetHealth?.State === 'healthy').length;
    const stable = async (tdArn: string) => {
      const s = (await ecs.send(new DescribeServicesCommand({ cluster, services: ['benchweb'] }))).services![0];
      return s.deployments?.length === 1 && s.deployments[0].taskDefinition === tdArn && s.runningCount === TASKS && s.deployments[0].rolloutState === 'COMPLETED' && (await healthyCount()) === TASKS;
    };
    const waitFor = async (what: string, fn: () => Promise<boolean>, ms: number) => {
      const deadline = Date.now() + ms;
      while (!(await fn().catch(() => false))) { if (Date.now() > deadline) throw new Error(`timed out (${ms} ms) waiting for ${what}`); await sleep(250); }
    };
    const v1 = (await ecs.send(new RegisterTaskDefinitionCommand(def('v1') as never))).taskDefinition!;
    const tCreate = Date.now();
    await ecs.send(new CreateServiceCommand({
      cluster, serviceName: 'benchweb', taskDefinition: v1.taskDefinitionArn, desiredCount: TASKS, healthCheckGracePeriodSeconds: 10,
      loadBalancers: [{ targetGroupArn: tgArn, containerName: 'web', containerPort: 8080 }],
    }));
    await waitFor(`${TASKS} healthy v1 tasks`, () => stable(v1.taskDefinitionArn!), 120_000);
    const createMs = Date.now() - tCreate;

    // Steady load: C keep-alive connections, each sending a request every THINK ms, bounded by a deadline.
    const C = 4, THINK = 10, MAX_MS = 150_000;
    const keepAlive = new Agent({ keepAlive: true, maxSockets: C });
    let ok = 0, non2xx = 0, socketErrors = 0;
    const errors: string[] = [];
    const firstSeen = new Map<string, number>();
    let running = true;
    const tLoad = Date.now();
    const worker = async () => {
      while (running && Date.now() - tLoad < MAX_MS) {
        try {
          const r = await get(port, keepAlive);
          if (r.status >= 200 && r.status < 300) {
            ok++;
            const host = r.body.trim().split(' ')[1];
            if (host && !firstSeen.has(host)) firstSeen.set(host, Date.now());
          } else { non2xx++; errors.push(`HTTP ${r.status}`); }
        } catch (e) { socketErrors++; errors.push((e as Error).message); }
        await sleep(THINK);
      }
    };
    const load = Promise.all(Array.from({ length: C }, worker));
    await sleep(1000);
    const v2 = (await ecs.send(new RegisterTaskDefinitionCommand(def('v2') as never))).taskDefinition!;
    const tUpdate = Date.now();
    await ecs.send(new UpdateServiceCommand({ cluster, service: 'benchweb', taskDefinition: v2.taskDefinitionArn }));
    await waitFor('the deployment to complete', () => stable(v2.taskDefinitionArn!), 120_000);
    const deployMs = Date.now() - tUpdate;
    await sleep(1000);
    running = false;
    await load;
    keepAlive.destroy();
    const loadMs = Date.now() - tLoad;

    // RUNNING (startedAt) → first request answered, for each v2 task (its hostname is its container id's prefix).
    const arns = (await ecs.send(new ListTasksCommand({ cluster, serviceName: 'benchweb', desiredStatus: 'RUNNING' }))).taskArns ?? [];
    const tasks = arns.length ? (await ecs.send(new DescribeTasksCommand({ cluster, tasks: arns }))).tasks ?? [] : [];
    const runToTraffic: number[] = [];
    for (const t of tasks) {
      const id = t.containers?.[0]?.runtimeId ?? '';
      const seen = [...firstSeen.entries()].find(([h]) => h.length >= 12 && id.startsWith(h))?.[1];
      if (seen !== undefined && t.startedAt) runToTraffic.push(seen - t.startedAt.getTime());
    }
    const total = ok + non2xx + socketErrors;
    lines.push(`### D. ${TASKS}-task rolling deployment under steady load (real server + agent on Podman, busybox httpd, minimumHealthyPercent 100 / maximumPercent 200, deregistration delay 2 s)`, '',
      `- service creation → ${TASKS} healthy targets: ${f(createMs)} ms; UpdateService → deployment COMPLETED with ${TASKS} healthy targets: ${f(deployMs)} ms`,
      `- load: ${C} keep-alive connections, ${THINK} ms think time, ${f(loadMs / 1000, 1)} s: ${total} requests (${f(total / (loadMs / 1000))} rps), **${non2xx} non-2xx, ${socketErrors} socket errors** (goal 0)${errors.length ? ` — first: ${errors.slice(0, 3).join('; ')}` : ''}`,
      `- task RUNNING (startedAt) → first request answered, ${runToTraffic.length} new tasks: median **${f(median(runToTraffic))} ms**, p99 ${f(pct(runToTraffic, 99))} ms, min ${f(Math.min(...runToTraffic))} ms (goal p99 ≤ 1 s)`, '');
    await ecs.send(new DeleteServiceCommand({ cluster, service: 'benchweb', force: true })).catch(() => undefined);
  } finally {
    await agent?.kill('SIGKILL');
    agent?.cleanup();
    await removeClusterContainers(cluster);
  }
}

async function main(): Promise<void> {
  needs('haproxy', 'wrk', 'taskset');
  work = benchDir('lb');
  const server = await startServerProcess({ dataDir: join(work, 'server'), env: { WHARF_LOG_LEVEL: 'warn', WHARF_LB_NBTHREAD: '1' } });
  const elb = new ElasticLoadBalancingV2Client({ endpoint: server.endpoint, region: server.region, credentials: server.credentials, maxAttempts: 1 });
  const lines: string[] = [`## LB (bench/lb.ts): Wharf-managed HAProxy vs a hand-written HAProxy doing the same job, one run (load average ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')})`, ''];
  try {
    await proxyBench(server, elb, lines);
    // The deployment runs unpinned: it needs both CPUs for Podman, the agent and the server.
    pin(pidsOf(join(server.dataDir, 'lb', 'haproxy.cfg')), '0,1');
    if (DEPLOY) await deployBench(server, elb, lines);
    else lines.push('### D. rolling deployment: skipped (--deploy 0)', '');
  } finally {
    elb.destroy();
    await server.stop();
    server.cleanup();
    for (const c of children) c.kill('SIGTERM');
    rmSync(work, { recursive: true, force: true });
  }
  console.log('\n' + lines.join('\n'));
  for (const r of ratios) r();
}

runBenchmark('Load balancer (bench/lb.ts)', main);
