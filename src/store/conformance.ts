/**
 * The Store conformance suite: every adapter (SQLite, etcd) must pass it unchanged.
 * Call `storeConformance(name, harness)` from the adapter's own test file.
 */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { createOnly, putIfVersion, type Store, type WatchEvent, CompactedError } from './store.js';

export interface StoreHarness {
  /** A fresh, empty store. */
  open(): Promise<Store>;
  /** Close and reopen the same data (durability across restarts). */
  reopen?(store: Store): Promise<Store>;
  /** A store that keeps only `n` revisions of watch history, when the adapter can be told so. */
  openWithRetention?(n: number): Promise<Store>;
}

export function storeConformance(name: string, h: StoreHarness): void {
  describe(`Store conformance: ${name}`, () => {
    const opened: Store[] = [];
    const open = async () => { const s = await h.open(); opened.push(s); return s; };
    after(async () => { for (const s of opened) await s.close().catch(() => {}); });

    it('put then get returns the value with version 1 and matching revisions', async () => {
      const s = await open();
      const r0 = await s.revision();
      const res = await s.txn({ success: [{ type: 'put', key: '/a', value: 'x' }] });
      assert.equal(res.succeeded, true);
      assert.equal(res.revision, r0 + 1);
      const kv = await s.get('/a');
      assert.deepEqual(kv, { key: '/a', value: 'x', createRevision: r0 + 1, modRevision: r0 + 1, version: 1 });
    });

    it('each writing transaction bumps the revision by exactly one; versions count writes', async () => {
      const s = await open();
      const r0 = await s.revision();
      const res = await s.txn({ success: [{ type: 'put', key: '/k1', value: '1' }, { type: 'put', key: '/k2', value: '2' }] });
      assert.equal(res.revision, r0 + 1);
      const res2 = await s.txn({ success: [{ type: 'put', key: '/k1', value: '1b' }] });
      assert.equal(res2.revision, r0 + 2);
      const kv = await s.get('/k1');
      assert.equal(kv?.version, 2);
      assert.equal(kv?.createRevision, r0 + 1);
      assert.equal(kv?.modRevision, r0 + 2);
      const noop = await s.txn({ compare: [{ key: '/k1', target: 'version', op: '==', value: 99 }], success: [{ type: 'put', key: '/k1', value: 'no' }] });
      assert.equal(noop.succeeded, false);
      assert.equal(noop.revision, r0 + 2, 'a failed compare with no failure ops writes nothing');
      assert.equal((await s.get('/k1'))?.value, '1b');
    });

    it('createOnly succeeds once; putIfVersion rejects a stale version', async () => {
      const s = await open();
      assert.equal((await s.txn(createOnly('/c', 'first'))).succeeded, true);
      assert.equal((await s.txn(createOnly('/c', 'second'))).succeeded, false);
      assert.equal((await s.get('/c'))?.value, 'first');
      assert.equal((await s.txn(putIfVersion('/c', 'v2', 1))).succeeded, true);
      assert.equal((await s.txn(putIfVersion('/c', 'stale', 1))).succeeded, false);
      assert.equal((await s.get('/c'))?.value, 'v2');
      assert.equal((await s.txn(putIfVersion('/new', 'n', 0))).succeeded, true);
    });

    it('failure ops run when the compare fails', async () => {
      const s = await open();
      const res = await s.txn({
        compare: [{ key: '/missing', target: 'version', op: '>', value: 0 }],
        success: [{ type: 'put', key: '/branch', value: 'success' }],
        failure: [{ type: 'put', key: '/branch', value: 'failure' }],
      });
      assert.equal(res.succeeded, false);
      assert.equal((await s.get('/branch'))?.value, 'failure');
    });

    it('compares on value, modRevision and createRevision', async () => {
      const s = await open();
      const { revision } = await s.txn({ success: [{ type: 'put', key: '/v', value: 'abc' }] });
      assert.equal((await s.txn({ compare: [{ key: '/v', target: 'value', op: '==', value: 'abc' }], success: [{ type: 'put', key: '/ok1', value: '' }] })).succeeded, true);
      assert.equal((await s.txn({ compare: [{ key: '/v', target: 'value', op: '==', value: 'abd' }], success: [] })).succeeded, false);
      assert.equal((await s.txn({ compare: [{ key: '/v', target: 'modRevision', op: '==', value: revision }], success: [] })).succeeded, true);
      assert.equal((await s.txn({ compare: [{ key: '/v', target: 'createRevision', op: '<', value: revision + 1 }], success: [] })).succeeded, true);
    });

    it('delete removes the key and recreating starts at version 1', async () => {
      const s = await open();
      await s.txn({ success: [{ type: 'put', key: '/d', value: '1' }] });
      await s.txn({ success: [{ type: 'put', key: '/d', value: '2' }] });
      await s.txn({ success: [{ type: 'delete', key: '/d' }] });
      assert.equal(await s.get('/d'), undefined);
      await s.txn(createOnly('/d', '3'));
      assert.equal((await s.get('/d'))?.version, 1);
    });

    it('range lists a prefix in key order and pages with after/limit', async () => {
      const s = await open();
      const keys = ['/p/b', '/p/a', '/p/c', '/q/a', '/p0'];
      for (const k of keys) await s.txn({ success: [{ type: 'put', key: k, value: k }] });
      const all = await s.range('/p/');
      assert.deepEqual(all.kvs.map((k) => k.key), ['/p/a', '/p/b', '/p/c']);
      assert.equal(all.more, false);
      const page1 = await s.range('/p/', { limit: 2 });
      assert.deepEqual(page1.kvs.map((k) => k.key), ['/p/a', '/p/b']);
      assert.equal(page1.more, true);
      const page2 = await s.range('/p/', { limit: 2, after: '/p/b' });
      assert.deepEqual(page2.kvs.map((k) => k.key), ['/p/c']);
      assert.equal(page2.more, false);
    });

    it('range lists in reverse and pages backwards', async () => {
      const s = await open();
      for (const k of ['/r/1', '/r/2', '/r/3', '/r4']) await s.txn({ success: [{ type: 'put', key: k, value: k }] });
      assert.deepEqual((await s.range('/r/', { reverse: true })).kvs.map((k) => k.key), ['/r/3', '/r/2', '/r/1']);
      const p1 = await s.range('/r/', { reverse: true, limit: 2 });
      assert.deepEqual(p1.kvs.map((k) => k.key), ['/r/3', '/r/2']);
      assert.equal(p1.more, true);
      const p2 = await s.range('/r/', { reverse: true, limit: 2, after: '/r/2' });
      assert.deepEqual(p2.kvs.map((k) => k.key), ['/r/1']);
      assert.equal(p2.more, false);
    });

    it('concurrent compare-and-swap on one key: exactly one writer wins', async () => {
      const s = await open();
      await s.txn(createOnly('/counter', '0'));
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => s.txn(putIfVersion('/counter', String(i + 1), 1))));
      assert.equal(results.filter((r) => r.succeeded).length, 1);
      assert.equal((await s.get('/counter'))?.version, 2);
    });

    it('concurrent transactions each get a distinct revision', async () => {
      const s = await open();
      const results = await Promise.all(Array.from({ length: 50 }, (_, i) => s.txn({ success: [{ type: 'put', key: `/many/${i}`, value: 'v' }] })));
      const revs = new Set(results.map((r) => r.revision));
      assert.equal(revs.size, 50);
      assert.equal((await s.range('/many/')).kvs.length, 50);
    });

    it('watch delivers puts and deletes under its prefix, in order, until aborted', async () => {
      const s = await open();
      const seen: WatchEvent[] = [];
      const ac = new AbortController();
      s.watch('/w/', (evs) => seen.push(...evs), { signal: ac.signal });
      await s.txn({ success: [{ type: 'put', key: '/w/1', value: 'a' }] });
      await s.txn({ success: [{ type: 'put', key: '/other', value: 'x' }] });
      await s.txn({ success: [{ type: 'delete', key: '/w/1' }] });
      await waitFor(() => seen.length >= 2);
      assert.deepEqual(seen.map((e) => [e.type, e.kv.key]), [['put', '/w/1'], ['delete', '/w/1']]);
      ac.abort();
      await s.txn({ success: [{ type: 'put', key: '/w/2', value: 'b' }] });
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(seen.length, 2);
    });

    it('watch from a past revision replays history, then continues live', async () => {
      const s = await open();
      const { revision } = await s.txn({ success: [{ type: 'put', key: '/h/1', value: 'a' }] });
      await s.txn({ success: [{ type: 'put', key: '/h/1', value: 'b' }] });
      const seen: WatchEvent[] = [];
      const ac = new AbortController();
      s.watch('/h/', (evs) => seen.push(...evs), { fromRevision: revision, signal: ac.signal });
      await s.txn({ success: [{ type: 'put', key: '/h/2', value: 'c' }] });
      await waitFor(() => seen.length >= 3);
      assert.deepEqual(seen.map((e) => e.kv.value), ['a', 'b', 'c']);
      assert.deepEqual(seen.map((e) => e.kv.modRevision), [revision, revision + 1, revision + 2]);
      ac.abort();
    });

    if (h.openWithRetention) {
      it('watch from a compacted revision throws CompactedError', async () => {
        const s = await h.openWithRetention!(10);
        opened.push(s);
        for (let i = 0; i < 1200; i++) await s.txn({ success: [{ type: 'put', key: '/cmp', value: String(i) }] });
        assert.throws(() => s.watch('/cmp', () => {}, { fromRevision: 1 }), CompactedError);
      });
    }

    if (h.reopen) {
      it('acknowledged writes survive close and reopen', async () => {
        const s = await h.open();
        await s.txn({ success: [{ type: 'put', key: '/durable', value: 'yes' }] });
        const rev = await s.revision();
        const s2 = await h.reopen!(s);
        opened.push(s2);
        assert.equal((await s2.get('/durable'))?.value, 'yes');
        assert.equal(await s2.revision(), rev);
        const next = await s2.txn({ success: [{ type: 'put', key: '/durable2', value: 'x' }] });
        assert.equal(next.revision, rev + 1, 'revisions continue after a restart and never repeat');
      });
    }
  });
}

async function waitFor(cond: () => boolean, ms = 2000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for condition');
    await new Promise((r) => setTimeout(r, 5));
  }
}
