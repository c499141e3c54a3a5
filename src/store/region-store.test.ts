import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { storeConformance } from './conformance.js';
import { SqliteStore } from './sqlite/sqlite-store.js';
import { RegionStore, storeForRegion } from './region-store.js';
import type { Store, WatchEvent } from './store.js';

const dir = mkdtempSync(join(tmpdir(), 'wharf-region-store-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const inners = new WeakMap<Store, { inner: SqliteStore; path: string }>();

// A region's view is a Store like any other: it passes the port's conformance suite unchanged.
storeConformance('region view over sqlite', {
  async open() {
    const path = join(dir, `s${n++}.db`);
    const inner = new SqliteStore(path);
    const view = new RegionStore(inner, 'eu-west-1');
    inners.set(view, { inner, path });
    return { ...bind(view), close: () => inner.close() };
  },
});

/** The view's methods bound, so the suite's `close` can close the inner store too. */
function bind(s: RegionStore): Store {
  return { get: s.get.bind(s), range: s.range.bind(s), txn: s.txn.bind(s), watch: s.watch.bind(s), revision: s.revision.bind(s), close: s.close.bind(s) };
}

describe('region views', () => {
  it('the same key in three regions holds three records; none sees another', async () => {
    const inner = new SqliteStore(join(dir, `iso${n++}.db`));
    try {
      const us = storeForRegion(inner, 'us-east-1', 'us-east-1');
      const eu = storeForRegion(inner, 'eu-west-1', 'us-east-1');
      const ap = storeForRegion(inner, 'ap-southeast-2', 'us-east-1');
      assert.equal(us, inner, 'the default region is the store itself (no migration of existing keys)');
      for (const [s, v] of [[us, 'us'], [eu, 'eu'], [ap, 'ap']] as const) {
        assert.equal((await s.txn({ compare: [{ key: '/ecs/cluster/demo', target: 'version', op: '==', value: 0 }], success: [{ type: 'put', key: '/ecs/cluster/demo', value: v }] })).succeeded, true);
      }
      assert.equal((await eu.get('/ecs/cluster/demo'))?.value, 'eu');
      assert.equal((await eu.get('/ecs/cluster/demo'))?.key, '/ecs/cluster/demo');
      assert.deepEqual((await ap.range('/ecs/cluster/')).kvs.map((k) => [k.key, k.value]), [['/ecs/cluster/demo', 'ap']]);
      assert.deepEqual((await us.range('/ecs/cluster/')).kvs.map((k) => k.value), ['us']);
      assert.deepEqual((await eu.range('/')).kvs.map((k) => k.value), ['eu'], 'a regional listing of the root holds only that region');
      await eu.txn({ success: [{ type: 'delete', key: '/ecs/cluster/demo' }] });
      assert.equal(await eu.get('/ecs/cluster/demo'), undefined);
      assert.equal((await ap.get('/ecs/cluster/demo'))?.value, 'ap');
    } finally {
      await inner.close();
    }
  });

  it('paging with `after` and watches stay inside the region, keys unprefixed', async () => {
    const inner = new SqliteStore(join(dir, `page${n++}.db`));
    try {
      const eu = new RegionStore(inner, 'eu-west-1');
      const us = inner;
      for (const k of ['a', 'b', 'c']) {
        await eu.txn({ success: [{ type: 'put', key: `/ecs/task/x/${k}`, value: k }] });
        await us.txn({ success: [{ type: 'put', key: `/ecs/task/x/${k}`, value: k.toUpperCase() }] });
      }
      const page = await eu.range('/ecs/task/x/', { after: '/ecs/task/x/a', limit: 1 });
      assert.deepEqual(page.kvs.map((k) => k.key), ['/ecs/task/x/b']);
      assert.equal(page.more, true);
      const seen: WatchEvent[] = [];
      const ac = new AbortController();
      eu.watch('/ecs/task/', (events) => seen.push(...events), { signal: ac.signal });
      await us.txn({ success: [{ type: 'put', key: '/ecs/task/x/d', value: 'D' }] });
      await eu.txn({ success: [{ type: 'put', key: '/ecs/task/x/d', value: 'd' }] });
      const deadline = Date.now() + 5000;
      while (seen.length < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      ac.abort();
      assert.deepEqual(seen.map((e) => [e.kv.key, e.kv.value]), [['/ecs/task/x/d', 'd']]);
    } finally {
      await inner.close();
    }
  });

  it('IAM, join token and Wharf bookkeeping keys are global in every view', async () => {
    const inner = new SqliteStore(join(dir, `glob${n++}.db`));
    try {
      const eu = new RegionStore(inner, 'eu-west-1');
      await inner.txn({ success: [{ type: 'put', key: '/iam/access-keys/AKIA1', value: 'k' }, { type: 'put', key: '/agent/join-token', value: 't' }] });
      assert.equal((await eu.get('/iam/access-keys/AKIA1'))?.value, 'k');
      assert.equal((await eu.get('/agent/join-token'))?.value, 't');
      assert.deepEqual((await eu.range('/iam/')).kvs.map((k) => k.key), ['/iam/access-keys/AKIA1']);
    } finally {
      await inner.close();
    }
  });

  it('refuses a region name that could escape its prefix', () => {
    assert.throws(() => new RegionStore({} as Store, '../us-east-1'), /invalid region/);
    assert.throws(() => new RegionStore({} as Store, 'eu-west-1/x'), /invalid region/);
  });
});
