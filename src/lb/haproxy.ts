/**
 * The HAProxy data plane: Wharf starts one HAProxy in master-worker mode, supervises it, and programs it.
 *
 *   files (under <dataDir>/lb/)   haproxy.cfg, haproxy.sock (runtime API), master.sock (master CLI),
 *                                 haproxy.pid, servers.state (health/admin state carried over reloads),
 *                                 haproxy.log (its stderr)
 *
 *   apply(spec)
 *     structure changed (listener, rule, target group)?  write haproxy.cfg (with current servers),
 *        `haproxy -c` it, save `show servers state`, SIGUSR2 the master: a seamless reload (the new
 *        worker takes the listening sockets over the runtime socket, `expose-fd listeners`; old workers
 *        finish their connections), then wait until the runtime socket answers from the new worker
 *     targets changed?  runtime API only, no reload:
 *        new      add server … check …; enable health; set server state ready; set server health down
 *                 (a new target starts "initial" and earns traffic with HealthyThresholdCount passes)
 *        draining set server … state drain   (no new requests; in-flight ones finish)
 *        removed  set server … state maint; shutdown sessions server; del server
 *        moved    set server … addr A port P
 *   observe()    `show stat` → one ServerObservation per server
 *   traffic()    `show stat` (frontends, backends, servers) → cumulative request/response/byte counters;
 *                a reload starts a new worker whose counters start at zero (the reader handles resets)
 *
 * If the master dies it is restarted (1 s, doubling to 30 s). If haproxy is not installed, `start`
 * fails with the command that installs it.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { DataPlaneSpec, LbDataPlane, ServerObservation, TrafficCounters } from '../model/elbv2/data-plane.js';
import { renderConfig, serverArgs, structuralConfig, TRANSITION_CHECK_MS, type RenderOptions } from './haproxy-config.js';
import { ADMIN_FDRAIN, ADMIN_FMAINT, parseServersState, parseStatCsv, runtimeCommand } from './runtime-api.js';

export const HAPROXY_INSTALL_HINT = 'HAProxy is not installed: the load balancer data plane needs it. Install it with `apt-get install haproxy` (Debian/Ubuntu) or `dnf install haproxy`, or point WHARF_HAPROXY at the binary.';

export interface HaproxyOptions {
  readonly dir: string;
  readonly log: Logger;
  readonly binary?: string;
  readonly nbthread?: number;
  readonly maxconn?: number;
}

export function haproxyAvailable(binary = 'haproxy'): { ok: true; version: string } | { ok: false; error: string } {
  const r = spawnSync(binary, ['-v'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) return { ok: false, error: HAPROXY_INSTALL_HINT };
  return { ok: true, version: (r.stdout.split('\n')[0] ?? '').trim() };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class HaproxyDataPlane implements LbDataPlane {
  private readonly cfgPath: string;
  private readonly render: RenderOptions;
  private readonly binary: string;
  private master?: ChildProcess;
  private lastStructural?: string;
  private closed = false;
  private restartDelay = 1000;
  private applying: Promise<void> = Promise.resolve();
  /** When each server was first seen failing while down (for initial targets, which HAProxy never counts). */
  private readonly failingSince = new Map<string, number>();
  reloads = 0;

  constructor(private readonly o: HaproxyOptions) {
    this.cfgPath = join(o.dir, 'haproxy.cfg');
    this.binary = o.binary ?? 'haproxy';
    this.render = { statsSocket: join(o.dir, 'haproxy.sock'), serverStateFile: join(o.dir, 'servers.state'), nbthread: o.nbthread, maxconn: o.maxconn };
  }

  get socket(): string { return this.render.statsSocket; }
  get configPath(): string { return this.cfgPath; }

  /** Starts HAProxy with an empty configuration (only the runtime socket). */
  async start(): Promise<void> {
    const avail = haproxyAvailable(this.binary);
    if (!avail.ok) throw new Error(avail.error);
    mkdirSync(this.o.dir, { recursive: true });
    this.killStale();
    const empty: DataPlaneSpec = { listeners: [], backends: [] };
    this.writeConfig(renderConfig(empty, this.render));
    this.lastStructural = structuralConfig(empty, this.render);
    await this.spawnMaster();
    this.o.log.info({ version: avail.version, dir: this.o.dir }, 'haproxy started');
  }

  apply(spec: DataPlaneSpec): Promise<void> {
    const run = this.applying.then(() => this.applyNow(spec));
    this.applying = run.catch(() => undefined);
    return run;
  }

  async observe(): Promise<ServerObservation[]> {
    if (!this.master) return [];
    const rows = parseStatCsv(await runtimeCommand(this.socket, 'show stat -1 4 -1'));
    const now = Date.now();
    const seen = new Set<string>();
    const out: ServerObservation[] = rows.filter((r) => r.type === '2').map((r) => {
      const id = `${r.pxname}/${r.svname}`;
      seen.add(id);
      const status = r.status ?? '';
      const cs = r.check_status ?? '';
      const lastCheck: ServerObservation['lastCheck'] =
        cs === '' || cs === 'INI' ? 'none'
          : cs.startsWith('L7OK') || cs === 'L4OK' || cs === 'L6OK' ? 'ok'
            : cs === 'L7STS' ? 'bad-status'
              : cs === 'L4TOUT' || cs === 'L7TOUT' || cs === 'L6TOUT' ? 'timeout'
                : cs === 'L4CON' || cs === 'SOCKERR' ? 'connect' : 'other';
      const up = status.startsWith('UP') || status === 'DRAIN' || status === 'NOLB';
      // HAProxy counts failed checks only while a server is up; count them for down servers by time,
      // at the one-per-TRANSITION_CHECK_MS rate down servers are checked.
      let failedChecks = Number(r.chkfail || 0);
      if (!up && lastCheck !== 'ok' && lastCheck !== 'none') {
        const since = this.failingSince.get(id) ?? now;
        this.failingSince.set(id, since);
        failedChecks = Math.max(failedChecks, 1 + Math.floor((now - since) / TRANSITION_CHECK_MS));
      } else {
        this.failingSince.delete(id);
      }
      return {
        backend: r.pxname, server: r.svname, up, lastCheck, failedChecks,
        lastCode: r.check_code ? Number(r.check_code) : undefined,
        checked: status !== 'no check',
      };
    });
    for (const k of this.failingSince.keys()) if (!seen.has(k)) this.failingSince.delete(k);
    return out;
  }

  async traffic(): Promise<TrafficCounters[]> {
    if (!this.master) return [];
    const rows = parseStatCsv(await runtimeCommand(this.socket, 'show stat -1 7 -1'));
    const n = (v: string | undefined) => Number(v || 0);
    return rows.filter((r) => r.type === '0' || r.type === '1' || r.type === '2').map((r): TrafficCounters => {
      const kind = r.type === '0' ? 'listener' : r.type === '1' ? 'backend' : 'server';
      return {
        kind,
        name: kind === 'server' ? `${r.pxname}/${r.svname}` : r.pxname,
        // Servers have no req_tot in HTTP mode before 2.x; their sessions are their requests there.
        requests: kind === 'server' ? n(r.req_tot) || n(r.stot) : n(r.req_tot),
        responses: [n(r.hrsp_1xx), n(r.hrsp_2xx), n(r.hrsp_3xx), n(r.hrsp_4xx), n(r.hrsp_5xx)],
        connections: kind === 'listener' ? n(r.conn_tot) : n(r.stot),
        bytes: n(r.bin) + n(r.bout),
        active: n(r.scur),
        responseTimeMs: kind === 'listener' ? 0 : n(r.rtime),
      };
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const m = this.master;
    this.master = undefined;
    if (m && m.exitCode === null) {
      const exited = new Promise<void>((r) => m.once('exit', () => r()));
      m.kill('SIGTERM');
      await Promise.race([exited, sleep(5000)]);
      if (m.exitCode === null) m.kill('SIGKILL');
    }
  }

  // ------------------------------------------------------------------------------------------ internals

  private async applyNow(spec: DataPlaneSpec): Promise<void> {
    if (this.closed) return;
    if (!this.master) throw new Error('haproxy is not running');
    const structural = structuralConfig(spec, this.render);
    if (structural !== this.lastStructural) {
      const full = renderConfig(spec, this.render);
      const check = this.validate(full);
      if (check) throw new Error(`haproxy rejected the rendered configuration: ${check}`);
      await this.saveServerState();
      this.writeConfig(full);
      await this.reload();
      this.lastStructural = structural;
    }
    await this.syncServers(spec);
  }

  /** Runtime-API diff of servers (targets) against the spec. */
  private async syncServers(spec: DataPlaneSpec): Promise<void> {
    const current = parseServersState(await runtimeCommand(this.socket, 'show servers state'));
    const byBackend = new Map<string, Map<string, (typeof current)[number]>>();
    for (const s of current) {
      const m = byBackend.get(s.backend) ?? new Map();
      m.set(s.server, s);
      byBackend.set(s.backend, m);
    }
    const cmds: string[] = [];
    for (const b of spec.backends) {
      const have = byBackend.get(b.name) ?? new Map();
      const want = new Set<string>();
      for (const s of b.servers) {
        want.add(s.name);
        const id = `${b.name}/${s.name}`;
        const cur = have.get(s.name);
        if (!cur) {
          if (s.draining) continue;
          cmds.push(`add server ${id} ${serverArgs(b, s)}`);
          if (b.healthCheck.enabled) cmds.push(`enable health ${id}`, `set server ${id} state ready`, `set server ${id} health down`);
          else cmds.push(`set server ${id} state ready`);
          continue;
        }
        if (cur.address !== s.address || cur.port !== s.port) cmds.push(`set server ${id} addr ${s.address} port ${s.port}`);
        if (s.draining && !(cur.adminState & (ADMIN_FDRAIN | ADMIN_FMAINT))) cmds.push(`set server ${id} state drain`);
        if (!s.draining && (cur.adminState & (ADMIN_FDRAIN | ADMIN_FMAINT))) cmds.push(`set server ${id} state ready`);
      }
      for (const name of have.keys()) {
        if (want.has(name)) continue;
        const id = `${b.name}/${name}`;
        cmds.push(`set server ${id} state maint`, `shutdown sessions server ${id}`, `del server ${id}`);
      }
    }
    if (cmds.length === 0) return;
    // One command per line keeps a failing command (e.g. del server with idle connections) from
    // hiding the others; they are retried on the next apply.
    const out = await runtimeCommand(this.socket, cmds.join(';'));
    const problems = out.split('\n').filter((l) => /error|not found|cannot|unable|invalid|No such/i.test(l));
    if (problems.length > 0) this.o.log.warn({ problems, cmds }, 'haproxy runtime API reported problems');
    this.o.log.debug({ cmds }, 'haproxy runtime changes');
  }

  private validate(config: string): string | undefined {
    const tmp = this.cfgPath + '.check';
    writeFileSync(tmp, config);
    const r = spawnSync(this.binary, ['-c', '-q', '-f', tmp], { encoding: 'utf8' });
    rmSync(tmp, { force: true });
    return r.status === 0 ? undefined : (r.stderr || r.stdout).trim();
  }

  private writeConfig(config: string): void {
    writeFileSync(this.cfgPath + '.tmp', config);
    renameSync(this.cfgPath + '.tmp', this.cfgPath);
  }

  private async saveServerState(): Promise<void> {
    try {
      const state = await runtimeCommand(this.socket, 'show servers state');
      writeFileSync(this.render.serverStateFile, state);
    } catch (e) {
      this.o.log.warn({ err: e }, 'could not save haproxy server state before reload');
    }
  }

  private async workerPid(): Promise<number | undefined> {
    try {
      const info = await runtimeCommand(this.socket, 'show info', { timeoutMs: 1000 });
      const m = /^Pid: (\d+)/m.exec(info);
      return m ? Number(m[1]) : undefined;
    } catch {
      return undefined;
    }
  }

  private async reload(): Promise<void> {
    const before = await this.workerPid();
    this.master!.kill('SIGUSR2');
    this.reloads++;
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      await sleep(20);
      const pid = await this.workerPid();
      if (pid !== undefined && pid !== before) return;
    }
    throw new Error('haproxy did not come back from a reload within 15 s; see ' + join(this.o.dir, 'haproxy.log'));
  }

  private killStale(): void {
    const pidFile = join(this.o.dir, 'haproxy.pid');
    if (!existsSync(pidFile)) return;
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    try {
      if (pid > 0 && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(this.cfgPath)) process.kill(pid, 'SIGTERM');
    } catch { /* gone */ }
  }

  private async spawnMaster(): Promise<void> {
    const logPath = join(this.o.dir, 'haproxy.log');
    const child = spawn(this.binary, ['-W', '-S', join(this.o.dir, 'master.sock'), '-f', this.cfgPath, '-p', join(this.o.dir, 'haproxy.pid')], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    this.master = child;
    let tail = '';
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (d: string) => {
      tail = (tail + d).slice(-8192);
      try { writeFileSync(logPath, d, { flag: 'a' }); } catch { /* dir removed */ }
    });
    child.once('exit', (code, signal) => {
      if (this.master !== child) return;
      this.master = undefined;
      if (this.closed) return;
      this.o.log.error({ code, signal, tail: tail.slice(-2000) }, 'haproxy exited; restarting');
      const delay = this.restartDelay;
      this.restartDelay = Math.min(this.restartDelay * 2, 30_000);
      setTimeout(() => {
        if (this.closed) return;
        this.lastStructural = undefined;
        this.spawnMaster().then(() => { this.restartDelay = 1000; }, (e) => this.o.log.error({ err: e }, 'haproxy restart failed'));
      }, delay).unref();
    });
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`haproxy exited at start: ${tail.trim()}`);
      if ((await this.workerPid()) !== undefined) return;
      await sleep(20);
    }
    throw new Error(`haproxy did not open its runtime socket within 10 s: ${tail.trim()}`);
  }
}
