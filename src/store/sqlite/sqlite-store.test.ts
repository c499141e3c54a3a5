import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
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
