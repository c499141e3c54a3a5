/**
 * RuntimeDriver on the Docker Engine API (dockerode), for Docker's socket or Podman's compatible one.
 *
 * Paths are versionless (no `/v1.xx/` prefix): the endpoint serves its own current API, and `ping()`
 * records what it is from `GET /version` (ApiVersion, and Podman's libpod version, which the few
 * libpod-only calls below need as their path prefix). Podman-specific fast paths, each with the plain
 * Docker API as the fallback:
 * - exits: the exit-file watcher (exit-watcher.ts) instead of `/wait`, which lags 0.2–0.9 s;
 * - OOM: the cgroup's oom_kill counter, because Podman 4.3 on cgroup v1 reports OOMKilled=false;
 * - loopback registries: Docker trusts 127.0.0.0/8 over plain HTTP by default; Podman needs a
 *   registries.conf entry *and* a service restart (it caches the list), so for loopback hosts we use the
 *   libpod pull with tlsVerify=false instead.
 */
import { Readable } from 'node:stream';
import http from 'node:http';
import Docker from 'dockerode';
import type {
  CallOptions, ContainerSpec, ContainerState, ContainerStats, ContainerSummary, ExecResult, ExitInfo,
  LogLine, LogOptions, PullOptions, PulledImage, RegistryAuth, RuntimeDriver, RuntimeInfo, Ulimit, VolumeInfo, VolumeSpec,
} from '../driver.js';
import { RuntimeError, type RuntimeErrorCode } from '../runtime-error.js';
import { createBody } from './create-body.js';
import { describeEndpoint, type Endpoint } from './endpoint.js';
import { ExitWatcher } from './exit-watcher.js';
import { toContainerState, toStatus, type InspectJson } from './inspect-state.js';
import { frames, lines } from './log-demux.js';

interface VolumeJson { Name: string; Driver?: string; Labels?: Record<string, string> | null; Options?: Record<string, string> | null }
const toVolumeInfo = (v: VolumeJson): VolumeInfo => ({ name: v.Name, driver: v.Driver ?? 'local', labels: v.Labels ?? {}, options: v.Options ?? {} });

interface DockerError extends Error {
  statusCode?: number;
  json?: { message?: string; cause?: string } | null;
  code?: string;
}

/** The message a human wants: the engine's own text, without dockerode's "(HTTP code 500) …" wrapper. */
function engineMessage(e: unknown): string {
  const d = e as DockerError;
  if (d?.json && typeof d.json === 'object' && d.json.message) return d.json.message;
  return (d?.message ?? String(e)).replace(/^\(HTTP code \d+\) [^-]*- /, '').trim();
}

const CONNECT_CODES = new Set(['ENOENT', 'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'EACCES']);

export interface DockerApiDriverOptions {
  endpoint: Endpoint;
  /** Exit-file directory to watch; null disables the watcher. Default: Podman's, when the engine is Podman on a unix socket. */
  exitsDir?: string | null;
  cgroupRoot?: string;
  /** Filled in for ulimits a spec leaves out, when it sets any (create-body.ts). Default DEFAULT_ULIMITS. */
  defaultUlimits?: readonly Ulimit[];
  /** Safety-net poll while waiting on the exit watcher (a missed inotify event costs at most this). Default 5000 ms. */
  waitPollMs?: number;
}

export class DockerApiDriver implements RuntimeDriver {
  readonly docker: Docker;
  private info: RuntimeInfo | null = null;
  private libpodVersion: string | null = null;
  private watcher: ExitWatcher | null = null;
  private readonly digests = new Map<string, string | null>();
  /** Container id → has a TTY (see hasTty). */
  private readonly ttys = new Map<string, boolean>();
  private readonly presentImages = new Map<string, { image: PulledImage; until: number }>();
  private readonly agent: http.Agent;

  private constructor(private readonly opts: DockerApiDriverOptions) {
    // Keep-alive: a new unix-socket connection per call is cheap, but a task start makes ~4 calls.
    this.agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
    const e = opts.endpoint;
    this.docker = e.kind === 'unix'
      ? new Docker({ socketPath: e.socketPath, agent: this.agent } as Docker.DockerOptions)
      : new Docker({ host: e.host, port: e.port, protocol: e.protocol, agent: this.agent } as Docker.DockerOptions);
  }

  /** Connects, negotiates (GET /version) and, on a local Podman, starts the exit watcher. */
  static async open(opts: DockerApiDriverOptions): Promise<DockerApiDriver> {
    const d = new DockerApiDriver(opts);
    await d.ping();
    const podmanLocal = d.info!.engine === 'podman' && opts.endpoint.kind === 'unix';
    if (opts.exitsDir !== null && (opts.exitsDir !== undefined || podmanLocal)) {
      d.watcher = await ExitWatcher.open({ dir: opts.exitsDir, cgroupRoot: opts.cgroupRoot });
    }
    return d;
  }

  get runtimeInfo(): RuntimeInfo | null {
    return this.info;
  }

  get fastExitDetection(): boolean {
    return this.watcher?.active ?? false;
  }

  private fail(code: RuntimeErrorCode, what: string, e: unknown): RuntimeError {
    if (e instanceof RuntimeError) return e;
    const d = e as DockerError;
    if (d?.name === 'AbortError' || (d as { type?: string })?.type === 'aborted') {
      return new RuntimeError('aborted', `${what}: aborted`, { cause: e });
    }
    if (d?.code && CONNECT_CODES.has(d.code) && d.statusCode === undefined) {
      return new RuntimeError('unavailable',
        `${what}: container runtime at ${describeEndpoint(this.opts.endpoint)} is not answering (${d.code}); ` +
          'is the service running? (scripts/setup-runtime.sh starts Podman\'s)', { cause: e });
    }
    if (d?.statusCode === 404 && code !== 'pull-failed' && code !== 'create-failed') {
      return new RuntimeError('not-found', `${what}: ${engineMessage(e)}`, { cause: e, statusCode: 404 });
    }
    return new RuntimeError(code, `${what}: ${engineMessage(e)}`, { cause: e, statusCode: d?.statusCode });
  }

  async ping(opts: CallOptions = {}): Promise<RuntimeInfo> {
    try {
      const v = (await (this.docker.version as (o: object) => Promise<unknown>).call(this.docker, { abortSignal: opts.signal })) as Docker.DockerVersion & {
        Components?: { Name: string; Version: string }[];
      };
      const podman = v.Components?.find((c) => c.Name === 'Podman Engine');
      this.libpodVersion = podman ? podman.Version : null;
      this.info = { engine: podman ? 'podman' : 'docker', version: v.Version, apiVersion: v.ApiVersion, os: v.Os, arch: v.Arch };
      return this.info;
    } catch (e) {
      throw this.fail('unavailable', 'ping', e);
    }
  }

  // ---- images ---------------------------------------------------------------------------------------

  async pullImage(ref: string, opts: PullOptions = {}): Promise<PulledImage> {
    const what = `pull ${ref}`;
    let stream: NodeJS.ReadableStream;
    try {
      const authconfig = opts.auth ? toAuthConfig(opts.auth) : undefined;
      if (this.libpodVersion && isLoopbackRegistry(ref)) {
        stream = await this.dialStream({
          path: `/v${this.libpodVersion}/libpod/images/pull?`,
          method: 'POST',
          options: { reference: ref, tlsVerify: false, policy: 'always' },
          authconfig,
          abortSignal: opts.signal,
        });
      } else {
        stream = await this.docker.pull(ref, { authconfig, abortSignal: opts.signal } as object);
      }
    } catch (e) {
      throw this.fail('pull-failed', what, e);
    }
    // Both endpoints answer 200 and report failure inside the progress stream ({"error": …}).
    let error: string | null = null;
    let id = '';
    try {
      for await (const msg of jsonLines(stream)) {
        if (typeof msg.error === 'string') error = msg.error;
        else if (msg.errorDetail?.message) error = msg.errorDetail.message;
        if (typeof msg.id === 'string' && Array.isArray(msg.images)) id = msg.id;
        if (opts.onProgress) {
          const status = msg.status ?? msg.stream ?? '';
          if (status) opts.onProgress({ id: msg.id ?? '', status: String(status).trim(), current: msg.progressDetail?.current, total: msg.progressDetail?.total });
        }
      }
    } catch (e) {
      throw this.fail('pull-failed', what, e);
    }
    if (error) throw new RuntimeError('pull-failed', `${what}: ${error}`);
    const img = await this.inspectImage(ref, opts);
    if (!img) throw new RuntimeError('pull-failed', `${what}: the pull reported success but the image is not present`);
    return { ...img, id: img.id || id };
  }

  async loadImage(archive: Uint8Array, opts: CallOptions = {}): Promise<void> {
    try {
      const stream = await this.docker.loadImage(Readable.from([Buffer.from(archive)]), { abortSignal: opts.signal } as object);
      await new Promise<void>((resolve, reject) => {
        let out = '';
        stream.on('data', (c: Buffer) => { out += c.toString(); });
        stream.on('end', () => (/"error"/i.test(out) ? reject(new Error(out.slice(0, 500))) : resolve()));
        stream.on('error', reject);
      });
      this.presentImages.clear();
    } catch (e) {
      throw this.fail('pull-failed', 'load image', e);
    }
  }

  /**
   * Image presence, remembered for a few seconds: a burst of 50 tasks of one image asks once instead of
   * 50 times (each call takes Podman's lock). If the image vanishes meanwhile, create fails with a clear
   * error, like a pull would have.
   */
  async inspectImage(ref: string, opts: CallOptions = {}): Promise<PulledImage | null> {
    const cached = this.presentImages.get(ref);
    if (cached && cached.until > Date.now()) return cached.image;
    try {
      const j = await this.docker.getImage(ref).inspect({ abortSignal: opts.signal } as object);
      const image = { ref, id: j.Id, digest: pickDigest(ref, j.RepoDigests ?? []) };
      if (this.presentImages.size > 1000) this.presentImages.clear();
      this.presentImages.set(ref, { image, until: Date.now() + 5_000 });
      return image;
    } catch (e) {
      if ((e as DockerError).statusCode === 404) return null;
      throw this.fail('inspect-failed', `inspect image ${ref}`, e);
    }
  }

  // ---- containers -----------------------------------------------------------------------------------

  async createContainer(spec: ContainerSpec, opts: CallOptions = {}): Promise<string> {
    let body;
    try {
      body = createBody(spec, { defaultUlimits: this.opts.defaultUlimits });
    } catch (e) {
      throw new RuntimeError('create-failed', `create ${spec.name}: ${(e as Error).message}`);
    }
    try {
      const c = await this.docker.createContainer({ name: spec.name, ...body, abortSignal: opts.signal } as Docker.ContainerCreateOptions);
      return c.id;
    } catch (e) {
      const d = e as DockerError;
      if (d.statusCode === 404 && /image/i.test(engineMessage(e))) {
        throw new RuntimeError('image-not-found', `create ${spec.name}: image ${spec.image} is not present: ${engineMessage(e)}`, { cause: e, statusCode: 404 });
      }
      throw this.fail('create-failed', `create ${spec.name}`, e);
    }
  }

  async startContainer(id: string, opts: CallOptions = {}): Promise<void> {
    if (/^[0-9a-f]{64}$/.test(id)) this.watcher?.track(id);
    try {
      await this.docker.getContainer(id).start({ abortSignal: opts.signal } as object);
    } catch (e) {
      if ((e as DockerError).statusCode === 304) return; // already running
      throw this.fail('start-failed', `start ${short(id)}`, e);
    }
  }

  async stopContainer(id: string, opts: { timeoutSeconds: number; signal?: AbortSignal }): Promise<void> {
    try {
      await this.docker.getContainer(id).stop({ t: Math.max(0, Math.round(opts.timeoutSeconds)), abortSignal: opts.signal } as object);
    } catch (e) {
      if ((e as DockerError).statusCode === 304) return; // already stopped
      throw this.fail('stop-failed', `stop ${short(id)}`, e);
    }
  }

  async removeContainer(id: string, opts: CallOptions = {}): Promise<void> {
    try {
      await this.docker.getContainer(id).remove({ force: true, v: true, abortSignal: opts.signal } as object);
    } catch (e) {
      if ((e as DockerError).statusCode === 404) return;
      throw this.fail('remove-failed', `remove ${short(id)}`, e);
    } finally {
      this.watcher?.forget(id);
    }
  }

  async createVolume(spec: VolumeSpec, opts: CallOptions = {}): Promise<VolumeInfo> {
    try {
      await this.docker.createVolume({
        Name: spec.name, Driver: spec.driver ?? 'local', DriverOpts: spec.driverOpts ?? {}, Labels: spec.labels ?? {}, abortSignal: opts.signal,
      } as never);
    } catch (e) {
      throw this.fail('volume-failed', `create volume ${spec.name}`, e);
    }
    // dockerode answers with a handle, not the volume: ask for what the engine made.
    const v = await this.inspectVolume(spec.name, opts);
    if (!v) throw new RuntimeError('volume-failed', `create volume ${spec.name}: the engine does not list it after creating it`);
    return v;
  }

  async inspectVolume(name: string, opts: CallOptions = {}): Promise<VolumeInfo | null> {
    try {
      return toVolumeInfo((await this.docker.getVolume(name).inspect({ abortSignal: opts.signal } as never)) as unknown as VolumeJson);
    } catch (e) {
      if ((e as DockerError).statusCode === 404) return null;
      throw this.fail('volume-failed', `inspect volume ${name}`, e);
    }
  }

  async listVolumes(labels: Record<string, string>, opts: CallOptions = {}): Promise<VolumeInfo[]> {
    try {
      const r = (await this.docker.listVolumes({ filters: { label: Object.entries(labels).map(([k, v]) => `${k}=${v}`) }, abortSignal: opts.signal } as never)) as unknown as { Volumes?: VolumeJson[] | null };
      // Podman 4.3 ignores some filters: check the labels here too.
      return (r.Volumes ?? []).map(toVolumeInfo).filter((v) => Object.entries(labels).every(([k, val]) => v.labels[k] === val));
    } catch (e) {
      throw this.fail('volume-failed', 'list volumes', e);
    }
  }

  async removeVolume(name: string, opts: CallOptions = {}): Promise<void> {
    try {
      await this.docker.getVolume(name).remove({ abortSignal: opts.signal } as never);
    } catch (e) {
      if ((e as DockerError).statusCode === 404) return;
      throw this.fail('volume-remove-failed', `remove volume ${name}`, e);
    }
  }

  async inspect(id: string, opts: CallOptions = {}): Promise<ContainerState> {
    let j: InspectJson;
    for (let attempt = 1; ; attempt++) {
      try {
        j = (await this.docker.getContainer(id).inspect({ abortSignal: opts.signal } as object)) as unknown as InspectJson;
        break;
      } catch (e) {
        // Podman 4.3 answers 500 "read /proc/<pid>/cgroup: no such process" when inspect lands in the
        // millisecond a container's process is dying (seen with OOM kills at start); a moment later it
        // inspects as exited. 3 tries, 20 ms apart, cover it.
        if (attempt < 3 && (e as DockerError).statusCode === 500 && /no such process/.test(engineMessage(e)) && !opts.signal?.aborted) {
          await new Promise((r) => setTimeout(r, 20));
          continue;
        }
        throw this.fail('inspect-failed', `inspect ${short(id)}`, e);
      }
    }
    const state = toContainerState(j, await this.imageDigest(j.Image ?? '', j));
    const seen = this.watcher?.observed(j.Id);
    if (seen && state.exitCode !== null) state.oomKilled ||= seen.oomKilled;
    // An exit the watcher did not see (the agent restarted, or the exit came before tracking): a SIGKILL
    // exit is an OOM kill when the kernel log says so.
    if (this.watcher && state.exitCode === 137 && !state.oomKilled) state.oomKilled = this.watcher.kernel.wasKilled(j.Id);
    return state;
  }

  private async imageDigest(imageId: string, j: InspectJson): Promise<string | null> {
    if (!imageId) return null;
    if (this.digests.has(imageId)) return this.digests.get(imageId)!;
    const configured = (j as { Config?: { Image?: string } }).Config?.Image ?? '';
    try {
      const img = await this.docker.getImage(imageId).inspect();
      const d = pickDigest(configured, img.RepoDigests ?? []);
      this.digests.set(imageId, d);
      return d;
    } catch {
      return null; // the image may be gone; a digest is informational
    }
  }

  async listContainers(labels: Record<string, string>, opts: CallOptions = {}): Promise<ContainerSummary[]> {
    try {
      const filters = { label: Object.entries(labels).map(([k, v]) => `${k}=${v}`) };
      const list = await this.docker.listContainers({ all: true, filters: JSON.stringify(filters), abortSignal: opts.signal } as object);
      return list
        .filter((c) => Object.entries(labels).every(([k, v]) => c.Labels?.[k] === v))
        .map((c) => ({ id: c.Id, name: (c.Names?.[0] ?? '').replace(/^\//, ''), status: toStatus(c.State), labels: { ...(c.Labels ?? {}) } }));
    } catch (e) {
      throw this.fail('inspect-failed', 'list containers', e);
    }
  }

  async waitExit(id: string, opts: CallOptions = {}): Promise<ExitInfo> {
    const first = await this.inspect(id, opts); // also turns a short id into the full one the watcher needs
    if (first.exitCode !== null) {
      if (this.watcher?.active && !first.oomKilled) {
        // Already exited: the exit file (if Podman has not cleaned it up yet) also tells OOM kills apart;
        // reading it takes ~1 ms, and 250 ms bounds the wait when the file is already gone.
        const seen = await this.watcher.wait(first.id, AbortSignal.timeout(250)).catch(() => undefined);
        if (seen) return { exitCode: first.exitCode, oomKilled: seen.oomKilled, finishedAt: first.finishedAt };
      }
      return { exitCode: first.exitCode, oomKilled: first.oomKilled, finishedAt: first.finishedAt };
    }
    const ac = new AbortController();
    const onAbort = () => ac.abort(opts.signal!.reason);
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      if (this.watcher?.active) {
        return await Promise.race([
          this.watcher.wait(first.id, ac.signal).then((e) => ({ exitCode: e.exitCode, oomKilled: e.oomKilled, finishedAt: e.at })),
          this.pollExit(first.id, ac.signal),
        ]);
      }
      await this.docker.getContainer(first.id).wait({ condition: 'not-running', abortSignal: ac.signal } as object);
      const s = await this.inspect(first.id, opts);
      return { exitCode: s.exitCode ?? -1, oomKilled: s.oomKilled, finishedAt: s.finishedAt };
    } catch (e) {
      if (opts.signal?.aborted) throw new RuntimeError('aborted', `wait ${short(id)}: aborted`, { cause: e });
      throw this.fail('inspect-failed', `wait ${short(id)}`, e);
    } finally {
      ac.abort();
      opts.signal?.removeEventListener('abort', onAbort);
    }
  }

  /** The watcher's safety net: an exit whose inotify event was lost is still seen within waitPollMs. */
  private async pollExit(id: string, signal: AbortSignal): Promise<ExitInfo> {
    const every = this.opts.waitPollMs ?? 5000;
    for (;;) {
      await sleep(every, signal);
      const s = await this.inspect(id, { signal });
      if (s.exitCode !== null) return { exitCode: s.exitCode, oomKilled: s.oomKilled, finishedAt: s.finishedAt };
    }
  }

  async exec(id: string, cmd: string[], opts: { timeoutMs: number; signal?: AbortSignal }): Promise<ExecResult> {
    const what = `exec in ${short(id)}`;
    const ac = new AbortController();
    const onAbort = () => ac.abort(opts.signal!.reason);
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(() => ac.abort(new Error('timeout')), opts.timeoutMs);
    let output = '';
    try {
      const ex = await this.docker.getContainer(id).exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true, abortSignal: ac.signal } as Docker.ExecCreateOptions);
      const stream = (await ex.start({ Detach: false, hijack: true, abortSignal: ac.signal } as object)) as NodeJS.ReadableStream & { destroy(): void };
      ac.signal.addEventListener('abort', () => stream.destroy(), { once: true });
      for await (const f of frames(stream as AsyncIterable<Buffer>)) {
        if (output.length < 4096) output = (output + f.payload.toString('utf8')).slice(0, 4096);
      }
      if (ac.signal.aborted) throw ac.signal.reason;
      // The stream ends when the process's output closes; the exit code can trail it by a moment.
      for (let i = 0; ; i++) {
        const info = await ex.inspect({ abortSignal: ac.signal } as object);
        if (!info.Running && info.ExitCode !== null) return { exitCode: info.ExitCode, timedOut: false, output };
        if (i > 200) throw new Error('exec did not finish after its output closed');
        await sleep(5, ac.signal);
      }
    } catch (e) {
      if (ac.signal.aborted && !opts.signal?.aborted) return { exitCode: null, timedOut: true, output };
      throw this.fail('exec-failed', what, e);
    } finally {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
    }
  }

  async *logs(id: string, opts: LogOptions = {}): AsyncGenerator<LogLine> {
    const since = opts.since ? Math.floor(opts.since.getTime() / 1000) : 0;
    let source: AsyncIterable<Buffer>;
    let raw: boolean;
    try {
      raw = await this.hasTty(id, opts);
      const r = (await this.docker.getContainer(id).logs({
        follow: opts.follow ?? false, stdout: true, stderr: true, timestamps: true, since, abortSignal: opts.signal,
      } as never)) as unknown;
      // dockerode returns a Buffer when follow is false and a stream when true.
      source = Buffer.isBuffer(r) ? (async function* () { yield r; })() : (r as AsyncIterable<Buffer>);
    } catch (e) {
      throw this.fail('inspect-failed', `logs ${short(id)}`, e);
    }
    try {
      for await (const l of lines(source, { timestamps: true, raw })) {
        if (opts.since && l.time < opts.since) continue; // the API's `since` has 1 s granularity
        yield l;
      }
    } catch (e) {
      if (opts.signal?.aborted) return;
      throw this.fail('inspect-failed', `logs ${short(id)}`, e);
    }
  }

  /** Whether the container has a TTY (its logs are then one raw stream). Fixed at create, so cached. */
  private async hasTty(id: string, opts: CallOptions): Promise<boolean> {
    let tty = this.ttys.get(id);
    if (tty === undefined) {
      const j = (await this.docker.getContainer(id).inspect({ abortSignal: opts.signal } as object)) as { Id?: string; Config?: { Tty?: boolean } };
      tty = j.Config?.Tty ?? false;
      if (this.ttys.size > 10_000) this.ttys.clear();
      this.ttys.set(id, tty);
    }
    return tty;
  }

  async stats(id: string, opts: CallOptions = {}): Promise<ContainerStats> {
    let s: StatsJson;
    try {
      s = (await this.docker.getContainer(id).stats({ stream: false, abortSignal: opts.signal } as object)) as unknown as StatsJson;
    } catch (e) {
      throw this.fail('inspect-failed', `stats ${short(id)}`, e);
    }
    let rx = 0;
    let tx = 0;
    for (const n of Object.values(s.networks ?? {})) {
      rx += n.rx_bytes ?? 0;
      tx += n.tx_bytes ?? 0;
    }
    let rd = 0;
    let wr = 0;
    for (const b of s.blkio_stats?.io_service_bytes_recursive ?? []) {
      if (/^read$/i.test(b.op)) rd += b.value;
      else if (/^write$/i.test(b.op)) wr += b.value;
    }
    return {
      cpuTotalNs: s.cpu_stats?.cpu_usage?.total_usage ?? 0,
      systemCpuNs: s.cpu_stats?.system_cpu_usage ?? 0,
      onlineCpus: s.cpu_stats?.online_cpus ?? s.cpu_stats?.cpu_usage?.percpu_usage?.length ?? 1,
      memoryUsageBytes: s.memory_stats?.usage ?? 0,
      memoryLimitBytes: s.memory_stats?.limit ?? 0,
      netRxBytes: rx,
      netTxBytes: tx,
      blockReadBytes: rd,
      blockWriteBytes: wr,
      time: s.read && !s.read.startsWith('0001') ? new Date(s.read) : new Date(),
    };
  }

  async close(): Promise<void> {
    this.watcher?.close();
    this.agent.destroy();
  }

  private dialStream(o: { path: string; method: string; options: object; authconfig?: object; abortSignal?: AbortSignal }): Promise<NodeJS.ReadableStream> {
    return new Promise((resolve, reject) => {
      this.docker.modem.dial(
        { ...o, isStream: true, statusCodes: { 200: true, 400: 'bad parameter', 404: 'no such image', 500: 'server error' } } as never,
        (err: unknown, stream: unknown) => (err ? reject(err) : resolve(stream as NodeJS.ReadableStream)),
      );
    });
  }
}

interface StatsJson {
  read?: string;
  cpu_stats?: { cpu_usage?: { total_usage?: number; percpu_usage?: number[] }; system_cpu_usage?: number; online_cpus?: number };
  memory_stats?: { usage?: number; limit?: number };
  networks?: Record<string, { rx_bytes?: number; tx_bytes?: number }>;
  blkio_stats?: { io_service_bytes_recursive?: { op: string; value: number }[] | null };
}

interface ProgressJson {
  status?: string;
  stream?: string;
  error?: string;
  errorDetail?: { message?: string };
  id?: string;
  images?: string[];
  progressDetail?: { current?: number; total?: number };
}

async function* jsonLines(stream: NodeJS.ReadableStream): AsyncGenerator<ProgressJson> {
  let buf = '';
  for await (const chunk of stream as AsyncIterable<Buffer | string>) {
    buf += chunk.toString();
    let nl;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl).trim();
      buf = buf.slice(nl + 1);
      if (line) yield JSON.parse(line) as ProgressJson;
    }
  }
  if (buf.trim()) yield JSON.parse(buf) as ProgressJson;
}

function toAuthConfig(a: RegistryAuth): object {
  return { username: a.username, password: a.password, serveraddress: a.serveraddress };
}

/** Registry host of an image reference, per the Docker reference grammar (first component with . or :). */
export function registryHost(ref: string): string | null {
  const slash = ref.indexOf('/');
  if (slash < 0) return null;
  const first = ref.slice(0, slash);
  return /[.:]/.test(first) || first === 'localhost' ? first : null;
}

export function isLoopbackRegistry(ref: string): boolean {
  const host = registryHost(ref);
  if (!host) return false;
  const name = host.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  return name === 'localhost' || name === '::1' || /^127\.\d+\.\d+\.\d+$/.test(name);
}

/** Repository part of a reference: drop `@digest`, then a `:tag` after the last slash. */
export function repository(ref: string): string {
  const noDigest = ref.split('@')[0];
  const slash = noDigest.lastIndexOf('/');
  const colon = noDigest.lastIndexOf(':');
  return colon > slash ? noDigest.slice(0, colon) : noDigest;
}

export function pickDigest(ref: string, repoDigests: string[]): string | null {
  const at = ref.indexOf('@');
  if (at >= 0) return ref.slice(at + 1);
  const repo = repository(ref);
  const match = repoDigests.find((d) => d.split('@')[0] === repo) ?? repoDigests.find((d) => d.split('@')[0].endsWith('/' + repo));
  const chosen = match ?? repoDigests[0];
  return chosen ? chosen.slice(chosen.indexOf('@') + 1) : null;
}

const short = (id: string) => (/^[0-9a-f]{64}$/.test(id) ? id.slice(0, 12) : id);

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
