import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { storeConformance } from '../conformance.js';
import { FencedError, type Store, type WatchEvent } from '../store.js';
import { EtcdStore, bytesPrefixEnd, parseEtcdUrl } from './etcd-store.js';
import { startEtcd, type EtcdCluster } from '../../../test/support/etcd.js';

let etcd: EtcdCluster;
before(async () => { etcd = await startEtcd(); });
after(async () => { await etcd?.stop(); });

/** A fresh, empty store: every key of the test etcd is deleted first (revisions keep counting, as the suite allows). */
async function fresh(options: { historyRetention?: number } = {}): Promise<EtcdStore> {
  const s = await EtcdStore.connect({ endpoints: etcd.endpoints, ...options });
  await s.client.delete().all();
  return s;
}

storeConformance('etcd', {
  open: () => fresh(),
  async reopen(store) {
    await store.close();
    return EtcdStore.connect({ endpoints: etcd.endpoints });
  },
  openWithRetention: (n) => fresh({ historyRetention: n }),
});

const until = async (what: string, cond: () => boolean, ms = 5000): Promise<void> => {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('EtcdStore beyond the port', () => {
  const opened: Store[] = [];
  after(async () => { for (const s of opened) await s.close().catch(() => {}); });

  it('parses etcd://host:port lists and refuses anything else', () => {
    assert.deepEqual(parseEtcdUrl('etcd://127.0.0.1:2379,10.0.0.2:2379'), ['http://127.0.0.1:2379', 'http://10.0.0.2:2379']);
    assert.throws(() => parseEtcdUrl('etcd://'), /invalid etcd store/);
    assert.throws(() => parseEtcdUrl('etcd://host'), /use host:port/);
    assert.throws(() => parseEtcdUrl('http://127.0.0.1:2379'), /use etcd:\/\/host:port/);
  });

  it('ends a prefix range at the next byte string', () => {
    assert.equal(bytesPrefixEnd('/a/').toString(), '/a0');
    assert.deepEqual(bytesPrefixEnd('\u00ff'), Buffer.from([0xc3, 0xc0]));
  });

  it('a watcher that falls behind a compaction re-lists and continues: puts since, deletes of gone keys, then live events', async () => {
    const s = await fresh();
    opened.push(s);
    await s.txn({ success: [{ type: 'put', key: '/fb/keep', value: '0' }, { type: 'put', key: '/fb/gone', value: '0' }, { type: 'put', key: '/fb/old', value: '0' }] });
    const seen: WatchEvent[] = [];
    const ac = new AbortController();
    s.watch('/fb/', (evs) => seen.push(...evs), { signal: ac.signal });
    await s.txn({ success: [{ type: 'put', key: '/fb/keep', value: '1' }] });
    await until('the first event', () => seen.length === 1);
    // The watcher's etcd member stops answering (SIGSTOP) would be the real cause; here the watch stream
    // breaks because the member is restarted, and history is compacted meanwhile by another client.
    await etcd.stopMember(0);
    await etcd.startMember(0);
    const other = await EtcdStore.connect({ endpoints: etcd.endpoints });
    opened.push(other);
    await other.txn({ success: [{ type: 'put', key: '/fb/keep', value: '2' }] });
    await other.txn({ success: [{ type: 'delete', key: '/fb/gone' }] });
    const { revision } = await other.txn({ success: [{ type: 'put', key: '/fb/new', value: '1' }] });
    await other.client.kv.compact({ revision });
    // Racing the watcher's reconnection: either it resumed before the compaction (it sees the three
    // events) or after it (it re-lists and sees the same three changes, the delete at the listing's revision).
    await until('the changes made while the watcher was away', () => seen.length >= 4, 15_000);
    assert.deepEqual(seen.slice(1).map((e) => `${e.type} ${e.kv.key}${e.type === 'put' ? '=' + e.kv.value : ''}`).sort(),
      ['delete /fb/gone', 'put /fb/keep=2', 'put /fb/new=1']);
    assert.ok(!seen.some((e) => e.kv.key === '/fb/old'), 'an unchanged key is not redelivered');
    await s.txn({ success: [{ type: 'put', key: '/fb/live', value: 'x' }] });
    await until('a live event after the re-list', () => seen.some((e) => e.kv.key === '/fb/live'));
    ac.abort();
  });

  it('a watch asked to start at a compacted revision that only etcd knows about re-lists instead of failing', async () => {
    const s = await fresh();
    opened.push(s);
    const { revision: r1 } = await s.txn({ success: [{ type: 'put', key: '/cw/a', value: '1' }] });
    await s.txn({ success: [{ type: 'put', key: '/cw/a', value: '2' }] });
    const other = await EtcdStore.connect({ endpoints: etcd.endpoints });
    opened.push(other);
    const { revision } = await other.txn({ success: [{ type: 'put', key: '/cw/b', value: '1' }] });
    await other.client.kv.compact({ revision });
    const seen: WatchEvent[] = [];
    const ac = new AbortController();
    s.watch('/cw/', (evs) => seen.push(...evs), { fromRevision: r1, signal: ac.signal });
    await until('the re-listed state', () => seen.length >= 2);
    assert.deepEqual(seen.map((e) => `${e.kv.key}=${e.kv.value}`), ['/cw/a=2', '/cw/b=1']);
    ac.abort();
  });

  it('a fenced view writes only while its fence holds, and then runs neither branch', async () => {
    const s = await fresh();
    opened.push(s);
    const { revision } = await s.txn({ success: [{ type: 'put', key: '/leader', value: 'me' }] });
    const view = s.fenced([{ key: '/leader', target: 'createRevision', op: '==', value: revision }]);
    assert.equal((await view.txn({ success: [{ type: 'put', key: '/x', value: '1' }] })).succeeded, true);
    const inner = await view.txn({ compare: [{ key: '/x', target: 'version', op: '==', value: 9 }], success: [], failure: [{ type: 'put', key: '/branch', value: 'failure' }] });
    assert.equal(inner.succeeded, false, 'the inner compare still decides the branch');
    assert.equal((await s.get('/branch'))?.value, 'failure');
    // Another leader takes the key (deleted and re-created: a new createRevision).
    await s.txn({ success: [{ type: 'delete', key: '/leader' }] });
    await s.txn({ success: [{ type: 'put', key: '/leader', value: 'other' }] });
    const before = await s.revision();
    await assert.rejects(view.txn({ success: [{ type: 'put', key: '/x', value: '2' }], failure: [{ type: 'put', key: '/branch', value: 'fenced' }] }), FencedError);
    assert.equal((await s.get('/x'))?.value, '1');
    assert.equal((await s.get('/branch'))?.value, 'failure');
    assert.equal(await s.revision(), before, 'a fenced transaction writes nothing at all');
  });

  it('a key named twice in one transaction keeps its last operation', async () => {
    const s = await fresh();
    opened.push(s);
    await s.txn({ success: [{ type: 'put', key: '/dup', value: '1' }, { type: 'put', key: '/dup', value: '2' }] });
    assert.equal((await s.get('/dup'))?.value, '2');
  });

  it('an unreachable etcd fails requests within the deadline instead of hanging', async () => {
    const s = await EtcdStore.connect({ endpoints: etcd.endpoints, requestTimeoutMs: 1000 });
    opened.push(s);
    etcd.pauseMember(0);
    try {
      const t0 = Date.now();
      await assert.rejects(s.get('/any'));
      assert.ok(Date.now() - t0 < 8000, `failed after ${Date.now() - t0} ms`);
    } finally {
      etcd.resumeMember(0);
    }
  });
});
