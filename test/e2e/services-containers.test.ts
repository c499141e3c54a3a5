/**
 * Services with real containers: a real `wharf server`, three real `wharf agent`s on this machine,
 * Podman, an image in Wharf's own registry, driven by the AWS CLI and SDK.
 *
 * The zero-downtime test calls the service continuously on its tasks' host ports the way a load
 * balancer would: it keeps the set of RUNNING tasks fresh (every 100 ms) and, like an LB with one
 * retry on a refused connection, retries a request once on another task. With minimumHealthyPercent
 * 100 a request fails only if no task can answer — which must never happen.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateClusterCommand, RegisterTaskDefinitionCommand, DescribeServicesCommand, UpdateServiceCommand, ListTasksCommand, DescribeTasksCommand,
  ListContainerInstancesCommand, DeleteServiceCommand, type Service, type Task,
} from '@aws-sdk/client-ecs';
import { ECRClient, CreateRepositoryCommand } from '@aws-sdk/client-ecr';
import { startServerProcess, type TestServer } from '../support/server.js';
import { startAgent, type AgentProcess, removeClusterContainers } from '../support/agent-process.js';
import { containersWithLabel, killContainer } from '../support/runtime.js';
import { buildBusyboxImage, pushToRegistry } from '../support/images.js';

const cluster = `svc-e2e-${process.pid}`;
let server: TestServer;
let agents: AgentProcess[] = [];
let image: string;
let registryHost: string;
const work = mkdtempSync(join(tmpdir(), 'wharf-services-'));

async function until<T>(what: string, fn: () => Promise<T | false | undefined>, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const describe1 = async (name: string): Promise<Service> => (await server.ecs().send(new DescribeServicesCommand({ cluster, services: [name] }))).services![0];
const stable = (s: Service) => s.deployments?.length === 1 && s.runningCount === s.desiredCount && s.deployments[0].rolloutState === 'COMPLETED';

async function serviceTasks(name: string): Promise<Task[]> {
  const arns = (await server.ecs().send(new ListTasksCommand({ cluster, serviceName: name }))).taskArns!;
  return arns.length ? (await server.ecs().send(new DescribeTasksCommand({ cluster, tasks: arns }))).tasks! : [];
}

function webDef(family: string, body: string) {
  return {
    family,
    containerDefinitions: [{
      name: 'web', image, memory: 32, essential: true,
      command: ['sh', '-c', `mkdir -p /www && echo ${body} > /www/index.html && exec httpd -f -p 8080 -h /www`],
      portMappings: [{ containerPort: 8080, hostPort: 0 }],
    }],
  };
}

before(async () => {
  server = await startServerProcess({ env: { WHARF_LOG_LEVEL: 'warn' } });
  const ecs = server.ecs();
  await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
  const ecr = new ECRClient({ endpoint: server.endpoint, region: 'us-east-1', credentials: server.credentials });
  const repo = await ecr.send(new CreateRepositoryCommand({ repositoryName: 'svc/busybox' }));
  image = `${repo.repository!.repositoryUri}:1`;
  registryHost = repo.repository!.repositoryUri!.split('/')[0];
  const built = await buildBusyboxImage(join(work, 'img'));
  await pushToRegistry(built.layoutDir, image, { creds: { username: server.credentials.accessKeyId, password: server.credentials.secretAccessKey } });
  agents = await Promise.all(['1a', '1b', '1c'].map((az, i) => startAgent(server, { cluster, name: `s${i}`, cpu: 1024, memory: 512, availabilityZone: `local-${az}`, stopTimeout: 2 })));
  await until('three agents connected', async () => (await ecs.send(new ListContainerInstancesCommand({ cluster, filter: 'agentConnected == true' }))).containerInstanceArns?.length === 3);
  await ecs.send(new RegisterTaskDefinitionCommand(webDef('hello', 'v1') as never));
  await ecs.send(new RegisterTaskDefinitionCommand(webDef('hello', 'v2') as never));
  await ecs.send(new RegisterTaskDefinitionCommand({ family: 'hello', containerDefinitions: [{ name: 'web', image: `${registryHost}/svc/does-not-exist:1`, memory: 32 }] }));
});

after(async () => {
  for (const a of agents) { await a.kill('SIGKILL'); a.cleanup(); }
  await removeClusterContainers(cluster);
  await server.stop();
  server.cleanup();
  rmSync(work, { recursive: true, force: true });
});

describe('services run real containers', () => {
  it('aws ecs create-service → aws ecs wait services-stable → every task answers on its host port', async () => {
    const r = server.aws(['ecs', 'create-service', '--cluster', cluster, '--service-name', 'hello', '--task-definition', 'hello:1', '--desired-count', '3']);
    assert.equal(r.status, 0, r.stderr);
    await until('stable', async () => stable(await describe1('hello')), 90_000);
    const w = server.aws(['ecs', 'wait', 'services-stable', '--cluster', cluster, '--services', 'hello']);
    assert.equal(w.status, 0, w.stderr);
    const tasks = await serviceTasks('hello');
    assert.equal(tasks.length, 3);
    assert.equal(new Set(tasks.map((t) => t.containerInstanceArn)).size, 3, 'spread over the three instances (one per AZ)');
    for (const t of tasks) {
      const body = await (await fetch(`http://127.0.0.1:${t.containers![0].networkBindings![0].hostPort}/`)).text();
      assert.equal(body.trim(), 'v1');
    }
  });

  it('UpdateService to a new revision while a client calls the service continuously: no failed request (minimumHealthyPercent 100)', async () => {
    let endpoints: number[] = [];
    const refresh = async () => {
      endpoints = (await serviceTasks('hello')).filter((t) => t.lastStatus === 'RUNNING' && t.desiredStatus === 'RUNNING')
        .map((t) => t.containers![0].networkBindings?.[0]?.hostPort).filter((p): p is number => p !== undefined);
    };
    await refresh();
    let stop = false;
    const refresher = (async () => { while (!stop) { await refresh().catch(() => {}); await new Promise((r) => setTimeout(r, 100)); } })();
    let ok = 0, failed = 0, retried = 0;
    const bodies = new Set<string>();
    const client = (async () => {
      let i = 0;
      while (!stop) {
        let done = false;
        for (let attempt = 0; attempt < 2 && !done; attempt++) {
          const port = endpoints[(i++) % Math.max(1, endpoints.length)];
          try {
            const res = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(2000) });
            bodies.add((await res.text()).trim());
            done = res.ok;
          } catch { if (attempt === 0) retried++; }
        }
        if (done) ok++; else failed++;
      }
    })();
    await server.ecs().send(new UpdateServiceCommand({ cluster, service: 'hello', taskDefinition: 'hello:2' }));
    await until('rolled to v2', async () => { const s = await describe1('hello'); return stable(s) && /hello:2$/.test(s.taskDefinition!); }, 120_000);
    await new Promise((r) => setTimeout(r, 500));
    stop = true;
    await Promise.all([client, refresher]);
    assert.equal(failed, 0, `failed requests: ${failed} of ${ok + failed} (retried ${retried})`);
    assert.ok(ok > 50, `only ${ok} requests made`);
    assert.deepEqual([...bodies].sort(), ['v1', 'v2'], 'served by both revisions during the roll');
    console.log(`# rolling update: ${ok} requests, 0 failed, ${retried} retried once on another task`);
  });

  it('killing a task\'s container: the service replaces it (RUNNING again)', async () => {
    const [victim] = await serviceTasks('hello');
    const t0 = Date.now();
    await killContainer(victim.containers![0].runtimeId!, 'KILL');
    await until('replacement running', async () => {
      const tasks = await serviceTasks('hello');
      return tasks.length === 3 && !tasks.some((t) => t.taskArn === victim.taskArn) && tasks.every((t) => t.lastStatus === 'RUNNING');
    }, 60_000);
    const ms = Date.now() - t0;
    const s = await until('stable', async () => { const x = await describe1('hello'); return stable(x) && x; });
    assert.ok(s.events!.some((e) => /has started 1 tasks/.test(e.message!)));
    console.log(`# kill → replacement RUNNING: ${ms} ms`);
  });

  it('a revision whose image never pulls: the circuit breaker fails the deployment and rolls back', async () => {
    await server.ecs().send(new UpdateServiceCommand({ cluster, service: 'hello', taskDefinition: 'hello:3', deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true } } }));
    const s = await until('rolled back', async () => { const x = await describe1('hello'); return stable(x) && /hello:2$/.test(x.taskDefinition!) && x.events!.some((e) => /deployment failed: tasks failed to start/.test(e.message!)) && x; }, 120_000);
    assert.ok(s.events!.some((e) => /rolling back to deployment/.test(e.message!)));
    const stopped = (await server.ecs().send(new ListTasksCommand({ cluster, serviceName: 'hello', desiredStatus: 'STOPPED' }))).taskArns!;
    const d = (await server.ecs().send(new DescribeTasksCommand({ cluster, tasks: stopped.slice(0, 100) }))).tasks!.filter((t) => /hello:3$/.test(t.taskDefinitionArn!));
    assert.ok(d.length >= 3);
    assert.ok(d.some((t) => /CannotPullContainerError/.test(`${t.stoppedReason} ${t.containers?.[0]?.reason}`)), JSON.stringify(d.map((t) => [t.stopCode, t.stoppedReason, t.containers?.[0]?.reason])));
  });

  it('DRAINING an instance: its tasks start elsewhere first, then stop there (binpack keeps the new ones together)', async () => {
    const ecs = server.ecs();
    await ecs.send(new UpdateServiceCommand({ cluster, service: 'hello', placementStrategy: [{ type: 'binpack', field: 'memory' }] }));
    await until('redeployed with binpack', async () => { const s = await describe1('hello'); return stable(s) && s; }, 90_000);
    const packed = await serviceTasks('hello');
    assert.equal(new Set(packed.map((t) => t.containerInstanceArn)).size, 1, 'binpack on memory puts all three on one instance');
    const drained = packed[0].containerInstanceArn!;
    const { UpdateContainerInstancesStateCommand } = await import('@aws-sdk/client-ecs');
    await ecs.send(new UpdateContainerInstancesStateCommand({ cluster, containerInstances: [drained], status: 'DRAINING' }));
    await until('moved off the draining instance', async () => {
      const tasks = await serviceTasks('hello');
      return tasks.length === 3 && tasks.every((t) => t.containerInstanceArn !== drained && t.lastStatus === 'RUNNING') && stable(await describe1('hello'));
    }, 90_000);
    await ecs.send(new UpdateContainerInstancesStateCommand({ cluster, containerInstances: [drained], status: 'ACTIVE' }));
  });

  it('delete-service --force stops the containers', async () => {
    await server.ecs().send(new DeleteServiceCommand({ cluster, service: 'hello', force: true }));
    await until('inactive', async () => (await describe1('hello')).status === 'INACTIVE', 60_000);
    assert.deepEqual(await containersWithLabel('com.amazonaws.ecs.cluster', cluster, { running: true }), [], 'no container of the service still running');
  });
});
