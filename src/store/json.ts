/**
 * Typed JSON records on top of the Store port: read a record with its version, write it back guarded
 * on that version. The read-compute-write loop (`update`) retries on conflict, re-reading each time.
 */
import type { Store, KeyValue, Compare, Op } from './store.js';

export interface Versioned<T> {
  readonly value: T;
  readonly version: number;
  readonly modRevision: number;
}

export async function getJson<T>(store: Store, key: string): Promise<Versioned<T> | undefined> {
  const kv = await store.get(key);
  return kv ? { value: JSON.parse(kv.value) as T, version: kv.version, modRevision: kv.modRevision } : undefined;
}

export async function listJson<T>(store: Store, prefix: string): Promise<T[]> {
  const { kvs } = await store.range(prefix);
  return kvs.map((kv: KeyValue) => JSON.parse(kv.value) as T);
}

/** Writes `value` if the key is still at `version` (0 = absent). Returns false on conflict. */
export async function putJson<T>(store: Store, key: string, value: T, version: number): Promise<boolean> {
  const r = await store.txn({ compare: [{ key, target: 'version', op: '==', value: version }], success: [{ type: 'put', key, value: JSON.stringify(value) }] });
  return r.succeeded;
}

export class ConflictRetriesExhausted extends Error {
  constructor(key: string) {
    super(`gave up writing ${key} after repeated conflicting writes`);
  }
}

/**
 * Read-modify-write with optimistic concurrency. `fn` gets the current value (undefined when absent)
 * and returns the new value, or undefined to write nothing. It may be called several times: keep it free
 * of side effects other than the returned value.
 */
export async function update<T>(store: Store, key: string, fn: (current: T | undefined) => T | undefined | Promise<T | undefined>, attempts = 20): Promise<T | undefined> {
  for (let i = 0; i < attempts; i++) {
    const cur = await getJson<T>(store, key);
    const next = await fn(cur ? structuredClone(cur.value) : undefined);
    if (next === undefined) return cur?.value;
    if (await putJson(store, key, next, cur?.version ?? 0)) return next;
  }
  throw new ConflictRetriesExhausted(key);
}

/** A record with the key it was read from, for handlers that write several records in one guarded transaction. */
export interface Keyed<T> {
  readonly key: string;
  readonly value: T;
  readonly version: number;
}

const keyedOf = <T>(kv: KeyValue): Keyed<T> => ({ key: kv.key, value: JSON.parse(kv.value) as T, version: kv.version });

export async function getKeyed<T>(store: Store, key: string): Promise<Keyed<T> | undefined> {
  const kv = await store.get(key);
  return kv ? keyedOf<T>(kv) : undefined;
}

export async function rangeKeyed<T>(store: Store, prefix: string): Promise<Keyed<T>[]> {
  return (await store.range(prefix)).kvs.map((kv) => keyedOf<T>(kv));
}

/** Compares that hold when each record is still at the version it was read at. */
export const unchangedSince = (...recs: Keyed<unknown>[]): Compare[] => recs.map((r) => ({ key: r.key, target: 'version', op: '==', value: r.version }));
export const putOp = (key: string, value: unknown): Op => ({ type: 'put', key, value: JSON.stringify(value) });
export const deleteOp = (key: string): Op => ({ type: 'delete', key });
