/**
 * The awslogs log driver, agent side: reads a container's output from the runtime's own log (the
 * driver's `logs(id, {follow})`), turns lines into events (multiline / datetime grouping), batches them
 * and ships them to the control plane (protocol/agent-logs.ts), checkpointing the last shipped line.
 *
 *   runtime log ──lines──► number each line (1st line of the container = 0) ──► group into events
 *        ▲                                                                         │
 *        │ resume at checkpoint {seq, ts, nAtTs}                                   ▼
 *   checkpoint ◄── after the server says "durable" ── send batch ◄── queue (≤ 10,000 events, ≤ ~1 MB)
 *
 * No line lost: the runtime's log file is the buffer. Nothing is dropped from it when the control plane is
 * away, and a restarted agent resumes from its checkpoint: `since` the checkpoint's timestamp, skipping the
 * nAtTs lines it already numbered at that same millisecond (conmon/dockerd write one log file in order, so
 * file order is time order). No line duplicated: every event carries its first line's number and the
 * server skips numbers it already stored (a batch re-sent after a lost reply or a restart from an older
 * checkpoint is stored once).
 *
 * Modes (Docker's semantics, adapted): the container never blocks on us in either mode, because the runtime
 * writes its log file whatever we do. `blocking` (the default) reads only as fast as batches are shipped,
 * so nothing is lost. `non-blocking` keeps reading into a buffer of max-buffer-size and drops lines that do
 * not fit, counting them, exactly where Docker would drop them — use it when stale lines are worth less
 * than keeping up.
 *
 * Batching: a batch goes when it is full or `flushMs` (200 ms) after its first event. Docker's awslogs
 * flushes every 5 s to save AWS API calls; a local control plane has no per-call price, and 200 ms keeps
 * `aws logs tail --follow` (which polls every 5 s) showing lines within one poll.
 */
import type { AgentLogBatch, AgentLogReply } from '../../protocol/agent-logs.js';
import { silentLogger, systemClock, type AgentLogger, type Clock } from '../clock.js';
import type { RuntimeDriver } from '../runtime/driver.js';
import { parseAwsLogsOptions, streamName, type AwsLogsOptions } from './options.js';
import type { LogCheckpoints, LogPosition } from './checkpoint.js';

export interface LogTransport {
  send(batch: AgentLogBatch, signal: AbortSignal): Promise<AgentLogReply>;
}

export interface ShipRequest {
  taskArn: string;
  containerName: string;
  runtimeId: string;
  /** logConfiguration.options of an awslogs container. */
  options: Record<string, string> | undefined;
}

export interface LogShippingOptions {
  driver: Pick<RuntimeDriver, 'logs'>;
  transport: LogTransport;
  checkpoints: LogCheckpoints;
  clock?: Clock;
  log?: AgentLogger;
  /** Max wait before a non-full batch goes. Default 200 ms. */
  flushMs?: number;
  /** Multiline: a pending event is closed after this much quiet. Default 1000 ms. */
  multilineFlushMs?: number;
}

/** AWS's PutLogEvents limits, which the agent keeps too (so the same batches would be valid against AWS). */
const MAX_EVENTS = 10_000;
const MAX_BYTES = 1_048_576;
const OVERHEAD = 26;
/** Blocking mode: stop reading while this much is queued and unacknowledged (≈ 8 full batches). */
const HIGH_WATER = 8 * MAX_BYTES;

interface Ev { timestamp: number; message: string; seq: number; lastSeq: number; lastTs: number; lastN: number; bytes: number }

export class LogShipping {
  private readonly running = new Map<string, { abort: AbortController; done: Promise<void> }>();
  private readonly log: AgentLogger;
  private readonly clock: Clock;

  constructor(private readonly o: LogShippingOptions) {
    this.log = o.log ?? silentLogger;
    this.clock = o.clock ?? systemClock;
  }

  /** Starts shipping a container's output (once per runtime container; later calls are no-ops). */
  start(req: ShipRequest): void {
    if (this.running.has(req.runtimeId)) return;
    let opts: AwsLogsOptions;
    try {
      opts = parseAwsLogsOptions(req.options);
    } catch (e) {
      this.log.warn({ taskArn: req.taskArn, container: req.containerName, err: (e as Error).message }, 'awslogs: bad options; not shipping logs');
      return;
    }
    const abort = new AbortController();
    const done = new Shipper(this.o, req, opts, abort.signal, this.log, this.clock).run().catch((e: unknown) => {
      if (!abort.signal.aborted) this.log.error({ taskArn: req.taskArn, container: req.containerName, err: String((e as Error)?.stack ?? e) }, 'awslogs: shipping failed');
    });
    this.running.set(req.runtimeId, { abort, done });
  }

  /** Resolves when the container's output has been shipped to its end (or shipping was stopped). */
  async drained(runtimeId: string): Promise<void> {
    await this.running.get(runtimeId)?.done;
  }

  /** Stops one container's shipping (its checkpoint stays, unless `forget`). */
  async stop(runtimeId: string, opts: { forget?: boolean } = {}): Promise<void> {
    const r = this.running.get(runtimeId);
    r?.abort.abort();
    await r?.done;
    this.running.delete(runtimeId);
    if (opts.forget) this.o.checkpoints.delete(runtimeId);
  }

  /** Agent shutdown: stop reading; checkpoints stay for the next agent. */
  async close(): Promise<void> {
    for (const r of this.running.values()) r.abort.abort();
    await Promise.all([...this.running.values()].map((r) => r.done));
    this.running.clear();
  }
}

class Shipper {
  private queue: Ev[] = [];
  private queuedBytes = 0;
  private pending: Ev | null = null;
  private pendingAt = 0;
  private readerDone = false;
  private wake: (() => void) | null = null;
  private drainWaiter: (() => void) | null = null;
  private dropped = 0;
  private readonly stream: string;

  constructor(
    private readonly o: LogShippingOptions, private readonly req: ShipRequest, private readonly opts: AwsLogsOptions,
    private readonly signal: AbortSignal, private readonly log: AgentLogger, private readonly clock: Clock,
  ) {
    this.stream = streamName(opts, req.containerName, req.taskArn, req.runtimeId);
  }

  async run(): Promise<void> {
    const cp = this.o.checkpoints.load(this.req.runtimeId);
    if (cp?.done) return;
    const sender = this.sendLoop(cp);
    try {
      await this.read(cp);
      if (this.signal.aborted) return;
      this.closePending();
    } finally {
      this.readerDone = true;
      this.poke();
      await sender;
    }
    if (!this.signal.aborted && this.queue.length === 0) {
      const last = this.o.checkpoints.load(this.req.runtimeId) ?? { seq: -1, ts: 0, nAtTs: 0 };
      this.o.checkpoints.save(this.req.runtimeId, { ...last, done: true });
      if (this.dropped) this.log.warn({ taskArn: this.req.taskArn, container: this.req.containerName, dropped: this.dropped }, 'awslogs (non-blocking): lines dropped because the buffer was full');
    }
  }

  private async read(cp: LogPosition | undefined): Promise<void> {
    let seq = cp?.seq ?? -1;
    let lastTs = cp?.ts ?? Number.NEGATIVE_INFINITY;
    let nAtTs = cp?.nAtTs ?? 0;
    let seenAtResume = 0;
    const since = cp ? new Date(cp.ts) : undefined;
    for await (const line of this.o.driver.logs(this.req.runtimeId, { follow: true, since, signal: this.signal })) {
      if (this.signal.aborted) return;
      const t = line.time.getTime();
      if (cp) {
        if (t < cp.ts) continue;
        if (t === cp.ts && ++seenAtResume <= cp.nAtTs) continue;
      }
      seq++;
      if (t === lastTs) nAtTs++;
      else { lastTs = t; nAtTs = 1; }
      const bytes = Buffer.byteLength(line.line);
      if (this.opts.mode === 'non-blocking' && this.queuedBytes + bytes + OVERHEAD > this.opts.maxBufferBytes) {
        this.dropped++;
        continue;
      }
      this.addLine(line.line, t, seq, nAtTs, bytes);
      if (this.opts.mode === 'blocking' && this.queuedBytes > HIGH_WATER) {
        await new Promise<void>((r) => (this.drainWaiter = r));
      }
    }
  }

  private addLine(text: string, t: number, seq: number, n: number, bytes: number): void {
    const starts = !this.opts.startPattern || this.opts.startPattern.test(text);
    if (this.pending && !starts && this.pending.bytes + bytes + 1 + OVERHEAD <= MAX_BYTES / 4) {
      this.pending.message += '\n' + text;
      this.pending.bytes += bytes + 1;
      this.pending.lastSeq = seq;
      this.pending.lastTs = t;
      this.pending.lastN = n;
      this.pendingAt = this.clock.now();
      return;
    }
    this.closePending();
    const ev: Ev = { timestamp: t, message: text, seq, lastSeq: seq, lastTs: t, lastN: n, bytes };
    if (this.opts.startPattern) {
      this.pending = ev;
      this.pendingAt = this.clock.now();
    } else this.enqueue(ev);
  }

  private closePending(): void {
    if (!this.pending) return;
    this.enqueue(this.pending);
    this.pending = null;
  }

  private enqueue(ev: Ev): void {
    // CloudWatch Logs takes no empty messages (Docker's awslogs drops them too); the line keeps its number.
    if (ev.message.length === 0) return;
    this.queue.push(ev);
    this.queuedBytes += ev.bytes + OVERHEAD;
    if (this.queue.length >= MAX_EVENTS || this.queuedBytes >= MAX_BYTES) this.poke();
  }

  private poke(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  private async sendLoop(cp: LogPosition | undefined): Promise<void> {
    const flushMs = this.o.flushMs ?? 200;
    const mlFlush = this.o.multilineFlushMs ?? 1000;
    let attempt = 0;
    let lastPos = cp;
    for (;;) {
      if (this.signal.aborted) return;
      if (this.queue.length === 0) {
        if (this.pending && this.clock.now() - this.pendingAt >= mlFlush) this.closePending();
        if (this.queue.length === 0) {
          if (this.readerDone) return;
          await this.nap(this.pending ? Math.min(flushMs, mlFlush) : 1000);
          continue;
        }
      }
      // Give a non-full batch up to flushMs to fill.
      if (!this.readerDone && this.queue.length < MAX_EVENTS && this.queuedBytes < MAX_BYTES) await this.nap(flushMs);
      if (this.signal.aborted) return;
      let bytes = 0;
      let n = 0;
      while (n < this.queue.length && n < MAX_EVENTS && bytes + this.queue[n].bytes + OVERHEAD <= MAX_BYTES) bytes += this.queue[n++].bytes + OVERHEAD;
      if (n === 0) n = 1;
      const events = this.queue.slice(0, n);
      const last = events[events.length - 1];
      const batch: AgentLogBatch = {
        group: this.opts.group, ...(this.opts.region ? { region: this.opts.region } : {}), stream: this.stream, createGroup: this.opts.createGroup, source: this.req.runtimeId, lastSeq: last.lastSeq,
        events: events.map((e) => ({ timestamp: e.timestamp, message: e.message, seq: e.seq })),
      };
      try {
        await this.o.transport.send(batch, this.signal);
        attempt = 0;
      } catch (e) {
        if (this.signal.aborted) return;
        const delay = Math.min(5000, 250 * 2 ** Math.min(attempt++, 5));
        this.log.warn({ taskArn: this.req.taskArn, container: this.req.containerName, group: this.opts.group, err: (e as Error).message, retryInMs: delay }, 'awslogs: batch not accepted; retrying');
        await this.nap(delay);
        continue;
      }
      this.queue.splice(0, n);
      this.queuedBytes -= bytes || events[0].bytes + OVERHEAD;
      lastPos = { seq: last.lastSeq, ts: last.lastTs, nAtTs: last.lastN };
      this.o.checkpoints.save(this.req.runtimeId, lastPos);
      if (this.queuedBytes <= HIGH_WATER / 2 && this.drainWaiter) {
        const d = this.drainWaiter;
        this.drainWaiter = null;
        d();
      }
    }
  }

  private nap(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      if (this.signal.aborted) return resolve();
      const done = () => {
        clearTimeout(t);
        this.signal.removeEventListener('abort', done);
        if (this.wake === done) this.wake = null;
        resolve();
      };
      const t = setTimeout(done, ms);
      this.wake = done;
      this.signal.addEventListener('abort', done, { once: true });
    });
  }
}

/** The HTTP transport to the control plane (POST /agent/logs with the join token). */
export function httpLogTransport(server: string | (() => string), token: string): LogTransport {
  // A function: the server the agent is connected to now (it fails over between several, docs/ha.md).
  const logsUrl = (s: string) => {
    const u = new URL(s);
    if (u.protocol === 'ws:') u.protocol = 'http:';
    if (u.protocol === 'wss:') u.protocol = 'https:';
    u.pathname = u.pathname.replace(/\/agent\/?$/, '').replace(/\/$/, '') + '/agent/logs';
    return u.toString();
  };
  return {
    async send(batch, signal) {
      const url = logsUrl(typeof server === 'string' ? server : server());
      const res = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(batch), signal });
      const text = await res.text();
      if (!res.ok) throw new Error(`HTTP ${res.status}: ${text.slice(0, 300)}`);
      return JSON.parse(text) as AgentLogReply;
    },
  };
}
