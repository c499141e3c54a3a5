/**
 * Runs every benchmark (bench/support/catalog.ts) one after the other — never two at once, they would
 * measure each other — prints their output as it comes, and appends a dated section to bench/RESULTS.md
 * with each benchmark's ratio lines (or why it could not measure) and the exact command.
 *
 *   bench/run-all [--short] [--only api,dns] [--no-record]
 *
 * --short runs each in its short mode (a few minutes for all: it proves they run; the figures are not the
 * ones to judge goals by). Exits 1 if any benchmark failed or printed no ratio.
 */
import { execFileSync, spawn } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { BENCHMARKS, RATIO_LINE } from './support/catalog.js';
import { repoRoot, loadavg } from './support/harness.js';

const argv = process.argv.slice(2);
const short = argv.includes('--short');
const record = !argv.includes('--no-record');
const onlyAt = argv.indexOf('--only');
const only = onlyAt >= 0 ? argv[onlyAt + 1]!.split(',') : undefined;
const unknown = only?.filter((n) => !BENCHMARKS.some((b) => b.name === n)) ?? [];
if (unknown.length) { console.error(`unknown benchmark(s): ${unknown.join(', ')}; known: ${BENCHMARKS.map((b) => b.name).join(', ')}`); process.exit(2); }
const selected = BENCHMARKS.filter((b) => !only || only.includes(b.name));

interface Outcome { name: string; args: string[]; code: number | null; seconds: number; ratios: string[]; why: string }

function runOne(name: string, args: string[], limitS: number): Promise<Outcome> {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const child = spawn(process.execPath, [join(repoRoot, 'dist', 'bench', `${name}.js`), ...args], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => { out += d; process.stdout.write(d); });
    child.stderr.on('data', (d: Buffer) => { err += d; process.stderr.write(d); });
    let killed = false;
    const timer = setTimeout(() => { killed = true; try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* gone */ } }, limitS * 1000);
    child.on('close', (code) => {
      clearTimeout(timer);
      const ratios = out.split('\n').filter((l) => RATIO_LINE.test(l));
      const why = killed ? `killed after ${limitS} s` : code !== 0 ? (/could not measure: .*/.exec(err)?.[0] ?? err.trim().split('\n').slice(-3).join(' / ')) : ratios.length === 0 ? 'no ratio line printed' : '';
      resolve({ name, args, code: killed ? null : code, seconds: (Date.now() - t0) / 1000, ratios, why });
    });
  });
}

function commit(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: repoRoot, encoding: 'utf8' }).trim();
    return dirty ? `${head} + uncommitted changes` : head;
  } catch { return 'unknown (not a git checkout)'; }
}

const started = new Date();
const startLoad = loadavg();
const outcomes: Outcome[] = [];
for (const b of selected) {
  const args = short ? ['--short'] : b.full;
  console.log(`\n=== ${b.name}: node dist/bench/${b.name}.js ${args.join(' ')}`);
  outcomes.push(await runOne(b.name, args, short ? b.shortLimitS : 3600));
}
const failed = outcomes.filter((o) => o.code !== 0 || o.ratios.length === 0);

const section = [
  '',
  `## run-all ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC${short ? ' — short mode (proves the benchmarks run; do not judge goals by these figures)' : ''}`,
  '',
  `\`bench/run-all${argv.length ? ' ' + argv.filter((a) => a !== '--no-record').join(' ') : ''}\` — node ${process.version}, ${cpus().length} CPUs, load average ${startLoad} at the start, ${loadavg()} at the end; ` +
    `commit ${commit()}`,
  '',
  ...outcomes.flatMap((o) => [
    `- **${o.name}** (\`node dist/bench/${o.name}.js ${o.args.join(' ')}\`, ${o.seconds.toFixed(0)} s)${o.why ? ` — **could not measure**: ${o.why}` : ''}`,
    ...o.ratios.map((r) => `  - ${r}`),
  ]),
  '',
].join('\n');
console.log(`\n${section}`);
if (record) { appendFileSync(join(repoRoot, 'bench', 'RESULTS.md'), section); console.log('appended to bench/RESULTS.md'); }
console.log(`${outcomes.length - failed.length} of ${outcomes.length} benchmarks measured${failed.length ? `; failed: ${failed.map((o) => o.name).join(', ')}` : ''}`);
process.exit(failed.length ? 1 : 0);
