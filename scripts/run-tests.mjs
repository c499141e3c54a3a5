#!/usr/bin/env node
// Runs the compiled test files (dist/**/*.test.js) with node's own test runner.
//   node scripts/run-tests.mjs            all tests
//   node scripts/run-tests.mjs --unit     only tests beside the code (src/)
//   node scripts/run-tests.mjs PATTERN    only test files whose path contains PATTERN
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = join(fileURLToPath(import.meta.url), '..', '..');
const args = process.argv.slice(2);
const unit = args.includes('--unit');
const patterns = args.filter((a) => !a.startsWith('--'));
const dirs = unit ? ['dist/src'] : ['dist/src', 'dist/test'];
const files = [];
const walk = (d) => {
  for (const e of readdirSync(d)) {
    const p = join(d, e);
    if (statSync(p).isDirectory()) walk(p);
    else if (p.endsWith('.test.js')) files.push(relative(root, p));
  }
};
for (const d of dirs) { try { walk(join(root, d)); } catch { /* not built */ } }
const selected = files.filter((f) => patterns.length === 0 || patterns.some((p) => f.includes(p))).sort();
if (selected.length === 0) { console.error('no test files found: run `npm run build` first'); process.exit(1); }
const r = spawnSync(process.execPath, ['--enable-source-maps', '--test', '--test-concurrency=2', ...selected], {
  cwd: root, stdio: 'inherit', env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
});
process.exit(r.status ?? 1);
