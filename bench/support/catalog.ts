/**
 * Every benchmark in bench/, what it needs, and how long its short mode may take: read by bench/run-all
 * (which runs them one after the other and records their ratio lines in RESULTS.md) and by the CI test that
 * proves each still runs (test/bench/short-mode.test.ts).
 */
export interface BenchEntry {
  /** The file in bench/ (compiled to dist/bench/<name>.js). */
  name: string;
  /** What it compares, for RESULTS.md. */
  what: string;
  /** Arguments of a full run (the figures to judge goals by). */
  full: string[];
  /** A bound on the short run on a busy 2-core machine, seconds. */
  shortLimitS: number;
  /** Needs a built web console (npm run build:console). */
  console?: boolean;
}

export const BENCHMARKS: BenchEntry[] = [
  { name: 'api', what: 'DescribeTaskDefinition vs bare node:http; RegisterTaskDefinition vs etcd', full: ['--seconds', '8', '--rounds', '3'], shortLimitS: 180 },
  { name: 'placement', what: 'durable placements/s with and without 150,000 tasks placed, vs the published goal', full: ['--rounds', '3'], shortLimitS: 180 },
  { name: 'task-start', what: 'RunTask → RUNNING and bursts vs bare Docker-API create+start', full: ['--n', '15', '--burst', '50', '--bursts', '3'], shortLimitS: 300 },
  { name: 'exit-detect', what: 'exit noticed by the agent driver vs the engine /wait', full: ['--n', '10'], shortLimitS: 120 },
  { name: 'logs', what: 'awslogs end to end vs the runtime logs endpoint', full: ['--lines', '200000', '--rounds', '3'], shortLimitS: 300 },
  { name: 'registry', what: 'push/pull vs docker-registry', full: ['--sizes', '1,10,100,1024', '--rounds', '3', '--skopeo-max', '100'], shortLimitS: 240 },
  { name: 'lb', what: 'Wharf-managed HAProxy vs a hand-written one', full: ['--seconds', '3', '--rounds', '5', '--trials', '5', '--deploy', '1', '--tasks', '10'], shortLimitS: 240 },
  { name: 'dns', what: 'Cloud Map DNS vs a bare UDP server', full: ['--queries', '20000', '--rounds', '3'], shortLimitS: 120 },
  { name: 'compose', what: 'wharf deploy vs podman-compose up -d', full: ['--rounds', '3'], shortLimitS: 420 },
  { name: 'console', what: 'web console first load vs its budget', full: ['--runs', '5'], shortLimitS: 300, console: true },
];

/** A ratio line as bench/support/harness.ts prints it. */
export const RATIO_LINE = /^ratio (.+): median ([\d.]+) \(min ([\d.]+), max ([\d.]+)\) over (\d+) rounds/m;
