/**
 * The control plane's half of issue 3, end to end through the real server: a scripted agent speaks the
 * agent protocol over a real WebSocket, and the AWS CLI and SDK see container instances and tasks move
 * through ECS's lifecycle. (The real agent with real containers meets this in test/e2e/run-task.test.ts.)
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';
import {
  CreateClusterCommand, RegisterTaskDefinitionCommand, RunTaskCommand, DescribeTasksCommand, StopTaskCommand, ListTasksCommand,
  DescribeContainerInstancesCommand, ListContainerInstancesCommand, PutAttributesCommand, ListAttributesCommand, DeleteAttributesCommand,
  UpdateContainerInstancesStateCommand, DeregisterContainerInstanceCommand, DeleteClusterCommand, InvalidParameterException,
} from '@aws-sdk/client-ecs';
import { startServerProcess, type TestServer } from '../support/server.js';
import type { ServerMessage, TaskSpec, TaskReport } from '../../src/protocol/agent-messages.js';

let server: TestServer;

/** A scripted agent: registers, records what it is told, reports what the test says. */
class ScriptedAgent {
  ws!: WebSocket;
  arn = '';
  desired = new Map<string, TaskSpec>();
  fullSets = 0;
  /** The highest report seq the server acknowledged (it acks after applying the report). */
  acked = 0;
  private seq = 0;
  private waiters: (() => void)[] = [];
  constructor(readonly hostId: string, readonly cluster: string, readonly resources = { cpu: 4096, memory: 1024, reservedPorts: [22] }) {}

  async connect(token: string): Promise<void> {
    this.ws = new WebSocket(server.endpoint.replace('http', 'ws') + '/agent', { headers: { authorization: `Bearer ${token}` } });
    this.ws.on('message', (d) => {
      const m = JSON.parse(String(d)) as ServerMessage;
      if (m.type === 'registered') this.arn = m.containerInstanceArn;
      if (m.type === 'ack') this.acked = Math.max(this.acked, m.seq);
      if (m.type === 'desired') { if (m.full) this.fullSets++; for (const t of m.tasks) this.desired.set(t.taskArn, t); }
      this.waiters.splice(0).forEach((w) => w());
    });
    await new Promise<void>((res, rej) => { this.ws.once('open', () => res()); this.ws.once('error', rej); this.ws.once('unexpected-response', (_q, r) => rej(new Error(`HTTP ${r.statusCode}`))); });
    this.ws.send(JSON.stringify({
      type: 'register', protocol: 1, cluster: this.cluster, hostId: this.hostId, resources: this.resources,
      attributes: [{ name: 'ecs.availability-zone', value: 'local-1a' }, { name: 'ecs.os-type', value: 'linux' }],
      versionInfo: { agentVersion: '0.1.0', dockerVersion: 'podman 4.3.1' },
    }));
    await this.until(() => this.arn !== '');
  }

  async until(cond: () => boolean, ms = 5000, what = 'the server'): Promise<void> {
    const deadline = Date.now() + ms;
    while (!cond()) {
      if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
      await new Promise<void>((r) => { this.waiters.push(r); setTimeout(r, 50); });
    }
  }

  /** Sends a report; returns its seq (`acked >= seq` once the server has applied it). */
  report(tasks: TaskReport[]): number {
    this.ws.send(JSON.stringify({ type: 'report', seq: ++this.seq, tasks }));
    return this.seq;
  }

  close(): void { this.ws.close(); }
}

let token: string;
before(async () => {
  server = await startServerProcess();
  token = readFileSync(join(server.dataDir, 'join-token'), 'utf8').trim();
  const ecs = server.ecs();
  await ecs.send(new CreateClusterCommand({ clusterName: 'c1' }));
  await ecs.send(new RegisterTaskDefinitionCommand({
    family: 'web', containerDefinitions: [{ name: 'app', image: 'busybox', memory: 256, cpu: 512, portMappings: [{ containerPort: 8080, hostPort: 0 }], essential: true }],
  }));
  await ecs.send(new RegisterTaskDefinitionCommand({
    family: 'fixed', containerDefinitions: [{ name: 'app', image: 'busybox', memory: 128, portMappings: [{ containerPort: 80, hostPort: 8081 }] }],
  }));
});
after(async () => { await server.stop(); server.cleanup(); });

describe('agent gateway and task lifecycle', () => {
  let a: ScriptedAgent;

  it('rejects an agent without the join token', async () => {
    const bad = new ScriptedAgent('h0', 'c1');
    await assert.rejects(bad.connect('wrong-token'), /401/);
  });

  it('RunTask with no container instances is refused as ECS does', async () => {
    await assert.rejects(server.ecs().send(new RunTaskCommand({ cluster: 'c1', taskDefinition: 'web' })), (e: Error) => e instanceof InvalidParameterException && /No Container Instances/.test(e.message));
  });

  it('an agent registers its host as a container instance', async () => {
    a = new ScriptedAgent('host-a', 'c1');
    await a.connect(token);
    assert.match(a.arn, /^arn:aws:ecs:us-east-1:000000000000:container-instance\/c1\/[0-9a-f]{32}$/);
    const out = await server.ecs().send(new DescribeContainerInstancesCommand({ cluster: 'c1', containerInstances: [a.arn, 'nope'] }));
    const ci = out.containerInstances![0];
    assert.equal(ci.ec2InstanceId, 'host-a');
    assert.equal(ci.status, 'ACTIVE');
    assert.equal(ci.agentConnected, true);
    assert.equal(ci.registeredResources?.find((r) => r.name === 'CPU')?.integerValue, 4096);
    assert.equal(ci.remainingResources?.find((r) => r.name === 'MEMORY')?.integerValue, 1024);
    assert.equal(out.failures?.[0].reason, 'MISSING');
    assert.equal(a.fullSets, 1, 'the agent gets its (empty) full desired set on connect');
  });

  it('RunTask places the task and the agent is told; reports move it to RUNNING', async () => {
    const run = await server.ecs().send(new RunTaskCommand({ cluster: 'c1', taskDefinition: 'web', startedBy: 'tester', group: 'g1' }));
    assert.deepEqual(run.failures, []);
    const t = run.tasks![0];
    assert.equal(t.containerInstanceArn, a.arn);
    assert.equal(t.lastStatus, 'PENDING');
    assert.equal(t.desiredStatus, 'RUNNING');
    assert.equal(t.group, 'g1');
    await a.until(() => a.desired.has(t.taskArn!));
    const spec = a.desired.get(t.taskArn!)!;
    assert.equal(spec.containers[0].image, 'busybox');
    assert.equal(spec.desiredStatus, 'RUNNING');

    const now = Date.now();
    a.report([{ taskArn: t.taskArn!, lastStatus: 'RUNNING', pullStartedAt: now - 50, pullStoppedAt: now - 20, startedAt: now, containers: [{ name: 'app', lastStatus: 'RUNNING', runtimeId: 'abc123', imageDigest: 'sha256:00', networkBindings: [{ bindIP: '0.0.0.0', containerPort: 8080, hostPort: 32768, protocol: 'tcp' }] }] }]);
    await waitTask(t.taskArn!, (x) => x.lastStatus === 'RUNNING');
    const d = (await server.ecs().send(new DescribeTasksCommand({ cluster: 'c1', tasks: [t.taskArn!] }))).tasks![0];
    assert.equal(d.containers![0].runtimeId, 'abc123');
    assert.equal(d.containers![0].networkBindings![0].hostPort, 32768);
    assert.ok(d.startedAt && d.pullStartedAt && d.createdAt);
    assert.ok((d.version ?? 0) > (t.version ?? 0), 'version increments with each state change');

    const wait = server.aws(['ecs', 'wait', 'tasks-running', '--cluster', 'c1', '--tasks', t.taskArn!]);
    assert.equal(wait.status, 0, wait.stderr);
    const remaining = (await server.ecs().send(new DescribeContainerInstancesCommand({ cluster: 'c1', containerInstances: [a.arn] }))).containerInstances![0].remainingResources!;
    assert.equal(remaining.find((r) => r.name === 'MEMORY')?.integerValue, 1024 - 256);
    assert.equal(remaining.find((r) => r.name === 'CPU')?.integerValue, 4096 - 512);
  });

  it('a backward status report is ignored', async () => {
    const arns = (await server.ecs().send(new ListTasksCommand({ cluster: 'c1' }))).taskArns!;
    const seq = a.report([{ taskArn: arns[0], lastStatus: 'PENDING', containers: [{ name: 'app', lastStatus: 'PENDING' }] }]);
    await a.until(() => a.acked >= seq, 5000, 'the server to apply (ack) the backward report');
    const d = (await server.ecs().send(new DescribeTasksCommand({ cluster: 'c1', tasks: arns }))).tasks![0];
    assert.equal(d.lastStatus, 'RUNNING');
    assert.equal(d.containers![0].lastStatus, 'RUNNING');
  });

  it('resources that do not fit give ECS failures with a reason; static host ports conflict', async () => {
    const run = await server.ecs().send(new RunTaskCommand({ cluster: 'c1', taskDefinition: 'web', count: 5 }));
    // 1024 MiB, 256 used; each task needs 256: three more fit, two fail on memory.
    assert.equal(run.tasks!.length, 3);
    assert.equal(run.failures!.length, 1);
    assert.equal(run.failures![0].reason, 'RESOURCE:MEMORY');
    assert.equal(run.failures![0].arn, a.arn);
    for (const t of run.tasks!) await server.ecs().send(new StopTaskCommand({ cluster: 'c1', task: t.taskArn! }));
    for (const t of run.tasks!) a.report([{ taskArn: t.taskArn!, lastStatus: 'STOPPED', containers: [{ name: 'app', lastStatus: 'STOPPED', exitCode: 143 }] }]);
    await waitTask(run.tasks![2].taskArn!, (x) => x.lastStatus === 'STOPPED');
    const p1 = await server.ecs().send(new RunTaskCommand({ cluster: 'c1', taskDefinition: 'fixed' }));
    assert.equal(p1.tasks!.length, 1);
    const p2 = await server.ecs().send(new RunTaskCommand({ cluster: 'c1', taskDefinition: 'fixed' }));
    assert.equal(p2.tasks!.length, 0);
    assert.equal(p2.failures![0].reason, 'RESOURCE:PORTS');
    await server.ecs().send(new StopTaskCommand({ cluster: 'c1', task: p1.tasks![0].taskArn! }));
    a.report([{ taskArn: p1.tasks![0].taskArn!, lastStatus: 'STOPPED', containers: [{ name: 'app', lastStatus: 'STOPPED' }] }]);
    await waitTask(p1.tasks![0].taskArn!, (x) => x.lastStatus === 'STOPPED');
  });

  it('clientToken makes RunTask idempotent', async () => {
    const first = await server.ecs().send(new RunTaskCommand({ cluster: 'c1', taskDefinition: 'web', clientToken: 'tok-1' }));
    const again = await server.ecs().send(new RunTaskCommand({ cluster: 'c1', taskDefinition: 'web', clientToken: 'tok-1' }));
    assert.equal(again.tasks![0].taskArn, first.tasks![0].taskArn);
    await assert.rejects(server.ecs().send(new RunTaskCommand({ cluster: 'c1', taskDefinition: 'web', clientToken: 'tok-1', count: 2 })), (e: Error) => e.name === 'ConflictException');
  });

  it('StopTask sets the desired side; the agent is told and its STOPPED report releases resources', async () => {
    const [arn] = (await server.ecs().send(new ListTasksCommand({ cluster: 'c1', startedBy: 'tester' }))).taskArns!;
    const stop = await server.ecs().send(new StopTaskCommand({ cluster: 'c1', task: arn, reason: 'done testing' }));
    assert.equal(stop.task?.desiredStatus, 'STOPPED');
    assert.equal(stop.task?.lastStatus, 'RUNNING');
    await a.until(() => a.desired.get(arn)?.desiredStatus === 'STOPPED');
    a.report([{ taskArn: arn, lastStatus: 'STOPPED', executionStoppedAt: Date.now(), containers: [{ name: 'app', lastStatus: 'STOPPED', exitCode: 0 }] }]);
    const wait = server.aws(['ecs', 'wait', 'tasks-stopped', '--cluster', 'c1', '--tasks', arn]);
    assert.equal(wait.status, 0, wait.stderr);
    const d = (await server.ecs().send(new DescribeTasksCommand({ cluster: 'c1', tasks: [arn] }))).tasks![0];
    assert.equal(d.stopCode, 'UserInitiated');
    assert.equal(d.stoppedReason, 'done testing');
    assert.equal(d.containers![0].exitCode, 0);
    assert.ok(d.stoppedAt && d.stoppingAt);
    const stopped = await server.ecs().send(new ListTasksCommand({ cluster: 'c1', desiredStatus: 'STOPPED' }));
    assert.ok(stopped.taskArns!.includes(arn), 'STOPPED tasks stay listable');
  });

  it('an agent that reconnects gets its whole desired set again, keeps its identity', async () => {
    const run = await server.ecs().send(new RunTaskCommand({ cluster: 'c1', taskDefinition: 'web' }));
    const arn = run.tasks![0].taskArn!;
    const firstArn = a.arn;
    a.close();
    await waitInstance(firstArn, (i) => i.agentConnected === false);
    const b = new ScriptedAgent('host-a', 'c1');
    await b.connect(token);
    assert.equal(b.arn, firstArn, 'the same host keeps its container instance');
    await b.until(() => b.desired.has(arn));
    assert.equal(b.fullSets, 1);
    a = b;
  });

  it('attributes, filters, draining and deregistration', async () => {
    const ecs = server.ecs();
    await ecs.send(new PutAttributesCommand({ cluster: 'c1', attributes: [{ name: 'stack', value: 'prod', targetId: a.arn }] }));
    const listed = await ecs.send(new ListAttributesCommand({ cluster: 'c1', targetType: 'container-instance', attributeName: 'stack' }));
    assert.deepEqual(listed.attributes?.map((x) => [x.name, x.value, x.targetId]), [['stack', 'prod', a.arn]]);
    const f1 = await ecs.send(new ListContainerInstancesCommand({ cluster: 'c1', filter: 'attribute:stack == prod and attribute:ecs.availability-zone =~ local-.*' }));
    assert.deepEqual(f1.containerInstanceArns, [a.arn]);
    const f2 = await ecs.send(new ListContainerInstancesCommand({ cluster: 'c1', filter: 'attribute:stack == dev' }));
    assert.deepEqual(f2.containerInstanceArns, []);
    await assert.rejects(ecs.send(new ListContainerInstancesCommand({ cluster: 'c1', filter: 'attribute:stack === prod' })), InvalidParameterException);
    const cli = server.aws(['ecs', 'list-container-instances', '--cluster', 'c1', '--filter', 'agentConnected == true']);
    assert.deepEqual(cli.json.containerInstanceArns, [a.arn]);
    await ecs.send(new DeleteAttributesCommand({ cluster: 'c1', attributes: [{ name: 'stack', targetId: a.arn }] }));
    assert.deepEqual((await ecs.send(new ListAttributesCommand({ cluster: 'c1', targetType: 'container-instance', attributeName: 'stack' }))).attributes, []);

    const drain = await ecs.send(new UpdateContainerInstancesStateCommand({ cluster: 'c1', containerInstances: [a.arn], status: 'DRAINING' }));
    assert.equal(drain.containerInstances![0].status, 'DRAINING');
    const none = await ecs.send(new RunTaskCommand({ cluster: 'c1', taskDefinition: 'web' }));
    assert.equal(none.tasks!.length, 0, 'a DRAINING instance takes no new tasks');
    await ecs.send(new UpdateContainerInstancesStateCommand({ cluster: 'c1', containerInstances: [a.arn], status: 'ACTIVE' }));

    await assert.rejects(ecs.send(new DeregisterContainerInstanceCommand({ cluster: 'c1', containerInstance: a.arn })), InvalidParameterException);
    await assert.rejects(ecs.send(new DeleteClusterCommand({ cluster: 'c1' })), (e: Error) => e.name === 'ClusterContainsTasksException' || e.name === 'ClusterContainsContainerInstancesException');
    const dereg = await ecs.send(new DeregisterContainerInstanceCommand({ cluster: 'c1', containerInstance: a.arn, force: true }));
    assert.equal(dereg.containerInstance?.status, 'INACTIVE');
    const after = await ecs.send(new ListContainerInstancesCommand({ cluster: 'c1' }));
    assert.deepEqual(after.containerInstanceArns, []);
  });
});

async function waitTask(arn: string, pred: (t: { lastStatus?: string }) => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    const t = (await server.ecs().send(new DescribeTasksCommand({ cluster: 'c1', tasks: [arn] }))).tasks?.[0];
    if (t && pred(t)) return;
    if (Date.now() > deadline) throw new Error(`task ${arn} did not reach the expected state: ${JSON.stringify(t)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function waitInstance(arn: string, pred: (i: { agentConnected?: boolean }) => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    const i = (await server.ecs().send(new DescribeContainerInstancesCommand({ cluster: 'c1', containerInstances: [arn] }))).containerInstances?.[0];
    if (i && pred(i)) return;
    if (Date.now() > deadline) throw new Error(`instance ${arn} did not reach the expected state`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
