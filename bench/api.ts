/**
 * Issue 2 benchmarks, ours and a peer in the same run (performance.md §0: interleaved rounds, ratios):
 *
 *   A. DescribeTaskDefinition throughput and p99 through `wharf server` (SigV4 verification, routing,
 *      validation, store read, JSON encoding) vs a bare node:http server returning the same bytes.
 *      Goal ≥ 0.5×.
 *   B. RegisterTaskDefinition durable writes/s vs a single-member etcd (Debian etcd-server, default
 *      fsync) putting a value of the same size, at concurrency 1 and 64. Goal ≥ 1× and ≥ 2×.
 *
 * The load generator is wrk, replaying one pre-signed request (a SigV4 signature stays valid for 5
 * minutes, and RegisterTaskDefinition replays register new revisions). Servers run on CPU 0 and wrk on
 * CPU 1 (`taskset`), so the load generator does not steal from the system under test.
 *
 * Run: npm run build && node dist/bench/api.js [--seconds 8] [--rounds 3]
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '../src/protocol/sha256-checksum.js';
import { startServerProcess, cliEntry, type TestServer } from '../test/support/server.js';

const args = process.argv.slice(2);
const opt = (name: string, def: number) => { const i = args.indexOf(`--${name}`); return i >= 0 ? Number(args[i + 1]) : def; };
const SECONDS = opt('seconds', 8);
const ROUNDS = opt('rounds', 3);
const work = mkdtempSync(join(tmpdir(), 'wharf-bench-'));

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

interface WrkResult { rps: number; p50: number; p99: number; errors: number }

function wrk(url: string, lua: string, connections: number, seconds = SECONDS): WrkResult {
  const script = join(work, `req-${Math.random().toString(36).slice(2)}.lua`);
  writeFileSync(script, lua);
  const r = spawnSync('taskset', ['-c', '1', 'wrk', '-t1', `-c${connections}`, `-d${seconds}s`, '--latency', '-s', script, url], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`wrk failed: ${r.stderr}`);
  const out = r.stdout;
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? 0);
  const ms = (label: string) => {
    const m = new RegExp(`\\s${label}%\\s+([\\d.]+)(us|ms|s)`).exec(out);
    if (!m) return NaN;
    return Number(m[1]) * (m[2] === 'us' ? 0.001 : m[2] === 's' ? 1000 : 1);
  };
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0);
  const sockErr = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const errors = non2xx + (sockErr ? sockErr.slice(1).reduce((s, x) => s + Number(x), 0) : 0);
  return { rps, p50: ms('50'), p99: ms('99'), errors };
}

function luaFor(method: string, headers: Record<string, string>, body: string): string {
  const esc = (s: string) => JSON.stringify(s);
  return [
    `wrk.method = ${esc(method)}`,
    `wrk.body = ${esc(body)}`,
    ...Object.entries(headers).filter(([k]) => k.toLowerCase() !== 'host' && k.toLowerCase() !== 'content-length').map(([k, v]) => `wrk.headers[${esc(k)}] = ${esc(v)}`),
  ].join('\n') + '\n';
}

async function signedHeaders(s: TestServer, op: string, body: string): Promise<Record<string, string>> {
  const url = new URL(s.endpoint);
  const signer = new SignatureV4({ credentials: s.credentials, region: 'us-east-1', service: 'ecs', sha256: Sha256 });
  const req = await signer.sign({
    method: 'POST', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: '/', query: {},
    headers: { host: url.host, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `AmazonEC2ContainerServiceV20141113.${op}` }, body,
  });
  return Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (x: number, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');

async function startPinnedServer(dataDir?: string): Promise<TestServer> {
  // Pin the server to CPU 0 by re-executing the CLI under taskset through the harness's env hook.
  const s = await startServerProcess({ dataDir, extraArgs: ['--log-level', 'warn'] });
  spawnSync('taskset', ['-a', '-p', '-c', '0', String(s.process!.pid)], { stdio: 'ignore' });
  return s;
}

async function benchDescribe(): Promise<string[]> {
  const s = await startPinnedServer();
  const ecs = s.ecs();
  const { RegisterTaskDefinitionCommand } = await import('@aws-sdk/client-ecs');
  await ecs.send(new RegisterTaskDefinitionCommand(TASKDEF as never));
  const body = JSON.stringify({ taskDefinition: 'bench' });
  const headers = await signedHeaders(s, 'DescribeTaskDefinition', body);
  const sample = await fetch(s.endpoint, { method: 'POST', headers, body });
  const replyBytes = Buffer.from(await sample.arrayBuffer());
  const replyHeaders = { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': '00000000-0000-0000-0000-000000000000' };
  if (sample.status !== 200) throw new Error(`DescribeTaskDefinition failed: ${replyBytes}`);

  // The peer: the same bytes from a bare node:http server, in its own process on the same CPU.
  const bareSrc = join(work, 'bare.mjs');
  writeFileSync(bareSrc, `import { createServer } from 'node:http';
const body = Buffer.from(${JSON.stringify(replyBytes.toString('base64'))}, 'base64');
const headers = ${JSON.stringify(replyHeaders)};
createServer((req, res) => { req.resume(); req.on('end', () => { res.writeHead(200, { ...headers, 'content-length': body.length }); res.end(body); }); })
  .listen(0, '127.0.0.1', function () { console.log(this.address().port); });
`);
  const bare = spawn('taskset', ['-c', '0', process.execPath, bareSrc], { stdio: ['ignore', 'pipe', 'inherit'] });
  const barePort = await new Promise<number>((r) => bare.stdout!.once('data', (d) => r(Number(String(d).trim()))));
  void createServer;

  const lua = luaFor('POST', headers, body);
  const ours: WrkResult[] = [], peer: WrkResult[] = [];
  wrk(s.endpoint, lua, 32, 2); // warm-up
  for (let i = 0; i < ROUNDS; i++) {
    ours.push(wrk(s.endpoint, lua, 32));
    peer.push(wrk(`http://127.0.0.1:${barePort}/`, lua, 32));
  }
  bare.kill();
  await s.stop();
  s.cleanup();
  const ratios = ours.map((o, i) => o.rps / peer[i].rps);
  return [
    `A. DescribeTaskDefinition, 32 connections, ${SECONDS}s × ${ROUNDS} rounds (server on CPU 0, wrk on CPU 1)`,
    `   wharf:          ${ours.map((o) => `${fmt(o.rps, 0)} req/s p50 ${fmt(o.p50)} ms p99 ${fmt(o.p99)} ms errors ${o.errors}`).join(' | ')}`,
    `   bare node:http: ${peer.map((o) => `${fmt(o.rps, 0)} req/s p50 ${fmt(o.p50)} ms p99 ${fmt(o.p99)} ms`).join(' | ')}`,
    `   throughput ratio wharf/bare: median ${fmt(median(ratios))} (min ${fmt(Math.min(...ratios))}, max ${fmt(Math.max(...ratios))}) — goal ≥ 0.5`,
    `   p99 wharf ${fmt(median(ours.map((o) => o.p99)))} ms vs bare ${fmt(median(peer.map((o) => o.p99)))} ms`,
  ];
}

async function startEtcd(): Promise<{ proc: ChildProcess; url: string; dir: string }> {
  const dir = join(work, `etcd-${Date.now()}`);
  const port = 23790 + Math.floor(Math.random() * 100);
  const proc = spawn('taskset', ['-c', '0', 'etcd', '--data-dir', dir, '--listen-client-urls', `http://127.0.0.1:${port}`, '--advertise-client-urls', `http://127.0.0.1:${port}`,
    '--listen-peer-urls', `http://127.0.0.1:${port + 1000}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${port + 1000}`, '--initial-cluster', `default=http://127.0.0.1:${port + 1000}`,
    '--log-level', 'error'], { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    try { const r = await fetch(`${url}/health`); if (r.ok) return { proc, url, dir }; } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('etcd did not start');
}

async function benchRegister(): Promise<string[]> {
  const lines: string[] = [];
  const s = await startPinnedServer();
  const body = JSON.stringify(TASKDEF);
  const headers = await signedHeaders(s, 'RegisterTaskDefinition', body);
  const first = await fetch(s.endpoint, { method: 'POST', headers, body });
  const reply = await first.text();
  if (first.status !== 200) throw new Error(`RegisterTaskDefinition failed: ${reply}`);
  // The peer stores a value as large as the task definition record Wharf stores (≈ its reply).
  const recordSize = Buffer.byteLength(reply);
  const etcd = await startEtcd();
  const value = Buffer.alloc(recordSize, 'x').toString('base64');
  const etcdBody = JSON.stringify({ key: Buffer.from('/bench/taskdef').toString('base64'), value });
  const etcdLua = luaFor('POST', { 'Content-Type': 'application/json' }, etcdBody);
  const ourLua = luaFor('POST', headers, body);
  lines.push(`B. RegisterTaskDefinition durable writes vs etcd ${spawnSync('etcd', ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0].replace('etcd Version: ', '')} (single member, default fsync; value ${recordSize} bytes), ${SECONDS}s × ${ROUNDS} rounds`);
  for (const c of [1, 64]) {
    const ours: WrkResult[] = [], peer: WrkResult[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      ours.push(wrk(s.endpoint, ourLua, c));
      peer.push(wrk(`${etcd.url}/v3/kv/put`, etcdLua, c));
    }
    const ratios = ours.map((o, i) => o.rps / peer[i].rps);
    const goal = c === 1 ? 1 : 2;
    lines.push(`   concurrency ${c}: wharf ${ours.map((o) => fmt(o.rps, 0)).join(', ')} writes/s (p99 ${fmt(median(ours.map((o) => o.p99)))} ms, errors ${ours.reduce((x, o) => x + o.errors, 0)}); etcd ${peer.map((o) => fmt(o.rps, 0)).join(', ')} writes/s (p99 ${fmt(median(peer.map((o) => o.p99)))} ms)`);
    lines.push(`   ratio wharf/etcd at ${c}: median ${fmt(median(ratios))} (min ${fmt(Math.min(...ratios))}, max ${fmt(Math.max(...ratios))}) — goal ≥ ${goal}`);
  }
  etcd.proc.kill();
  await s.stop();
  s.cleanup();
  return lines;
}

// The machine is shared: print the load average next to the figures (performance.md §0).
const loadavg = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const header = [`Wharf API benchmarks — ${new Date().toISOString()} — node ${process.version}, ${spawnSync('nproc', { encoding: 'utf8' }).stdout.trim()} CPUs, load average ${loadavg()}`, `reproduce: npm run build && node dist/bench/api.js --seconds ${SECONDS} --rounds ${ROUNDS}`];
try {
  const out = [...header, ...(await benchDescribe()), ...(await benchRegister()), `load average at the end: ${loadavg()}`];
  console.log(out.join('\n'));
} finally {
  rmSync(work, { recursive: true, force: true });
}
void cliEntry;
