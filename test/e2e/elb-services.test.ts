/**
 * Issue 5 §3 end to end: a service of three real tasks behind a Wharf load balancer (HAProxy).
 * Targets are registered when tasks run, requests through the load balancer reach all three, a rolling
 * deployment under steady load from 127.0.0.1 fails no request, a task failing ELB health checks is
 * replaced with ECS's reason, and the deregistration delay is honoured (DEACTIVATING while draining).
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request, Agent } from 'node:http';
import {
  CreateClusterCommand, RegisterTaskDefinitionCommand, CreateServiceCommand, DescribeServicesCommand, UpdateServiceCommand, ListTasksCommand,
  DescribeTasksCommand, type Service, type Task,
} from '@aws-sdk/client-ecs';
import {
  ElasticLoadBalancingV2Client, CreateTargetGroupCommand, CreateLoadBalancerCommand, CreateListenerCommand, DescribeTargetHealthCommand,
  ModifyTargetGroupAttributesCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { startServerProcess, type TestServer } from '../support/server.js';
import { startAgent, type AgentProcess, removeClusterContainers } from '../support/agent-process.js';
import { buildBusyboxImage, loadIntoRuntime } from '../support/images.js';
import { execInContainer } from '../support/runtime.js';

const cluster = `elbsvc-${process.pid}`;
let server: TestServer;
let agent: AgentProcess;
let elb: ElasticLoadBalancingV2Client;
let image: string;
let tgArn: string;
let lbPort: number;
const work = mkdtempSync(join(tmpdir(), 'wharf-elbsvc-'));

const freePort = () => new Promise<number>((res) => { const s = createServer().listen(0, '127.0.0.1', () => { const p = (s.address() as { port: number }).port; s.close(() => res(p)); }); });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false>, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    const v = await fn().catch((e) => { last = e; return undefined; });
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (${String(last ?? '')})`);
    await sleep(250);
  }
}

const webDef = (version: string) => ({
  family: 'lbweb',
  containerDefinitions: [{
    name: 'web', image, memory: 32, essential: true,
    command: ['sh', '-c', `mkdir -p /www && echo "${version} $(hostname)" > /www/index.html && exec httpd -f -p 8080 -h /www`],
    portMappings: [{ containerPort: 8080, hostPort: 0 }],
  }],
});

before(async () => {
  server = await startServerProcess();
  elb = new ElasticLoadBalancingV2Client({ endpoint: server.endpoint, region: 'us-east-1', credentials: server.credentials });
  const built = await buildBusyboxImage(join(work, 'img'));
  image = await loadIntoRuntime(built.layoutDir, 'wharf-e2e/lbweb:1');
  await server.ecs().send(new CreateClusterCommand({ clusterName: cluster }));
  agent = await startAgent(server, { cluster, name: 'lb', cpu: 4096, memory: 2048, stopTimeout: 2 });
  const tg = (await elb.send(new CreateTargetGroupCommand({ Name: 'lbweb', Protocol: 'HTTP', Port: 8080, VpcId: 'vpc-local', HealthCheckIntervalSeconds: 5, HealthCheckTimeoutSeconds: 2, HealthyThresholdCount: 2, UnhealthyThresholdCount: 2 }))).TargetGroups![0];
  tgArn = tg.TargetGroupArn!;
  await elb.send(new ModifyTargetGroupAttributesCommand({ TargetGroupArn: tgArn, Attributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: '3' }] }));
  const lb = (await elb.send(new CreateLoadBalancerCommand({ Name: 'lbweb', Subnets: ['subnet-a', 'subnet-b'] }))).LoadBalancers![0];
  lbPort = await freePort();
  await elb.send(new CreateListenerCommand({ LoadBalancerArn: lb.LoadBalancerArn, Protocol: 'HTTP', Port: lbPort, DefaultActions: [{ Type: 'forward', TargetGroupArn: tgArn }] }));
});

after(async () => {
  await agent?.kill('SIGKILL');
  agent?.cleanup();
  await removeClusterContainers(cluster);
  await server?.stop();
  server?.cleanup();
  rmSync(work, { recursive: true, force: true });
});

const describeService = async (): Promise<Service> => (await server.ecs().send(new DescribeServicesCommand({ cluster, services: ['lbweb'] }))).services![0];
const serviceTasks = async (desiredStatus: 'RUNNING' | 'STOPPED' = 'RUNNING'): Promise<Task[]> => {
  const arns = (await server.ecs().send(new ListTasksCommand({ cluster, serviceName: 'lbweb', desiredStatus }))).taskArns ?? [];
  return arns.length ? (await server.ecs().send(new DescribeTasksCommand({ cluster, tasks: arns }))).tasks ?? [] : [];
};
const healthyTargets = async () => ((await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tgArn }))).TargetHealthDescriptions ?? []).filter((d) => d.TargetHealth?.State === 'healthy');

function get(path = '/', agentOpt?: Agent): Promise<{ status: number; body: string }> {
  return new Promise((res, rej) => {
    const req = request({ host: '127.0.0.1', port: lbPort, path, agent: agentOpt, timeout: 5000 }, (r) => {
      let body = '';
      r.on('data', (c) => { body += c; });
      r.on('end', () => res({ status: r.statusCode ?? 0, body }));
    });
    req.on('error', rej);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end();
  });
}

describe('a service behind the load balancer', () => {
  it('three tasks register as targets, become healthy, and answer through the load balancer', async () => {
    const def = (await server.ecs().send(new RegisterTaskDefinitionCommand(webDef('v1') as never))).taskDefinition!;
    await server.ecs().send(new CreateServiceCommand({
      cluster, serviceName: 'lbweb', taskDefinition: def.taskDefinitionArn, desiredCount: 3, healthCheckGracePeriodSeconds: 5,
      loadBalancers: [{ targetGroupArn: tgArn, containerName: 'web', containerPort: 8080 }],
    }));
    await waitFor('3 healthy targets and a stable service', async () => {
      const s = await describeService();
      return (await healthyTargets()).length === 3 && s.deployments?.length === 1 && s.runningCount === 3 && s.deployments[0].rolloutState === 'COMPLETED';
    }, 90_000);
    const hosts = new Set<string>();
    for (let i = 0; i < 30 && hosts.size < 3; i++) {
      const r = await get();
      assert.equal(r.status, 200);
      assert.match(r.body, /^v1 /);
      hosts.add(r.body.trim());
    }
    assert.equal(hosts.size, 3, 'requests reach all three tasks');
    const events = (await describeService()).events!.map((e) => e.message!);
    assert.ok(events.some((m) => m.startsWith('(service lbweb) registered') && m.includes(`(target-group ${tgArn})`)), events.join('\n'));
    assert.ok(events.some((m) => m === '(service lbweb) has reached a steady state.'));
  });

  it('a rolling deployment under steady load fails no request; old tasks drain (DEACTIVATING) before they stop', async () => {
    const def2 = (await server.ecs().send(new RegisterTaskDefinitionCommand(webDef('v2') as never))).taskDefinition!;
    const keepAlive = new Agent({ keepAlive: true, maxSockets: 4 });
    let ok = 0, failed = 0;
    const errors: string[] = [];
    let running = true;
    const load = (async () => {
      while (running) {
        try {
          const r = await get('/', keepAlive);
          if (r.status === 200) ok++; else { failed++; errors.push(`HTTP ${r.status}`); }
        } catch (e) { failed++; errors.push((e as Error).message); }
        await sleep(20);
      }
    })();
    await server.ecs().send(new UpdateServiceCommand({ cluster, service: 'lbweb', taskDefinition: def2.taskDefinitionArn }));
    let sawDeactivating = false;
    await waitFor('the deployment to complete with v2 serving', async () => {
      const stopping = await serviceTasks('STOPPED');
      if (stopping.some((t) => t.lastStatus === 'DEACTIVATING')) sawDeactivating = true;
      const s = await describeService();
      if (!(s.deployments?.length === 1 && s.deployments[0].taskDefinition === def2.taskDefinitionArn && s.runningCount === 3 && s.deployments[0].rolloutState === 'COMPLETED')) return false;
      return (await healthyTargets()).length === 3;
    }, 120_000);
    await sleep(500);
    running = false;
    await load;
    keepAlive.destroy();
    assert.equal(failed, 0, `failed ${failed} of ${ok + failed}: ${errors.slice(0, 5).join('; ')}`);
    assert.ok(ok > 50, `the load generator ran (${ok} requests)`);
    assert.ok(sawDeactivating, 'old tasks showed DEACTIVATING while their targets drained');
    for (let i = 0; i < 6; i++) assert.match((await get()).body, /^v2 /);
    const events = (await describeService()).events!.map((e) => e.message!);
    assert.ok(events.some((m) => m === '(service lbweb) has begun draining connections on 1 tasks.' || /has begun draining connections on \d+ tasks\./.test(m)), events.join('\n'));
    assert.ok(events.some((m) => m.startsWith('(service lbweb) deregistered')));
  });

  it('a task failing ELB health checks is taken out of rotation and replaced with ECS\'s reason', async () => {
    const [victim] = await serviceTasks();
    const id = victim.containers![0].runtimeId!;
    // Its web root disappears: HAProxy's checks get 404 → unhealthy (Target.ResponseCodeMismatch).
    await execInContainer(id, ['rm', '-f', '/www/index.html']);
    const stopped = await waitFor('the unhealthy task to be replaced', async () => {
      const t = (await server.ecs().send(new DescribeTasksCommand({ cluster, tasks: [victim.taskArn!] }))).tasks![0];
      return t.desiredStatus === 'STOPPED' ? t : undefined;
    }, 90_000);
    assert.equal(stopped.stoppedReason, `Task failed ELB health checks in (target-group ${tgArn})`);
    assert.equal(stopped.stopCode, 'ServiceSchedulerInitiated');
    for (let i = 0; i < 10; i++) assert.equal((await get()).status, 200, 'the unhealthy target gets no traffic');
    await waitFor('three healthy targets again', async () => (await healthyTargets()).length === 3 && (await describeService()).runningCount === 3, 90_000);
  });
});
