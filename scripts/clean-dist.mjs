#!/usr/bin/env node
// Before `tsc` (npm run build): delete what tsc emitted for sources that no longer exist, so a deleted or
// renamed test stops running and a deleted module cannot be imported from a stale dist/. Only orphans
// go: deleting all of dist/ would throw away tsc's incremental state (dist/.tsbuildinfo) and make every
// build a full one.
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(fileURLToPath(import.meta.url), '..', '..');
const dist = join(root, 'dist');
const emitted = /\.(js|js\.map|d\.ts|d\.ts\.map)$/;
let removed = 0;
const walk = (d) => {
  for (const e of readdirSync(d)) {
    const p = join(d, e);
    if (statSync(p).isDirectory()) {
      walk(p);
      if (readdirSync(p).length === 0) rmSync(p, { recursive: true });
    } else if (emitted.test(e)) {
      const source = join(root, relative(dist, p).replace(emitted, '.ts'));
      if (!existsSync(source)) { rmSync(p); removed++; }
    }
  }
};
if (existsSync(dist)) walk(dist);
if (removed > 0) console.error(`clean-dist: removed ${removed} file(s) whose source is gone`);
