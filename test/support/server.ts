/**
 * Test harness: a real `wharf server` in a child process (or in-process when a test needs speed), with a
 * fresh data directory, plus AWS SDK v3 clients and the real AWS CLI pointed at it.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { ECSClient } from '@aws-sdk/client-ecs';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const cliEntry = join(repoRoot, 'dist', 'src', 'cli', 'main.js');

export interface Credentials { accessKeyId: string; secretAccessKey: string }

export interface TestServer {
  readonly endpoint: string;
  readonly port: number;
  readonly dataDir: string;
  readonly credentials: Credentials;
  readonly region: string;
  readonly process?: ChildProcess;
  /** Lines the server wrote to stdout (JSON logs) and stderr. */
  readonly output: string[];
  ecs(): ECSClient;
  /** Runs /usr/bin/aws with --endpoint-url and this server's credentials; parses JSON output. */
  aws(args: string[], opts?: { input?: string }): AwsResult;
  /** SIGKILL (no cleanup) — for crash tests. */
  kill(): Promise<void>;
  stop(): Promise<void>;
  /** Removes the data directory (after stop). */
  cleanup(): void;
}

export interface AwsResult { status: number; stdout: string; stderr: string; json: any }

export const testEnv = (creds: Credentials, region = 'us-east-1'): NodeJS.ProcessEnv => ({
  ...process.env,
  AWS_ACCESS_KEY_ID: creds.accessKeyId,
  AWS_SECRET_ACCESS_KEY: creds.secretAccessKey,
  AWS_DEFAULT_REGION: region,
  AWS_REGION: region,
  AWS_EC2_METADATA_DISABLED: 'true',
  AWS_PAGER: '',
  AWS_CONFIG_FILE: '/dev/null',
  AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
});

export function runAws(endpoint: string, creds: Credentials, args: string[], opts: { input?: string; region?: string } = {}): AwsResult {
  const r = spawnSync('/usr/bin/aws', ['--endpoint-url', endpoint, '--output', 'json', ...args], {
    env: testEnv(creds, opts.region), input: opts.input, encoding: 'utf8', timeout: 60_000,
  });
  let json: unknown;
  try { json = r.stdout.trim() ? JSON.parse(r.stdout) : undefined; } catch { json = undefined; }
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, json };
}

export interface StartOptions {
  dataDir?: string;
  port?: number;
  extraArgs?: string[];
  env?: NodeJS.ProcessEnv;
  /** The CLI to run (default: this checkout's build); benchmarks compare against an older build's. */
  entry?: string;
}

/**
 * A default VPC of its own for each test server: awsvpc tasks put their subnet's router address on a
 * host bridge, so two servers on one machine must not both use AWS's 172.31.0.0/16. A random /20 in
 * 10.128.0.0/9 (2048 choices, clear of Podman's 10.88.0.0/16) holds one default subnet, for the agents'
 * default zone.
 */
export function testVpcCidr(): string {
  const n = Math.floor(Math.random() * 2048);
  return `10.${128 + (n >> 4)}.${(n & 15) << 4}.0/20`;
}

/**
 * Deletes the host bridges of this server's subnets (`wh<subnet>`, made by agents for awsvpc tasks, and
 * shared by every agent on the host, so no agent removes them): found by their router address, which lies
 * in the server's own VPC. Without this each test server that ran an awsvpc task left a bridge behind.
 */
function removeSubnetBridges(vpcCidr: string): void {
  const [base, bits] = vpcCidr.split('/') as [string, string];
  const toInt = (ip: string) => ip.split('.').reduce((n, o) => (n << 8) + Number(o), 0) >>> 0;
  const mask = bits === '0' ? 0 : (~0 << (32 - Number(bits))) >>> 0;
  const out = spawnSync('ip', ['-o', '-4', 'addr', 'show'], { encoding: 'utf8' }).stdout ?? '';
  for (const m of out.matchAll(/^\d+:\s+(wh[0-9a-f]+)\s+inet\s+([\d.]+)\//gm)) {
    if (((toInt(m[2]!) & mask) >>> 0) === ((toInt(base) & mask) >>> 0)) spawnSync('ip', ['link', 'del', m[1]!], { stdio: 'ignore' });
  }
}

/** Starts `wharf server` as a child process on a free port and waits until it listens. */
export async function startServerProcess(opts: StartOptions = {}): Promise<TestServer> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'wharf-test-'));
  rmSync(join(dataDir, 'endpoint'), { force: true });
  const vpcCidr = opts.env?.WHARF_DEFAULT_VPC_CIDR ?? testVpcCidr();
  const child = spawn(process.execPath, [opts.entry ?? cliEntry, 'server', '--port', String(opts.port ?? 0), '--data-dir', dataDir, ...(opts.extraArgs ?? [])], {
    env: { ...process.env, ...opts.env, WHARF_DEFAULT_VPC_CIDR: vpcCidr },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  createInterface({ input: child.stderr! }).on('line', (l) => output.push(l));
  // Ready when the server has written its endpoint file (after it listens), whatever the log level.
  const endpointFile = join(dataDir, 'endpoint');
  const endpoint = await new Promise<string>((resolve, reject) => {
    // 60 s: a server starts in ~1 s on an idle machine, but 15 s was measured with 8 builds sharing two cores.
    const timer = setTimeout(() => { clearInterval(poll); reject(new Error(`server did not start in 60 s:\n${output.join('\n')}`)); }, 60_000);
    const poll = setInterval(() => {
      if (existsSync(endpointFile)) { clearInterval(poll); clearTimeout(timer); resolve(readFileSync(endpointFile, 'utf8').trim()); }
    }, 20);
    createInterface({ input: child.stdout! }).on('line', (l) => output.push(l));
    child.once('exit', (code) => { clearInterval(poll); clearTimeout(timer); reject(new Error(`server exited with ${code}:\n${output.join('\n')}`)); });
  });
  const saved = JSON.parse(readFileSync(join(dataDir, 'admin-credentials.json'), 'utf8')) as Credentials;
  const credentials = { accessKeyId: saved.accessKeyId, secretAccessKey: saved.secretAccessKey };
  const port = Number(new URL(endpoint).port);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return {
    endpoint, port, dataDir, credentials, region: 'us-east-1', process: child, output,
    ecs: () => new ECSClient({ endpoint, region: 'us-east-1', credentials, maxAttempts: 1 }),
    aws: (args, o) => runAws(endpoint, credentials, args, o),
    async kill() { child.kill('SIGKILL'); await exited; },
    async stop() { if (child.exitCode === null && child.signalCode === null) { child.kill('SIGTERM'); await exited; } },
    cleanup() {
      // The load balancer data plane outlives a SIGKILLed server on purpose (traffic keeps flowing while
      // the control plane restarts); a test that is done with its data dir stops it too.
      killDataPlane(dataDir);
      removeSubnetBridges(vpcCidr);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Stops the HAProxy master a server started in `dataDir` (if still running). */
export function killDataPlane(dataDir: string): void {
  const pidFile = join(dataDir, 'lb', 'haproxy.pid');
  if (!existsSync(pidFile)) return;
  for (const line of readFileSync(pidFile, 'utf8').split('\n')) {
    const pid = Number(line.trim());
    if (!(pid > 0)) continue;
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(dataDir)) process.kill(pid, 'SIGKILL');
    } catch { /* gone */ }
  }
}
