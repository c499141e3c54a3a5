/**
 * The etcd Store adapter (HA control plane, docs/ha.md): the Store port over etcd v3's KV and Watch APIs,
 * through the `etcd3` client (gRPC). It passes the same conformance suite as the SQLite adapter.
 *
 * Most of the port is etcd's own API (store.ts was shaped after it): revisions, versions, compares and
 * transactions map one to one. What needs care:
 *
 *   get, range   linearizable reads (etcd's default), so a read after an acknowledged write sees it, on
 *                any server. `after` becomes a half-open key range, `reverse` a descending sort by key.
 *   txn          one etcd Txn. A key named twice in one branch is sent once (its last operation; etcd
 *                refuses duplicates, and the result is the same). The result's revision is the response
 *                header's, which for a writing transaction is exactly its own revision.
 *   fenced(f)    a view whose every txn is nested inside an outer Txn that compares `f` (the leader key):
 *                if the fence no longer holds, nothing of the inner transaction runs — neither its success
 *                nor its failure branch — and the txn rejects with FencedError. See etcd-leadership.ts.
 *   watch        the naive adapter opens an etcd watch at "now". It loses two things: writes made between
 *                the caller's last read and the watch's creation (the watch is created asynchronously,
 *                while the port's watch is registered synchronously), and, after a disconnection longer
 *                than etcd keeps history, everything compacted away meanwhile (etcd cancels such a watch).
 *                So a watch starts at the revision after the newest one this process has seen (or at
 *                `fromRevision`), resumes from the revision after its last delivered event when its stream
 *                breaks, and, when etcd says that revision is compacted, re-lists its prefix and delivers
 *                the difference as events — puts for keys written since its last event, deletes for keys
 *                it had delivered (or that existed when it started) and that are gone — then continues
 *                live from the listing's revision. A consumer therefore never needs to know a compaction
 *                happened (the synthesized deletes carry the listing's revision as modRevision).
 *   history      etcd keeps every revision until compacted. The adapter compacts to `historyRetention`
 *                revisions behind the newest, in steps of 1,000 (as the SQLite adapter does); several
 *                servers compacting the same etcd is harmless.
 *
 * Value compares with '!=' are refused: etcd fails every value compare on a missing key, while the port
 * says a missing key's value is "not equal"; no caller uses them.
 */
import { BrokenCircuitError, circuitBreaker, ConsecutiveBreaker, handleWhen, noop, retry } from 'cockatiel';
import { ClientClosedError, Etcd3, GRPCDeadlineExceededError, GRPCUnavailableError, isRecoverableError, type IKeyValue, type ICompare, type IRequestOp, type ITxnRequest, type IWatchResponse } from 'etcd3';
import {
  CompactedError, FencedError, StoreUnavailableError,
  type Compare, type KeyValue, type Op, type RangeOptions, type RangeResult, type Store, type Txn, type TxnResult,
  type WatchCallback, type WatchEvent, type WatchOptions,
} from '../store.js';

export interface EtcdStoreOptions {
  /** Client URLs or host:port pairs of the etcd members. */
  readonly endpoints: readonly string[];
  /** Revisions of history kept for watch-from-revision. Default 100,000 (as the SQLite adapter). */
  readonly historyRetention?: number;
  /** Deadline of one unary request (get, range, txn). Default 5 s: etcd answers in milliseconds or is unreachable. */
  readonly requestTimeoutMs?: number;
  /** How long `connect` waits for etcd to answer. Default 10 s. */
  readonly connectTimeoutMs?: number;
}

/** `etcd://host:port,host:port` (the `--store` flag) → the members' client URLs. */
export function parseEtcdUrl(url: string): string[] {
  const m = /^etcd:\/\/(.+)$/.exec(url);
  if (!m) throw new Error(`invalid etcd store ${url}: use etcd://host:port[,host:port…]`);
  const hosts = m[1]!.replace(/\/+$/, '').split(',').map((h) => h.trim()).filter(Boolean);
  for (const h of hosts) {
    if (!/^[A-Za-z0-9.\-[\]:]+:\d{1,5}$/.test(h)) throw new Error(`invalid etcd member ${h} in ${url}: use host:port`);
  }
  if (hosts.length === 0) throw new Error(`invalid etcd store ${url}: name at least one member (etcd://host:port)`);
  return hosts.map((h) => `http://${h}`);
}

const enc = (s: string) => Buffer.from(s, 'utf8');

/** etcd's end of a prefix range: the prefix with its last byte below 0xff incremented (keys are bytes). */
export function bytesPrefixEnd(prefix: string): Buffer {
  const b = Buffer.from(prefix, 'utf8');
  for (let i = b.length - 1; i >= 0; i--) {
    if (b[i]! < 0xff) {
      const end = Buffer.from(b.subarray(0, i + 1));
      end[i] = b[i]! + 1;
      return end;
    }
  }
  return Buffer.from([0]); // every key
}

const toKv = (kv: IKeyValue): KeyValue => Object.freeze({
  key: kv.key.toString('utf8'), value: kv.value.toString('utf8'),
  createRevision: Number(kv.create_revision), modRevision: Number(kv.mod_revision), version: Number(kv.version),
});

const RESULT = { '==': 'Equal', '!=': 'NotEqual', '<': 'Less', '>': 'Greater' } as const;

function toCompare(c: Compare): ICompare {
  const base = { key: enc(c.key), result: RESULT[c.op] };
  switch (c.target) {
    case 'version': return { ...base, target: 'Version', version: Number(c.value) };
    case 'createRevision': return { ...base, target: 'Create', create_revision: Number(c.value) };
    case 'modRevision': return { ...base, target: 'Mod', mod_revision: Number(c.value) };
    case 'value':
      if (c.op === '!=') throw new TypeError(`the etcd store cannot compare value != on ${c.key}: etcd fails value compares on a missing key`);
      return { ...base, target: 'Value', value: enc(String(c.value)) };
  }
}

/** One etcd request per key: a key named twice keeps its last operation, at that position. */
function toOps(ops: readonly Op[]): IRequestOp[] {
  const last = new Map<string, number>();
  ops.forEach((o, i) => last.set(o.key, i));
  return ops.filter((o, i) => last.get(o.key) === i).map((o) => o.type === 'put'
    ? { request_put: { key: enc(o.key), value: enc(o.value) } }
    : { request_delete_range: { key: enc(o.key) } });
}

/** etcd out of reach (connect failure, deadline, an open breaker, the client closed) → StoreUnavailableError. */
async function unavailable<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (err) {
    if (err instanceof GRPCUnavailableError || err instanceof GRPCDeadlineExceededError || err instanceof BrokenCircuitError || err instanceof ClientClosedError) {
      throw new StoreUnavailableError(`etcd did not answer (${(err as Error).message})`);
    }
    throw err;
  }
}

/** Steps of history compaction (as the SQLite adapter): a steady writer pays for a compaction rarely. */
const COMPACT_STEP = 1000;

export class EtcdStore implements Store {
  /** The etcd3 client, for the leadership module (leases, the leader key). */
  readonly client: Etcd3;
  /** The newest revision this process has seen in any response: where a watch without fromRevision starts. */
  private known = 0;
  private compactedTo = 0;
  private closed = false;
  private readonly retention: number;
  private readonly watches = new Set<AbortController>();

  private constructor(private readonly options: EtcdStoreOptions) {
    this.retention = options.historyRetention ?? 100_000;
    const timeout = options.requestTimeoutMs ?? 5_000;
    const hosts = options.endpoints.map((e) => e.replace(/^https?:\/\//, ''));
    this.client = new Etcd3({
      hosts,
      dialTimeout: timeout,
      faultHandling: {
        // The client's default breaker opens after three failures and then refuses every request for 5 s.
        // With one member that turns a blip (a server paused past its deadlines, etcd restarting) into 5 s
        // of errors with nowhere else to go: no breaker then. With several, a failing member is skipped for
        // a second and tried again.
        host: () => (hosts.length > 1 ? circuitBreaker(handleWhen(isRecoverableError), { halfOpenAfter: 1_000, breaker: new ConsecutiveBreaker(3) }) : noop),
        // The client's default retries every recoverable error three times, a deadline included: an
        // unreachable etcd then costs a request 3 × the deadline, and a transaction whose answer was lost
        // is sent again. Only "could not connect" (the request never left) is retried, on another member.
        global: hosts.length > 1 ? retry(handleWhen((e) => e instanceof GRPCUnavailableError), { maxAttempts: hosts.length - 1 }) : noop,
      },
      // Streams (watch, lease keep-alive) live as long as they are used; unary calls get a deadline, so an
      // unreachable etcd is an error after `timeout`, not a request that hangs.
      defaultCallOptions: (ctx) => (ctx.isStream ? {} : { deadline: Date.now() + timeout }),
    });
  }

  /** Connects and waits (up to connectTimeoutMs) until etcd answers a read. */
  static async connect(options: EtcdStoreOptions): Promise<EtcdStore> {
    const s = new EtcdStore(options);
    const deadline = Date.now() + (options.connectTimeoutMs ?? 10_000);
    for (;;) {
      try {
        await s.revision();
        return s;
      } catch (err) {
        if (Date.now() > deadline) {
          s.client.close();
          throw new Error(`etcd at ${options.endpoints.join(', ')} did not answer: ${(err as Error).message}`);
        }
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  }

  private see(revision: string | number): number {
    const r = Number(revision);
    if (r > this.known) this.known = r;
    return r;
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('store is closed');
  }

  async get(key: string): Promise<KeyValue | undefined> {
    this.assertOpen();
    const res = await unavailable(this.client.kv.range({ key: enc(key) }));
    this.see(res.header.revision);
    return res.kvs.length > 0 ? toKv(res.kvs[0]!) : undefined;
  }

  async range(prefix: string, options: RangeOptions = {}): Promise<RangeResult> {
    this.assertOpen();
    const end = bytesPrefixEnd(prefix);
    const limit = options.limit ?? -1;
    let key = enc(prefix);
    let rangeEnd = end;
    if (options.reverse) {
      if (options.after !== undefined && Buffer.compare(enc(options.after), end) < 0) rangeEnd = enc(options.after);
    } else if (options.after !== undefined && options.after >= prefix) {
      key = Buffer.concat([enc(options.after), Buffer.from([0])]);
    }
    if (Buffer.compare(key, rangeEnd) >= 0) return { kvs: [], more: false, revision: await this.revision() };
    const res = await unavailable(this.client.kv.range({
      key, range_end: rangeEnd,
      // etcd's limit 0 means "no limit": the port's limit 0 asks one key, to say whether there is more.
      limit: limit < 0 ? 0 : Math.max(limit, 1),
      ...(options.reverse ? { sort_order: 'Descend' as const, sort_target: 'Key' as const } : {}),
    }));
    const revision = this.see(res.header.revision);
    const kvs = res.kvs.map(toKv);
    if (limit === 0) return { kvs: [], more: kvs.length > 0, revision };
    return { kvs, more: res.more, revision };
  }

  async revision(): Promise<number> {
    this.assertOpen();
    const res = await unavailable(this.client.kv.range({ key: enc('/'), count_only: true }));
    return this.see(res.header.revision);
  }

  txn(txn: Txn): Promise<TxnResult> {
    return this.txnFenced(txn, undefined);
  }

  /**
   * A view of this store whose transactions hold only while every compare of `fence` does (see the top).
   * `onFenced` is called each time one is refused.
   */
  fenced(fence: readonly Compare[], onFenced?: () => void): Store {
    const inner = this;
    return {
      get: (k) => inner.get(k),
      range: (p, o) => inner.range(p, o),
      revision: () => inner.revision(),
      watch: (p, cb, o) => inner.watch(p, cb, o),
      txn: (t) => inner.txnFenced(t, fence).catch((err: unknown) => {
        if (err instanceof FencedError) onFenced?.();
        throw err;
      }),
      // The view does not own the store.
      close: async () => {},
    };
  }

  private async txnFenced(txn: Txn, fence: readonly Compare[] | undefined): Promise<TxnResult> {
    this.assertOpen();
    const request: ITxnRequest = {
      compare: (txn.compare ?? []).map(toCompare),
      success: toOps(txn.success),
      failure: toOps(txn.failure ?? []),
    };
    let succeeded: boolean;
    let revision: number;
    if (fence) {
      const res = await unavailable(this.client.kv.txn({ compare: fence.map(toCompare), success: [{ request_txn: request }], failure: [] }));
      revision = this.see(res.header.revision);
      if (!res.succeeded) throw new FencedError(fence.map((c) => c.key).join(', '));
      succeeded = res.responses[0]!.response_txn.succeeded;
    } else {
      const res = await unavailable(this.client.kv.txn(request));
      revision = this.see(res.header.revision);
      succeeded = res.succeeded;
    }
    this.maybeCompact(revision);
    return { succeeded, revision };
  }

  private maybeCompact(revision: number): void {
    const floor = revision - this.retention;
    if (floor <= this.compactedTo + COMPACT_STEP) return;
    // Counted as compacted from now on: a watch asked for an older revision throws at once.
    this.compactedTo = floor;
    this.client.kv.compact({ revision: floor }).catch(() => {
      // Another server compacted further already, or etcd is unreachable: the next step tries again.
    });
  }

  watch(prefix: string, callback: WatchCallback, options: WatchOptions = {}): void {
    this.assertOpen();
    if (options.signal?.aborted) return;
    if (options.fromRevision !== undefined && options.fromRevision <= this.compactedTo) throw new CompactedError(this.compactedTo + 1);
    const ac = new AbortController();
    this.watches.add(ac);
    const stop = () => { ac.abort(); this.watches.delete(ac); };
    options.signal?.addEventListener('abort', stop, { once: true });
    const start = Math.max(options.fromRevision ?? this.known + 1, 1);
    void new PrefixWatch(this, prefix, callback, start, ac.signal).run();
  }

  /** For PrefixWatch: a revision etcd said is compacted. */
  noteCompacted(compactRevision: number): void {
    if (compactRevision - 1 > this.compactedTo) this.compactedTo = compactRevision - 1;
  }

  /** For PrefixWatch: the full listing of a prefix at one revision (paged, so no response is huge). */
  async list(prefix: string, keysOnly: boolean, atRevision?: number): Promise<{ kvs: KeyValue[]; revision: number }> {
    const end = bytesPrefixEnd(prefix);
    const kvs: KeyValue[] = [];
    let key = enc(prefix);
    let revision = atRevision ?? 0;
    for (;;) {
      const res = await this.client.kv.range({ key, range_end: end, limit: 1000, keys_only: keysOnly, ...(revision ? { revision } : {}) });
      if (!revision) revision = this.see(res.header.revision);
      for (const kv of res.kvs) kvs.push(keysOnly ? { key: kv.key.toString('utf8'), value: '', createRevision: 0, modRevision: Number(kv.mod_revision), version: 0 } : toKv(kv));
      if (!res.more || res.kvs.length === 0) return { kvs, revision };
      key = Buffer.concat([res.kvs[res.kvs.length - 1]!.key, Buffer.from([0])]);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const ac of this.watches) ac.abort();
    this.watches.clear();
    this.client.close();
  }
}

/** Back-off between attempts to re-open a broken watch stream: 100 ms doubling to 2 s. */
const RETRY_MIN_MS = 100;
const RETRY_MAX_MS = 2_000;

/** One watch on a prefix: its own gRPC stream, resumed from `next` after a break, re-listed after a compaction. */
class PrefixWatch {
  /** Keys the consumer believes exist (those that did when it started, plus its events), for re-listing. */
  private keys: Set<string> | undefined;
  private keysLoaded: Promise<void> | undefined;
  /** Events that arrived while `keys` was still being listed, applied to it once it is. */
  private keyChanges: [boolean, string][] = [];

  constructor(
    private readonly store: EtcdStore,
    private readonly prefix: string,
    private readonly callback: WatchCallback,
    /** The next revision to deliver. */
    private next: number,
    private readonly signal: AbortSignal,
  ) {}

  async run(): Promise<void> {
    // What the consumer knows when the watch starts: the keys at the revision before the first it asks for.
    this.keysLoaded = (this.next > 1 ? this.store.list(this.prefix, true, this.next - 1) : Promise.resolve({ kvs: [] }))
      .then((r) => r.kvs.map((kv) => kv.key), () => [])
      .then((keys) => {
        this.keys = new Set(keys);
        for (const [put, key] of this.keyChanges) { if (put) this.keys.add(key); else this.keys.delete(key); }
        this.keyChanges = [];
      });
    let delay = RETRY_MIN_MS;
    while (!this.signal.aborted) {
      try {
        const outcome = await this.stream();
        delay = RETRY_MIN_MS;
        if (outcome === 'compacted') await this.relist();
      } catch {
        // etcd unreachable or the stream broke: try again from `next`.
        if (this.signal.aborted) return;
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, RETRY_MAX_MS);
      }
    }
  }

  /** Runs one watch stream until it breaks (throws), is aborted, or etcd cancels it as compacted. */
  private async stream(): Promise<'aborted' | 'compacted'> {
    const stream = await this.store.client.watchClient.watch();
    return new Promise<'aborted' | 'compacted'>((resolve, reject) => {
      let settled = false;
      const finish = (fn: () => void) => {
        if (settled) return;
        settled = true;
        this.signal.removeEventListener('abort', onAbort);
        try { stream.cancel(); } catch { /* already closed */ }
        fn();
      };
      const onAbort = () => finish(() => resolve('aborted'));
      this.signal.addEventListener('abort', onAbort, { once: true });
      stream.on('data', (res: IWatchResponse) => {
        if (settled) return;
        const compactRevision = Number(res.compact_revision ?? 0);
        if (res.canceled || compactRevision > 0) {
          if (compactRevision > 0) {
            this.store.noteCompacted(compactRevision);
            finish(() => resolve('compacted'));
          } else {
            finish(() => reject(new Error(`watch canceled: ${res.cancel_reason}`)));
          }
          return;
        }
        if (res.events.length > 0) this.deliver(res);
      });
      stream.on('error', (err: Error) => finish(() => reject(err)));
      stream.on('end', () => finish(() => reject(new Error('watch stream ended'))));
      stream.write({ create_request: { key: enc(this.prefix), range_end: bytesPrefixEnd(this.prefix), start_revision: this.next, prev_kv: true } });
      if (this.signal.aborted) onAbort();
    });
  }

  private deliver(res: IWatchResponse): void {
    const events: WatchEvent[] = [];
    for (const ev of res.events) {
      const rev = Number(ev.kv.mod_revision);
      if (rev < this.next) continue; // already delivered before a reconnect
      const prev = ev.prev_kv ? toKv(ev.prev_kv) : undefined;
      if (ev.type === 'Put') {
        events.push({ type: 'put', kv: toKv(ev.kv), ...(prev ? { prev } : {}) });
        this.noteKey(true, ev.kv.key.toString('utf8'));
      } else {
        const key = ev.kv.key.toString('utf8');
        events.push({ type: 'delete', kv: { key, value: '', createRevision: prev?.createRevision ?? 0, modRevision: rev, version: 0 }, ...(prev ? { prev } : {}) });
        this.noteKey(false, key);
      }
    }
    if (events.length === 0) return;
    const last = events[events.length - 1]!.kv.modRevision;
    this.next = last + 1;
    safeCall(this.callback, events, last);
  }

  private noteKey(put: boolean, key: string): void {
    if (!this.keys) this.keyChanges.push([put, key]);
    else if (put) this.keys.add(key);
    else this.keys.delete(key);
  }

  /** After a compaction: list the prefix and deliver what changed since `next`, then continue after the listing. */
  private async relist(): Promise<void> {
    await this.keysLoaded;
    const { kvs, revision } = await this.store.list(this.prefix, false);
    if (this.signal.aborted) return;
    const now = new Set(kvs.map((kv) => kv.key));
    const events: WatchEvent[] = [];
    for (const key of this.keys ?? []) {
      if (!now.has(key)) events.push({ type: 'delete', kv: { key, value: '', createRevision: 0, modRevision: revision, version: 0 } });
    }
    for (const kv of kvs) if (kv.modRevision >= this.next) events.push({ type: 'put', kv });
    events.sort((a, b) => a.kv.modRevision - b.kv.modRevision);
    this.keys = now;
    this.next = revision + 1;
    if (events.length > 0) safeCall(this.callback, events, revision);
  }
}

function safeCall(cb: WatchCallback, events: readonly WatchEvent[], rev: number): void {
  try {
    cb(events, rev);
  } catch (err) {
    // A watcher's bug must not break the store or other watchers; surface it asynchronously.
    queueMicrotask(() => { throw err; });
  }
}
