/**
 * EventBridge Scheduler end to end: a real server, /usr/bin/aws scheduler, @aws-sdk/client-scheduler,
 * a real agent and containers for the ECS RunTask target. The server's controllers read a clock moved
 * by WHARF_TEST_CLOCK_FILE, so schedules are tested at chosen instants without waiting for them.
 *
 *   1. the CLI: create/get/list/update/delete schedules and schedule groups with tags; AWS's errors
 *      (bad expressions, time zones, missing schedules and groups, conflicts) changing nothing
 *   2. a rate() schedule with a flexible time window runs one task inside the window
 *   3. a cron() schedule in America/New_York runs a real task at 09:00 local on both sides of the
 *      2027-03-14 daylight-saving change (14:00 UTC, then 13:00 UTC), and at no other time
 *   4. a one-time at() schedule with ActionAfterCompletion DELETE runs once and deletes itself
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateClusterCommand, DescribeTasksCommand, ListContainerInstancesCommand, ListTasksCommand, RegisterTaskDefinitionCommand, StopTaskCommand, type Task } from '@aws-sdk/client-ecs';
import { ECRClient, CreateRepositoryCommand } from '@aws-sdk/client-ecr';
import {
  CreateScheduleCommand, DeleteScheduleCommand, GetScheduleCommand, ListSchedulesCommand, SchedulerClient, UpdateScheduleCommand,
} from '@aws-sdk/client-scheduler';
import { cliEntry, startServerProcess, type TestServer } from '../support/server.js';
import { startAgent, removeClusterContainers, type AgentProcess } from '../support/agent-process.js';
import { buildBusyboxImage, pushToRegistry } from '../support/images.js';
import { until as waitUntil } from '../support/wait.js';

const cluster = `sched-e2e-${process.pid}`;
const work = mkdtempSync(join(tmpdir(), 'wharf-scheduler-'));
const clockFile = join(work, 'clock-offset-ms');
let server: TestServer;
let agent: AgentProcess;
let sched: SchedulerClient;
let account: string;
let clusterArn: string;
const role = () => `arn:aws:iam::${account}:role/scheduler-ecs`;

const until = <T>(what: string, fn: () => Promise<T | false | undefined>, ms = 60_000): Promise<T> => waitUntil(what, fn, ms, 250);
/** Moves the server's controller clock so that it reads `iso` now. */
const setClock = (iso: string) => writeFileSync(clockFile, String(Date.parse(iso) - Date.now()));

before(async () => {
  writeFileSync(clockFile, '0');
  server = await startServerProcess({ env: { WHARF_LOG_LEVEL: 'warn', WHARF_TEST_CLOCK_FILE: clockFile } });
  const cfg = { endpoint: server.endpoint, region: 'us-east-1', credentials: server.credentials, maxAttempts: 1 };
  sched = new SchedulerClient(cfg);
  const c = await server.ecs().send(new CreateClusterCommand({ clusterName: cluster }));
  clusterArn = c.cluster!.clusterArn!;
  account = clusterArn.split(':')[4];
  const repo = await new ECRClient(cfg).send(new CreateRepositoryCommand({ repositoryName: 'sched-e2e/busybox' }));
  const image = `${repo.repository!.repositoryUri}:1`;
  const built = await buildBusyboxImage(join(work, 'img'));
  await pushToRegistry(built.layoutDir, image, { creds: { username: server.credentials.accessKeyId, password: server.credentials.secretAccessKey } });
  await server.ecs().send(new RegisterTaskDefinitionCommand({ family: 'long', containerDefinitions: [{ name: 'main', image, memory: 32, command: ['sh', '-c', 'sleep 600'] }] }));
  await server.ecs().send(new RegisterTaskDefinitionCommand({ family: 'nightly', containerDefinitions: [{ name: 'main', image, memory: 32, command: ['sh', '-c', 'echo job $JOB; exit 0'] }] }));
  agent = await startAgent(server, { cluster, name: 'sched-a1', cpu: 1024, memory: 512, stopTimeout: 2 });
  await until('the agent connects', async () => (await server.ecs().send(new ListContainerInstancesCommand({ cluster, filter: 'agentConnected == true' }))).containerInstanceArns?.length === 1, 90_000);
});

after(async () => {
  if (agent) { await agent.kill('SIGKILL'); agent.cleanup(); }
  await removeClusterContainers(cluster);
  await server?.stop();
  server?.cleanup();
  rmSync(work, { recursive: true, force: true });
});

const rejects = (p: Promise<unknown>, name: string, message: string) =>
  assert.rejects(p, (e: Error) => {
    assert.equal(e.name, name, e.message);
    assert.equal(e.message, message);
    return true;
  });

async function tasksOf(startedBy: string): Promise<Task[]> {
  const ecs = server.ecs();
  const arns = [...new Set([
    ...(await ecs.send(new ListTasksCommand({ cluster, startedBy }))).taskArns ?? [],
    ...(await ecs.send(new ListTasksCommand({ cluster, startedBy, desiredStatus: 'STOPPED' }))).taskArns ?? [],
  ])];
  if (arns.length === 0) return [];
  return ((await ecs.send(new DescribeTasksCommand({ cluster, tasks: arns }))).tasks ?? []).sort((a, b) => a.createdAt!.getTime() - b.createdAt!.getTime());
}

function wharf(args: string[]): { status: number; stdout: string; stderr: string } {
  const env = { ...process.env };
  delete env.AWS_ACCESS_KEY_ID; delete env.AWS_SECRET_ACCESS_KEY; delete env.WHARF_ENDPOINT;
  const r = spawnSync(process.execPath, [cliEntry, ...args, '--data-dir', server.dataDir, '--endpoint-url', server.endpoint], { encoding: 'utf8', env, timeout: 30_000 });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const ecsTarget = () => ({ Arn: clusterArn, RoleArn: role(), EcsParameters: { TaskDefinitionArn: 'nightly', TaskCount: 1, LaunchType: 'EC2' as const } });

describe('aws scheduler (the CLI)', () => {
  it('create, get, list, update and delete a schedule; groups and their tags', () => {
    const target = JSON.stringify({ ...ecsTarget(), Input: '{"containerOverrides":[{"name":"main","environment":[{"name":"JOB","value":"cli"}]}]}' });
    const made = server.aws(['scheduler', 'create-schedule', '--name', 'cli-nightly', '--schedule-expression', 'cron(0 3 * * ? *)',
      '--schedule-expression-timezone', 'Europe/Paris', '--flexible-time-window', 'Mode=OFF', '--state', 'DISABLED', '--target', target]);
    assert.equal(made.status, 0, made.stderr);
    assert.equal(made.json.ScheduleArn, `arn:aws:scheduler:us-east-1:${account}:schedule/default/cli-nightly`);

    const got = server.aws(['scheduler', 'get-schedule', '--name', 'cli-nightly']);
    assert.equal(got.status, 0, got.stderr);
    assert.equal(got.json.Name, 'cli-nightly');
    assert.equal(got.json.GroupName, 'default');
    assert.equal(got.json.ScheduleExpression, 'cron(0 3 * * ? *)');
    assert.equal(got.json.ScheduleExpressionTimezone, 'Europe/Paris');
    assert.equal(got.json.State, 'DISABLED');
    // (Debian's aws 2.9 predates ActionAfterCompletion: the SDK test below reads it.)
    assert.deepEqual(got.json.FlexibleTimeWindow, { Mode: 'OFF' });
    assert.deepEqual(got.json.Target, JSON.parse(target));
    assert.match(got.json.CreationDate, /^\d{4}-\d\d-\d\dT/);

    const dup = server.aws(['scheduler', 'create-schedule', '--name', 'cli-nightly', '--schedule-expression', 'rate(1 hour)', '--flexible-time-window', 'Mode=OFF', '--target', target]);
    assert.notEqual(dup.status, 0);
    assert.match(dup.stderr, /\(ConflictException\) when calling the CreateSchedule operation: Schedule cli-nightly already exists\./);

    const badCron = server.aws(['scheduler', 'create-schedule', '--name', 'cli-bad', '--schedule-expression', 'cron(0 3 * * * *)', '--flexible-time-window', 'Mode=OFF', '--target', target]);
    assert.match(badCron.stderr, /\(ValidationException\) when calling the CreateSchedule operation: Invalid Schedule Expression cron\(0 3 \* \* \* \*\)\./);
    const badTz = server.aws(['scheduler', 'create-schedule', '--name', 'cli-bad', '--schedule-expression', 'rate(1 hour)', '--schedule-expression-timezone', 'Mars/Olympus',
      '--flexible-time-window', 'Mode=OFF', '--target', target]);
    assert.match(badTz.stderr, /\(ValidationException\) when calling the CreateSchedule operation: Invalid ScheduleExpressionTimezone Mars\/Olympus\./);
    const badWindow = server.aws(['scheduler', 'create-schedule', '--name', 'cli-bad', '--schedule-expression', 'rate(1 hour)', '--flexible-time-window', 'Mode=FLEXIBLE', '--target', target]);
    assert.match(badWindow.stderr, /\(ValidationException\)/);
    const list = server.aws(['scheduler', 'list-schedules']);
    assert.deepEqual(list.json.Schedules.map((s: { Name: string }) => s.Name), ['cli-nightly'], 'refused schedules were not made');

    const upd = server.aws(['scheduler', 'update-schedule', '--name', 'cli-nightly', '--schedule-expression', 'rate(2 hours)', '--flexible-time-window', 'Mode=FLEXIBLE,MaximumWindowInMinutes=15',
      '--state', 'DISABLED', '--target', target]);
    assert.equal(upd.status, 0, upd.stderr);
    const after = server.aws(['scheduler', 'get-schedule', '--name', 'cli-nightly']).json;
    assert.equal(after.ScheduleExpression, 'rate(2 hours)');
    assert.equal(after.ScheduleExpressionTimezone, undefined, 'UpdateSchedule replaces the definition: members left out are cleared');
    assert.deepEqual(after.FlexibleTimeWindow, { Mode: 'FLEXIBLE', MaximumWindowInMinutes: 15 });
    assert.equal(after.CreationDate, got.json.CreationDate);

    const group = server.aws(['scheduler', 'create-schedule-group', '--name', 'cli-group', '--tags', 'Key=team,Value=batch']);
    assert.equal(group.status, 0, group.stderr);
    const groupArn = `arn:aws:scheduler:us-east-1:${account}:schedule-group/cli-group`;
    assert.equal(group.json.ScheduleGroupArn, groupArn);
    const inGroup = server.aws(['scheduler', 'create-schedule', '--name', 'cli-nightly', '--group-name', 'cli-group', '--schedule-expression', 'at(2030-01-01T00:00:00)',
      '--flexible-time-window', 'Mode=OFF', '--target', target]);
    assert.equal(inGroup.status, 0, inGroup.stderr);
    assert.equal(inGroup.json.ScheduleArn, `arn:aws:scheduler:us-east-1:${account}:schedule/cli-group/cli-nightly`);
    const byGroup = server.aws(['scheduler', 'list-schedules', '--group-name', 'cli-group']);
    assert.deepEqual(byGroup.json.Schedules.map((s: { Arn: string }) => s.Arn), [inGroup.json.ScheduleArn]);
    const groups = server.aws(['scheduler', 'list-schedule-groups']);
    assert.deepEqual(groups.json.ScheduleGroups.map((g: { Name: string; State: string }) => [g.Name, g.State]), [['cli-group', 'ACTIVE'], ['default', 'ACTIVE']]);
    assert.deepEqual(server.aws(['scheduler', 'list-tags-for-resource', '--resource-arn', groupArn]).json.Tags, [{ Key: 'team', Value: 'batch' }]);
    assert.equal(server.aws(['scheduler', 'tag-resource', '--resource-arn', groupArn, '--tags', 'Key=env,Value=prod']).status, 0);
    assert.equal(server.aws(['scheduler', 'untag-resource', '--resource-arn', groupArn, '--tag-keys', 'team']).status, 0);
    assert.deepEqual(server.aws(['scheduler', 'list-tags-for-resource', '--resource-arn', groupArn]).json.Tags, [{ Key: 'env', Value: 'prod' }]);

    const noGroup = server.aws(['scheduler', 'get-schedule', '--name', 'cli-nightly', '--group-name', 'nope']);
    assert.match(noGroup.stderr, /\(ResourceNotFoundException\) when calling the GetSchedule operation: Schedule group nope does not exist\./);
    assert.equal(server.aws(['scheduler', 'delete-schedule-group', '--name', 'cli-group']).status, 0);
    const gone = server.aws(['scheduler', 'get-schedule', '--name', 'cli-nightly', '--group-name', 'cli-group']);
    assert.match(gone.stderr, /\(ResourceNotFoundException\) when calling the GetSchedule operation: Schedule group cli-group does not exist\./);
    const defaultGroup = server.aws(['scheduler', 'delete-schedule-group', '--name', 'default']);
    assert.match(defaultGroup.stderr, /\(ValidationException\)/);

    assert.equal(server.aws(['scheduler', 'delete-schedule', '--name', 'cli-nightly']).status, 0);
    const missing = server.aws(['scheduler', 'get-schedule', '--name', 'cli-nightly']);
    assert.notEqual(missing.status, 0);
    assert.match(missing.stderr, /\(ResourceNotFoundException\) when calling the GetSchedule operation: Schedule cli-nightly does not exist\./);
  });
});

describe('wharf schedules', () => {
  it('list shows the next run in the schedule\'s time zone; describe the next five; delete', async () => {
    await sched.send(new CreateScheduleCommand({
      Name: 'paris-mondays', ScheduleExpression: 'cron(0 9 ? * MON *)', ScheduleExpressionTimezone: 'Europe/Paris', StartDate: new Date('2030-01-01T00:00:00Z'),
      FlexibleTimeWindow: { Mode: 'OFF' }, Target: ecsTarget(),
    }));
    await sched.send(new CreateScheduleCommand({ Name: 'off', ScheduleExpression: 'rate(1 day)', State: 'DISABLED', FlexibleTimeWindow: { Mode: 'OFF' }, Target: ecsTarget() }));
    const list = wharf(['schedules', 'list', '-o', 'json']);
    assert.equal(list.status, 0, list.stderr);
    const rows = (JSON.parse(list.stdout) as { schedules: { Name: string; NextRun?: string }[] }).schedules;
    assert.deepEqual(rows.map((r) => [r.Name, r.NextRun]), [['off', undefined], ['paris-mondays', '2030-01-07T08:00:00.000Z']], 'Monday 7 January 2030, 09:00 CET');
    const table = wharf(['schedules', 'list']);
    assert.match(table.stdout, /paris-mondays\s*│?\s*default\s*│?\s*ENABLED\s*│?\s*cron\(0 9 \? \* MON \*\)\s*│?\s*Europe\/Paris\s*│?\s*2030-01-07T08:00:00\.000Z/);
    const desc = wharf(['schedules', 'describe', 'paris-mondays']);
    assert.equal(desc.status, 0, desc.stderr);
    assert.match(desc.stdout, /next runs:\n  2030-01-07T08:00:00\.000Z\n  2030-01-14T08:00:00\.000Z\n  2030-01-21T08:00:00\.000Z\n  2030-01-28T08:00:00\.000Z\n  2030-02-04T08:00:00\.000Z\n/);
    for (const n of ['paris-mondays', 'off']) assert.equal(wharf(['schedules', 'delete', n]).status, 0);
    const missing = wharf(['schedules', 'describe', 'off']);
    assert.notEqual(missing.status, 0);
    assert.match(missing.stderr, /ResourceNotFoundException: Schedule off does not exist\./);
  });
});

describe('schedules run ECS tasks (SDK, a real agent)', () => {
  it('SDK errors: ResourceNotFoundException (404) and ValidationException (400)', async () => {
    await rejects(sched.send(new GetScheduleCommand({ Name: 'nope' })), 'ResourceNotFoundException', 'Schedule nope does not exist.');
    await rejects(sched.send(new UpdateScheduleCommand({ Name: 'nope', ScheduleExpression: 'rate(1 day)', FlexibleTimeWindow: { Mode: 'OFF' }, Target: ecsTarget() })),
      'ResourceNotFoundException', 'Schedule nope does not exist.');
    await rejects(sched.send(new CreateScheduleCommand({ Name: 'bad', ScheduleExpression: 'rate(0 minutes)', FlexibleTimeWindow: { Mode: 'OFF' }, Target: ecsTarget() })),
      'ValidationException', 'Invalid Schedule Expression rate(0 minutes).');
    assert.deepEqual((await sched.send(new ListSchedulesCommand({}))).Schedules, []);
  });

  it('a rate() schedule with a flexible time window runs one task inside the window', async () => {
    writeFileSync(clockFile, '0');
    await sched.send(new CreateScheduleCommand({
      Name: 'flex', ScheduleExpression: 'rate(1 hour)', FlexibleTimeWindow: { Mode: 'FLEXIBLE', MaximumWindowInMinutes: 5 }, Target: ecsTarget(),
    }));
    const created = (await sched.send(new GetScheduleCommand({ Name: 'flex' }))).CreationDate!.getTime();
    // The first occurrence is at creation ("starts invoking immediately"); the invocation waits for a
    // random point inside the next 5 minutes. Past the window, it must have run — once.
    setClock(new Date(created + 5 * 60_000 + 2000).toISOString());
    const [task] = await until('the flexible schedule runs its task', async () => { const t = await tasksOf('scheduler/default/flex'); return t.length > 0 ? t : undefined; });
    assert.ok(task.createdAt!.getTime() >= created, 'not before the occurrence');
    assert.ok(task.createdAt!.getTime() <= created + 5 * 60_000 + 10_000, `inside the window: ${task.createdAt!.toISOString()}`);
    assert.equal(task.group, 'family:nightly');
    await sched.send(new DeleteScheduleCommand({ Name: 'flex' }));
    assert.equal((await tasksOf('scheduler/default/flex')).length, 1, 'one occurrence, one task');
  });

  it('cron() in America/New_York runs at 09:00 local across the daylight-saving change', async () => {
    await sched.send(new CreateScheduleCommand({
      Name: 'nine-am', ScheduleExpression: 'cron(0 9 * * ? *)', ScheduleExpressionTimezone: 'America/New_York', FlexibleTimeWindow: { Mode: 'OFF' },
      Target: { ...ecsTarget(), Input: '{"containerOverrides":[{"name":"main","environment":[{"name":"JOB","value":"<aws.scheduler.scheduled-time>"}]}]}' },
    }));
    // Saturday 2027-03-13, EST (UTC-5): 09:00 local is 14:00 UTC.
    setClock('2027-03-13T14:00:01Z');
    const first = await until('the 09:00 EST run', async () => { const t = await tasksOf('scheduler/default/nine-am'); return t.length >= 1 ? t : undefined; });
    assert.equal(first.length, 1);
    const at1 = first[0].createdAt!.toISOString();
    assert.ok(at1 >= '2027-03-13T14:00:00' && at1 < '2027-03-13T14:01:00', `the task started in the 14:00 UTC minute, not ${at1}`);
    const env = first[0].overrides!.containerOverrides![0].environment!;
    assert.deepEqual(env, [{ name: 'JOB', value: '2027-03-13T14:00:00Z' }], 'Input context attributes are filled');
    // Sunday 2027-03-14, clocks went forward at 02:00 local: EDT (UTC-4), 09:00 local is 13:00 UTC.
    setClock('2027-03-14T13:00:01Z');
    const both = await until('the 09:00 EDT run', async () => { const t = await tasksOf('scheduler/default/nine-am'); return t.length >= 2 ? t : undefined; });
    const at2 = both[1].createdAt!.toISOString();
    assert.ok(at2 >= '2027-03-14T13:00:00' && at2 < '2027-03-14T13:01:00', `the task started in the 13:00 UTC minute, not ${at2}`);
    assert.equal(both.length, 2, 'one task per occurrence');
    await sched.send(new DeleteScheduleCommand({ Name: 'nine-am' }));
  });

  it('at() with ActionAfterCompletion DELETE runs once, then the schedule is gone', async () => {
    await sched.send(new CreateScheduleCommand({
      Name: 'once', ScheduleExpression: 'at(2027-03-14T10:30:00)', ScheduleExpressionTimezone: 'America/New_York', FlexibleTimeWindow: { Mode: 'OFF' },
      ActionAfterCompletion: 'DELETE', Target: ecsTarget(),
    }));
    assert.equal((await sched.send(new GetScheduleCommand({ Name: 'once' }))).ActionAfterCompletion, 'DELETE');
    setClock('2027-03-14T14:30:02Z');
    const [task] = await until('the one-time run', async () => { const t = await tasksOf('scheduler/default/once'); return t.length > 0 ? t : undefined; });
    const at = task.createdAt!.toISOString();
    assert.ok(at >= '2027-03-14T14:30:00' && at < '2027-03-14T14:31:00', at);
    await until('the completed schedule is deleted', async () => {
      try { await sched.send(new GetScheduleCommand({ Name: 'once' })); return false; } catch (e) { return (e as Error).name === 'ResourceNotFoundException'; }
    });
    assert.equal((await tasksOf('scheduler/default/once')).length, 1);
  });

  it('Wharf extension: wharf:overlap=skip skips a run while the previous run\'s task still runs, and runs again once it stopped', async () => {
    const tasks = () => tasksOf('scheduler/default/every-minute');
    const base = Date.parse('2027-04-01T00:00:00Z');
    setClock(new Date(base).toISOString());
    await sched.send(new CreateScheduleCommand({
      Name: 'every-minute', ScheduleExpression: 'cron(* * * * ? *)', FlexibleTimeWindow: { Mode: 'OFF' },
      Target: { Arn: clusterArn, RoleArn: role(), EcsParameters: { TaskDefinitionArn: 'long', Tags: [{ 'wharf:overlap': 'skip' }] } },
    }));
    setClock(new Date(base + 60_000 + 1000).toISOString());
    const [first] = await until('the first run', async () => { const t = await tasks(); return t.length > 0 ? t : undefined; });
    await until('the first run is RUNNING', async () => (await server.ecs().send(new DescribeTasksCommand({ cluster, tasks: [first.taskArn!] }))).tasks![0].lastStatus === 'RUNNING', 90_000);
    // The next minute's run is skipped: the first task still runs. A schedule made now runs in the same
    // controller passes, so once its task is there the skipped run would have been too.
    setClock(new Date(base + 120_000 + 1000).toISOString());
    await sched.send(new CreateScheduleCommand({ Name: 'marker', ScheduleExpression: 'rate(1 day)', StartDate: new Date(base + 120_000), FlexibleTimeWindow: { Mode: 'OFF' }, Target: ecsTarget() }));
    await until('the marker schedule\'s task', async () => (await tasksOf('scheduler/default/marker')).length > 0);
    assert.equal((await tasks()).length, 1, 'the overlapping run was skipped');
    await server.ecs().send(new StopTaskCommand({ cluster, task: first.taskArn! }));
    await until('the first run stops', async () => (await server.ecs().send(new DescribeTasksCommand({ cluster, tasks: [first.taskArn!] }))).tasks![0].lastStatus === 'STOPPED', 90_000);
    setClock(new Date(base + 180_000 + 1000).toISOString());
    const both = await until('the next run once the first stopped', async () => { const t = await tasks(); return t.length >= 2 ? t : undefined; });
    assert.equal(both.length, 2);
    await sched.send(new DeleteScheduleCommand({ Name: 'every-minute' }));
    await sched.send(new DeleteScheduleCommand({ Name: 'marker' }));
    await server.ecs().send(new StopTaskCommand({ cluster, task: both[1].taskArn! }));
  });
});
