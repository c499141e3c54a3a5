/**
 * `wharf top`: live CPU and memory per task, refreshed every 2 s. It reads the server's Prometheus
 * endpoint (/metrics: per-container series labelled cluster/service/task/container, fed by the agents'
 * stats every few seconds), which is public and costs nothing per call — CloudWatch's per-minute
 * datapoints would be a minute late for a `top`.
 */
import type { Command } from 'commander';
import { addGlobalOptions, CliError, emit, printTable, resolveConnection, type GlobalOptions } from './client.js';

interface Row { cluster: string; service: string; task: string; containers: number; cores: number; memory: number; limit: number }

/** Parses the per-container series out of Prometheus text and sums them per task. */
export function tasksFromMetrics(text: string): Row[] {
  const rows = new Map<string, Row>();
  const counted = new Set<string>();
  for (const line of text.split('\n')) {
    const m = /^wharf_container_(cpu_cores|memory_bytes|memory_limit_bytes)\{([^}]*)\} ([0-9.eE+-]+|NaN)$/.exec(line);
    if (!m) continue;
    const labels = Object.fromEntries([...m[2].matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1], x[2]]));
    const key = `${labels.cluster}/${labels.task}`;
    const r = rows.get(key) ?? { cluster: labels.cluster, service: labels.service, task: labels.task, containers: 0, cores: 0, memory: 0, limit: 0 };
    const v = Number(m[3]);
    if (m[1] === 'cpu_cores') r.cores += v;
    else if (m[1] === 'memory_bytes') r.memory += v;
    else r.limit += v;
    if (!counted.has(`${key}/${labels.container}`)) { counted.add(`${key}/${labels.container}`); r.containers++; }
    rows.set(key, r);
  }
  return [...rows.values()].sort((a, b) => b.cores - a.cores);
}

const mib = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;

export function registerTopCommand(program: Command): void {
  addGlobalOptions(program.command('top').description('live CPU and memory per task'))
    .option('-c, --cluster <cluster>', 'only this cluster')
    .option('--once', 'print once and exit (the default when the output is not a terminal)')
    .option('--interval <seconds>', 'refresh interval', (v) => Number(v), 2)
    .action(async (opts: GlobalOptions & { cluster?: string; once?: boolean; interval: number }) => {
      const { endpoint } = resolveConnection(opts);
      // A pipe or a file gets one snapshot, not an endless stream of tables (like `top -b -n 1`).
      const once = opts.once || !process.stdout.isTTY;
      for (;;) {
        let text: string;
        try {
          text = await (await fetch(`${endpoint}/metrics`)).text();
        } catch (e) {
          throw new CliError(`cannot reach ${endpoint}/metrics: ${(e as Error).message}`);
        }
        const rows = tasksFromMetrics(text).filter((r) => !opts.cluster || r.cluster === opts.cluster);
        if (opts.output !== 'table' || opts.query) emit(opts, rows, () => {});
        else {
          if (!once) process.stdout.write('\x1b[2J\x1b[H');
          printTable(['CLUSTER', 'SERVICE', 'TASK', 'CONTAINERS', 'CPU %', 'MEMORY', 'LIMIT'],
            rows.map((r) => [r.cluster, r.service || '-', r.task, r.containers, (r.cores * 100).toFixed(1), mib(r.memory), r.limit ? mib(r.limit) : '-']));
          if (rows.length === 0) process.stdout.write('no running tasks reporting stats yet\n');
        }
        if (once) return;
        await new Promise((r) => setTimeout(r, opts.interval * 1000));
      }
    });
}
