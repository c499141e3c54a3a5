/**
 * Leader election on an etcd lease, with fenced writes (docs/ha.md). Implements the Leadership interface
 * of src/controllers/shared/leadership.ts (structurally: the store layer imports nothing above it).
 *
 * The naive election — "whoever holds the lease leads; a leader that misses its renewal steps down" —
 * trusts the leader's own clock and scheduling. A leader that is paused (SIGSTOP, a long GC, a VM
 * migration) does not run the code that would step it down: it wakes up after its lease expired and
 * another server took over, still believing it leads, and its controllers write over the new leader's.
 * So leadership here is not a belief but a precondition of every write:
 *
 *   campaign   Txn(if createRevision(/wharf/leader) == 0 then put /wharf/leader = id, bound to my lease)
 *              The revision of that put — the key's createRevision — names the term. Exactly one server
 *              wins a vacancy; the others watch the key and campaign again when it is deleted (the lease
 *              expired or was revoked).
 *   fence      While leading, the controllers get `store.fenced([createRevision(/wharf/leader) == term])`:
 *              every transaction they make is nested inside an outer Txn with that compare. When the lease
 *              expires, etcd deletes the key; a new leader's key has another createRevision. From that
 *              revision on no write of the old term can commit, whatever the old leader believes — the
 *              check is made by etcd, atomically with the write.
 *   renew      every renewMs (default 1 s, a third of the 3 s TTL, as etcd's own clients do) the leader
 *              first writes a heartbeat through the fenced store, then sends a lease keep-alive. A refused
 *              heartbeat (FencedError), a keep-alive answered with TTL 0 (lease gone), no answer within the
 *              TTL of the last acknowledged one, or the leader key changing, ends the term: the controllers'
 *              signal aborts, the lease is revoked (best effort) and the server campaigns again.
 *
 * Failover takes at most TTL (the old lease expiring) + the time for the watch on the key to tell the
 * followers (milliseconds) + one campaign transaction: about 3 s with the defaults. A cleanly stopped
 * leader revokes its lease, so the others take over at once.
 *
 *   state      follower ──(won campaign)──▶ leader ──(fenced | lease lost | key changed | close)──▶ follower
 */
import type { ICompare } from 'etcd3';
import { FencedError, type Compare, type Store } from '../store.js';
import type { EtcdStore } from './etcd-store.js';

export interface ElectionLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface ElectionOptions {
  /** This server's name in the leader key (default: none; give host:pid or the endpoint). */
  readonly id: string;
  /** The leader key (default /wharf/leader). */
  readonly key?: string;
  /** Lease TTL in seconds (default 3: failover ≤ 5 s, the goal, with a second to spare). */
  readonly ttlSeconds?: number;
  /** Renewal period (default 1000 ms: three renewals per TTL, so one lost renewal does not end a term). */
  readonly renewMs?: number;
  readonly log?: ElectionLog;
}

export const LEADER_KEY = '/wharf/leader';
export const HEARTBEAT_KEY = '/wharf/heartbeat';

type Lead = (signal: AbortSignal, store: Store) => void;
interface Registration { lead: Lead; ac?: AbortController }
interface Term { revision: number; store: Store; ac: AbortController }

const enc = (s: string) => Buffer.from(s, 'utf8');
const sleep = (ms: number, signal?: AbortSignal) => new Promise<void>((r) => {
  const t = setTimeout(r, ms);
  signal?.addEventListener('abort', () => { clearTimeout(t); r(); }, { once: true });
});

export class EtcdElection {
  private readonly key: string;
  private readonly ttl: number;
  private readonly renewMs: number;
  private readonly regs = new Set<Registration>();
  private term: Term | undefined;
  private readonly closing = new AbortController();
  private loop: Promise<void> | undefined;
  /** Writes refused by the fence (this process's, since start): the HA test reads it from the logs. */
  fencedWrites = 0;

  constructor(private readonly store: EtcdStore, private readonly o: ElectionOptions) {
    this.key = o.key ?? LEADER_KEY;
    this.ttl = o.ttlSeconds ?? 3;
    this.renewMs = o.renewMs ?? 1000;
  }

  /** Starts campaigning (idempotent). */
  start(): void {
    this.loop ??= this.campaignLoop();
  }

  get leading(): boolean { return this.term !== undefined; }

  /** Leadership.run: `lead` is called with a fenced store each time this server becomes leader. */
  run(lead: Lead): () => void {
    const reg: Registration = { lead };
    this.regs.add(reg);
    if (this.term) this.begin(reg, this.term);
    this.start();
    return () => { this.regs.delete(reg); reg.ac?.abort(); };
  }

  /** Stops campaigning; a leader steps down and revokes its lease so another server takes over at once. */
  async close(): Promise<void> {
    this.closing.abort();
    await this.loop;
  }

  private begin(reg: Registration, term: Term): void {
    reg.ac = new AbortController();
    term.ac.signal.addEventListener('abort', () => reg.ac?.abort(), { once: true });
    try {
      reg.lead(reg.ac.signal, term.store);
    } catch (err) {
      this.o.log?.warn({ err }, 'leadership: a leader loop failed to start');
    }
  }

  private async campaignLoop(): Promise<void> {
    const closing = this.closing.signal;
    while (!closing.aborted) {
      let lease: string | undefined;
      try {
        lease = (await this.store.client.leaseClient.leaseGrant({ TTL: this.ttl })).ID;
        await this.withLease(lease);
      } catch (err) {
        if (!closing.aborted) this.o.log?.warn({ err: (err as Error).message }, 'leadership: campaign failed, retrying');
      } finally {
        if (lease) await this.store.client.leaseClient.leaseRevoke({ ID: lease }).catch(() => { /* expires by itself */ });
      }
      if (!closing.aborted) await sleep(this.renewMs / 2, closing);
    }
  }

  /** Campaigns and leads with one lease until it is lost (returns) or etcd fails (throws). */
  private async withLease(lease: string): Promise<void> {
    const closing = this.closing.signal;
    const keeper = new LeaseKeeper(this.store, lease, this.ttl, this.renewMs);
    try {
      while (!closing.aborted && !keeper.lost.aborted) {
        const value = JSON.stringify({ id: this.o.id, at: new Date().toISOString() });
        const res = await this.store.client.kv.txn({
          compare: [{ key: enc(this.key), target: 'Create', result: 'Equal', create_revision: 0 } satisfies ICompare],
          success: [{ request_put: { key: enc(this.key), value: enc(value), lease } }],
          failure: [{ request_range: { key: enc(this.key) } }],
        });
        if (res.succeeded) {
          await this.lead(Number(res.header.revision), keeper);
          return;
        }
        const holder = res.responses[0]?.response_range.kvs[0];
        await this.vacancy(holder ? Number(holder.create_revision) : 0, Number(res.header.revision), keeper.lost);
      }
    } finally {
      keeper.stop();
    }
  }

  /** Resolves when the leader key (created at `createRevision`) is gone or replaced, or `stop` aborts. */
  private vacancy(createRevision: number, seenRevision: number, stop: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const ac = new AbortController();
      const done = () => { ac.abort(); clearInterval(poll); resolve(); };
      const signal = AbortSignal.any([stop, this.closing.signal]);
      if (signal.aborted) { resolve(); return; }
      signal.addEventListener('abort', done, { once: true });
      try {
        this.store.watch(this.key, (events) => {
          if (events.some((e) => e.kv.key === this.key && (e.type === 'delete' || e.kv.createRevision !== createRevision))) done();
        }, { fromRevision: seenRevision + 1, signal: ac.signal });
      } catch {
        // That revision is compacted already (CompactedError): campaign again at once, which re-reads the key.
        done();
        return;
      }
      // The watch is the fast path; a look every TTL covers a watch that has not reconnected yet.
      const poll = setInterval(() => {
        void this.store.get(this.key).then((kv) => { if (!kv || kv.createRevision !== createRevision) done(); }, () => {});
      }, this.ttl * 1000);
    });
  }

  private async lead(revision: number, keeper: LeaseKeeper): Promise<void> {
    const fence: Compare[] = [{ key: this.key, target: 'createRevision', op: '==', value: revision }];
    const ac = new AbortController();
    const end = (reason: string, extra: object = {}) => {
      if (ac.signal.aborted) return;
      this.o.log?.warn({ term: revision, reason, ...extra }, 'leadership: this server is no longer the leader');
      ac.abort();
    };
    const fenced = this.store.fenced(fence, () => { this.fencedWrites++; end('a write was fenced', { fencedWrites: this.fencedWrites }); });
    const term: Term = { revision, store: fenced, ac };
    this.term = term;
    this.o.log?.info({ term: revision, id: this.o.id }, 'leadership: this server is the leader');
    for (const reg of this.regs) this.begin(reg, term);
    keeper.lost.addEventListener('abort', () => end(keeper.why), { once: true });
    this.closing.signal.addEventListener('abort', () => end('server stopping'), { once: true });
    // The key changing under us (deleted when the lease expired, or by an operator) ends the term too.
    const watch = new AbortController();
    try {
      this.store.watch(this.key, (events) => {
        if (events.some((e) => e.kv.key === this.key && (e.type === 'delete' || e.kv.createRevision !== revision))) end('the leader key changed');
      }, { fromRevision: revision + 1, signal: watch.signal });
    } catch {
      end('the leader key\'s history is compacted');
    }
    // The heartbeat: a fenced write each renewal, so a deposed leader learns it from etcd, not its clock.
    keeper.beforeRenew = () => {
      if (ac.signal.aborted) return;
      fenced.txn({ success: [{ type: 'put', key: HEARTBEAT_KEY, value: JSON.stringify({ id: this.o.id, term: revision, at: new Date().toISOString() }) }] })
        .catch((err: unknown) => {
          if (err instanceof FencedError) this.o.log?.warn({ term: revision, fencedWrites: this.fencedWrites }, 'leadership: heartbeat refused by the fence');
        });
    };
    keeper.beforeRenew();
    await new Promise<void>((r) => ac.signal.addEventListener('abort', () => r(), { once: true }));
    keeper.beforeRenew = undefined;
    watch.abort();
    if (this.term === term) this.term = undefined;
  }
}

/**
 * Keeps one lease alive over a keep-alive stream. The lease is known valid until the send time of the
 * last acknowledged keep-alive + TTL (etcd measures from when it received it, which is later), so
 * `lost` aborts when that time passes without a newer acknowledgement, or when etcd answers TTL 0.
 */
class LeaseKeeper {
  private readonly ac = new AbortController();
  readonly lost = this.ac.signal;
  why = '';
  beforeRenew: (() => void) | undefined;
  private validUntil: number;
  private readonly sent: number[] = [];
  private timer: NodeJS.Timeout | undefined;
  private stream: Awaited<ReturnType<EtcdStore['client']['leaseClient']['leaseKeepAlive']>> | undefined;

  constructor(private readonly store: EtcdStore, private readonly id: string, private readonly ttl: number, renewMs: number) {
    this.validUntil = Date.now() + ttl * 1000;
    void this.open();
    this.timer = setInterval(() => this.tick(), renewMs);
  }

  private fail(why: string): void {
    if (this.ac.signal.aborted) return;
    this.why = why;
    this.ac.abort();
  }

  private async open(): Promise<void> {
    try {
      const stream = await this.store.client.leaseClient.leaseKeepAlive();
      if (this.ac.signal.aborted) { stream.cancel(); return; }
      this.stream = stream;
      stream.on('data', (res: { TTL: string }) => {
        const sentAt = this.sent.shift() ?? Date.now();
        if (Number(res.TTL) <= 0) this.fail('the lease expired');
        else this.validUntil = Math.max(this.validUntil, sentAt + Number(res.TTL) * 1000);
      });
      stream.on('error', () => { this.stream = undefined; });
      stream.on('end', () => { this.stream = undefined; });
    } catch {
      // etcd unreachable: the next tick tries again, and the lease runs out if it stays so.
    }
  }

  private tick(): void {
    this.beforeRenew?.();
    if (Date.now() > this.validUntil) { this.fail('the lease could not be renewed within its TTL'); return; }
    if (!this.stream) { void this.open(); return; }
    this.sent.push(Date.now());
    this.stream.write({ ID: this.id });
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.fail('stopped');
    try { this.stream?.cancel(); } catch { /* closed */ }
  }
}
