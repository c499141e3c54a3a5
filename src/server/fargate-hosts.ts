/**
 * The local HostProvider of the managed Fargate pool: each pool host is a `wharf agent` child process
 * of the server, with its own state directory (its identity) under <data dir>/agent/fargate/<name>,
 * joined with the pool token (passed in the environment, never on the command line), restarted with
 * back-off if it dies, and stopped with the server.
 *
 * A server that was killed leaves its pool agents behind; the next start kills them (matching the pid
 * files it wrote against /proc/<pid>/cmdline, so nothing else is touched) and the capacity controller
 * starts hosts that still hold tasks again under the same name: same identity, so the new agent adopts
 * the containers instead of starting them twice.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import type { HostProvider } from '../controllers/capacity/controller.js';
import { POOL_HOST_ATTRIBUTE } from '../controllers/capacity/controller.js';

const entry = join(dirname(fileURLToPath(import.meta.url)), '..', 'cli', 'main.js');

interface Host { child?: ChildProcess; stopping: boolean; backoff: number; timer?: NodeJS.Timeout }

export interface LocalHostsOptions {
  dataDir: string;
  /** The server endpoint agents connect to (known once the server listens). */
  endpoint: () => string;
  poolToken: string;
  log: Logger;
  /** Extra agent flags (e.g. a stop timeout), from WHARF_FARGATE_AGENT_ARGS. */
  extraArgs?: string[];
  availabilityZone?: string;
}

export class LocalProcessHosts implements HostProvider {
  private readonly hosts = new Map<string, Host>();
  private readonly root: string;

  constructor(private readonly o: LocalHostsOptions) {
    this.root = join(o.dataDir, 'agent', 'fargate');
    killLeftovers(this.root, o.log);
  }

  running(): string[] {
    return [...this.hosts].filter(([, h]) => !h.stopping).map(([n]) => n);
  }

  async start(req: { cluster: string; name: string; cpu: number; memory: number }): Promise<void> {
    if (this.hosts.get(req.name) && !this.hosts.get(req.name)!.stopping) return;
    const host: Host = { stopping: false, backoff: 500 };
    this.hosts.set(req.name, host);
    const stateDir = join(this.root, req.name);
    mkdirSync(stateDir, { recursive: true });
    const launch = () => {
      if (host.stopping) return;
      const args = [entry, 'agent', '--server', this.o.endpoint(), '--cluster', req.cluster, '--name', req.name, '--state-dir', stateDir,
        '--cpu', String(req.cpu), '--memory', String(req.memory), '--attribute', `${POOL_HOST_ATTRIBUTE}=${req.name}`,
        ...(this.o.availabilityZone ? ['--availability-zone', this.o.availabilityZone] : []), ...(this.o.extraArgs ?? [])];
      const child = spawn(process.execPath, args, {
        stdio: ['ignore', 'ignore', 'inherit'],
        env: { ...process.env, WHARF_JOIN_TOKEN: this.o.poolToken, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
      });
      host.child = child;
      if (child.pid) writeFileSync(join(stateDir, 'agent.pid'), String(child.pid));
      const started = Date.now();
      child.once('exit', (code, signal) => {
        if (host.stopping) return;
        if (Date.now() - started > 60_000) host.backoff = 500;
        this.o.log.warn({ host: req.name, code, signal, restartInMs: host.backoff }, 'fargate pool agent exited; restarting');
        host.timer = setTimeout(launch, host.backoff);
        host.backoff = Math.min(host.backoff * 2, 30_000);
      });
    };
    launch();
  }

  async stop(name: string): Promise<void> {
    const h = this.hosts.get(name);
    if (!h) return;
    h.stopping = true;
    clearTimeout(h.timer);
    const c = h.child;
    if (c && c.exitCode === null && c.signalCode === null) {
      const exited = new Promise<void>((r) => c.once('exit', () => r()));
      c.kill('SIGTERM');
      const t = setTimeout(() => c.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(t);
    }
    rmSync(join(this.root, name, 'agent.pid'), { force: true });
    this.hosts.delete(name);
  }

  /** Stops every host (the server is shutting down; their containers keep running, as agents leave them). */
  async close(): Promise<void> {
    await Promise.all([...this.hosts.keys()].map((n) => this.stop(n)));
  }
}

function killLeftovers(root: string, log: Logger): void {
  if (!existsSync(root)) return;
  for (const name of readdirSync(root)) {
    const pidFile = join(root, name, 'agent.pid');
    if (!existsSync(pidFile)) continue;
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    try {
      if (pid > 0 && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(join(root, name))) {
        process.kill(pid, 'SIGKILL');
        log.info({ host: name, pid }, 'killed a fargate pool agent a previous server left behind');
      }
    } catch { /* gone */ }
    rmSync(pidFile, { force: true });
  }
}
