/**
 * Exactly-once client tokens through the real server (issue 21 §2): 100 concurrent retries of one
 * RunTask token across three container instances create one task set and every reply names it; the
 * same after the server is SIGKILLed between the commit and the reply (the test-only fault point
 * WHARF_TEST_FAULT=RunTask:after-commit); CreateService's token likewise. The interleaving proof (a
 * store double where only the guard keeps it exactly once) is src/api/ecs/run-task.test.ts.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CreateClusterCommand, CreateServiceCommand, ListServicesCommand, ListTasksCommand, RegisterTaskDefinitionCommand, RunTaskCommand, type RunTaskCommandOutput,
} from '@aws-sdk/client-ecs';
import { startServerProcess, type TestServer } from '../support/server.js';
import { ScriptedAgent } from '../support/scripted-agent.js';

const arnsOf = (r: RunTaskCommandOutput) => (r.tasks ?? []).map((t) => t.taskArn!).sort();

async function seed(server: TestServer): Promise<ScriptedAgent[]> {
  const ecs = server.ecs();
  await ecs.send(new CreateClusterCommand({ clusterName: 'tok' }));
  // A static host port: one copy per instance fits, so count 4 on three instances replies with a failure.
  await ecs.send(new RegisterTaskDefinitionCommand({ family: 'fixed', containerDefinitions: [{ name: 'app', image: 'busybox', memory: 64, portMappings: [{ containerPort: 80, hostPort: 8089 }] }] }));
  const token = readFileSync(join(server.dataDir, 'join-token'), 'utf8').trim();
  const agents = ['tok-a', 'tok-b', 'tok-c'].map((h) => new ScriptedAgent(server.endpoint, h, 'tok'));
  for (const a of agents) await a.connect(token);
  return agents;
}

/** 100 concurrent RunTask calls with one token; returns the replies (every call must succeed). */
async function retries(server: TestServer, clientToken: string): Promise<RunTaskCommandOutput[]> {
  const ecs = server.ecs();
  return Promise.all(Array.from({ length: 100 }, () => ecs.send(new RunTaskCommand({ cluster: 'tok', taskDefinition: 'fixed', count: 4, clientToken }))));
}

async function allTasks(server: TestServer): Promise<string[]> {
  return ((await server.ecs().send(new ListTasksCommand({ cluster: 'tok' }))).taskArns ?? []).sort();
}

function assertOneReply(replies: RunTaskCommandOutput[]): void {
  const first = replies[0];
  assert.equal(first.tasks!.length, 3, 'one copy per instance');
  assert.ok(first.failures!.length >= 1 && first.failures!.every((f) => f.reason === 'RESOURCE:PORTS'), JSON.stringify(first.failures));
  for (const r of replies) {
    assert.deepEqual(arnsOf(r), arnsOf(first));
    assert.deepEqual(r.failures, first.failures, 'the replay keeps the original failures');
  }
}

describe('client tokens: exactly once', () => {
  let server: TestServer;
  let agents: ScriptedAgent[] = [];
  before(async () => { server = await startServerProcess(); agents = await seed(server); });
  after(async () => { for (const a of agents) a.close(); if (server) { await server.stop(); server.cleanup(); } });

  it('100 concurrent RunTask retries of one token across three instances: one task set, 100 identical replies', async () => {
    const replies = await retries(server, 'hundred-retries');
    assertOneReply(replies);
    assert.deepEqual(await allTasks(server), arnsOf(replies[0]), 'no task beyond the one set');
  });

  it('a different RunTask under the same token is a ConflictException naming the original tasks, and changes nothing', async () => {
    const before = await allTasks(server);
    // (Debian's AWS CLI 2.9 predates run-task --client-token: the SDK sends it.)
    await assert.rejects(server.ecs().send(new RunTaskCommand({ cluster: 'tok', taskDefinition: 'fixed', count: 1, clientToken: 'hundred-retries' })), (e: Error & { resourceIds?: string[] }) => {
      assert.equal(e.name, 'ConflictException');
      assert.match(e.message, /The provided clientToken is already in use with a different RunTask request/);
      assert.deepEqual([...(e.resourceIds ?? [])].sort(), before, 'resourceIds are the original tasks');
      return true;
    });
    assert.deepEqual(await allTasks(server), before);
  });

  it('CreateService: concurrent retries of one token create one service; a different request under it is refused', async () => {
    const ecs = server.ecs();
    const replies = await Promise.all(Array.from({ length: 20 }, () => ecs.send(new CreateServiceCommand({ cluster: 'tok', serviceName: 'svc-tok', taskDefinition: 'fixed', desiredCount: 0, clientToken: 'svc-token-1' }))));
    for (const r of replies) assert.deepEqual(r.service, replies[0].service);
    assert.deepEqual((await ecs.send(new ListServicesCommand({ cluster: 'tok' }))).serviceArns, [replies[0].service!.serviceArn]);
    await assert.rejects(ecs.send(new CreateServiceCommand({ cluster: 'tok', serviceName: 'svc-tok-2', taskDefinition: 'fixed', desiredCount: 0, clientToken: 'svc-token-1' })),
      (e: Error) => e.name === 'InvalidParameterException' && /not idempotent/.test(e.message));
    assert.equal((await ecs.send(new ListServicesCommand({ cluster: 'tok' }))).serviceArns!.length, 1);
  });
});

describe('client tokens: SIGKILL between commit and reply', () => {
  let server: TestServer;
  let agents: ScriptedAgent[] = [];
  after(async () => { for (const a of agents) a.close(); if (server) { await server.stop(); server.cleanup(); } });

  it('the killed request committed once; after a restart 100 concurrent retries all answer with that task set', async () => {
    server = await startServerProcess({ env: { WHARF_TEST_FAULT: 'RunTask:after-commit' } });
    agents = await seed(server);
    await assert.rejects(server.ecs().send(new RunTaskCommand({ cluster: 'tok', taskDefinition: 'fixed', count: 4, clientToken: 'killed' })),
      'the server dies before it replies');
    await new Promise<void>((resolve) => { if (server.process!.exitCode !== null || server.process!.signalCode !== null) resolve(); else server.process!.once('exit', () => resolve()); });
    assert.equal(server.process!.signalCode, 'SIGKILL');
    for (const a of agents) a.close();
    const dataDir = server.dataDir;
    server = await startServerProcess({ dataDir });
    const committed = await allTasks(server);
    assert.equal(committed.length, 3, 'the transaction before the kill is durable');
    const replies = await retries(server, 'killed');
    assertOneReply(replies);
    assert.deepEqual(arnsOf(replies[0]), committed, 'the retries name the tasks the killed request created');
    assert.deepEqual(await allTasks(server), committed, 'and create none');
  });
});
