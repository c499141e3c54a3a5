/**
 * Issue 3 end to end, the whole stack: a real `wharf server`, two real `wharf agent`s on this machine
 * (each its own host identity), Podman, an image pushed to Wharf's own registry, and the AWS CLI and
 * SDK driving ECS exactly as a user would.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateClusterCommand, RegisterTaskDefinitionCommand, RunTaskCommand, DescribeTasksCommand, StopTaskCommand, ListContainerInstancesCommand,
  DescribeContainerInstancesCommand, StartTaskCommand, type Task,
} from '@aws-sdk/client-ecs';
import { ECRClient, CreateRepositoryCommand } from '@aws-sdk/client-ecr';
import { startServerProcess, type TestServer } from '../support/server.js';
import { startAgent, type AgentProcess, removeClusterContainers } from '../support/agent-process.js';
import { containersWithLabel } from '../support/runtime.js';
import { buildBusyboxImage, pushToRegistry } from '../support/images.js';

const cluster = `e2e-${process.pid}`;
let server: TestServer;
let agents: AgentProcess[] = [];
let image: string;
const work = mkdtempSync(join(tmpdir(), 'wharf-runtask-'));

before(async () => {
  server = await startServerProcess();
  const ecs = server.ecs();
  await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
  // The image goes through Wharf's own registry: create the repository, push with skopeo.
  const ecr = new ECRClient({ endpoint: server.endpoint, region: 'us-east-1', credentials: server.credentials });
  const repo = await ecr.send(new CreateRepositoryCommand({ repositoryName: 'e2e/busybox' }));
  image = `${repo.repository!.repositoryUri}:1`;
  const built = await buildBusyboxImage(join(work, 'img'));
  await pushToRegistry(built.layoutDir, image, { creds: { username: server.credentials.accessKeyId, password: server.credentials.secretAccessKey } });
  // Two agents on this machine, each with 512 MiB and 1 vCPU to give placement something to decide.
  agents = [
    await startAgent(server, { cluster, name: 'a1', cpu: 1024, memory: 512, availabilityZone: 'local-1a', stopTimeout: 2 }),
    await startAgent(server, { cluster, name: 'a2', cpu: 1024, memory: 512, availabilityZone: 'local-1b', stopTimeout: 2 }),
  ];
  await until(async () => (await ecs.send(new ListContainerInstancesCommand({ cluster, filter: 'agentConnected == true' }))).containerInstanceArns?.length === 2, 60_000, () => `two agents connected within 60 s (an agent takes 3–7 s to start at load 6: Podman answers /version in 1.4 s); agent output:\n${agents.map((a) => a.output.join('\n')).join('\n--\n')}`);
});

after(async () => {
  for (const a of agents) { await a.kill('SIGKILL'); a.cleanup(); }
  await removeClusterContainers(cluster);
  await server.stop();
  server.cleanup();
  rmSync(work, { recursive: true, force: true });
});

async function until(cond: () => Promise<boolean>, ms: number, what: string | (() => string)): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out: ${typeof what === 'string' ? what : what()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function describe1(arn: string): Promise<Task> {
  return (await server.ecs().send(new DescribeTasksCommand({ cluster, tasks: [arn] }))).tasks![0];
}

async function waitStatus(arn: string, status: string, ms = 60_000): Promise<Task> {
  let t: Task | undefined;
  await until(async () => { t = await describe1(arn); return t.lastStatus === status || (status !== 'STOPPED' && t.lastStatus === 'STOPPED'); }, ms, `${arn} → ${status}`);
  if (t!.lastStatus !== status) throw new Error(`task stopped instead of reaching ${status}: ${t!.stopCode} ${t!.stoppedReason} ${JSON.stringify(t!.containers)}`);
  return t!;
}

function containersOf(taskArn: string): Promise<string[]> {
  return containersWithLabel('com.amazonaws.ecs.task-arn', taskArn);
}

describe('RunTask runs real containers', () => {
  it('aws ecs run-task → tasks-running → HTTP on the dynamic host port → stop-task → tasks-stopped', async () => {
    const td = join(work, 'web.json');
    writeFileSync(td, JSON.stringify({
      family: 'web',
      containerDefinitions: [{
        name: 'web', image, memory: 64, essential: true,
        command: ['sh', '-c', 'mkdir -p /www && echo hello-from-wharf > /www/index.html && exec httpd -f -p 8080 -h /www'],
        portMappings: [{ containerPort: 8080, hostPort: 0 }],
      }],
    }));
    assert.equal(server.aws(['ecs', 'register-task-definition', '--cli-input-json', `file://${td}`]).status, 0);
    const run = server.aws(['ecs', 'run-task', '--cluster', cluster, '--task-definition', 'web']);
    assert.equal(run.status, 0, run.stderr);
    const arn = run.json.tasks[0].taskArn as string;
    assert.deepEqual(run.json.failures, []);
    const wait = server.aws(['ecs', 'wait', 'tasks-running', '--cluster', cluster, '--tasks', arn]);
    assert.equal(wait.status, 0, wait.stderr);

    const t = await describe1(arn);
    assert.equal(t.lastStatus, 'RUNNING');
    const c = t.containers![0];
    assert.match(c.runtimeId!, /^[0-9a-f]{64}$/);
    assert.match(c.imageDigest ?? '', /^sha256:[0-9a-f]{64}$/);
    const port = c.networkBindings![0].hostPort!;
    assert.ok(port > 0);
    const body = await (await fetch(`http://127.0.0.1:${port}/`)).text();
    assert.equal(body.trim(), 'hello-from-wharf');
    assert.ok(t.pullStartedAt && t.pullStoppedAt && t.startedAt && t.createdAt);

    const stop = server.aws(['ecs', 'stop-task', '--cluster', cluster, '--task', arn, '--reason', 'e2e done']);
    assert.equal(stop.status, 0, stop.stderr);
    const stopped = server.aws(['ecs', 'wait', 'tasks-stopped', '--cluster', cluster, '--tasks', arn]);
    assert.equal(stopped.status, 0, stopped.stderr);
    const s = await describe1(arn);
    assert.equal(s.stopCode, 'UserInitiated');
    assert.equal(s.stoppedReason, 'e2e done');
    assert.equal(s.containers![0].lastStatus, 'STOPPED');
    assert.ok(s.stoppedAt && s.executionStoppedAt);
    await assert.rejects(fetch(`http://127.0.0.1:${port}/`), 'the container no longer answers');
  });

  it('essential exit, out-of-memory, failing health check and dependsOn, through the SDK', async () => {
    const ecs = server.ecs();
    const reg = async (family: string, containerDefinitions: object[]) =>
      (await ecs.send(new RegisterTaskDefinitionCommand({ family, containerDefinitions: containerDefinitions as never }))).taskDefinition!.taskDefinitionArn!;
    const exitDef = await reg('exits', [{ name: 'main', image, memory: 32, command: ['sh', '-c', 'echo bye; exit 3'] }]);
    const oomDef = await reg('oom', [{ name: 'hog', image, memory: 8, command: ['tail', '/dev/zero'] }]);
    const sickDef = await reg('sick', [{ name: 'app', image, memory: 32, command: ['sleep', '300'], healthCheck: { command: ['CMD-SHELL', 'exit 1'], interval: 5, timeout: 2, retries: 1 } }]);
    const orderDef = await reg('ordered', [
      { name: 'init', image, memory: 16, essential: false, command: ['sh', '-c', 'sleep 1; exit 0'] },
      { name: 'app', image, memory: 16, command: ['sleep', '300'], dependsOn: [{ containerName: 'init', condition: 'SUCCESS' }] },
    ]);
    const [exits, oom, sick, ordered] = await Promise.all([exitDef, oomDef, sickDef, orderDef].map(async (d) =>
      (await ecs.send(new RunTaskCommand({ cluster, taskDefinition: d }))).tasks![0].taskArn!));

    const e = await waitStatus(exits, 'STOPPED');
    assert.equal(e.stopCode, 'EssentialContainerExited');
    assert.equal(e.stoppedReason, 'Essential container in task exited');
    assert.equal(e.containers![0].exitCode, 3);

    const o = await waitStatus(oom, 'STOPPED');
    assert.equal(o.containers![0].reason, 'OutOfMemoryError: Container killed due to memory usage');
    assert.equal(o.containers![0].exitCode, 137);

    await waitStatus(sick, 'RUNNING');
    await until(async () => (await describe1(sick)).healthStatus === 'UNHEALTHY', 30_000, 'health check fails');
    assert.equal((await describe1(sick)).containers![0].healthStatus, 'UNHEALTHY');

    const r = await waitStatus(ordered, 'RUNNING');
    const init = r.containers!.find((c) => c.name === 'init')!;
    assert.equal(init.lastStatus, 'STOPPED', 'app started only after init completed successfully');
    assert.equal(init.exitCode, 0);

    for (const t of [sick, ordered]) await ecs.send(new StopTaskCommand({ cluster, task: t }));
    await Promise.all([sick, ordered].map((t) => waitStatus(t, 'STOPPED')));
  });

  it('placement honours each agent\'s free memory; what does not fit fails with RESOURCE:MEMORY', async () => {
    const ecs = server.ecs();
    const def = (await ecs.send(new RegisterTaskDefinitionCommand({ family: 'big', containerDefinitions: [{ name: 'app', image, memory: 300, command: ['sleep', '300'] }] }))).taskDefinition!;
    const run = await ecs.send(new RunTaskCommand({ cluster, taskDefinition: def.taskDefinitionArn, count: 3 }));
    assert.equal(run.tasks!.length, 2, 'one 300 MiB task fits on each 512 MiB agent');
    assert.equal(new Set(run.tasks!.map((t) => t.containerInstanceArn)).size, 2, 'they land on different instances');
    assert.equal(run.failures!.length, 2);
    assert.ok(run.failures!.every((f) => f.reason === 'RESOURCE:MEMORY'));
    await Promise.all(run.tasks!.map((t) => waitStatus(t.taskArn!, 'RUNNING')));
    for (const t of run.tasks!) await ecs.send(new StopTaskCommand({ cluster, task: t.taskArn! }));
    await Promise.all(run.tasks!.map((t) => waitStatus(t.taskArn!, 'STOPPED')));
  });

  it('SIGKILL of an agent: tasks keep running, the instance shows disconnected, the restarted agent adopts the same containers', async () => {
    const ecs = server.ecs();
    const def = (await ecs.send(new RegisterTaskDefinitionCommand({ family: 'long', containerDefinitions: [{ name: 'app', image, memory: 32, command: ['sleep', '600'] }] }))).taskDefinition!;
    const [inst] = (await ecs.send(new DescribeContainerInstancesCommand({ cluster, containerInstances: (await ecs.send(new ListContainerInstancesCommand({ cluster }))).containerInstanceArns! }))).containerInstances!
      .filter((i) => i.ec2InstanceId !== undefined).slice(0, 1);
    // StartTask on a named instance, so the test knows which agent to kill.
    const started = await ecs.send(new StartTaskCommand({ cluster, taskDefinition: def.taskDefinitionArn!, containerInstances: [inst.containerInstanceArn!] }));
    const arn = started.tasks![0].taskArn!;
    assert.equal(started.tasks![0].containerInstanceArn, inst.containerInstanceArn);
    const before = await waitStatus(arn, 'RUNNING');
    const runtimeId = before.containers![0].runtimeId;
    const agent = agents.find((a) => a.output.some((l) => l.includes(inst.containerInstanceArn!)));
    assert.ok(agent, 'the agent logs the container instance it registered as');
    await agent!.kill('SIGKILL');
    await until(async () => (await ecs.send(new DescribeContainerInstancesCommand({ cluster, containerInstances: [inst.containerInstanceArn!] }))).containerInstances![0].agentConnected === false, 15_000, 'instance disconnected');
    assert.equal((await containersOf(arn)).length, 1, 'the container keeps running while its agent is away');
    await agent!.restart();
    await until(async () => (await ecs.send(new DescribeContainerInstancesCommand({ cluster, containerInstances: [inst.containerInstanceArn!] }))).containerInstances![0].agentConnected === true, 20_000, 'instance reconnected');
    // Deliberate: a window in which a restarted agent that failed to adopt would start a duplicate ("no duplicate started" below).
    await new Promise((r) => setTimeout(r, 2000));
    const after = await describe1(arn);
    assert.equal(after.lastStatus, 'RUNNING');
    assert.equal(after.containers![0].runtimeId, runtimeId, 'the same container, adopted');
    assert.equal((await containersOf(arn)).length, 1, 'no duplicate started');
    await ecs.send(new StopTaskCommand({ cluster, task: arn }));
    await waitStatus(arn, 'STOPPED');
  });

});
