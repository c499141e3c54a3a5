/**
 * A region's view of the Store: the same port, every key moved under `/r/<region>`.
 *
 * AWS serves every region, each its own namespace: the same cluster name, repository or log group can
 * exist in us-east-1 and eu-west-1 at once, and neither sees the other. The naive way to get that is to
 * put the region into every key builder (`keys.cluster(region, name)` …) and thread it through every
 * handler, controller and the dispatcher — hundreds of call sites, and one forgotten site leaks records
 * across regions. Instead, code that works on regional records is handed a Store that already is the
 * region: handlers get it as `ctx.store`, controllers and the agent gateway are started once per region
 * with their region's view. Nothing above this file knows that keys are prefixed.
 *
 *   default region   the view is the store itself (keys unprefixed, so data written before regions
 *                    existed needs no migration)
 *   other regions    key k ↔ `/r/<region>` + k, for get, range (prefix, `after`), txn (ops and
 *                    compares) and watch (events come back with the prefix stripped)
 *   global keys      IAM (`/iam/`), the agents' join token (`/agent/`) and Wharf's own bookkeeping
 *                    (`/wharf/`) are not regional in AWS either: they pass through unprefixed
 *
 * Revisions stay the one store-wide counter (a region's view sees every revision, just not every key),
 * so watch/resume semantics are exactly the underlying adapter's.
 */
import type { KeyValue, Op, RangeOptions, RangeResult, Store, Txn, TxnResult, WatchCallback, WatchOptions, Compare } from './store.js';

/** Key prefixes that are global (not per region). */
export const GLOBAL_PREFIXES: readonly string[] = ['/iam/', '/agent/', '/wharf/'];

/** The record of a region that has been used (so controllers start for it after a restart). */
export const regionKeys = {
  region: (name: string) => `/wharf/regions/${name}`,
  regions: () => '/wharf/regions/',
};

/** Region names as AWS spells them (us-east-1, eu-west-2, ap-southeast-1, us-gov-west-1, cn-north-1 …). */
export const REGION_NAME = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

export const regionPrefix = (region: string) => `/r/${region}`;

const isGlobal = (key: string) => GLOBAL_PREFIXES.some((p) => key.startsWith(p));

export class RegionStore implements Store {
  private readonly prefix: string;

  constructor(private readonly inner: Store, readonly region: string) {
    if (!REGION_NAME.test(region)) throw new Error(`invalid region name ${region}`);
    this.prefix = regionPrefix(region);
  }

  private in(key: string): string {
    return isGlobal(key) ? key : this.prefix + key;
  }

  private out(kv: KeyValue): KeyValue {
    return kv.key.startsWith(this.prefix) ? { ...kv, key: kv.key.slice(this.prefix.length) } : kv;
  }

  async get(key: string): Promise<KeyValue | undefined> {
    const kv = await this.inner.get(this.in(key));
    return kv && this.out(kv);
  }

  async range(prefix: string, options?: RangeOptions): Promise<RangeResult> {
    const global = isGlobal(prefix);
    const p = global ? prefix : this.prefix + prefix;
    const r = await this.inner.range(p, options?.after === undefined ? options : { ...options, after: global ? options.after : this.prefix + options.after });
    // A prefix that is a proper prefix of a global one ('/' or '/ia') would mix namespaces: the regional
    // view lists only its own keys, so no global key is ever returned from a regional prefix.
    return global ? r : { ...r, kvs: r.kvs.map((kv) => this.out(kv)) };
  }

  txn(txn: Txn): Promise<TxnResult> {
    const op = (o: Op): Op => ({ ...o, key: this.in(o.key) });
    const cmp = (c: Compare): Compare => ({ ...c, key: this.in(c.key) });
    return this.inner.txn({
      compare: txn.compare?.map(cmp),
      success: txn.success.map(op),
      failure: txn.failure?.map(op),
    });
  }

  watch(prefix: string, callback: WatchCallback, options?: WatchOptions): void {
    if (isGlobal(prefix)) {
      this.inner.watch(prefix, callback, options);
      return;
    }
    this.inner.watch(this.prefix + prefix, (events, revision) => {
      callback(events.map((e) => ({ type: e.type, kv: this.out(e.kv), ...(e.prev ? { prev: this.out(e.prev) } : {}) })), revision);
    }, options);
  }

  revision(): Promise<number> {
    return this.inner.revision();
  }

  /** The view never owns the store: closing it closes nothing (the server closes the one store). */
  async close(): Promise<void> {}
}

/** The store a region's code works on: the store itself for the default region, else its prefixed view. */
export function storeForRegion(store: Store, region: string, defaultRegion: string): Store {
  return region === defaultRegion ? store : new RegionStore(store, region);
}
