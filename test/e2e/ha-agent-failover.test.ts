/**
 * An agent that knows two servers (`wharf agent --server A,B`, docs/ha.md) on one etcd: SIGKILL the
 * server it is connected to — the leader, too — and it registers with the other within seconds, resends
 * its state, and its task keeps running in the same container: no replacement, no duplicate.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateClusterCommand, CreateServiceCommand, DescribeContainerInstancesCommand, DescribeServicesCommand, ListContainerInstancesCommand,
  ListTasksCommand, RegisterTaskDefinitionCommand, type Service,
} from '@aws-sdk/client-ecs';
import { startServerProcess, testVpcCidr, type TestServer } from '../support/server.js';
import { startEtcd, type EtcdCluster } from '../support/etcd.js';
import { startAgent, removeClusterContainers, type AgentProcess } from '../support/agent-process.js';
import { buildBusyboxImage, loadIntoRuntime } from '../support/images.js';
import { containersWithLabel } from '../support/runtime.js';
import { until } from '../support/wait.js';

const CLUSTER = 'ha-agents';
let etcd: EtcdCluster;
const servers: TestServer[] = [];
let agent: AgentProcess | undefined;
let imgDir: string;
// Lost-agent grace well above the failover, so a replacement would mean the failover was too slow.
const env = { WHARF_LOG_LEVEL: 'warn', WHARF_DEFAULT_VPC_CIDR: testVpcCidr(), WHARF_SERVICE_LOST_AFTER_MS: '20000', WHARF_SERVICE_THROTTLE_BASE_MS: '300' };

before(async () => { etcd = await startEtcd(); imgDir = mkdtempSync(join(tmpdir(), 'wharf-ha-img-')); });
after(async () => {
  await agent?.kill('SIGKILL');
  agent?.cleanup();
  await removeClusterContainers(CLUSTER);
  for (const s of servers) { await s.stop().catch(() => {}); s.cleanup(); }
  await etcd?.stop();
  rmSync(imgDir, { recursive: true, force: true });
});

const stable = (s: Service | undefined) => !!s && s.deployments?.length === 1 && s.runningCount === s.desiredCount && s.deployments[0]!.rolloutState === 'COMPLETED';

describe('an agent with two servers', () => {
  it('fails over to the other server when its server is killed; its task keeps running, not replaced', async () => {
    const a = await startServerProcess({ extraArgs: ['--store', etcd.storeUrl], env });
    servers.push(a);
    const dataDir = mkdtempSync(join(tmpdir(), 'wharf-test-'));
    copyFileSync(join(a.dataDir, 'admin-credentials.json'), join(dataDir, 'admin-credentials.json'));
    copyFileSync(join(a.dataDir, 'secrets.key'), join(dataDir, 'secrets.key'));
    const b = await startServerProcess({ dataDir, extraArgs: ['--store', etcd.storeUrl], env });
    servers.push(b);

    const built = await buildBusyboxImage(join(imgDir, 'img'));
    const image = await loadIntoRuntime(built.layoutDir, `wharf-ha-e2e/busybox:${built.manifestDigest.slice(7, 19)}`);
    await a.ecs().send(new CreateClusterCommand({ clusterName: CLUSTER }));
    await a.ecs().send(new RegisterTaskDefinitionCommand({ family: 'sleeper', containerDefinitions: [{ name: 'app', image, memory: 32, command: ['sleep', '600'] }] }));
    agent = await startAgent(a, { cluster: CLUSTER, name: 'ha', servers: [a.endpoint, b.endpoint] });
    await until('the agent registered', async () => (await b.ecs().send(new ListContainerInstancesCommand({ cluster: CLUSTER, filter: 'agentConnected == true' }))).containerInstanceArns?.length === 1, 60_000);
    await a.ecs().send(new CreateServiceCommand({ cluster: CLUSTER, serviceName: 'sleeper', taskDefinition: 'sleeper', desiredCount: 1 }));
    const describe1 = async (s: TestServer) => (await s.ecs().send(new DescribeServicesCommand({ cluster: CLUSTER, services: ['sleeper'] }))).services?.[0];
    await until('service sleeper stable', async () => stable(await describe1(b)), 120_000, 500);
    const [taskArn] = (await b.ecs().send(new ListTasksCommand({ cluster: CLUSTER, desiredStatus: 'RUNNING' }))).taskArns!;
    const containers = await containersWithLabel('com.amazonaws.ecs.task-arn', taskArn!, { running: true });
    assert.equal(containers.length, 1, 'one running container for the task');

    // Kill the server the agent talks to (the first of its list), which is also the leader.
    const killedAt = Date.now();
    await a.kill();
    const ci = (await b.ecs().send(new ListContainerInstancesCommand({ cluster: CLUSTER }))).containerInstanceArns!;
    await until('the agent connected to the other server', async () => {
      const d = await b.ecs().send(new DescribeContainerInstancesCommand({ cluster: CLUSTER, containerInstances: ci }));
      const inst = d.containerInstances?.[0];
      // Its log: the lost connection names the other server as next, then a registration as a reconnect.
      const lost = agent!.output.findIndex((l) => l.includes('disconnected from the dispatcher') && l.includes(`"next":"${b.endpoint.replace('http:', 'ws:')}/agent"`));
      const again = lost >= 0 && agent!.output.slice(lost).some((l) => l.includes('"reconnect":true') && l.includes('"msg":"registered"'));
      return again && inst?.agentConnected === true && (inst.runningTasksCount ?? 0) >= 1;
    }, 30_000, 100);
    const failoverMs = Date.now() - killedAt;
    console.log(`agent failover: ${failoverMs} ms from SIGKILL of its server to connected to the other`);
    assert.ok(failoverMs < 10_000, `agent failover took ${failoverMs} ms`);

    // The new leader (B) sees the service stable with the same task, in the same container.
    await until('service sleeper stable under the new leader', async () => stable(await describe1(b)), 30_000, 500);
    const after = (await b.ecs().send(new ListTasksCommand({ cluster: CLUSTER, desiredStatus: 'RUNNING' }))).taskArns!;
    assert.deepEqual(after, [taskArn], 'the same task, not a replacement');
    assert.deepEqual(await containersWithLabel('com.amazonaws.ecs.task-arn', taskArn!, { running: true }), containers, 'the same container, still running');
    assert.equal((await containersWithLabel('com.amazonaws.ecs.cluster', CLUSTER, { running: true })).length, 1, 'no duplicate container in the cluster');
  });
});
