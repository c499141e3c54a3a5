/**
 * `wharf logs SERVICE|TASK [-f]`: a task's or a service's container output, from CloudWatch Logs (the
 * awslogs driver ships it there), through the public API only:
 *
 *   TASK (id or ARN) → DescribeTasks → its task definition's awslogs containers → group + stream
 *   SERVICE          → ListTasks(serviceName), running and recently stopped → the same, per task
 *   → FilterLogEvents(group, logStreamNames) — and with -f, again every second from the last timestamp,
 *     skipping event ids already printed (a service's new tasks are picked up on the way).
 */
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeTaskDefinitionCommand, DescribeTasksCommand, ListTasksCommand, type ECSClient } from '@aws-sdk/client-ecs';
import type { Command } from 'commander';
import { awslogsStreamName } from '../model/ecs/awslogs-stream.js';
import { addGlobalOptions, call, CliError, ecsClient, resolveConnection, type GlobalOptions } from './client.js';

export interface Source { group: string; stream: string; label: string }

export async function sources(ecs: ECSClient, cluster: string, target: string): Promise<Source[]> {
  const isTask = /^[0-9a-f]{32}$/.test(target) || target.startsWith('arn:aws:ecs:') && target.includes(':task/');
  let taskArns: string[];
  if (isTask) taskArns = [target];
  else {
    const running = await ecs.send(new ListTasksCommand({ cluster, serviceName: target }));
    const stopped = await ecs.send(new ListTasksCommand({ cluster, serviceName: target, desiredStatus: 'STOPPED' }));
    taskArns = [...(running.taskArns ?? []), ...(stopped.taskArns ?? [])].slice(0, 100);
    if (taskArns.length === 0) return [];
  }
  const tasks = (await ecs.send(new DescribeTasksCommand({ cluster, tasks: taskArns }))).tasks ?? [];
  if (isTask && tasks.length === 0) throw new CliError(`task ${target} not found in cluster ${cluster}`);
  const defs = new Map<string, Awaited<ReturnType<ECSClient['send']>>>();
  const out: Source[] = [];
  for (const t of tasks) {
    let d = defs.get(t.taskDefinitionArn!) as { taskDefinition?: { containerDefinitions?: { name?: string; logConfiguration?: { logDriver?: string; options?: Record<string, string> } }[] } } | undefined;
    if (!d) {
      d = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: t.taskDefinitionArn! }));
      defs.set(t.taskDefinitionArn!, d as never);
    }
    const id = t.taskArn!.split('/').pop()!;
    for (const c of d.taskDefinition?.containerDefinitions ?? []) {
      const lc = c.logConfiguration;
      if (lc?.logDriver !== 'awslogs' || !lc.options?.['awslogs-group']) continue;
      const runtimeId = t.containers?.find((x) => x.name === c.name)?.runtimeId;
      const stream = awslogsStreamName(lc.options['awslogs-stream-prefix'], c.name!, t.taskArn!, runtimeId ?? '');
      if (stream) out.push({ group: lc.options['awslogs-group'], stream, label: `${c.name}/${id.slice(0, 8)}` });
    }
  }
  return out;
}

export function registerLogsCommand(program: Command): void {
  addGlobalOptions(program.command('logs').argument('<service-or-task>', 'a service name, or a task id or ARN')
    .description("print a service's or task's container logs (awslogs), optionally following them"))
    .option('-c, --cluster <cluster>', 'cluster', 'default')
    .option('-f, --follow', 'keep printing new lines')
    .option('--since <minutes>', 'start this many minutes ago (default: everything)', (v) => Number(v))
    .option('--filter <pattern>', 'CloudWatch Logs filter pattern')
    .action(async (target: string, opts: GlobalOptions & { cluster: string; follow?: boolean; since?: number; filter?: string }) => {
      const conn = resolveConnection(opts);
      const ecs = ecsClient(opts);
      const logs = new CloudWatchLogsClient({ endpoint: conn.endpoint, region: conn.region, credentials: { accessKeyId: conn.accessKeyId, secretAccessKey: conn.secretAccessKey }, maxAttempts: 2 });
      let startTime = opts.since !== undefined ? Date.now() - opts.since * 60_000 : 0;
      const printed = new Set<string>();
      let warned = false;
      for (;;) {
        const srcs = await call(`finding the logs of ${target}`, conn.endpoint, () => sources(ecs, opts.cluster, target));
        if (srcs.length === 0 && !warned) {
          process.stderr.write(`no awslogs containers found for ${target} in cluster ${opts.cluster} (is logConfiguration.logDriver "awslogs"?)\n`);
          warned = true;
        }
        const byGroup = new Map<string, Source[]>();
        for (const s of srcs) (byGroup.get(s.group) ?? byGroup.set(s.group, []).get(s.group)!).push(s);
        let latest = startTime;
        const batch: { t: number; line: string }[] = [];
        for (const [group, ss] of byGroup) {
          const label = new Map(ss.map((s) => [s.stream, s.label]));
          let nextToken: string | undefined;
          do {
            const r = await logs.send(new FilterLogEventsCommand({ logGroupName: group, logStreamNames: ss.map((s) => s.stream).slice(0, 100), startTime, filterPattern: opts.filter, nextToken }))
              .catch((e: Error) => { if (e.name === 'ResourceNotFoundException') return { events: [], nextToken: undefined }; throw e; });
            for (const e of r.events ?? []) {
              if (printed.has(e.eventId!)) continue;
              printed.add(e.eventId!);
              batch.push({ t: e.timestamp!, line: `${srcs.length > 1 ? `[${label.get(e.logStreamName!) ?? e.logStreamName}] ` : ''}${e.message}` });
              latest = Math.max(latest, e.timestamp!);
            }
            nextToken = r.nextToken;
          } while (nextToken);
        }
        batch.sort((a, b) => a.t - b.t);
        for (const b of batch) process.stdout.write(b.line + '\n');
        if (!opts.follow) break;
        startTime = latest;
        await new Promise((r) => setTimeout(r, 1000));
      }
      logs.destroy();
      ecs.destroy();
    });
}
