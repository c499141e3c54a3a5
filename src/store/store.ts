/**
 * The Store port: a revisioned key/value store with transactions, compare-and-swap and watch.
 *
 * Shaped after etcd's v3 API so that the etcd adapter (HA control plane) is a thin translation and the
 * embedded SQLite adapter behaves identically. Both pass `conformance.ts`.
 *
 *   revision        a cluster-wide counter; every transaction that writes bumps it by exactly one
 *   createRevision  the revision at which a key was (last) created
 *   modRevision     the revision of the key's last write
 *   version         how many times the key was written since it was created (1 on create)
 *
 * Writers never lock. They read a record, compute, and commit with a compare on the version (or
 * modRevision) they read; a stale write fails the compare and the writer re-reads and recomputes.
 * A transaction resolves only once it is durable: an acknowledged write survives kill -9.
 */

export interface KeyValue {
  readonly key: string;
  readonly value: string;
  readonly createRevision: number;
  readonly modRevision: number;
  readonly version: number;
}

/** A guard on one key. A missing key has version, createRevision and modRevision 0 and value undefined. */
export interface Compare {
  readonly key: string;
  readonly target: 'version' | 'createRevision' | 'modRevision' | 'value';
  readonly op: '==' | '!=' | '<' | '>';
  readonly value: number | string;
}

export type Op =
  | { readonly type: 'put'; readonly key: string; readonly value: string }
  | { readonly type: 'delete'; readonly key: string };

export interface Txn {
  readonly compare?: readonly Compare[];
  readonly success: readonly Op[];
  readonly failure?: readonly Op[];
}

export interface TxnResult {
  readonly succeeded: boolean;
  /** The store's revision after this transaction (unchanged when it wrote nothing). */
  readonly revision: number;
}

export interface RangeOptions {
  /** Only keys strictly after this one in the listing's order (for paging). */
  readonly after?: string;
  readonly limit?: number;
  /** List in descending key order (newest revision first, for zero-padded keys). */
  readonly reverse?: boolean;
}

export interface RangeResult {
  readonly kvs: readonly KeyValue[];
  /** True when `limit` cut the listing short. */
  readonly more: boolean;
  readonly revision: number;
}

export interface WatchEvent {
  readonly type: 'put' | 'delete';
  /** For deletes, `value` is '' and `version` 0; `modRevision` is the revision of the delete. */
  readonly kv: KeyValue;
  /** The previous value, when the store still knows it. */
  readonly prev?: KeyValue;
}

export interface WatchOptions {
  /** Deliver every event with modRevision >= fromRevision first (default: only new events). */
  readonly fromRevision?: number;
  readonly signal?: AbortSignal;
}

export type WatchCallback = (events: readonly WatchEvent[], revision: number) => void;

/** Thrown by `watch` when fromRevision is older than what the store keeps (etcd's "compacted"). */
export class CompactedError extends Error {
  constructor(readonly compactRevision: number) {
    super(`required revision has been compacted (oldest kept: ${compactRevision})`);
    this.name = 'CompactedError';
  }
}

/**
 * Thrown by a fenced view's txn (the etcd adapter's `fenced`, used by the leader's controllers) when its
 * fence no longer holds — this process is no longer the leader. Nothing of the transaction was written.
 */
export class FencedError extends Error {
  constructor(readonly fence: string) {
    super(`write refused: this server no longer holds ${fence} (it is not the leader any more)`);
    this.name = 'FencedError';
  }
}

/**
 * Thrown by an adapter when its backing store cannot be reached (etcd down or partitioned away, a
 * request past its deadline). A transaction that fails so was applied entirely or not at all — never in
 * part — but a deadline that passed may hide one that was applied: callers retry with the same guards.
 * The API answers 503 ServiceUnavailableException with a Retry-After hint (src/api/dispatch.ts).
 */
export class StoreUnavailableError extends Error {
  constructor(detail: string) {
    super(`the state store is unavailable: ${detail}`);
    this.name = 'StoreUnavailableError';
  }
}

export interface Store {
  get(key: string): Promise<KeyValue | undefined>;
  /** Keys that start with `prefix`, in key order. */
  range(prefix: string, options?: RangeOptions): Promise<RangeResult>;
  txn(txn: Txn): Promise<TxnResult>;
  /** Calls back with batches of events for keys under `prefix`, in revision order, until aborted. */
  watch(prefix: string, callback: WatchCallback, options?: WatchOptions): void;
  revision(): Promise<number>;
  close(): Promise<void>;
}

/** Convenience: a put guarded so it only succeeds when the key does not exist yet. */
export function createOnly(key: string, value: string): Txn {
  return { compare: [{ key, target: 'createRevision', op: '==', value: 0 }], success: [{ type: 'put', key, value }] };
}

/** Convenience: a put guarded on the version that was read (0 = must not exist). */
export function putIfVersion(key: string, value: string, version: number): Txn {
  return { compare: [{ key, target: 'version', op: '==', value: version }], success: [{ type: 'put', key, value }] };
}

/** Evaluate one compare against the current record (shared by adapters that evaluate compares themselves). */
export function compareHolds(c: Compare, kv: KeyValue | undefined): boolean {
  const actual: number | string | undefined =
    c.target === 'value' ? kv?.value : c.target === 'version' ? (kv?.version ?? 0)
      : c.target === 'createRevision' ? (kv?.createRevision ?? 0) : (kv?.modRevision ?? 0);
  if (actual === undefined) return c.op === '!=';
  switch (c.op) {
    case '==': return actual === c.value;
    case '!=': return actual !== c.value;
    case '<': return actual < c.value;
    case '>': return actual > c.value;
  }
}

/** The smallest string greater than every string with this prefix (for range ends). */
export function prefixEnd(prefix: string): string {
  return prefix + '\uffff';
}
