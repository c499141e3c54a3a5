/**
 * `wharf spot interrupt` and `wharf usage`: the Fargate commands.
 *
 *   wharf spot interrupt TASK… [--cluster C] [--grace SECONDS]
 *       interrupts FARGATE_SPOT tasks as AWS does when it takes Spot capacity back: SIGTERM now, stop
 *       after the two-minute warning (--grace shortens it, for tests), stoppedReason "Your Spot Task was
 *       interrupted."; a service replaces the task. Through Wharf's own API (src/api/wharf).
 *   wharf usage [--cluster C] [--since 24h] [--by cluster|service|task] [--price-… N]
 *       vCPU-seconds, GB-seconds and ephemeral-storage GB-seconds billed in the window, read back from
 *       CloudWatch (namespace Wharf/Usage), with a cost estimate at Fargate's prices.
 */
import type { Command } from 'commander';
// The SDK modules load on use: every `wharf` command (the agent too) starts this file.
import { Sha256 } from '../protocol/sha256-checksum.js';
import { cost, US_EAST_1_PRICES, type FargatePrices, type Usage } from '../model/ecs/metering.js';
import { addGlobalOptions, call, CliError, printJson, printTable, resolveConnection, type GlobalOptions } from './client.js';

/** One signed call to Wharf's own API (awsJson1_1, signing name `wharf`). */
export async function wharfApi<T>(opts: GlobalOptions, operation: string, input: unknown): Promise<T> {
  const c = resolveConnection(opts);
  const { SignatureV4 } = await import('@smithy/signature-v4');
  const url = new URL('/', c.endpoint);
  const body = JSON.stringify(input);
  const signer = new SignatureV4({ credentials: { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey }, region: c.region, service: 'wharf', sha256: Sha256 });
  const signed = await signer.sign({ method: 'POST', protocol: url.protocol, hostname: url.hostname, port: Number(url.port) || undefined, path: '/', headers: {
    host: url.host, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `Wharf_20261201.${operation}`,
  }, body });
  const headers = Object.fromEntries(Object.entries(signed.headers).filter(([k]) => k !== 'host').map(([k, v]) => [k, String(v)]));
  let res: Response;
  try {
    res = await fetch(url, { method: 'POST', headers, body });
  } catch {
    throw new CliError(`${operation}: cannot reach Wharf at ${c.endpoint}. Start it with \`wharf server\` (or \`wharf up\`), or pass --endpoint-url.`);
  }
  const json = (await res.json().catch(() => ({}))) as T & { __type?: string; message?: string };
  if (!res.ok) throw new CliError(`${operation}: ${json.__type ?? res.status}: ${json.message ?? ''}`);
  return json;
}

const parseSince = (v: string): number => {
  const m = /^(\d+)\s*(s|m|h|d)$/.exec(v.trim());
  if (!m) throw new CliError(`--since ${v}: use a duration such as 30m, 24h or 7d`);
  return Number(m[1]) * { s: 1, m: 60, h: 3600, d: 86400 }[m[2] as 's' | 'm' | 'h' | 'd'] * 1000;
};

export function registerFargateCommands(program: Command): void {
  const spot = program.command('spot').description('Fargate Spot');
  addGlobalOptions(spot.command('interrupt').description('interrupt FARGATE_SPOT tasks as AWS does (SIGTERM, then stop after the warning)'))
    .argument('<tasks...>', 'task ids or ARNs')
    .option('-c, --cluster <cluster>', 'cluster', 'default')
    .option('--grace <seconds>', 'seconds between SIGTERM and the stop (AWS: 120)', (v) => Number(v), 120)
    .action(async (tasks: string[], opts: GlobalOptions & { cluster: string; grace: number }) => {
      if (!Number.isInteger(opts.grace) || opts.grace < 1 || opts.grace > 120) throw new CliError('--grace must be a whole number of seconds from 1 to 120');
      const r = await wharfApi<{ tasks: { taskArn: string; stopAt: number }[]; failures: { arn: string; reason: string }[] }>(opts, 'InterruptSpotTasks', { cluster: opts.cluster, tasks, graceSeconds: opts.grace });
      if (opts.output === 'json') { printJson(r); return; }
      for (const t of r.tasks) process.stdout.write(`interrupted ${t.taskArn}: SIGTERM sent, stops at ${new Date(t.stopAt * 1000).toISOString()}\n`);
      for (const f of r.failures) process.stdout.write(`not interrupted ${f.arn}: ${f.reason}\n`);
      if (r.failures.length) process.exitCode = 1;
    });

  addGlobalOptions(program.command('usage').description('Fargate usage (vCPU-seconds, GB-seconds) and its estimated cost'))
    .option('-c, --cluster <cluster>', 'cluster', 'default')
    .option('--since <duration>', 'window ending now, e.g. 30m, 24h, 7d', '24h')
    .option('--by <level>', 'cluster, service or task', 'service')
    .option('--price-vcpu-hour <usd>', `price per vCPU-hour (default ${US_EAST_1_PRICES.vcpuHour})`, Number)
    .option('--price-gb-hour <usd>', `price per GB-hour (default ${US_EAST_1_PRICES.gbHour})`, Number)
    .option('--price-storage-gb-hour <usd>', `price per GB-hour of storage above 20 GB (default ${US_EAST_1_PRICES.storageGbHour})`, Number)
    .option('--spot-factor <fraction>', `Fargate Spot price as a fraction of on-demand (default ${US_EAST_1_PRICES.spotFactor})`, Number)
    .action(async (opts: GlobalOptions & { cluster: string; since: string; by: string; priceVcpuHour?: number; priceGbHour?: number; priceStorageGbHour?: number; spotFactor?: number }) => {
      if (!['cluster', 'service', 'task'].includes(opts.by)) throw new CliError('--by must be cluster, service or task');
      const fromEnv = process.env.WHARF_FARGATE_PRICES ? JSON.parse(process.env.WHARF_FARGATE_PRICES) as Partial<FargatePrices> : {};
      const prices: FargatePrices = { ...US_EAST_1_PRICES, ...fromEnv,
        ...(opts.priceVcpuHour !== undefined ? { vcpuHour: opts.priceVcpuHour } : {}), ...(opts.priceGbHour !== undefined ? { gbHour: opts.priceGbHour } : {}),
        ...(opts.priceStorageGbHour !== undefined ? { storageGbHour: opts.priceStorageGbHour } : {}), ...(opts.spotFactor !== undefined ? { spotFactor: opts.spotFactor } : {}) };
      const custom = Object.keys(fromEnv).length > 0 || [opts.priceVcpuHour, opts.priceGbHour, opts.priceStorageGbHour, opts.spotFactor].some((x) => x !== undefined);
      const c = resolveConnection(opts);
      const { CloudWatchClient, GetMetricStatisticsCommand, ListMetricsCommand } = await import('@aws-sdk/client-cloudwatch');
      const cw = new CloudWatchClient({ endpoint: c.endpoint, region: c.region, credentials: { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey }, maxAttempts: 2 });
      const end = new Date(Date.now() + 60_000);
      const start = new Date(end.getTime() - 60_000 - parseSince(opts.since));
      const key = { cluster: 'ClusterName', service: 'ServiceName', task: 'TaskId' }[opts.by as 'cluster' | 'service' | 'task'];
      const listed = await call('listing usage metrics', c.endpoint, () => cw.send(new ListMetricsCommand({ Namespace: 'Wharf/Usage', MetricName: 'BilledSeconds', Dimensions: [{ Name: 'ClusterName', Value: opts.cluster }] })));
      const series = (listed.Metrics ?? []).filter((m) => {
        const names = (m.Dimensions ?? []).map((d) => d.Name).sort().join(',');
        return names === ['CapacityProvider', 'ClusterName', ...(key === 'ClusterName' ? [] : [key])].sort().join(',');
      });
      const rows: { name: string; provider: string; u: Usage }[] = [];
      for (const m of series) {
        const sum = async (metric: string) => {
          const r = await cw.send(new GetMetricStatisticsCommand({ Namespace: 'Wharf/Usage', MetricName: metric, Dimensions: m.Dimensions, StartTime: start, EndTime: end, Period: Math.ceil((end.getTime() - start.getTime()) / 1000 / 60) * 60, Statistics: ['Sum'] }));
          return (r.Datapoints ?? []).reduce((s, d) => s + (d.Sum ?? 0), 0);
        };
        const u: Usage = { billedSeconds: await sum('BilledSeconds'), vcpuSeconds: await sum('vCPUSeconds'), gbSeconds: await sum('GBSeconds'), storageGbSeconds: await sum('EphemeralStorageGBSeconds') };
        if (u.billedSeconds <= 0) continue;
        rows.push({ name: m.Dimensions!.find((d) => d.Name === key)!.Value!, provider: m.Dimensions!.find((d) => d.Name === 'CapacityProvider')!.Value!, u });
      }
      const priced = rows.map((r) => ({ ...r, cost: cost(r.u, prices, r.provider === 'FARGATE_SPOT') }));
      const total = priced.reduce((s, r) => s + r.cost, 0);
      const source = custom ? 'configured prices' : prices.source;
      if (opts.output === 'json') {
        printJson({ cluster: opts.cluster, since: start.toISOString(), until: end.toISOString(), prices: { ...prices, source }, rows: priced.map((r) => ({ [opts.by]: r.name, capacityProvider: r.provider, ...r.u, estimatedCostUsd: r.cost })), totalEstimatedCostUsd: total });
        return;
      }
      printTable([opts.by.toUpperCase(), 'PROVIDER', 'BILLED S', 'vCPU-s', 'GB-s', 'STORAGE GB-s', 'EST. USD'],
        priced.map((r) => [r.name, r.provider, r.u.billedSeconds, r.u.vcpuSeconds.toFixed(2), r.u.gbSeconds.toFixed(2), r.u.storageGbSeconds.toFixed(2), r.cost.toFixed(6)]));
      process.stdout.write(`Estimated cost: $${total.toFixed(6)} (${source}; per second, one-minute minimum per task)\n`);
    });
}
