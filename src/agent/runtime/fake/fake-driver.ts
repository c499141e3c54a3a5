/**
 * An in-memory RuntimeDriver for fast, deterministic control-logic tests (the "do-nothing runtime" that
 * lets a whole cluster run in one process, as moby/swarmkit integration/exec.go does). It passes the same
 * conformance suite as the docker-api adapter: containers run a busybox-shell subset (fake-shell.ts), so
 * `sh -c 'echo hi; sleep 30'` logs "hi" and runs until stopped, exactly as on Podman.
 *
 * Deterministic: ids come from a counter, dynamic host ports from 32768 upwards, and time from the
 * injectable clock. Test controls: `addImage`/`addRegistryImage`, `failNext(op, message)`,
 * `exit(id, code, {oomKilled})`, `log(id, stream, line)`; every call is recorded in `calls`.
 */
import { fakeFile } from './fake-files.js';
import type {
  CallOptions, ContainerSpec, ContainerState, ContainerStats, ContainerSummary, ExecResult, ExitInfo,
  LogLine, LogOptions, PullOptions, PulledImage, RuntimeDriver, RuntimeInfo, VolumeInfo, VolumeSpec,
} from '../driver.js';
import { RuntimeError } from '../runtime-error.js';
import { systemClock } from '../../clock.js';
import { FakeProcess, KNOWN_COMMANDS, OOM_EXIT, commandName, signalName, signalNumber, type ShellContext } from './fake-shell.js';

export interface FakeClock {
  now(): Date;
  /** Rejects with the signal's reason when it aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** Wall time, with the agent's abortable sleep (src/agent/clock.ts). */
export const realClock: FakeClock = {
  now: () => new Date(),
  sleep: systemClock.sleep,
};

interface FakeImage {
  id: string;
  digest: string;
  cmd: string[];
  env: Record<string, string>;
}

interface FakeContainer {
  id: string;
  spec: ContainerSpec;
  image: FakeImage;
  state: ContainerState;
  logs: LogLine[];
  proc: FakeProcess | null;
  /** Settles on exit; woken on every new log line too (followers re-check). */
  changed: Set<() => void>;
}

export type FakeOp = 'pull' | 'create' | 'start' | 'stop' | 'remove' | 'exec';

const hex64 = (n: number, salt: string) => (salt + n.toString(16)).padStart(64, '0').slice(-64);

export class FakeDriver implements RuntimeDriver {
  readonly calls: { op: string; args: unknown[] }[] = [];
  private readonly images = new Map<string, FakeImage>();
  private readonly registry = new Map<string, FakeImage>();
  private readonly containers = new Map<string, FakeContainer>();
  private readonly volumes = new Map<string, VolumeInfo>();
  private readonly faults = new Map<FakeOp, string>();
  private seq = 0;
  private nextPort = 32768;
  private readonly clock: FakeClock;

  constructor(opts: { clock?: FakeClock; images?: string[] } = {}) {
    this.clock = opts.clock ?? realClock;
    for (const ref of opts.images ?? []) this.addImage(ref);
  }

  // ---- test controls ----------------------------------------------------------------------------------

  addImage(ref: string, img: Partial<FakeImage> = {}): void {
    this.images.set(ref, this.makeImage(img));
  }

  /** An image a pull of `ref` will find. */
  addRegistryImage(ref: string, img: Partial<FakeImage> = {}): void {
    this.registry.set(ref, this.makeImage(img));
  }

  /** The next call of `op` fails with this message. */
  failNext(op: FakeOp, message: string): void {
    this.faults.set(op, message);
  }

  /** Ends a running container as if its process exited. */
  exit(id: string, exitCode: number, opts: { oomKilled?: boolean } = {}): void {
    this.finish(this.get(id), exitCode, opts.oomKilled ?? false);
  }

  log(id: string, stream: 'stdout' | 'stderr', line: string): void {
    this.append(this.get(id), stream, line);
  }

  // ---- RuntimeDriver --------------------------------------------------------------------------------

  async ping(): Promise<RuntimeInfo> {
    this.record('ping');
    return { engine: 'fake', version: '0.0.0', apiVersion: '1.41', os: 'linux', arch: 'amd64' };
  }

  async pullImage(ref: string, opts: PullOptions = {}): Promise<PulledImage> {
    this.record('pull', ref, opts.auth ? { ...opts.auth, password: '***' } : undefined);
    this.fault('pull', 'pull-failed', `pull ${ref}`);
    const img = this.registry.get(ref);
    if (!img) throw new RuntimeError('pull-failed', `pull ${ref}: initializing source docker://${ref}: reading manifest: manifest unknown`);
    opts.onProgress?.({ id: '', status: `Trying to pull ${ref}...` });
    opts.onProgress?.({ id: img.id.slice(0, 12), status: 'Download complete' });
    this.images.set(ref, img);
    return { ref, id: img.id, digest: img.digest };
  }

  async loadImage(archive: Uint8Array): Promise<void> {
    this.record('load', archive.length);
    const m = /"RepoTags":\["([^"]+)"/.exec(Buffer.from(archive).toString('latin1'));
    if (m) this.addImage(m[1]);
  }

  async inspectImage(ref: string): Promise<PulledImage | null> {
    const img = this.images.get(ref);
    return img ? { ref, id: img.id, digest: img.digest } : null;
  }

  async createContainer(spec: ContainerSpec): Promise<string> {
    this.record('create', spec);
    this.fault('create', 'create-failed', `create ${spec.name}`);
    const image = this.images.get(spec.image);
    if (!image) throw new RuntimeError('image-not-found', `create ${spec.name}: image ${spec.image} is not present: no such image: ${spec.image}: image not known`);
    if ([...this.containers.values()].some((c) => c.state.name === spec.name)) {
      throw new RuntimeError('create-failed', `create ${spec.name}: the container name "${spec.name}" is already in use`);
    }
    if (spec.portBindings?.length && (spec.networkMode ?? 'bridge') !== 'bridge') {
      throw new RuntimeError('create-failed', `create ${spec.name}: portBindings need networkMode bridge`);
    }
    // Mounts as the container sees them: its own, then every mount of its volumesFrom containers.
    const mounts = [...(spec.mounts ?? [])];
    for (const vf of spec.volumesFrom ?? []) {
      const src = this.containers.get(vf.container) ?? [...this.containers.values()].find((x) => x.state.name === vf.container);
      if (!src) throw new RuntimeError('create-failed', `create ${spec.name}: no container with name or ID "${vf.container}" found: no such container`);
      for (const m of src.spec.mounts ?? []) mounts.push({ ...m, readOnly: vf.readOnly || m.readOnly });
    }
    for (const m of mounts) if (m.type === 'volume' && !this.volumes.has(m.source)) this.volumes.set(m.source, { name: m.source, driver: 'local', labels: {}, options: {} });
    spec = { ...spec, mounts };
    const id = hex64(++this.seq, 'fa4e');
    this.containers.set(id, {
      id,
      spec: structuredClone(spec),
      image,
      logs: [],
      proc: null,
      changed: new Set(),
      state: {
        id, name: spec.name, status: 'created', running: false, exitCode: null, oomKilled: false, startedAt: null, finishedAt: null,
        error: null, hostPorts: [], imageId: image.id, imageDigest: image.digest, labels: { ...(spec.dockerLabels ?? {}), ...(spec.labels ?? {}) }, pid: null,
      },
    });
    return id;
  }

  async startContainer(id: string): Promise<void> {
    this.record('start', id);
    const c = this.get(id);
    this.fault('start', 'start-failed', `start ${id.slice(0, 12)}`);
    if (c.state.status === 'running') return;
    if (c.state.status !== 'created') throw new RuntimeError('start-failed', `start ${id.slice(0, 12)}: container is ${c.state.status}`);
    const argv = [...(c.spec.entryPoint ?? []), ...(c.spec.command ?? c.image.cmd)];
    if (!KNOWN_COMMANDS.has(commandName(argv))) {
      const msg = `runc: runc create failed: unable to start container process: exec: "${argv[0]}": stat ${argv[0]}: no such file or directory: OCI runtime attempted to invoke a command that was not found`;
      c.state.error = msg;
      throw new RuntimeError('start-failed', `start ${id.slice(0, 12)}: ${msg}`);
    }
    for (const p of c.spec.portBindings ?? []) {
      c.state.hostPorts.push({ containerPort: p.containerPort, hostPort: p.hostPort || this.nextPort++, protocol: p.protocol ?? 'tcp', hostIp: p.hostIp ?? '' });
    }
    c.state.status = 'running';
    c.state.running = true;
    c.state.startedAt = this.clock.now();
    const proc = new FakeProcess(argv, this.shellContext(c, true));
    c.proc = proc;
    proc.result.then((r) => this.finish(c, r.code, r.oom), (e: unknown) => this.finish(c, 255, false, String(e)));
  }

  async stopContainer(id: string, opts: { timeoutSeconds: number; signal?: AbortSignal }): Promise<void> {
    this.record('stop', id, opts.timeoutSeconds);
    const c = this.get(id);
    this.fault('stop', 'stop-failed', `stop ${id.slice(0, 12)}`);
    if (!c.state.running || !c.proc) return;
    c.proc.signal(c.spec.stopSignal ?? 'SIGTERM');
    const exited = new Promise<void>((resolve) => this.onChange(c, () => !c.state.running, resolve));
    const grace = new AbortController();
    await Promise.race([exited, this.clock.sleep(opts.timeoutSeconds * 1000, grace.signal).catch(() => {})]);
    grace.abort();
    if (c.state.running) {
      c.proc.signal('SIGKILL');
      await exited;
    }
  }

  async removeContainer(id: string): Promise<void> {
    this.record('remove', id);
    const c = this.containers.get(id);
    if (!c) return;
    this.fault('remove', 'remove-failed', `remove ${id.slice(0, 12)}`);
    if (c.state.running) this.finish(c, 137, false);
    this.containers.delete(id);
  }

  async createVolume(spec: VolumeSpec): Promise<VolumeInfo> {
    this.record('createVolume', spec);
    const have = this.volumes.get(spec.name);
    if (have) return structuredClone(have);
    const v: VolumeInfo = { name: spec.name, driver: spec.driver ?? 'local', labels: { ...(spec.labels ?? {}) }, options: { ...(spec.driverOpts ?? {}) } };
    this.volumes.set(spec.name, v);
    return structuredClone(v);
  }

  async inspectVolume(name: string): Promise<VolumeInfo | null> {
    const v = this.volumes.get(name);
    return v ? structuredClone(v) : null;
  }

  async listVolumes(labels: Record<string, string>): Promise<VolumeInfo[]> {
    return [...this.volumes.values()].filter((v) => Object.entries(labels).every(([k, val]) => v.labels[k] === val)).map((v) => structuredClone(v));
  }

  async removeVolume(name: string): Promise<void> {
    this.record('removeVolume', name);
    if (!this.volumes.has(name)) return;
    const user = [...this.containers.values()].find((c) => c.spec.mounts?.some((m) => m.type === 'volume' && m.source === name));
    if (user) throw new RuntimeError('volume-remove-failed', `remove volume ${name}: volume is being used by the following container(s): ${user.id}: volume is being used`);
    this.volumes.delete(name);
  }

  async inspect(id: string): Promise<ContainerState> {
    return structuredClone(this.get(id).state);
  }

  async listContainers(labels: Record<string, string>): Promise<ContainerSummary[]> {
    return [...this.containers.values()]
      .filter((c) => Object.entries(labels).every(([k, v]) => c.state.labels[k] === v))
      .map((c) => ({ id: c.id, name: c.state.name, status: c.state.status, labels: { ...c.state.labels } }));
  }

  async waitExit(id: string, opts: CallOptions = {}): Promise<ExitInfo> {
    const c = this.get(id);
    const done = () => c.state.exitCode !== null;
    await new Promise<void>((resolve, reject) => {
      const stop = this.onChange(c, done, resolve);
      opts.signal?.addEventListener('abort', () => {
        stop();
        reject(new RuntimeError('aborted', `wait ${id.slice(0, 12)}: aborted`));
      }, { once: true });
    });
    return { exitCode: c.state.exitCode!, oomKilled: c.state.oomKilled, finishedAt: c.state.finishedAt };
  }

  async exec(id: string, cmd: string[], opts: { timeoutMs: number; signal?: AbortSignal }): Promise<ExecResult> {
    this.record('exec', id, cmd);
    const c = this.get(id);
    this.fault('exec', 'exec-failed', `exec in ${id.slice(0, 12)}`);
    if (!c.state.running) throw new RuntimeError('exec-failed', `exec in ${id.slice(0, 12)}: container is not running`);
    if (!KNOWN_COMMANDS.has(commandName(cmd))) {
      throw new RuntimeError('exec-failed', `exec in ${id.slice(0, 12)}: executable file \`${cmd[0]}\` not found in $PATH`);
    }
    let output = '';
    const ctx = this.shellContext(c, false);
    ctx.write = (_s, line) => {
      output = (output + line + '\n').slice(0, 4096);
    };
    const proc = new FakeProcess(cmd, ctx);
    const timeout = new AbortController();
    const timedOut = this.clock.sleep(opts.timeoutMs, timeout.signal).then(() => 'timeout' as const, () => 'cancelled' as const);
    const r = await Promise.race([proc.result, timedOut]);
    timeout.abort();
    if (r === 'timeout' || r === 'cancelled') {
      proc.signal('SIGKILL');
      return { exitCode: null, timedOut: true, output };
    }
    return { exitCode: r.code, timedOut: false, output };
  }

  async *logs(id: string, opts: LogOptions = {}): AsyncGenerator<LogLine> {
    const c = this.get(id);
    let i = 0;
    for (;;) {
      for (; i < c.logs.length; i++) {
        if (!opts.since || c.logs[i].time >= opts.since) yield { ...c.logs[i] };
      }
      if (!opts.follow || !c.state.running || opts.signal?.aborted) return;
      const seen = c.logs.length;
      await new Promise<void>((resolve) => {
        const stop = this.onChange(c, () => c.logs.length > seen || !c.state.running, resolve);
        opts.signal?.addEventListener('abort', () => {
          stop();
          resolve();
        }, { once: true });
      });
    }
  }

  async stats(id: string): Promise<ContainerStats> {
    const c = this.get(id);
    const now = this.clock.now();
    const upNs = c.state.startedAt ? (now.getTime() - c.state.startedAt.getTime()) * 1e6 : 0;
    return {
      cpuTotalNs: Math.round(upNs / 100) + 1,
      systemCpuNs: now.getTime() * 1e6,
      onlineCpus: 2,
      memoryUsageBytes: 1 << 20,
      memoryLimitBytes: c.spec.memoryMiB ? c.spec.memoryMiB * 1024 * 1024 : 8 * 1024 ** 3,
      netRxBytes: 0,
      netTxBytes: 0,
      blockReadBytes: 0,
      blockWriteBytes: 0,
      time: now,
    };
  }

  async close(): Promise<void> {
    for (const c of this.containers.values()) if (c.state.running) this.finish(c, 137, false);
  }

  // ---- internals ------------------------------------------------------------------------------------

  private makeImage(img: Partial<FakeImage>): FakeImage {
    const n = ++this.seq;
    return { id: 'sha256:' + hex64(n, 'c0f1'), digest: 'sha256:' + hex64(n, 'd16e'), cmd: ['sh'], env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' }, ...img };
  }

  private get(id: string): FakeContainer {
    const c = this.containers.get(id) ?? [...this.containers.values()].find((x) => x.state.name === id || (id.length >= 12 && x.id.startsWith(id)));
    if (!c) throw new RuntimeError('not-found', `no container with name or ID "${id}" found: no such container`);
    return c;
  }

  private record(op: string, ...args: unknown[]): void {
    this.calls.push({ op, args });
  }

  private fault(op: FakeOp, code: ConstructorParameters<typeof RuntimeError>[0], what: string): void {
    const msg = this.faults.get(op);
    if (msg === undefined) return;
    this.faults.delete(op);
    throw new RuntimeError(code, `${what}: ${msg}`);
  }

  private shellContext(c: FakeContainer, pid1: boolean): ShellContext {
    return {
      env: { ...c.image.env, HOSTNAME: c.id.slice(0, 12), HOME: '/root', ...(c.spec.env ?? {}) },
      workingDir: c.spec.workingDir ?? '/',
      user: c.spec.user ?? '0',
      nofile: c.spec.ulimits?.find((u) => u.name === 'nofile')?.soft ?? 1024,
      readonlyRootfs: c.spec.readonlyRootfs ?? false,
      memoryLimited: c.spec.memoryMiB !== undefined,
      pid1: pid1 && !c.spec.init,
      file: (path) => {
        // pidMode container:<id>: PID 1 is the other container's process.
        const joined = path === '/proc/1/cmdline' && c.spec.pidMode?.startsWith('container:') ? this.containers.get(c.spec.pidMode.slice('container:'.length)) : undefined;
        return joined ? fakeFile(joined.spec, joined.id, path) : fakeFile(c.spec, c.id, path);
      },
      // An exec'd command gets neither the container's terminal nor its stdin.
      tty: pid1 && (c.spec.tty ?? false),
      stdinOpen: pid1 && (c.spec.openStdin ?? false),
      write: (stream, line) => this.append(c, stream, line),
      sleep: (ms, signal) => this.clock.sleep(ms, signal),
    };
  }

  private append(c: FakeContainer, stream: 'stdout' | 'stderr', line: string): void {
    // With a terminal there is one stream, as on a real runtime.
    c.logs.push({ stream: c.spec.tty ? 'stdout' : stream, line, time: this.clock.now() });
    this.notify(c);
  }

  private finish(c: FakeContainer, exitCode: number, oomKilled: boolean, error?: string): void {
    if (c.state.exitCode !== null) return;
    c.proc?.signal('SIGKILL');
    Object.assign(c.state, {
      status: 'exited', running: false, exitCode: oomKilled ? OOM_EXIT : exitCode, oomKilled, finishedAt: this.clock.now(), error: error ?? c.state.error,
    });
    this.notify(c);
  }

  private notify(c: FakeContainer): void {
    for (const f of [...c.changed]) f();
  }

  /** Calls `resolve` once `cond()` holds (now or after a change); returns an unsubscribe. */
  private onChange(c: FakeContainer, cond: () => boolean, resolve: () => void): () => void {
    if (cond()) {
      resolve();
      return () => {};
    }
    const f = () => {
      if (cond()) {
        c.changed.delete(f);
        resolve();
      }
    };
    c.changed.add(f);
    return () => c.changed.delete(f);
  }
}

export { signalName, signalNumber };
