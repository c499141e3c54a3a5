/** Helpers for the load balancer tests: tiny real HTTP backends on 127.0.0.1, clients, free ports, load. */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, request, Agent, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { TestServer } from '../support/server.js';

export interface Backend {
  readonly name: string;
  readonly port: number;
  /** Status the health path (/health) answers with; change it to fail or pass checks. */
  healthStatus: number;
  /** Requests served (excluding health checks). */
  served: number;
  close(): Promise<void>;
}

/** A node:http backend answering `<name>` on every path; `/health` answers `healthStatus`; `/slow?ms=N` waits. */
export async function startBackend(name: string, opts: { healthStatus?: number } = {}): Promise<Backend> {
  const b: Backend & { server?: Server } = {
    name, port: 0, healthStatus: opts.healthStatus ?? 200, served: 0,
    close: () => new Promise<void>((r) => { b.server!.closeAllConnections(); b.server!.close(() => r()); }),
  };
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/health') { res.writeHead(b.healthStatus, { 'content-type': 'text/plain' }).end('health\n'); return; }
    b.served++;
    const reply = () => res.writeHead(200, { 'content-type': 'text/plain', 'x-backend': name }).end(`${name} ${req.method} ${req.url} host=${req.headers.host} xff=${req.headers['x-forwarded-for'] ?? ''}\n`);
    const ms = Number(url.searchParams.get('ms') ?? 0);
    if (url.pathname === '/slow' && ms > 0) setTimeout(reply, ms); else reply();
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  (b as { port: number }).port = (server.address() as AddressInfo).port;
  b.server = server;
  return b;
}

/**
 * The same backend in a child process, for tests that drive the AWS CLI synchronously (spawnSync blocks
 * this process's event loop for the whole call, and an in-process backend would miss HAProxy's health
 * checks meanwhile). Answers like startBackend; health is always 200.
 */
export async function startBackendProcess(name: string): Promise<Pick<Backend, 'name' | 'port' | 'close'>> {
  const script = `
    const http = require('node:http');
    const name = ${JSON.stringify(name)};
    const s = http.createServer((req, res) => {
      if (req.url === '/health') { res.writeHead(200, { 'content-type': 'text/plain' }).end('health\\n'); return; }
      res.writeHead(200, { 'content-type': 'text/plain', 'x-backend': name }).end(name + ' ' + req.method + ' ' + req.url + ' host=' + req.headers.host + ' xff=' + (req.headers['x-forwarded-for'] ?? '') + '\\n');
    });
    s.keepAliveTimeout = 65000;
    s.listen(0, '127.0.0.1', () => process.stdout.write(s.address().port + '\\n'));
    process.stdin.on('end', () => process.exit(0)).resume();`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  const [chunk] = (await once(child.stdout!, 'data')) as [Buffer];
  const port = Number(chunk.toString().trim());
  if (!Number.isInteger(port) || port <= 0) throw new Error(`backend ${name} did not start: ${chunk.toString()}`);
  return {
    name, port,
    close: async () => {
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.stdin!.end(); // the backend exits when its stdin closes (and with this process, if it dies)
      await exited;
    },
  };
}

export function elbClient(s: TestServer): ElasticLoadBalancingV2Client {
  return new ElasticLoadBalancingV2Client({ endpoint: s.endpoint, region: s.region, credentials: s.credentials, maxAttempts: 1 });
}

/** A port nothing listens on right now (the OS picks it). */
export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const p = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return p;
}

export interface HttpReply { status: number; body: string; headers: Record<string, string | string[] | undefined> }

export function get(port: number, path = '/', headers: Record<string, string> = {}, agent?: Agent): Promise<HttpReply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers, agent: agent ?? false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error('timeout')));
    req.end();
  });
}

export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 20_000, stepMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) { last = e; }
    await new Promise((r) => setTimeout(r, stepMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

export interface LoadResult { ok: number; failed: number; errors: string[]; latenciesMs: number[] }

/**
 * Closed-loop keep-alive load from `concurrency` workers until `signal` aborts. Every non-200 reply
 * and every transport error counts as a failure (nothing is retried by the client).
 */
export async function steadyLoad(port: number, signal: AbortSignal, opts: { concurrency?: number; path?: string } = {}): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: opts.concurrency ?? 8 });
  const res: LoadResult = { ok: 0, failed: 0, errors: [], latenciesMs: [] };
  const worker = async () => {
    while (!signal.aborted) {
      const t0 = performance.now();
      try {
        const r = await get(port, opts.path ?? '/', {}, agent);
        if (r.status === 200) { res.ok++; res.latenciesMs.push(performance.now() - t0); } else { res.failed++; if (res.errors.length < 10) res.errors.push(`HTTP ${r.status}: ${r.body.slice(0, 100)}`); }
      } catch (e) {
        res.failed++;
        if (res.errors.length < 10) res.errors.push(String(e));
      }
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency ?? 8 }, worker));
  agent.destroy();
  return res;
}
