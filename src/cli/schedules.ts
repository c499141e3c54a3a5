/**
 * `wharf schedules list|describe|delete`: thin layers over EventBridge Scheduler's ListSchedules,
 * GetSchedule and DeleteSchedule. `list` shows each schedule's next run, computed with the server's own
 * rules (model/scheduler/expression.ts: the time zone, StartDate/EndDate, rate() from creation);
 * `describe` shows the next five. Creating schedules is `aws scheduler create-schedule` (docs/events.md).
 */
import { DeleteScheduleCommand, GetScheduleCommand, ListSchedulesCommand, SchedulerClient, type GetScheduleOutput } from '@aws-sdk/client-scheduler';
import type { Command } from 'commander';
import { nextOccurrence, parseExpression, type Timing } from '../model/scheduler/expression.js';
import { addGlobalOptions, call, clientConfig, emit, printTable, resolveConnection, type GlobalOptions } from './client.js';

interface GroupOpts extends GlobalOptions { group?: string }

/** The next `n` runs of a schedule after `now` (fewer when it ends; none when DISABLED). */
export function nextRuns(s: GetScheduleOutput, now: number, n: number): Date[] {
  if (s.State === 'DISABLED') return [];
  let parsed;
  try { parsed = parseExpression(s.ScheduleExpression!, s.ScheduleExpressionTimezone ?? 'UTC'); } catch { return []; }
  const timing: Timing = {
    scheduleExpression: s.ScheduleExpression!, timezone: s.ScheduleExpressionTimezone, startDate: s.StartDate?.getTime(), endDate: s.EndDate?.getTime(),
    setAt: s.LastModificationDate?.getTime() ?? now,
  };
  const out: Date[] = [];
  let after = now;
  for (let i = 0; i < n; i++) {
    const t = nextOccurrence(parsed, timing, after);
    if (t === undefined) break;
    out.push(new Date(t));
    after = t;
  }
  return out;
}

const targetOf = (s: GetScheduleOutput) => {
  const arn = s.Target?.Arn ?? '';
  if (s.Target?.EcsParameters) return `ecs ${arn.split('/').pop()} ${s.Target.EcsParameters.TaskDefinitionArn?.split('/').pop()}`;
  return arn;
};

export function registerScheduleCommands(program: Command): void {
  const schedules = program.command('schedules').alias('schedule').description('list, describe and delete EventBridge Scheduler schedules');
  const group = (cmd: Command) => addGlobalOptions(cmd).option('-g, --group <group>', 'schedule group (list: all groups)');

  group(schedules.command('list').description('list schedules with their next run'))
    .action(async (o: GroupOpts) => {
      const conn = resolveConnection(o);
      const sched = new SchedulerClient(clientConfig(o));
      const all: (GetScheduleOutput & { NextRun?: Date })[] = [];
      let nextToken: string | undefined;
      do {
        const r = await call('listing schedules', conn.endpoint, () => sched.send(new ListSchedulesCommand({ GroupName: o.group, NextToken: nextToken })));
        for (const s of r.Schedules ?? []) {
          const full = await call(`reading schedule ${s.Name}`, conn.endpoint, () => sched.send(new GetScheduleCommand({ Name: s.Name, GroupName: s.GroupName })));
          const { $metadata: _m, ...rest } = full;
          all.push({ ...rest, NextRun: nextRuns(full, Date.now(), 1)[0] });
        }
        nextToken = r.NextToken;
      } while (nextToken);
      emit(o, { schedules: all }, () => {
        printTable(['NAME', 'GROUP', 'STATE', 'EXPRESSION', 'TIME ZONE', 'NEXT RUN', 'TARGET'],
          all.map((s) => [s.Name, s.GroupName, s.State, s.ScheduleExpression, s.ScheduleExpressionTimezone ?? 'UTC', s.NextRun?.toISOString() ?? '—', targetOf(s)]));
      });
      sched.destroy();
    });

  group(schedules.command('describe').argument('<name>', 'schedule name').description('a schedule and its next five runs'))
    .action(async (name: string, o: GroupOpts) => {
      const conn = resolveConnection(o);
      const sched = new SchedulerClient(clientConfig(o));
      const { $metadata: _m, ...s } = await call(`reading schedule ${name}`, conn.endpoint, () => sched.send(new GetScheduleCommand({ Name: name, GroupName: o.group })));
      const runs = nextRuns(s, Date.now(), 5);
      emit(o, { schedule: s, nextRuns: runs }, () => {
        process.stdout.write(`${s.Name} (group ${s.GroupName}) ${s.State}: ${s.ScheduleExpression} in ${s.ScheduleExpressionTimezone ?? 'UTC'} → ${targetOf(s)}\n`);
        process.stdout.write(runs.length ? `next runs:\n${runs.map((r) => `  ${r.toISOString()}`).join('\n')}\n` : 'no next run\n');
      });
      sched.destroy();
    });

  group(schedules.command('delete').argument('<name>', 'schedule name').description('delete a schedule'))
    .action(async (name: string, o: GroupOpts) => {
      const conn = resolveConnection(o);
      const sched = new SchedulerClient(clientConfig(o));
      await call(`deleting schedule ${name}`, conn.endpoint, () => sched.send(new DeleteScheduleCommand({ Name: name, GroupName: o.group })));
      emit(o, {}, () => process.stdout.write(`deleted ${name}\n`));
      sched.destroy();
    });
}
