/**
 * The embedded Store adapter: one SQLite file in WAL mode with synchronous=FULL.
 *
 * Group commit. The naive adapter runs each transaction as its own SQLite transaction, which costs one
 * fsync per write: at concurrency 64 every request waits behind 63 fsyncs. Instead, transactions that
 * arrive while the event loop is busy are queued and, on the next turn (setImmediate), run one after
 * another inside a single SQLite transaction — each sees the writes of the ones before it, so the
 * result is the same as running them serially — and committed with a single fsync. Every caller's
 * promise resolves only after that commit returned, so an acknowledged write is on disk. If the commit
 * fails (disk full, I/O error) the whole batch rolls back and every caller gets the error: nothing
 * half-applied, nothing acknowledged that was not written.
 *
 * Reads. The current records are also kept in memory (ordered-index.ts), as etcd keeps its key index
 * in memory: get and range never touch SQLite. The index changes only in flush(), after the commit
 * returned, so a reader sees exactly what is durable; a failed commit reloads it from the file. The
 * file is opened with locking_mode=EXCLUSIVE, so no other process can change it under the index (a
 * second server on the same data directory fails to open it instead of silently diverging).
 *
 * Watch. Each write is also appended to a log table (revision, key, type, value) so a watcher can
 * resume from a revision after a restart, like etcd. The log keeps the last `logRetention` revisions;
 * asking for an older revision throws CompactedError and the watcher re-lists.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { OrderedIndex } from './ordered-index.js';
import {
  CompactedError, compareHolds, prefixEnd,
  type KeyValue, type RangeOptions, type RangeResult, type Store, type Txn, type TxnResult,
  type WatchCallback, type WatchEvent, type WatchOptions,
} from '../store.js';

interface Row { key: string; value: string; create_rev: number; mod_rev: number; version: number }
interface LogRow { rev: number; key: string; type: number; value: string; create_rev: number; version: number }
interface Pending { txn: Txn; resolve: (r: TxnResult) => void; reject: (e: unknown) => void }
interface Watcher { prefix: string; end: string; callback: WatchCallback }

export interface SqliteStoreOptions {
  /** Revisions of history kept for watch-from-revision. Default 100,000: hours of a busy cluster. */
  readonly logRetention?: number;
  /**
   * SQLite's synchronous setting. Default FULL: a commit returns only after the WAL is fsynced, which
   * is what makes an acknowledged write survive a power cut. OFF exists only so the power-cut test
   * (test/e2e/durability-power-loss.test.ts) can show it tells the two apart.
   */
  readonly synchronous?: 'FULL' | 'OFF';
}

/** Operations one revision can hold in the history (its id is rev·SEQ_SPAN + seq; etcd allows 128 by default). */
const SEQ_SPAN = 65_536;

// Records are shared between the index, range results and watch events: frozen so no reader can change another's.
const toKv = (r: Row): KeyValue => Object.freeze({ key: r.key, value: r.value, createRevision: r.create_rev, modRevision: r.mod_rev, version: r.version });

export class SqliteStore implements Store {
  private readonly db: Database.Database;
  private readonly stmts;
  private rev: number;
  private compactedTo: number;
  private queue: Pending[] = [];
  private scheduled = false;
  private closed = false;
  private readonly watchers = new Set<Watcher>();
  private readonly logRetention: number;
  private readonly index = new OrderedIndex();
  /** Runs its argument inside BEGIN … COMMIT (made once: better-sqlite3 builds several wrappers per call). */
  private readonly inTransaction: (body: () => void) => void;

  constructor(path: string, options: SqliteStoreOptions = {}) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.logRetention = options.logRetention ?? 100_000;
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${options.synchronous === 'OFF' ? 'OFF' : 'FULL'}`);
    this.db.pragma('busy_timeout = 5000');
    // The in-memory index is exact only while this connection is the file's only writer.
    this.db.pragma('locking_mode = EXCLUSIVE');
    // Rowid tables, so a record's value sits in a leaf of the rowid b-tree. (Schema 1 kept them in
    // WITHOUT ROWID tables, i.e. index b-trees, which hold whole rows even in interior pages: values over
    // ~1 KB spilled into overflow pages, the trees grew deep, and every insert re-read overflow pages on
    // its way down. Same data, ≈ 2.5× less SQLite CPU per batched write.) The history's id is
    // rev·2^16 + seq: append-only, in revision order, and the range a revision covers.
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS records (id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, value TEXT NOT NULL,
        create_rev INTEGER NOT NULL, mod_rev INTEGER NOT NULL, version INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS history (id INTEGER PRIMARY KEY, rev INTEGER NOT NULL, key TEXT NOT NULL, type INTEGER NOT NULL,
        value TEXT NOT NULL, create_rev INTEGER NOT NULL, version INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
      INSERT OR IGNORE INTO meta VALUES ('revision', 0), ('compacted', 0);
    `);
    this.migrateFromSchema1();
    this.stmts = {
      all: this.db.prepare<[], Row>('SELECT key, value, create_rev, mod_rev, version FROM records ORDER BY key'),
      put: this.db.prepare('INSERT INTO records (key, value, create_rev, mod_rev, version) VALUES (?, ?, ?, ?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value, mod_rev = excluded.mod_rev, version = excluded.version'),
      del: this.db.prepare('DELETE FROM records WHERE key = ?'),
      log: this.db.prepare('INSERT INTO history (id, rev, key, type, value, create_rev, version) VALUES (?, ?, ?, ?, ?, ?, ?)'),
      logFrom: this.db.prepare<[number, string, string], LogRow>('SELECT rev, key, type, value, create_rev, version FROM history WHERE id >= ? AND key >= ? AND key < ? ORDER BY id'),
      setMeta: this.db.prepare('UPDATE meta SET value = ? WHERE name = ?'),
      getMeta: this.db.prepare<[string], { value: number }>('SELECT value FROM meta WHERE name = ?'),
      compact: this.db.prepare('DELETE FROM history WHERE id < ?'),
    };
    this.rev = this.stmts.getMeta.get('revision')!.value;
    this.compactedTo = this.stmts.getMeta.get('compacted')!.value;
    this.loadIndex();
    this.inTransaction = this.db.transaction((body: () => void) => body());
  }

  /** Moves a schema-1 file (kv and log as WITHOUT ROWID tables) into the current tables, in one transaction. */
  private migrateFromSchema1(): void {
    const old = this.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('kv', 'log')").all() as { name: string }[];
    if (old.length === 0) return;
    this.db.transaction(() => {
      if (old.some((t) => t.name === 'kv')) {
        this.db.exec('INSERT INTO records (key, value, create_rev, mod_rev, version) SELECT key, value, create_rev, mod_rev, version FROM kv ORDER BY key; DROP TABLE kv;');
      }
      if (old.some((t) => t.name === 'log')) {
        this.db.exec(`INSERT INTO history (id, rev, key, type, value, create_rev, version)
          SELECT rev * ${SEQ_SPAN} + seq, rev, key, type, value, create_rev, version FROM log ORDER BY rev, seq; DROP TABLE log;`);
      }
    })();
  }

  private loadIndex(): void {
    this.index.load((function* (rows) { for (const r of rows) yield toKv(r); })(this.stmts.all.iterate()));
  }

  async get(key: string): Promise<KeyValue | undefined> {
    this.assertOpen();
    return this.index.get(key);
  }

  async range(prefix: string, options: RangeOptions = {}): Promise<RangeResult> {
    this.assertOpen();
    const limit = options.limit ?? -1;
    const max = limit < 0 ? Infinity : limit + 1;
    const end = prefixEnd(prefix);
    const rows = options.reverse
      ? this.index.descending(options.after !== undefined && options.after < end ? options.after : end, prefix, max)
      : options.after !== undefined && options.after >= prefix
        ? this.index.ascending(options.after, true, end, max)
        : this.index.ascending(prefix, false, end, max);
    const more = limit >= 0 && rows.length > limit;
    if (more) rows.length = limit;
    return { kvs: rows, more, revision: this.rev };
  }

  async revision(): Promise<number> {
    return this.rev;
  }

  txn(txn: Txn): Promise<TxnResult> {
    if (this.closed) return Promise.reject(new Error('store is closed'));
    if (txn.success.length >= SEQ_SPAN || (txn.failure?.length ?? 0) >= SEQ_SPAN) {
      return Promise.reject(new Error(`transaction too large: at most ${SEQ_SPAN - 1} operations per branch`));
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ txn, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  watch(prefix: string, callback: WatchCallback, options: WatchOptions = {}): void {
    this.assertOpen();
    const watcher: Watcher = { prefix, end: prefixEnd(prefix), callback };
    if (options.signal?.aborted) return;
    if (options.fromRevision !== undefined && options.fromRevision <= this.rev) {
      if (options.fromRevision <= this.compactedTo) throw new CompactedError(this.compactedTo + 1);
      const backlog = this.stmts.logFrom.all(options.fromRevision * SEQ_SPAN, prefix, watcher.end).map(logToEvent);
      const at = this.rev;
      if (backlog.length > 0) queueMicrotask(() => { if (this.watchers.has(watcher)) safeCall(callback, backlog, at); });
    }
    this.watchers.add(watcher);
    options.signal?.addEventListener('abort', () => this.watchers.delete(watcher), { once: true });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    if (this.queue.length > 0) this.flush();
    this.closed = true;
    this.watchers.clear();
    this.db.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('store is closed');
  }

  private flush(): void {
    this.scheduled = false;
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0 || this.closed) {
      for (const p of batch) p.reject(new Error('store is closed'));
      return;
    }
    const startRev = this.rev;
    const results: TxnResult[] = [];
    const events: WatchEvent[] = [];
    let rev = startRev;
    // This batch's writes, seen by the later transactions of the batch; applied to the index after commit.
    const written = new Map<string, KeyValue | null>();
    const read = (key: string): KeyValue | undefined => {
      const w = written.get(key);
      return w === undefined ? this.index.get(key) : (w ?? undefined);
    };
    try {
      this.inTransaction(() => {
        for (const { txn } of batch) {
          const ok = (txn.compare ?? []).every((c) => compareHolds(c, read(c.key)));
          const ops = ok ? txn.success : (txn.failure ?? []);
          let wrote = false;
          let seq = 0;
          for (const op of ops) {
            const cur = read(op.key);
            if (op.type === 'delete' && !cur) continue;
            if (!wrote) { rev += 1; wrote = true; }
            if (op.type === 'put') {
              const createRev = cur ? cur.createRevision : rev;
              const version = cur ? cur.version + 1 : 1;
              this.stmts.put.run(op.key, op.value, createRev, rev, version);
              this.stmts.log.run(rev * SEQ_SPAN + seq++, rev, op.key, 1, op.value, createRev, version);
              const kv = Object.freeze({ key: op.key, value: op.value, createRevision: createRev, modRevision: rev, version });
              written.set(op.key, kv);
              events.push({ type: 'put', kv, prev: cur });
            } else {
              this.stmts.del.run(op.key);
              this.stmts.log.run(rev * SEQ_SPAN + seq++, rev, op.key, 2, '', cur!.createRevision, 0);
              written.set(op.key, null);
              events.push({ type: 'delete', kv: { key: op.key, value: '', createRevision: cur!.createRevision, modRevision: rev, version: 0 }, prev: cur });
            }
          }
          results.push({ succeeded: ok, revision: rev });
        }
        if (rev !== startRev) {
          this.stmts.setMeta.run(rev, 'revision');
          // Compact the watch log in steps of 1,000 revisions so a steady writer pays for it rarely.
          const floor = rev - this.logRetention;
          if (floor > this.compactedTo + 1000) {
            this.stmts.compact.run((floor + 1) * SEQ_SPAN);
            this.stmts.setMeta.run(floor, 'compacted');
            this.compactedTo = floor;
          }
        }
      });
    } catch (err) {
      for (const p of batch) p.reject(err);
      // The SQLite transaction rolled back: re-read what is really committed.
      this.rev = this.stmts.getMeta.get('revision')!.value;
      this.compactedTo = this.stmts.getMeta.get('compacted')!.value;
      this.loadIndex();
      return;
    }
    for (const [key, kv] of written) {
      if (kv) this.index.set(kv); else this.index.delete(key);
    }
    this.rev = rev;
    batch.forEach((p, i) => p.resolve(results[i]));
    if (events.length > 0 && this.watchers.size > 0) this.notify(events, rev);
  }

  private notify(events: WatchEvent[], rev: number): void {
    for (const w of this.watchers) {
      const mine = events.filter((e) => e.kv.key >= w.prefix && e.kv.key < w.end);
      if (mine.length > 0) safeCall(w.callback, mine, rev);
    }
  }
}

function logToEvent(r: LogRow): WatchEvent {
  return r.type === 1
    ? { type: 'put', kv: { key: r.key, value: r.value, createRevision: r.create_rev, modRevision: r.rev, version: r.version } }
    : { type: 'delete', kv: { key: r.key, value: '', createRevision: r.create_rev, modRevision: r.rev, version: 0 } };
}

function safeCall(cb: WatchCallback, events: readonly WatchEvent[], rev: number): void {
  try {
    cb(events, rev);
  } catch (err) {
    // A watcher's bug must not break the store or other watchers; surface it asynchronously.
    queueMicrotask(() => { throw err; });
  }
}
