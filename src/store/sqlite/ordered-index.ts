/**
 * An in-memory ordered map of the store's current records: what etcd keeps in its in-memory key index,
 * here with the values too, so reads never touch SQLite.
 *
 *   map      key → record, for get and for compares inside a commit
 *   chunks   the keys in order, as a list of sorted chunks of at most CHUNK keys (a "sorted list of
 *            lists"): an insert or delete moves at most CHUNK entries, a lookup is two binary searches
 *
 * Order is SQLite's BINARY collation (UTF-8 byte order), which JavaScript's `<` (UTF-16 code units)
 * matches unless both strings hold a character at or above U+D800 at the first difference. While no
 * stored key holds such a character every comparison uses `<`; otherwise a code-point comparison.
 */
import type { KeyValue } from '../store.js';

const CHUNK = 512;
const HIGH = /[\ud800-\uffff]/;

/** Code-point (= UTF-8 byte) order. */
function codePointCompare(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i), y = b.charCodeAt(i);
    if (x === y) continue;
    // Surrogates (astral code points) sort after U+E000–U+FFFF in code-point order.
    if (x >= 0xd800 && y >= 0xd800) {
      x = x < 0xe000 ? x + 0x10000 : x;
      y = y < 0xe000 ? y + 0x10000 : y;
    }
    return x < y ? -1 : 1;
  }
  return a.length - b.length;
}

export class OrderedIndex {
  private readonly map = new Map<string, KeyValue>();
  private chunks: string[][] = [];
  /** Stored keys holding a character ≥ U+D800 (usually none: every comparison can use `<`). */
  private high = 0;

  get size(): number { return this.map.size; }

  get(key: string): KeyValue | undefined {
    return this.map.get(key);
  }

  /** Replaces everything with `rows`, which must be in key order (SQLite's ORDER BY key). */
  load(rows: Iterable<KeyValue>): void {
    this.map.clear();
    this.chunks = [];
    this.high = 0;
    let cur: string[] = [];
    for (const kv of rows) {
      this.map.set(kv.key, kv);
      if (HIGH.test(kv.key)) this.high++;
      cur.push(kv.key);
      if (cur.length === CHUNK / 2) { this.chunks.push(cur); cur = []; }
    }
    if (cur.length > 0) this.chunks.push(cur);
  }

  set(kv: KeyValue): void {
    const had = this.map.has(kv.key);
    this.map.set(kv.key, kv);
    if (had) return;
    if (HIGH.test(kv.key)) this.high++;
    if (this.chunks.length === 0) { this.chunks.push([kv.key]); return; }
    let c = this.chunkFor(kv.key, false);
    if (c === this.chunks.length) c--;
    const chunk = this.chunks[c];
    chunk.splice(this.indexIn(chunk, kv.key, false), 0, kv.key);
    if (chunk.length > CHUNK) this.chunks.splice(c + 1, 0, chunk.splice(CHUNK / 2));
  }

  delete(key: string): void {
    if (!this.map.delete(key)) return;
    const c = this.chunkFor(key, false);
    const chunk = this.chunks[c];
    chunk.splice(this.indexIn(chunk, key, false), 1);
    if (chunk.length === 0) this.chunks.splice(c, 1);
    if (HIGH.test(key)) this.high--;
  }

  /**
   * Records with from ≤ key < to (or from < key when `exclusiveFrom`), ascending, at most `max`.
   */
  ascending(from: string, exclusiveFrom: boolean, to: string, max: number): KeyValue[] {
    const out: KeyValue[] = [];
    let c = this.chunkFor(from, exclusiveFrom);
    if (c === this.chunks.length) return out;
    let i = this.indexIn(this.chunks[c], from, exclusiveFrom);
    for (; c < this.chunks.length; c++, i = 0) {
      const chunk = this.chunks[c];
      for (; i < chunk.length; i++) {
        if (out.length >= max || this.cmp(chunk[i], to) >= 0) return out;
        out.push(this.map.get(chunk[i])!);
      }
    }
    return out;
  }

  /** Records with from ≤ key < below, descending, at most `max`. */
  descending(below: string, from: string, max: number): KeyValue[] {
    const out: KeyValue[] = [];
    if (this.chunks.length === 0) return out;
    // The last key < below sits just before the first key ≥ below.
    let c = this.chunkFor(below, false);
    let i: number;
    if (c === this.chunks.length) { c--; i = this.chunks[c].length - 1; } else i = this.indexIn(this.chunks[c], below, false) - 1;
    for (; c >= 0; c--, i = c >= 0 ? this.chunks[c].length - 1 : 0) {
      const chunk = this.chunks[c];
      for (; i >= 0; i--) {
        if (out.length >= max || this.cmp(chunk[i], from) < 0) return out;
        out.push(this.map.get(chunk[i])!);
      }
    }
    return out;
  }

  private cmp(a: string, b: string): number {
    if (this.high === 0) return a < b ? -1 : a === b ? 0 : 1;
    return a === b ? 0 : codePointCompare(a, b);
  }

  /** The first chunk whose last key is ≥ key (> key when `after`); chunks.length when none. */
  private chunkFor(key: string, after: boolean): number {
    let lo = 0, hi = this.chunks.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const last = this.chunks[mid][this.chunks[mid].length - 1];
      const d = this.cmp(last, key);
      if (d < 0 || (after && d === 0)) lo = mid + 1; else hi = mid;
    }
    return lo;
  }

  /** The first position in chunk whose key is ≥ key (> key when `after`). */
  private indexIn(chunk: string[], key: string, after: boolean): number {
    let lo = 0, hi = chunk.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const d = this.cmp(chunk[mid], key);
      if (d < 0 || (after && d === 0)) lo = mid + 1; else hi = mid;
    }
    return lo;
  }
}
