import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { storeConformance } from '../conformance.js';
import { SqliteStore } from './sqlite-store.js';

const dir = mkdtempSync(join(tmpdir(), 'wharf-store-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const paths = new WeakMap<object, string>();

storeConformance('sqlite', {
  async open() {
    const path = join(dir, `s${n++}.db`);
    const s = new SqliteStore(path);
    paths.set(s, path);
    return s;
  },
  async reopen(store) {
    const path = paths.get(store)!;
    await store.close();
    return new SqliteStore(path);
  },
  async openWithRetention(retention) {
    return new SqliteStore(join(dir, `r${n++}.db`), { logRetention: retention });
  },
});

describe('SqliteStore schema 1 files', () => {
  it('are migrated on open: records, revisions and watch history carry over', async () => {
    const path = join(dir, 'schema1.db');
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.exec(`
      CREATE TABLE kv (key TEXT PRIMARY KEY, value TEXT NOT NULL, create_rev INTEGER NOT NULL, mod_rev INTEGER NOT NULL, version INTEGER NOT NULL) WITHOUT ROWID;
      CREATE TABLE log (rev INTEGER NOT NULL, seq INTEGER NOT NULL, key TEXT NOT NULL, type INTEGER NOT NULL, value TEXT NOT NULL, create_rev INTEGER NOT NULL, version INTEGER NOT NULL, PRIMARY KEY (rev, seq)) WITHOUT ROWID;
      CREATE TABLE meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
      INSERT INTO meta VALUES ('revision', 3), ('compacted', 0);
      INSERT INTO kv VALUES ('/a', 'a2', 1, 3, 2), ('/b', 'b1', 2, 2, 1);
      INSERT INTO log VALUES (1, 0, '/a', 1, 'a1', 1, 1), (2, 0, '/b', 1, 'b1', 2, 1), (3, 0, '/a', 1, 'a2', 1, 2), (3, 1, '/c', 2, '', 2, 0);
    `);
    db.close();
    const s = new SqliteStore(path);
    try {
      assert.equal(await s.revision(), 3);
      assert.deepEqual(await s.get('/a'), { key: '/a', value: 'a2', createRevision: 1, modRevision: 3, version: 2 });
      assert.deepEqual((await s.range('/')).kvs.map((kv) => kv.key), ['/a', '/b']);
      const seen: string[] = [];
      s.watch('/', (events) => { for (const e of events) seen.push(`${e.kv.modRevision}:${e.type}:${e.kv.key}`); }, { fromRevision: 2 });
      const r = await s.txn({ success: [{ type: 'put', key: '/a', value: 'a3' }] });
      assert.equal(r.revision, 4);
      assert.deepEqual(seen, ['2:put:/b', '3:put:/a', '3:delete:/c', '4:put:/a']);
      assert.equal((await s.get('/a'))?.version, 3);
    } finally {
      await s.close();
    }
    const again = new SqliteStore(path);
    assert.equal((await again.get('/a'))?.value, 'a3');
    await again.close();
  });
});
