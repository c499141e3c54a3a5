import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { OrderedIndex } from './ordered-index.js';
import type { KeyValue } from '../store.js';

const kv = (key: string): KeyValue => ({ key, value: key, createRevision: 1, modRevision: 1, version: 1 });
/** UTF-8 byte order, the order SQLite's BINARY collation gives. */
const utf8 = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

describe('OrderedIndex', () => {
  it('matches a sorted reference under random inserts, deletes and range queries (chunk splits included)', () => {
    let seed = 42;
    const rnd = (n: number) => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed % n; };
    for (const alphabet of [['a', 'b', 'c', '/', '0'], ['a', '/', '\ue000', '\u{1f600}', '\uffff']]) {
      const idx = new OrderedIndex();
      const ref = new Set<string>();
      const word = () => Array.from({ length: 1 + rnd(4) }, () => alphabet[rnd(alphabet.length)]).join('');
      for (let step = 0; step < 6000; step++) {
        const k = word();
        if (rnd(3) === 0) { idx.delete(k); ref.delete(k); } else { idx.set(kv(k)); ref.add(k); }
        if (step % 50 === 0) {
          const sorted = [...ref].sort(utf8);
          assert.equal(idx.size, ref.size);
          const from = word(), to = from + '\uffff', max = 1 + rnd(40);
          assert.deepEqual(idx.ascending(from, false, to, max).map((r) => r.key), sorted.filter((x) => utf8(x, from) >= 0 && utf8(x, to) < 0).slice(0, max));
          assert.deepEqual(idx.ascending(from, true, to, max).map((r) => r.key), sorted.filter((x) => utf8(x, from) > 0 && utf8(x, to) < 0).slice(0, max));
          const below = word();
          assert.deepEqual(idx.descending(below, from, max).map((r) => r.key), sorted.filter((x) => utf8(x, from) >= 0 && utf8(x, below) < 0).reverse().slice(0, max));
          assert.deepEqual(idx.ascending('', false, '\u{10ffff}', Infinity).map((r) => r.key), sorted);
        }
      }
    }
  });

  it('load takes rows in key order', () => {
    const idx = new OrderedIndex();
    const keys = Array.from({ length: 2000 }, (_, i) => `/k/${String(i).padStart(5, '0')}`);
    idx.load(keys.map(kv));
    idx.set(kv('/k/00100x'));
    idx.delete('/k/00005');
    const all = idx.ascending('/k/', false, '/k/\uffff', Infinity).map((r) => r.key);
    assert.deepEqual(all, [...keys.slice(0, 5), ...keys.slice(6, 101), '/k/00100x', ...keys.slice(101)]);
    assert.deepEqual(idx.descending('/k/00003', '/k/', 10).map((r) => r.key), ['/k/00002', '/k/00001', '/k/00000']);
  });
});
