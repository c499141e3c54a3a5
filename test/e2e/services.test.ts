/**
 * Services end to end through the real server, with scripted agents (fast, no containers): create,
 * the services-stable waiter, events, rolling updates under minimumHealthyPercent 100, the circuit
 * breaker rolling back a revision that never starts, scale-in with protection, unhealthy replacement,
 * draining, a disconnected instance, DAEMON services, the ServiceDeployment APIs, and deletion.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CreateClusterCommand, RegisterTaskDefinitionCommand, CreateServiceCommand, DescribeServicesCommand, UpdateServiceCommand, DeleteServiceCommand,
  ListServicesCommand, ListTasksCommand, DescribeTasksCommand, UpdateTaskProtectionCommand, GetTaskProtectionCommand, UpdateContainerInstancesStateCommand,
  ListServiceDeploymentsCommand, DescribeServiceDeploymentsCommand, StopServiceDeploymentCommand, TagResourceCommand, ListTagsForResourceCommand,
  ListServicesByNamespaceCommand, RunTaskCommand, type Service,
} from '@aws-sdk/client-ecs';
import { startServerProcess, type TestServer } from '../support/server.js';
import { ScriptedAgent } from '../support/scripted-agent.js';

let server: TestServer;
let token: string;
const agents: ScriptedAgent[] = [];
const C = 'svc';

async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false>, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last ?? v)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function describe1(name: string): Promise<Service> {
  return (await server.ecs().send(new DescribeServicesCommand({ cluster: C, services: [name] }))).services![0];
}

const stable = (s: Service) => s.deployments?.length === 1 && s.runningCount === s.desiredCount && s.deployments[0].rolloutState === 'COMPLETED';

async function waitStable(name: string, ms = 15_000): Promise<Service> {
  let last: Service | undefined;
  try {
    return await waitFor(`${name} stable`, async () => { last = await describe1(name); return stable(last) && last; }, ms);
  } catch (e) {
    throw new Error(`${(e as Error).message}\n${JSON.stringify({ deployments: last?.deployments, events: last?.events?.slice(0, 8) }, null, 1)}`);
  }
}

async function serviceTasks(name: string, desiredStatus: 'RUNNING' | 'STOPPED' = 'RUNNING') {
  const arns = (await server.ecs().send(new ListTasksCommand({ cluster: C, serviceName: name, desiredStatus }))).taskArns!;
  if (arns.length === 0) return [];
  const out = [];
  for (let i = 0; i < arns.length; i += 100) out.push(...(await server.ecs().send(new DescribeTasksCommand({ cluster: C, tasks: arns.slice(i, i + 100), include: ['TAGS'] }))).tasks!);
  return out;
}

const runningOn = (name: string) => agents.flatMap((a) => [...a.running].filter((arn) => a.desired.get(arn)?.family === name));

before(async () => {
  server = await startServerProcess({ env: { WHARF_SERVICE_LOST_AFTER_MS: '1500', WHARF_SERVICE_THROTTLE_BASE_MS: '300', WHARF_LOG_LEVEL: 'warn' } });
  token = readFileSync(join(server.dataDir, 'join-token'), 'utf8').trim();
  const ecs = server.ecs();
  await ecs.send(new CreateClusterCommand({ clusterName: C }));
  for (const [i, az] of [[0, 'local-1a'], [1, 'local-1b'], [2, 'local-1c']] as const) {
    const a = new ScriptedAgent(server.endpoint, `host-${i}`, C, {
      auto: true, az, startMs: 30, stopMs: 30,
      behaviour: (t) => (t.containers[0].image?.startsWith('bad/') ? { kind: 'fail-start', reason: `CannotPullContainerError: pull image manifest has been retried 5 time(s): ${t.containers[0].image}: not found` } : { kind: 'run' }),
    });
    await a.connect(token);
    agents.push(a);
  }
  for (const image of ['web:1', 'web:2', 'web:3']) {
    await ecs.send(new RegisterTaskDefinitionCommand({ family: 'web', containerDefinitions: [{ name: 'app', image, memory: 128, cpu: 128, portMappings: [{ containerPort: 80, hostPort: 0 }] }], tags: [{ key: 'team', value: 'blue' }] }));
  }
  await ecs.send(new RegisterTaskDefinitionCommand({ family: 'web', containerDefinitions: [{ name: 'app', image: 'bad/never:1', memory: 128 }] })); // web:4
  await ecs.send(new RegisterTaskDefinitionCommand({ family: 'node-exporter', containerDefinitions: [{ name: 'x', image: 'exporter:1', memory: 64 }] }));
  await ecs.send(new RegisterTaskDefinitionCommand({ family: 'fixed', containerDefinitions: [{ name: 'x', image: 'fixed:1', memory: 64, portMappings: [{ containerPort: 80, hostPort: 8080 }] }] }));
});

after(async () => {
  for (const a of agents) a.close();
  await server.stop();
  server.cleanup();
});

describe('services with scripted agents', () => {
  it('create-service (AWS CLI), then `aws ecs wait services-stable`; tasks spread over the three AZs', async () => {
    const r = server.aws(['ecs', 'create-service', '--cluster', C, '--service-name', 'web', '--task-definition', 'web:1', '--desired-count', '6',
      '--enable-ecs-managed-tags', '--propagate-tags', 'SERVICE', '--tags', 'key=env,value=test', '--client-token', 'tok-web']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.json.service.status, 'ACTIVE');
    assert.equal(r.json.service.deployments.length, 1);
    assert.equal(r.json.service.deployments[0].rolloutState, 'IN_PROGRESS');
    assert.match(r.json.service.deployments[0].id, /^ecs-svc\/\d{19}$/);
    assert.equal(r.json.service.deploymentConfiguration.minimumHealthyPercent, 100);
    assert.equal(r.json.service.deploymentConfiguration.maximumPercent, 200);
    await waitStable('web');
    const w = server.aws(['ecs', 'wait', 'services-stable', '--cluster', C, '--services', 'web']);
    assert.equal(w.status, 0, w.stderr);
    const tasks = await serviceTasks('web');
    assert.equal(tasks.length, 6);
    const perAz = new Map<string, number>();
    for (const t of tasks) perAz.set(t.availabilityZone!, (perAz.get(t.availabilityZone!) ?? 0) + 1);
    assert.deepEqual([...perAz.values()], [2, 2, 2], 'ECS default: spread across availability zones');
    const t0 = tasks[0];
    assert.equal(t0.group, 'service:web');
    assert.match(t0.startedBy!, /^ecs-svc\/\d{19}$/);
    const tags = Object.fromEntries(t0.tags!.map((t) => [t.key, t.value]));
    assert.deepEqual(tags, { 'aws:ecs:serviceName': 'web', 'aws:ecs:clusterName': C, env: 'test' });
    const s = await describe1('web');
    const msgs = s.events!.map((e) => e.message);
    assert.equal(msgs[0], '(service web) has reached a steady state.');
    assert.ok(msgs.includes(`(service web) (deployment ${s.deployments![0].id}) deployment completed.`), msgs.join('\n'));
    assert.ok(msgs.some((m) => /^\(service web\) has started \d+ tasks: (\(task [0-9a-f]{32}\) ?)+\.$/.test(m!)), msgs.join('\n'));
    assert.ok(s.events!.every((e, i, a) => i === 0 || e.createdAt! <= a[i - 1].createdAt!), 'newest first');
  });

  it('clientToken replays CreateService; a different request under the same name is not idempotent', async () => {
    const again = server.aws(['ecs', 'create-service', '--cluster', C, '--service-name', 'web', '--task-definition', 'web:1', '--desired-count', '6',
      '--enable-ecs-managed-tags', '--propagate-tags', 'SERVICE', '--tags', 'key=env,value=test', '--client-token', 'tok-web']);
    assert.equal(again.status, 0, again.stderr);
    const other = server.aws(['ecs', 'create-service', '--cluster', C, '--service-name', 'web', '--task-definition', 'web:1', '--desired-count', '2']);
    assert.notEqual(other.status, 0);
    assert.match(other.stderr, /InvalidParameterException.*Creation of service was not idempotent/);
  });

  it('bad input gets ECS errors: bad expression, too many strategies, DAEMON with a strategy, unknown service', async () => {
    const ecs = server.ecs();
    await assert.rejects(ecs.send(new CreateServiceCommand({ cluster: C, serviceName: 'x', taskDefinition: 'web:1', desiredCount: 1, placementConstraints: [{ type: 'memberOf', expression: 'attribute:ecs.os-type === linux' }] })), /InvalidParameterException|expression is not valid/);
    await assert.rejects(ecs.send(new CreateServiceCommand({ cluster: C, serviceName: 'x', taskDefinition: 'web:1', desiredCount: 1, placementStrategy: Array(6).fill({ type: 'random' }) })), /at most 5/);
    await assert.rejects(ecs.send(new CreateServiceCommand({ cluster: C, serviceName: 'x', taskDefinition: 'web:1', schedulingStrategy: 'DAEMON', placementStrategy: [{ type: 'random' }] })), /daemon scheduling strategy does not support placement strategies/);
    await assert.rejects(ecs.send(new UpdateServiceCommand({ cluster: C, service: 'nope', desiredCount: 1 })), (e: Error) => e.name === 'ServiceNotFoundException');
    const d = await ecs.send(new DescribeServicesCommand({ cluster: C, services: ['web', 'nope'] }));
    assert.equal(d.failures![0].reason, 'MISSING');
    await assert.rejects(ecs.send(new ListServicesByNamespaceCommand({ namespace: 'ns' })), (e: Error) => e.name === 'NamespaceNotFoundException');
  });

  it('UpdateService to a new revision rolls with minimumHealthyPercent 100: never fewer than 6 running', async () => {
    let minRunning = Infinity;
    let maxLive = 0;
    const sampler = setInterval(() => {
      minRunning = Math.min(minRunning, runningOn('web').length);
      maxLive = Math.max(maxLive, agents.reduce((n, a) => n + a.liveDesired().filter((t) => t.family === 'web').length, 0));
    }, 5);
    const before = await describe1('web');
    const u = await server.ecs().send(new UpdateServiceCommand({ cluster: C, service: 'web', taskDefinition: 'web:2' }));
    assert.equal(u.service!.deployments!.length, 2);
    assert.equal(u.service!.deployments![0].status, 'PRIMARY');
    assert.equal(u.service!.deployments![1].status, 'ACTIVE');
    const s = await waitStable('web');
    clearInterval(sampler);
    assert.ok(minRunning >= 6, `running tasks dipped to ${minRunning}`);
    assert.ok(maxLive <= 12, `more than maximumPercent allows: ${maxLive}`);
    assert.match(s.taskDefinition!, /web:2$/);
    const stoppedOld = (await serviceTasks('web', 'STOPPED')).filter((t) => t.startedBy === before.deployments![0].id);
    assert.equal(stoppedOld.length, 6);
    assert.equal(stoppedOld[0].stopCode, 'ServiceSchedulerInitiated');
    assert.equal(stoppedOld[0].stoppedReason, `Scaling activity initiated by (deployment ${before.deployments![0].id})`);
    const w = server.aws(['ecs', 'wait', 'services-stable', '--cluster', C, '--services', 'web']);
    assert.equal(w.status, 0, w.stderr);
  });

  it('a revision that never starts: the circuit breaker fails the deployment and rolls back', async () => {
    await server.ecs().send(new UpdateServiceCommand({ cluster: C, service: 'web', deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true } } }));
    const good = (await describe1('web')).deployments![0].id!;
    const u = await server.ecs().send(new UpdateServiceCommand({ cluster: C, service: 'web', taskDefinition: 'web:4' }));
    const badId = u.service!.deployments![0].id!;
    const s = await waitFor('rollback', async () => { const x = await describe1('web'); return stable(x) && x.deployments![0].id !== badId && x; }, 20_000);
    assert.match(s.taskDefinition!, /web:2$/, 'rolled back to the last COMPLETED task definition');
    assert.equal(s.deployments![0].rolloutStateReason, `ECS deployment ${s.deployments![0].id} completed.`);
    const msgs = s.events!.map((e) => e.message!);
    assert.ok(msgs.includes(`(service web) (deployment ${badId}) deployment failed: tasks failed to start.`), msgs.join('\n'));
    assert.ok(msgs.includes(`(service web) rolling back to deployment ${good}.`), msgs.join('\n'));
    // threshold for desired 6 = clamp(ceil(3), 3, 200) = 3
    const failed = (await serviceTasks('web', 'STOPPED')).filter((t) => t.startedBy === badId && t.stopCode === 'TaskFailedToStart');
    // With maximumPercent 200 all six start at once, so a few more than the threshold may fail before it trips.
    assert.ok(failed.length >= 3 && failed.length <= 9, `failed tasks ${failed.length}`);
    assert.match(failed[0].stoppedReason!, /^CannotPullContainerError/);
    assert.ok(runningOn('web').length >= 6);
    const list = await server.ecs().send(new ListServiceDeploymentsCommand({ cluster: C, service: 'web' }));
    const statuses = list.serviceDeployments!.map((d) => d.status);
    assert.equal(statuses[0], 'SUCCESSFUL');
    assert.ok(statuses.includes('ROLLBACK_SUCCESSFUL'), statuses.join(','));
    const desc = await server.ecs().send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: list.serviceDeployments!.map((d) => d.serviceDeploymentArn!) }));
    const rolled = desc.serviceDeployments!.find((d) => d.status === 'ROLLBACK_SUCCESSFUL')!;
    assert.equal(rolled.deploymentCircuitBreaker?.status, 'TRIGGERED');
    assert.equal(rolled.deploymentCircuitBreaker?.threshold, 3);
  });

  it('StopServiceDeployment rolls an in-progress deployment back', async () => {
    // maximumPercent 117 of 6 = 7 tasks at most: one new task at a time, so the deployment is still in progress when we stop it.
    const u = await server.ecs().send(new UpdateServiceCommand({ cluster: C, service: 'web', taskDefinition: 'web:3', deploymentConfiguration: { minimumHealthyPercent: 100, maximumPercent: 117 } }));
    const list = await server.ecs().send(new ListServiceDeploymentsCommand({ cluster: C, service: 'web', status: ['IN_PROGRESS'] }));
    assert.equal(list.serviceDeployments!.length, 1);
    await server.ecs().send(new StopServiceDeploymentCommand({ serviceDeploymentArn: list.serviceDeployments![0].serviceDeploymentArn!, stopType: 'ROLLBACK' }));
    const s = await waitFor('stopped deployment rolled back', async () => { const x = await describe1('web'); return stable(x) && x.deployments![0].id !== u.service!.deployments![0].id && x; });
    assert.match(s.taskDefinition!, /web:2$/);
    await assert.rejects(server.ecs().send(new StopServiceDeploymentCommand({ serviceDeploymentArn: list.serviceDeployments![0].serviceDeploymentArn! })), (e: Error) => e.name === 'ConflictException');
    await server.ecs().send(new UpdateServiceCommand({ cluster: C, service: 'web', deploymentConfiguration: { minimumHealthyPercent: 100, maximumPercent: 200 } }));
  });

  it('scale-in keeps the spread and skips protected tasks', async () => {
    const tasks = await serviceTasks('web');
    const keep = tasks[0];
    const p = await server.ecs().send(new UpdateTaskProtectionCommand({ cluster: C, tasks: [keep.taskArn!], protectionEnabled: true, expiresInMinutes: 60 }));
    assert.equal(p.protectedTasks![0].protectionEnabled, true);
    const g = await server.ecs().send(new GetTaskProtectionCommand({ cluster: C, tasks: [keep.taskArn!] }));
    assert.ok(g.protectedTasks![0].expirationDate!.getTime() > Date.now() + 59 * 60_000);
    await server.ecs().send(new UpdateServiceCommand({ cluster: C, service: 'web', desiredCount: 3 }));
    await waitFor('scaled to 3', async () => { const s = await describe1('web'); return stable(s) && s.runningCount === 3 && runningOn('web').length === 3; });
    const left = await serviceTasks('web');
    assert.ok(left.some((t) => t.taskArn === keep.taskArn), 'the protected task survives scale-in');
    assert.equal(new Set(left.map((t) => t.availabilityZone)).size, 3, 'one per AZ after scale-in');
    await server.ecs().send(new UpdateTaskProtectionCommand({ cluster: C, tasks: [keep.taskArn!], protectionEnabled: false }));
  });

  it('an UNHEALTHY task is replaced and stopped with "Task failed container health checks"', async () => {
    const [victim] = await serviceTasks('web');
    const agent = agents.find((a) => a.desired.has(victim.taskArn!))!;
    agent.setHealth(victim.taskArn!, 'UNHEALTHY');
    await waitFor('victim stopped', async () => {
      const t = (await server.ecs().send(new DescribeTasksCommand({ cluster: C, tasks: [victim.taskArn!] }))).tasks![0];
      return t.lastStatus === 'STOPPED' && t;
    });
    const t = (await server.ecs().send(new DescribeTasksCommand({ cluster: C, tasks: [victim.taskArn!] }))).tasks![0];
    assert.equal(t.stoppedReason, 'Task failed container health checks');
    await waitStable('web');
    assert.equal(runningOn('web').length, 3);
  });

  it('a killed task is replaced', async () => {
    const [victim] = await serviceTasks('web');
    const agent = agents.find((a) => a.desired.has(victim.taskArn!))!;
    const t0 = Date.now();
    agent.exitTask(victim.taskArn!, 137);
    await waitFor('replacement running', async () => runningOn('web').length === 3 && !runningOn('web').includes(victim.taskArn!));
    const ms = Date.now() - t0;
    assert.ok(ms < 5000, `replacement took ${ms} ms`);
    await waitStable('web');
  });

  it('DRAINING an instance moves its service tasks elsewhere within the bounds', async () => {
    // Whichever agent runs a web task (placement spreads them, and the previous test's replacement may
    // have landed anywhere).
    const a = agents.find((x) => x.liveDesired().some((t) => t.family === 'web'));
    assert.ok(a, 'some agent runs a web task');
    let minRunning = Infinity;
    const sampler = setInterval(() => { minRunning = Math.min(minRunning, runningOn('web').length); }, 5);
    await server.ecs().send(new UpdateContainerInstancesStateCommand({ cluster: C, containerInstances: [a.arn], status: 'DRAINING' }));
    await waitFor('drained', async () => a.liveDesired().filter((t) => t.family === 'web').length === 0 && runningOn('web').length === 3);
    clearInterval(sampler);
    assert.ok(minRunning >= 3, `dipped to ${minRunning} while draining`);
    await waitStable('web');
    await server.ecs().send(new UpdateContainerInstancesStateCommand({ cluster: C, containerInstances: [a.arn], status: 'ACTIVE' }));
  });

  it('an instance whose agent stays away past the grace period has its tasks replaced; the surplus stops when it returns', async () => {
    const b = agents.find((x) => x.liveDesired().some((t) => t.family === 'web'))!;
    const onB = b.liveDesired().filter((t) => t.family === 'web').map((t) => t.taskArn);
    b.close();
    const goneAt = Date.now();
    // Within the grace period nothing is replaced (deliberate window: the test is named for the grace period).
    await new Promise((r) => setTimeout(r, 600));
    assert.equal((await serviceTasks('web')).filter((t) => onB.includes(t.taskArn!)).length, onB.length, 'no replacement inside the grace period');
    await waitFor('replaced elsewhere', async () => runningOn('web').filter((arn) => !onB.includes(arn)).length === 3);
    assert.ok(Date.now() - goneAt >= 1400);
    await b.connect(token);
    await waitFor('surplus stopped on return', async () => onB.every((arn) => b.stopped.has(arn)));
    const s = await waitStable('web');
    assert.equal(s.runningCount, 3);
    assert.equal(runningOn('web').length, 3);
  });

  it('percentages that make progress impossible produce ECS\'s event, once', async () => {
    await server.ecs().send(new UpdateServiceCommand({ cluster: C, service: 'web', deploymentConfiguration: { minimumHealthyPercent: 100, maximumPercent: 100 }, forceNewDeployment: true }));
    const msg = '(service web) was unable to stop or start tasks during a deployment because of the service deployment configuration. Update the minimumHealthyPercent or maximumPercent value and try again.';
    await waitFor('stuck event', async () => (await describe1('web')).events!.some((e) => e.message === msg));
    // Deliberate: the test is named "once" — a window in which the event must not repeat.
    await new Promise((r) => setTimeout(r, 500));
    assert.equal((await describe1('web')).events!.filter((e) => e.message === msg).length, 1, 'not flooded');
    await server.ecs().send(new UpdateServiceCommand({ cluster: C, service: 'web', deploymentConfiguration: { minimumHealthyPercent: 50, maximumPercent: 100 } }));
    await waitStable('web');
  });

  it('placement: memberOf with the cluster query language, distinctInstance, and ECS\'s unable-to-place event', async () => {
    const ecs = server.ecs();
    await ecs.send(new CreateServiceCommand({ cluster: C, serviceName: 'pinned', taskDefinition: 'web:1', desiredCount: 2, placementConstraints: [{ type: 'memberOf', expression: 'attribute:ecs.availability-zone in [local-1a, local-1b] and not(task:group == service:nobody)' }] }));
    await waitStable('pinned');
    assert.ok((await serviceTasks('pinned')).every((t) => ['local-1a', 'local-1b'].includes(t.availabilityZone!)));
    await ecs.send(new CreateServiceCommand({ cluster: C, serviceName: 'ports', taskDefinition: 'fixed', desiredCount: 4, placementConstraints: [{ type: 'distinctInstance' }] }));
    const s = await waitFor('unable to place', async () => { const x = await describe1('ports'); return x.runningCount === 3 && x.events!.some((e) => /was unable to place a task because no container instance met all of its requirements/.test(e.message!)) && x; });
    assert.equal(s.pendingCount, 0);
    await ecs.send(new DeleteServiceCommand({ cluster: C, service: 'ports', force: true }));
    await ecs.send(new DeleteServiceCommand({ cluster: C, service: 'pinned', force: true }));
  });

  it('DAEMON: one task per instance', async () => {
    const r = await server.ecs().send(new CreateServiceCommand({ cluster: C, serviceName: 'exporter', taskDefinition: 'node-exporter', schedulingStrategy: 'DAEMON' }));
    assert.equal(r.service!.deploymentConfiguration!.minimumHealthyPercent, 0);
    assert.equal(r.service!.deploymentConfiguration!.maximumPercent, 100);
    const s = await waitStable('exporter');
    assert.equal(s.desiredCount, 3);
    const tasks = await serviceTasks('exporter');
    assert.equal(new Set(tasks.map((t) => t.containerInstanceArn)).size, 3);
  });

  it('ListServices pages by 10 by default; services and tasks can be tagged', async () => {
    for (let i = 0; i < 11; i++) await server.ecs().send(new CreateServiceCommand({ cluster: C, serviceName: `idle-${String(i).padStart(2, '0')}`, taskDefinition: 'web:1', desiredCount: 0 }));
    const p1 = await server.ecs().send(new ListServicesCommand({ cluster: C }));
    assert.equal(p1.serviceArns!.length, 10);
    assert.ok(p1.nextToken);
    const arn = (await describe1('web')).serviceArn!;
    await server.ecs().send(new TagResourceCommand({ resourceArn: arn, tags: [{ key: 'owner', value: 'me' }] }));
    const tags = await server.ecs().send(new ListTagsForResourceCommand({ resourceArn: arn }));
    assert.ok(tags.tags!.some((t) => t.key === 'owner'));
    const [task] = await serviceTasks('web');
    await server.ecs().send(new TagResourceCommand({ resourceArn: task.taskArn!, tags: [{ key: 'k', value: 'v' }] }));
    assert.ok((await server.ecs().send(new ListTagsForResourceCommand({ resourceArn: task.taskArn! }))).tags!.some((t) => t.key === 'k'));
  });

  it('RunTask uses the scheduler too: memberOf with the query language', async () => {
    const r = await server.ecs().send(new RunTaskCommand({ cluster: C, taskDefinition: 'node-exporter', count: 2, placementConstraints: [{ type: 'memberOf', expression: "attribute:ecs.availability-zone == 'local-1c'" }] }));
    assert.equal(r.tasks!.length, 2);
    assert.ok(r.tasks!.every((t) => t.availabilityZone === 'local-1c'));
    await assert.rejects(server.ecs().send(new RunTaskCommand({ cluster: C, taskDefinition: 'node-exporter', placementConstraints: [{ type: 'memberOf', expression: 'attribute:x ==' }] })), /expression is not valid/);
  });

  it('DeleteService: refused above zero without force; with force it drains to INACTIVE (`wait services-inactive`)', async () => {
    await assert.rejects(server.ecs().send(new DeleteServiceCommand({ cluster: C, service: 'web' })), /cannot be stopped while it is scaled above 0/);
    const d = await server.ecs().send(new DeleteServiceCommand({ cluster: C, service: 'web', force: true }));
    assert.equal(d.service!.status, 'DRAINING');
    await waitFor('inactive', async () => (await describe1('web')).status === 'INACTIVE');
    const w = server.aws(['ecs', 'wait', 'services-inactive', '--cluster', C, '--services', 'web']);
    assert.equal(w.status, 0, w.stderr);
    assert.equal(runningOn('web').length, 0);
    assert.ok(!(await server.ecs().send(new ListServicesCommand({ cluster: C, maxResults: 100 }))).serviceArns!.some((a) => a.endsWith('/web')));
  });
});
