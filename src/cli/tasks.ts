/**
 * `wharf tasks run|list|describe|stop`: thin layers over RunTask, ListTasks, DescribeTasks, StopTask.
 * `describe` explains in plain words why a task stopped — the stop code, each container's exit code and
 * what it usually means — and prints the last log lines of its awslogs containers.
 */
import { CloudWatchLogsClient, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeTasksCommand, ECSClient, ListTasksCommand, RunTaskCommand, StopTaskCommand, type Container, type Task } from '@aws-sdk/client-ecs';
import type { Command } from 'commander';
import { addGlobalOptions, CliError, clientConfig, emit, EXIT, printTable, type GlobalOptions } from './client.js';
import { sources } from './logs.js';

interface ClusterOpts extends GlobalOptions { cluster: string }
const clusterOpt = (cmd: Command) => addGlobalOptions(cmd).option('-c, --cluster <cluster>', 'cluster', 'default');
const id = (arn?: string) => arn?.split('/').pop() ?? '';

/** What an exit code usually means (128 + n is "killed by signal n"). */
export function exitCodeMeaning(code: number | undefined, reason?: string): string {
  if (code === undefined || code === null) return reason ? `did not exit normally: ${reason}` : 'has no exit code (it never ran, or is still running)';
  if (/OutOfMemory|OOM/i.test(reason ?? '')) return `exit ${code}: killed because it used more memory than its limit (OutOfMemoryError)`;
  const known: Record<number, string> = {
    0: 'exit 0: finished successfully',
    1: 'exit 1: the program reported an error (see its log lines)',
    2: 'exit 2: the program was called wrongly (usage error)',
    125: 'exit 125: the runtime could not run the container',
    126: 'exit 126: the command was found but is not executable',
    127: 'exit 127: the command was not found in the image',
    130: 'exit 130: interrupted (SIGINT)',
    134: 'exit 134: aborted (SIGABRT)',
    137: 'exit 137: killed with SIGKILL (it was stopped and did not exit within its stop timeout, or the kernel killed it)',
    139: 'exit 139: crashed with a segmentation fault (SIGSEGV)',
    143: 'exit 143: stopped by SIGTERM (a normal stop)',
  };
  return known[code] ?? (code > 128 ? `exit ${code}: killed by signal ${code - 128}` : `exit ${code}: the program failed (see its log lines)`);
}

const STOP_CODES: Record<string, string> = {
  EssentialContainerExited: 'an essential container exited, so ECS stopped the whole task',
  TaskFailedToStart: 'the task could not start',
  UserInitiated: 'someone stopped it (StopTask)',
  ServiceSchedulerInitiated: 'its service stopped it (a deployment, a scale-in, or a failed health check replaced it)',
  SpotInterruption: 'its capacity was reclaimed',
  TerminationNotice: 'its capacity is being reclaimed',
};

/** The plain-words story of a task's stop: one line for the task, one per container. */
export function explainStop(t: Task): string[] {
  if (t.lastStatus !== 'STOPPED' && t.desiredStatus !== 'STOPPED') return [`The task is ${t.lastStatus} (desired ${t.desiredStatus}); it has not stopped.`];
  const lines = [`The task ${t.lastStatus === 'STOPPED' ? 'stopped' : `is stopping (${t.lastStatus})`}: ${t.stopCode ? STOP_CODES[t.stopCode] ?? t.stopCode : 'no stop code'}${t.stoppedReason ? ` — "${t.stoppedReason}"` : ''}.`];
  for (const c of t.containers ?? []) lines.push(`  container ${c.name} ${containerStory(c)}`);
  return lines;
}

function containerStory(c: Container): string {
  if (c.lastStatus !== 'STOPPED') return `is ${c.lastStatus}`;
  return `${exitCodeMeaning(c.exitCode ?? undefined, c.reason)}${c.reason && !/OutOfMemory/i.test(c.reason) ? ` (${c.reason})` : ''}`;
}

async function describeTask(ecs: ECSClient, cluster: string, task: string): Promise<Task> {
  const r = await ecs.send(new DescribeTasksCommand({ cluster, tasks: [task], include: ['TAGS'] }));
  const t = r.tasks?.[0];
  if (!t) throw new CliError(`task ${task} not found in cluster ${cluster} (stopped tasks are kept about an hour) → list tasks with \`wharf tasks list -c ${cluster} --stopped\``, EXIT.failed);
  return t;
}

export function registerTaskCommands(program: Command): void {
  const tasks = program.command('tasks').alias('task').description('run, list, explain and stop tasks');

  clusterOpt(tasks.command('run').argument('<task-definition>', 'FAMILY, FAMILY:REVISION or ARN').description('run a one-off task'))
    .option('--count <n>', 'how many copies', (v) => Number(v), 1)
    .option('--started-by <tag>', 'startedBy label')
    .option('--wait', 'wait until the task stops; exit with its essential container\'s exit code')
    .option('--timeout <seconds>', 'how long --wait waits', (v) => Number(v), 600)
    .action(async (td: string, o: ClusterOpts & { count: number; startedBy?: string; wait?: boolean; timeout: number }) => {
      const ecs = new ECSClient(clientConfig(o));
      const r = await ecs.send(new RunTaskCommand({ cluster: o.cluster, taskDefinition: td, count: o.count, startedBy: o.startedBy }));
      if (r.failures?.length && !r.tasks?.length) throw new CliError(`no task started: ${r.failures.map((f) => `${f.arn ?? ''} ${f.reason}${f.detail ? ` (${f.detail})` : ''}`).join('; ')}`, EXIT.failed);
      let out = r.tasks ?? [];
      if (o.wait) {
        const deadline = Date.now() + o.timeout * 1000;
        for (;;) {
          out = (await ecs.send(new DescribeTasksCommand({ cluster: o.cluster, tasks: out.map((t) => t.taskArn!) }))).tasks ?? [];
          if (out.every((t) => t.lastStatus === 'STOPPED')) break;
          if (Date.now() > deadline) throw new CliError(`the task did not stop within ${o.timeout} s → \`wharf tasks describe ${id(out[0]?.taskArn)}\``, EXIT.failed);
          await new Promise((res) => setTimeout(res, 1000));
        }
      }
      emit(o, { tasks: out, failures: r.failures ?? [] }, () => {
        for (const t of out) process.stdout.write(o.wait ? `${id(t.taskArn)}: ${explainStop(t).join('\n')}\n` : `${id(t.taskArn)} ${t.lastStatus}\n`);
        for (const f of r.failures ?? []) process.stderr.write(`not started: ${f.reason}${f.detail ? ` (${f.detail})` : ''}\n`);
      });
      if (o.wait) {
        const t = out[0];
        const code = t?.containers?.find((c) => c.exitCode !== undefined && c.exitCode !== 0)?.exitCode ?? t?.containers?.[0]?.exitCode;
        if (code) process.exitCode = code;
      }
    });

  clusterOpt(tasks.command('list').description('list tasks (running by default)'))
    .option('-s, --service <service>', 'only this service\'s tasks')
    .option('--stopped', 'stopped tasks instead of running ones')
    .action(async (o: ClusterOpts & { service?: string; stopped?: boolean }) => {
      const ecs = new ECSClient(clientConfig(o));
      const arns = (await ecs.send(new ListTasksCommand({ cluster: o.cluster, serviceName: o.service, desiredStatus: o.stopped ? 'STOPPED' : 'RUNNING' }))).taskArns ?? [];
      const all: Task[] = [];
      for (let i = 0; i < arns.length; i += 100) all.push(...((await ecs.send(new DescribeTasksCommand({ cluster: o.cluster, tasks: arns.slice(i, i + 100) }))).tasks ?? []));
      emit(o, { tasks: all }, () => printTable(['TASK', 'TASK DEFINITION', 'STATUS', 'DESIRED', 'HEALTH', 'STARTED', 'STOP REASON'],
        all.map((t) => [id(t.taskArn), id(t.taskDefinitionArn), t.lastStatus, t.desiredStatus, t.healthStatus, t.startedAt?.toISOString(), t.stoppedReason])));
    });

  clusterOpt(tasks.command('describe').argument('<task>', 'task id or ARN').description('show a task; if it stopped, why, with exit codes and its last log lines'))
    .option('--lines <n>', 'log lines per container', (v) => Number(v), 10)
    .action(async (task: string, o: ClusterOpts & { lines: number }) => {
      const ecs = new ECSClient(clientConfig(o));
      const t = await describeTask(ecs, o.cluster, task);
      const logs = new CloudWatchLogsClient(clientConfig(o));
      const logLines: { container: string; lines: string[] }[] = [];
      for (const s of await sources(ecs, o.cluster, t.taskArn!).catch(() => [])) {
        const ev = await logs.send(new GetLogEventsCommand({ logGroupName: s.group, logStreamName: s.stream, limit: o.lines, startFromHead: false })).catch(() => undefined);
        logLines.push({ container: s.label.split('/')[0], lines: (ev?.events ?? []).map((e) => e.message ?? '') });
      }
      const explanation = explainStop(t);
      emit(o, { task: t, explanation, logs: logLines }, () => {
        printTable(['FIELD', 'VALUE'], [
          ['task', id(t.taskArn)], ['task definition', id(t.taskDefinitionArn)], ['status', `${t.lastStatus} (desired ${t.desiredStatus})`],
          ['health', t.healthStatus], ['group', t.group], ['started', t.startedAt?.toISOString()], ['stopped', t.stoppedAt?.toISOString()],
          ['stop code', t.stopCode], ['stopped reason', t.stoppedReason],
        ]);
        printTable(['CONTAINER', 'STATUS', 'EXIT', 'HEALTH', 'PORTS', 'REASON'], (t.containers ?? []).map((c) => [
          c.name, c.lastStatus, c.exitCode, c.healthStatus, (c.networkBindings ?? []).map((b) => `${b.hostPort}->${b.containerPort}`).join(', '), c.reason]));
        process.stdout.write(explanation.join('\n') + '\n');
        for (const l of logLines) {
          process.stdout.write(`Last log lines of ${l.container}:\n${l.lines.length ? l.lines.map((x) => `  ${x}`).join('\n') : '  (none)'}\n`);
        }
      });
    });

  clusterOpt(tasks.command('stop').argument('<task>', 'task id or ARN').description('stop a task (SIGTERM, then SIGKILL after its stop timeout)'))
    .option('--reason <text>', 'why (shown as its stoppedReason)')
    .action(async (task: string, o: ClusterOpts & { reason?: string }) => {
      const ecs = new ECSClient(clientConfig(o));
      const t = (await ecs.send(new StopTaskCommand({ cluster: o.cluster, task, reason: o.reason }))).task!;
      emit(o, { task: t }, () => process.stdout.write(`${id(t.taskArn)}: stopping (desired ${t.desiredStatus})\n`));
    });
}
