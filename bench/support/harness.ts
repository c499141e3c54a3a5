/**
 * What every benchmark in bench/ shares, so that each figure it prints can be trusted on a noisy 2-core box
 * (issue 19, item 9):
 *
 *   - `benchDir`: data directories on a real disk. A benchmark of durable writes on tmpfs measures memcpy,
 *     not fsync, so tmpfs/ramfs are refused and the filesystem is printed with the figures.
 *   - `interleaved`: Wharf and its peer measured in the same round, in alternating order (round 1 ours
 *     first, round 2 the peer first, …), at least three rounds. The naive way — all of ours, then all of the
 *     peer's — lets a neighbour's build that starts halfway through land on one side only.
 *   - `ratio`: a ratio is computed per round (ours ÷ peer of the same round), then summarised as median with
 *     min and max. A ratio of two medians hides how much the rounds disagree. A round whose figure is not a
 *     positive finite number (a peer that failed, a parse that found nothing) is an error, never a NaN that
 *     a sort or a filter quietly drops.
 *   - `runBenchmark`: prints the header (date, Node, CPUs, load average, data filesystem, the command), runs
 *     the body, and exits non-zero with "could not measure: …" when it threw or printed no ratio.
 *
 * Every benchmark takes `--short`: a few seconds per figure, to prove in CI that it still runs end to end
 * (test/bench/short-mode.test.ts); the figures of a short run are not the ones to judge goals by.
 *
 * The ratio line has one format, which bench/run-all collects into RESULTS.md and the CI test looks for:
 *   ratio <name>: median 0.43 (min 0.38, max 0.51) over 3 rounds [0.43, 0.38, 0.51] — goal ≥ 0.5
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, realpathSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** An error that means the benchmark could not measure (a peer that failed, a missing tool, a bad round). */
export class CouldNotMeasure extends Error {}

export const repoRoot = join(fileURLToPath(import.meta.url), '..', '..', '..', '..');

// ------------------------------------------------------------------------------------------------ arguments

const argv = process.argv.slice(2);
/** `--short`: the CI mode. */
export const SHORT = argv.includes('--short');
/** `--name N` as a number; `short` is the default in short mode. An explicit flag wins over both. */
export function numArg(name: string, def: number, short = def): number {
  const i = argv.indexOf(`--${name}`);
  if (i >= 0) {
    const v = Number(argv[i + 1]);
    if (!Number.isFinite(v)) throw new CouldNotMeasure(`--${name} needs a number, got ${argv[i + 1]}`);
    return v;
  }
  return SHORT ? short : def;
}
export function strArg(name: string, def: string, short = def): string {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1]! : SHORT ? short : def;
}
export const flag = (name: string): boolean => argv.includes(`--${name}`);
/** Rounds: at least three, whatever was asked (one or two rounds cannot show how much they disagree). */
export const roundsArg = (def = 3): number => Math.max(3, numArg('rounds', def, 3));

// ------------------------------------------------------------------------------------------------ real disk

const REFUSED = new Set(['tmpfs', 'ramfs']);
let printedFs = false;
/** The filesystem type and source under `path` (findmnt; `stat -f` as a fallback). */
export function filesystemOf(path: string): { type: string; source: string; target: string } {
  try {
    const [type, source, target] = execFileSync('findmnt', ['-n', '-o', 'FSTYPE,SOURCE,TARGET', '-T', path], { encoding: 'utf8' }).trim().split(/\s+/);
    return { type: type!, source: source!, target: target! };
  } catch {
    return { type: execFileSync('stat', ['-f', '-c', '%T', path], { encoding: 'utf8' }).trim(), source: '?', target: '?' };
  }
}

/**
 * A fresh directory for a benchmark's data (servers, etcd, registries, SQLite files) on a real disk: under
 * $WHARF_BENCH_DIR, else the system temporary directory. Refuses tmpfs/ramfs; prints the filesystem once.
 */
export function benchDir(prefix: string): string {
  const base = process.env.WHARF_BENCH_DIR ?? tmpdir();
  mkdirSync(base, { recursive: true });
  const fs = filesystemOf(base);
  if (REFUSED.has(fs.type)) {
    throw new CouldNotMeasure(`${base} is on ${fs.type}: durable writes there never reach a disk. Set WHARF_BENCH_DIR to a directory on a real disk`);
  }
  if (!printedFs) { console.log(`data directories: ${realpathSync(base)} on ${fs.type} (${fs.source} mounted at ${fs.target})`); printedFs = true; }
  return mkdtempSync(join(base, `wharf-bench-${prefix}-`));
}

// ------------------------------------------------------------------------------------------------ rounds

/**
 * Runs `rounds` rounds; each round runs every side once, in the given order on even rounds and reversed on
 * odd ones. `between` runs before each side (a clean slate: nothing of the other side still running).
 */
export async function interleaved<S extends string, R>(rounds: number, sides: Record<S, (round: number) => Promise<R>>,
  opts: { between?: (side: S, round: number) => Promise<void>; log?: (round: number, r: Record<S, R>) => void } = {}): Promise<Record<S, R>[]> {
  const names = Object.keys(sides) as S[];
  const out: Record<S, R>[] = [];
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? names : [...names].reverse();
    const r = {} as Record<S, R>;
    for (const side of order) {
      await opts.between?.(side, round);
      r[side] = await sides[side](round);
    }
    opts.log?.(round, r);
    out.push(r);
  }
  return out;
}

// ------------------------------------------------------------------------------------------------ figures

/** Throws unless `x` is a positive finite number (a failed run must not become a NaN in a median). */
export function positive(x: number, what: string): number {
  if (!Number.isFinite(x) || x <= 0) throw new CouldNotMeasure(`${what}: got ${x}`);
  return x;
}
export const sortedNums = (xs: number[]): number[] => [...xs].sort((a, b) => a - b);
/** The median (the lower middle of an even count, so it is always a measured value). */
export function median(xs: number[]): number {
  if (xs.length === 0) throw new CouldNotMeasure('median of nothing');
  return sortedNums(xs)[Math.floor((xs.length - 1) / 2)]!;
}
/** Nearest-rank percentile. */
export function pct(xs: number[], p: number): number {
  if (xs.length === 0) throw new CouldNotMeasure('percentile of nothing');
  const s = sortedNums(xs);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}
export const fmt = (x: number, d = 2): string => x.toFixed(d);

let ratiosPrinted = 0;
/**
 * Prints one ratio line from per-round ratios and returns the median. Every round must have a positive finite
 * ratio, and there must be at least three (or `minRounds`) of them.
 */
export function ratio(name: string, perRound: number[], opts: { goal?: string; minRounds?: number; digits?: number } = {}): number {
  const min = opts.minRounds ?? 3;
  if (perRound.length < min) throw new CouldNotMeasure(`ratio ${name}: ${perRound.length} rounds, need ${min}`);
  perRound.forEach((x, i) => positive(x, `ratio ${name}, round ${i + 1}`));
  const d = opts.digits ?? 2;
  const m = median(perRound);
  console.log(`ratio ${name}: median ${fmt(m, d)} (min ${fmt(Math.min(...perRound), d)}, max ${fmt(Math.max(...perRound), d)}) over ${perRound.length} rounds [${perRound.map((x) => fmt(x, d)).join(', ')}]${opts.goal ? ` — goal ${opts.goal}` : ''}`);
  ratiosPrinted++;
  return m;
}
/** "median (min–max)" of plain figures, for the lines beside the ratios. */
export const mmm = (xs: number[], d = 2): string => `${fmt(median(xs), d)} (${fmt(Math.min(...xs), d)}–${fmt(Math.max(...xs), d)})`;

// ------------------------------------------------------------------------------------------------ the run

export const loadavg = (): string => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

/** CPU time (µs, user + system) a process has used so far, from /proc/PID/stat (clock ticks of 10 ms). */
export function cpuMicros(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

/**
 * Runs a benchmark body: header first, then the body; exits 1 with "could not measure: …" if the body threw
 * or printed no ratio line, else 0. `process.exit` at the end: a benchmark is a script, and a socket some
 * client library keeps open must not keep it alive after its figures are printed.
 */
export function runBenchmark(title: string, body: () => Promise<void>): void {
  const script = relative(repoRoot, realpathSync(process.argv[1]!));
  console.log(`# ${title} — ${new Date().toISOString()}${SHORT ? ' — SHORT MODE (proves it runs; not figures to judge goals by)' : ''}`);
  console.log(`node ${process.version}, ${cpus().length} CPUs, load average ${loadavg()}`);
  console.log(`reproduce: npm run build && node ${script} ${argv.join(' ')}`.trimEnd());
  body().then(() => {
    console.log(`load average at the end: ${loadavg()}`);
    if (ratiosPrinted === 0) { console.error('could not measure: no ratio was printed'); process.exit(1); }
    process.exit(0);
  }, (e: unknown) => {
    console.error(`could not measure: ${e instanceof Error ? (e instanceof CouldNotMeasure ? e.message : e.stack) : String(e)}`);
    process.exit(1);
  });
}

/** Throws unless every command is on the PATH. */
export function needs(...commands: string[]): void {
  const missing = commands.filter((c) => { try { execFileSync('sh', ['-c', `command -v ${c}`], { stdio: 'ignore' }); return false; } catch { return true; } });
  if (missing.length) throw new CouldNotMeasure(`needs ${missing.join(', ')} on the PATH (.ci/run installs them: apt-get install ${missing.join(' ')})`);
}

/** Polls `fn` until it returns something truthy, or throws naming `what` after `ms`. */
export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false>, ms: number, stepMs = 20): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try { const v = await fn(); if (v) return v; } catch (e) { last = e; }
    if (Date.now() > deadline) throw new CouldNotMeasure(`timed out after ${ms} ms waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}
