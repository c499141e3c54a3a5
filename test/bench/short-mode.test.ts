/**
 * The benchmarks still run: each one in its short mode (`--short`, bench/support/harness.ts), end to end
 * against real servers, agents and peers. Not timed — a busy CI machine says nothing about the figures
 * (those come from `bench/run-all` on a quiet machine); this proves each benchmark measures: it exits 0
 * and prints at least one ratio line (a benchmark that could not measure exits 1 with the reason).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { BENCHMARKS, RATIO_LINE } from '../../bench/support/catalog.js';
import { repoRoot } from '../support/server.js';

function runShort(name: string, limitS: number): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(repoRoot, 'dist', 'bench', `${name}.js`), '--short'], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let out = '';
    child.stdout.on('data', (d: Buffer) => { out += d; });
    child.stderr.on('data', (d: Buffer) => { out += d; });
    const timer = setTimeout(() => { out += `\n[killed after ${limitS} s]`; try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* gone */ } }, limitS * 1000);
    child.on('close', (code) => { clearTimeout(timer); resolve({ code, out }); });
  });
}

describe('benchmarks in short mode', () => {
  for (const b of BENCHMARKS) {
    it(`${b.name} measures and prints a ratio`, { timeout: (b.shortLimitS + 30) * 1000 }, async () => {
      if (b.console) assert.ok(existsSync(join(repoRoot, 'console', 'dist', 'index.html')), 'the console benchmark needs `npm run build:console` first (npm test does it)');
      const r = await runShort(b.name, b.shortLimitS);
      assert.equal(r.code, 0, `bench/${b.name}.ts --short exited ${r.code}:\n${r.out.slice(-4000)}`);
      assert.match(r.out, RATIO_LINE, `bench/${b.name}.ts --short printed no ratio line:\n${r.out.slice(-4000)}`);
    });
  }
});
