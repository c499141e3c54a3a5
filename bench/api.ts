/**
 * Issue 2 / issue 19 benchmarks, ours and a peer in the same run (bench/support/harness.ts: interleaved
 * rounds in alternating order, a ratio per round, median with min and max):
 *
 *   A. DescribeTaskDefinition throughput and p99 through `wharf server` (SigV4 verification, routing,
 *      validation, store read, JSON encoding) vs a bare node:http server returning the same bytes, plus
 *      the server CPU each request costs (utime+stime of the process over the round ÷ requests).
 *      Goals: throughput ≥ 0.5× bare, p99 ≤ 2× bare.
 *   B. RegisterTaskDefinition durable writes/s vs a single-member etcd (Debian etcd-server, default
 *      fsync) putting a value of the same size, at concurrency 1 and 64. Goals ≥ 1× and ≥ 2×.
 *
 * The load generator is wrk replaying a signed request; the request is signed afresh for every round, so
 * a long run never replays a signature past its 5-minute validity (RegisterTaskDefinition replays register
 * new revisions). Servers run on CPU 0 and wrk on CPU 1 (`taskset`), so the load generator does not steal
 * from the system under test. Data directories (Wharf's and etcd's) are on a real disk.
 *
 * --baseline DIR adds a third side to A: a server from another build (DIR is its dist/, e.g. a copy of dist/
 * made before a change, kept inside the checkout so it finds node_modules), interleaved with the others, so a
 * change's before/after ratios come from one run.
 *
 * Run: npm run build && node dist/bench/api.js [--seconds 8] [--rounds 3] [--baseline DIR] [--short]
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '../src/protocol/sha256-checksum.js';
import { startServerProcess, type TestServer } from '../test/support/server.js';
import { benchDir, strArg, CouldNotMeasure, cpuMicros, fmt, interleaved, median, mmm, needs, numArg, positive, ratio, roundsArg, runBenchmark, waitFor } from './support/harness.js';

const SECONDS = numArg('seconds', 8, 1);
const BASELINE = strArg('baseline', '');
const ROUNDS = roundsArg();

const TASKDEF = {
  family: 'bench',
  containerDefinitions: [{
    name: 'app', image: '127.0.0.1:7755/bench/app:1.0', memory: 256, cpu: 256, essential: true,
    portMappings: [{ containerPort: 8080, hostPort: 0, protocol: 'tcp' }],
    environment: [{ name: 'MODE', value: 'benchmark' }, { name: 'LEVEL', value: 'info' }],
    healthCheck: { command: ['CMD-SHELL', 'wget -q -O- http://127.0.0.1:8080/ || exit 1'], interval: 10, timeout: 3, retries: 3 },
    logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': '/ecs/bench', 'awslogs-region': 'us-east-1', 'awslogs-stream-prefix': 'app' } },
  }],
};

interface WrkResult { rps: number; requests: number; p50: number; p99: number; errors: number; cpuUsPerReq: number }

/** One wrk run; `pid` (the server's) gets its CPU time per request measured over the run. */
function wrk(work: string, url: string, lua: string, connections: number, o: { seconds?: number; pid?: number } = {}): WrkResult {
  const script = join(work, `req-${Math.random().toString(36).slice(2)}.lua`);
  writeFileSync(script, lua);
  const c0 = o.pid ? cpuMicros(o.pid) : 0;
  const r = spawnSync('taskset', ['-c', '1', 'wrk', '-t1', `-c${connections}`, `-d${o.seconds ?? SECONDS}s`, '--latency', '-s', script, url], { encoding: 'utf8' });
  const c1 = o.pid ? cpuMicros(o.pid) : 0;
  if (r.status !== 0) throw new CouldNotMeasure(`wrk failed against ${url}: ${r.stderr}`);
  const out = r.stdout;
  const ms = (label: string) => {
    const m = new RegExp(`\\s${label}%\\s+([\\d.]+)(us|ms|s)`).exec(out);
    if (!m) throw new CouldNotMeasure(`wrk printed no ${label}th percentile:\n${out}`);
    return Number(m[1]) * (m[2] === 'us' ? 0.001 : m[2] === 's' ? 1000 : 1);
  };
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0);
  const sockErr = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const requests = positive(Number(/(\d+) requests in/.exec(out)?.[1]), `requests served by ${url}`);
  return {
    rps: positive(Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]), `req/s of ${url}`), requests, p50: ms('50'), p99: ms('99'),
    errors: non2xx + (sockErr ? sockErr.slice(1).reduce((s, x) => s + Number(x), 0) : 0),
    cpuUsPerReq: o.pid ? (c1 - c0) / requests : NaN,
  };
}

/** A wrk run that must not see a single failed request (a peer or a server answering errors is not measured). */
function wrkClean(work: string, url: string, lua: string, connections: number, o: { seconds?: number; pid?: number } = {}): WrkResult {
  const r = wrk(work, url, lua, connections, o);
  if (r.errors > 0) throw new CouldNotMeasure(`${r.errors} failed requests against ${url} (of ${r.requests})`);
  return r;
}

function luaFor(method: string, headers: Record<string, string>, body: string): string {
  const esc = (s: string) => JSON.stringify(s);
  return [
    `wrk.method = ${esc(method)}`,
    `wrk.body = ${esc(body)}`,
    ...Object.entries(headers).filter(([k]) => k.toLowerCase() !== 'host' && k.toLowerCase() !== 'content-length').map(([k, v]) => `wrk.headers[${esc(k)}] = ${esc(v)}`),
  ].join('\n') + '\n';
}

/** A SigV4-signed request for `op` (signed now: call it once per round). */
async function signedHeaders(s: TestServer, op: string, body: string): Promise<Record<string, string>> {
  const url = new URL(s.endpoint);
  const signer = new SignatureV4({ credentials: s.credentials, region: 'us-east-1', service: 'ecs', sha256: Sha256 });
  const req = await signer.sign({
    method: 'POST', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: '/', query: {},
    headers: { host: url.host, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `AmazonEC2ContainerServiceV20141113.${op}` }, body,
  });
  return Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
}

async function startPinnedServer(work: string, entry?: string): Promise<TestServer> {
  const s = await startServerProcess({ dataDir: join(work, `server-${Date.now()}-${Math.random().toString(36).slice(2)}`), extraArgs: ['--log-level', 'warn'], entry });
  spawnSync('taskset', ['-a', '-p', '-c', '0', String(s.process!.pid)], { stdio: 'ignore' });
  return s;
}

async function benchDescribe(work: string): Promise<void> {
  const s = await startPinnedServer(work);
  const base = BASELINE ? await startPinnedServer(work, resolve(BASELINE, 'src', 'cli', 'main.js')) : undefined;
  let bare: ChildProcess | undefined;
  try {
    const { RegisterTaskDefinitionCommand } = await import('@aws-sdk/client-ecs');
    for (const srv of base ? [s, base] : [s]) await srv.ecs().send(new RegisterTaskDefinitionCommand(TASKDEF as never));
    const body = JSON.stringify({ taskDefinition: 'bench' });
    const headers = await signedHeaders(s, 'DescribeTaskDefinition', body);
    const sample = await fetch(s.endpoint, { method: 'POST', headers, body });
    const replyBytes = Buffer.from(await sample.arrayBuffer());
    const replyHeaders = { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': '00000000-0000-0000-0000-000000000000' };
    if (sample.status !== 200) throw new CouldNotMeasure(`DescribeTaskDefinition failed: ${replyBytes}`);

    // The peer: the same bytes from a bare node:http server, in its own process on the same CPU.
    const bareSrc = join(work, 'bare.mjs');
    writeFileSync(bareSrc, `import { createServer } from 'node:http';
const body = Buffer.from(${JSON.stringify(replyBytes.toString('base64'))}, 'base64');
const headers = ${JSON.stringify(replyHeaders)};
createServer((req, res) => { req.resume(); req.on('end', () => { res.writeHead(200, { ...headers, 'content-length': body.length }); res.end(body); }); })
  .listen(0, '127.0.0.1', function () { console.log(this.address().port); });
`);
    const peer = spawn('taskset', ['-c', '0', process.execPath, bareSrc], { stdio: ['ignore', 'pipe', 'inherit'] });
    bare = peer;
    const barePort = await new Promise<number>((resolve, reject) => {
      peer.stdout!.once('data', (d) => resolve(Number(String(d).trim())));
      peer.once('exit', (c) => reject(new CouldNotMeasure(`the bare node:http peer exited with ${c}`)));
    });
    // taskset execs node: the pid of the spawned process is the server's.
    const barePid = peer.pid!;

    const fresh = async (srv: TestServer = s) => luaFor('POST', await signedHeaders(srv, 'DescribeTaskDefinition', body), body);
    wrkClean(work, s.endpoint, await fresh(), 32, { seconds: 1 }); // warm-up
    wrkClean(work, `http://127.0.0.1:${barePort}/`, await fresh(), 32, { seconds: 1 });
    if (base) wrkClean(work, base.endpoint, await fresh(base), 32, { seconds: 1 });
    type Side = 'wharf' | 'bare' | 'baseline';
    const sides: Partial<Record<Side, () => Promise<WrkResult>>> = {
      wharf: async () => wrkClean(work, s.endpoint, await fresh(), 32, { pid: s.process!.pid }),
      bare: async () => wrkClean(work, `http://127.0.0.1:${barePort}/`, await fresh(), 32, { pid: barePid }),
    };
    if (base) sides.baseline = async () => wrkClean(work, base.endpoint, await fresh(base), 32, { pid: base.process!.pid });
    const rounds = await interleaved(ROUNDS, sides as Record<Side, () => Promise<WrkResult>>);
    console.log(`A. DescribeTaskDefinition, 32 connections, ${SECONDS} s × ${ROUNDS} rounds in alternating order (server on CPU 0, wrk on CPU 1), reply ${replyBytes.length} bytes`);
    console.log(`   wharf:          ${rounds.map(({ wharf: o }) => `${fmt(o.rps, 0)} req/s p50 ${fmt(o.p50)} ms p99 ${fmt(o.p99)} ms ${fmt(o.cpuUsPerReq, 0)} µs CPU/req`).join(' | ')}`);
    console.log(`   bare node:http: ${rounds.map(({ bare: o }) => `${fmt(o.rps, 0)} req/s p50 ${fmt(o.p50)} ms p99 ${fmt(o.p99)} ms ${fmt(o.cpuUsPerReq, 0)} µs CPU/req`).join(' | ')}`);
    console.log(`   server CPU per request: wharf ${mmm(rounds.map((r) => r.wharf.cpuUsPerReq), 0)} µs, bare ${mmm(rounds.map((r) => r.bare.cpuUsPerReq), 0)} µs (median (min–max); /proc/PID/stat, 10 ms ticks)`);
    ratio('DescribeTaskDefinition req/s wharf/bare', rounds.map((r) => r.wharf.rps / r.bare.rps), { goal: '≥ 0.5 (moonshot 0.7)' });
    ratio('DescribeTaskDefinition p99 wharf/bare', rounds.map((r) => r.wharf.p99 / r.bare.p99), { goal: '≤ 2' });
    ratio('DescribeTaskDefinition CPU per request bare/wharf', rounds.map((r) => positive(r.bare.cpuUsPerReq, 'bare CPU/req') / positive(r.wharf.cpuUsPerReq, 'wharf CPU/req')));
    if (base) {
      console.log(`   baseline (${BASELINE}): ${rounds.map(({ baseline: o }) => `${fmt(o.rps, 0)} req/s p99 ${fmt(o.p99)} ms ${fmt(o.cpuUsPerReq, 0)} µs CPU/req`).join(' | ')}`);
      ratio(`DescribeTaskDefinition req/s baseline build/bare`, rounds.map((r) => r.baseline.rps / r.bare.rps), { goal: '(before)' });
      ratio('DescribeTaskDefinition CPU per request this build/baseline build (lower is better)', rounds.map((r) => positive(r.wharf.cpuUsPerReq, 'wharf CPU/req') / positive(r.baseline.cpuUsPerReq, 'baseline CPU/req')));
    }
  } finally {
    bare?.kill();
    if (base) { await base.stop(); base.cleanup(); }
    await s.stop();
    s.cleanup();
  }
}

async function startEtcd(work: string): Promise<{ proc: ChildProcess; url: string; dir: string }> {
  const dir = join(work, `etcd-${Date.now()}`);
  const port = 23790 + Math.floor(Math.random() * 100);
  const proc = spawn('taskset', ['-c', '0', 'etcd', '--data-dir', dir, '--listen-client-urls', `http://127.0.0.1:${port}`, '--advertise-client-urls', `http://127.0.0.1:${port}`,
    '--listen-peer-urls', `http://127.0.0.1:${port + 1000}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${port + 1000}`, '--initial-cluster', `default=http://127.0.0.1:${port + 1000}`,
    '--log-level', 'error'], { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  await waitFor('etcd to answer /health', async () => (await fetch(`${url}/health`)).ok, 20_000, 100);
  return { proc, url, dir };
}

async function benchRegister(work: string): Promise<void> {
  const s = await startPinnedServer(work);
  let etcd: Awaited<ReturnType<typeof startEtcd>> | undefined;
  try {
    const body = JSON.stringify(TASKDEF);
    const first = await fetch(s.endpoint, { method: 'POST', headers: await signedHeaders(s, 'RegisterTaskDefinition', body), body });
    const reply = await first.text();
    if (first.status !== 200) throw new CouldNotMeasure(`RegisterTaskDefinition failed: ${reply}`);
    // The peer stores a value as large as the task definition record Wharf stores (≈ its reply).
    const recordSize = Buffer.byteLength(reply);
    etcd = await startEtcd(work);
    const value = Buffer.alloc(recordSize, 'x').toString('base64');
    const etcdBody = JSON.stringify({ key: Buffer.from('/bench/taskdef').toString('base64'), value });
    const etcdLua = luaFor('POST', { 'Content-Type': 'application/json' }, etcdBody);
    const etcdUrl = `${etcd.url}/v3/kv/put`;
    console.log(`B. RegisterTaskDefinition durable writes vs etcd ${spawnSync('etcd', ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0]!.replace('etcd Version: ', '')} (single member, default fsync; value ${recordSize} bytes), ${SECONDS} s × ${ROUNDS} rounds in alternating order`);
    for (const c of [1, 64]) {
      const rounds = await interleaved(ROUNDS, {
        wharf: async () => wrkClean(work, s.endpoint, luaFor('POST', await signedHeaders(s, 'RegisterTaskDefinition', body), body), c, { pid: s.process!.pid }),
        etcd: async () => wrkClean(work, etcdUrl, etcdLua, c),
      });
      console.log(`   concurrency ${c}: wharf ${rounds.map((r) => fmt(r.wharf.rps, 0)).join(', ')} writes/s (p99 ${fmt(median(rounds.map((r) => r.wharf.p99)))} ms, ${mmm(rounds.map((r) => r.wharf.cpuUsPerReq), 0)} µs CPU/write); etcd ${rounds.map((r) => fmt(r.etcd.rps, 0)).join(', ')} writes/s (p99 ${fmt(median(rounds.map((r) => r.etcd.p99)))} ms)`);
      ratio(`RegisterTaskDefinition writes/s wharf/etcd at concurrency ${c}`, rounds.map((r) => r.wharf.rps / r.etcd.rps), { goal: c === 1 ? '≥ 1' : '≥ 2 (moonshot 4)' });
    }
  } finally {
    etcd?.proc.kill();
    await s.stop();
    s.cleanup();
  }
}

runBenchmark('Wharf API benchmarks (bench/api.ts)', async () => {
  needs('wrk', 'etcd', 'taskset');
  const work = benchDir('api');
  try {
    await benchDescribe(work);
    await benchRegister(work);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
