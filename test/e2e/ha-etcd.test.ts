/**
 * `wharf server --store etcd://…` end to end (docs/ha.md), against a real etcd that the test starts
 * (test/support/etcd.ts): the ECS API and a service's convergence on etcd, and the state outliving the
 * server — another server with an empty data directory finds it in etcd.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateClusterCommand, CreateServiceCommand, DescribeServicesCommand, ListClustersCommand, RegisterTaskDefinitionCommand, type Service } from '@aws-sdk/client-ecs';
import { startServerProcess, testVpcCidr, type TestServer } from '../support/server.js';
import { startEtcd, type EtcdCluster } from '../support/etcd.js';
import { ScriptedAgent } from '../support/scripted-agent.js';
import { until } from '../support/wait.js';
import { EtcdStore } from '../../src/store/etcd/etcd-store.js';

let etcd: EtcdCluster;
const servers: TestServer[] = [];
const agents: ScriptedAgent[] = [];
const vpc = testVpcCidr();
const env = { WHARF_LOG_LEVEL: 'warn', WHARF_DEFAULT_VPC_CIDR: vpc, WHARF_SERVICE_LOST_AFTER_MS: '1500', WHARF_SERVICE_THROTTLE_BASE_MS: '300' };

before(async () => { etcd = await startEtcd(); });
after(async () => {
  for (const a of agents) a.close();
  for (const s of servers) { await s.stop().catch(() => {}); s.cleanup(); }
  await etcd?.stop();
});

const stable = (s: Service | undefined) => !!s && s.deployments?.length === 1 && s.runningCount === s.desiredCount && s.deployments[0]!.rolloutState === 'COMPLETED';

describe('wharf server on etcd', () => {
  it('serves the ECS API and converges a service with its state in etcd; a second server with an empty data directory finds it', async () => {
    const first = await startServerProcess({ extraArgs: ['--store', etcd.storeUrl], env });
    servers.push(first);
    const ecs = first.ecs();
    await ecs.send(new CreateClusterCommand({ clusterName: 'ha' }));
    await ecs.send(new RegisterTaskDefinitionCommand({ family: 'web', containerDefinitions: [{ name: 'app', image: 'web:1', memory: 64 }] }));
    const token = readFileSync(join(first.dataDir, 'join-token'), 'utf8').trim();
    const agent = new ScriptedAgent(first.endpoint, 'host-a', 'ha', { auto: true, startMs: 20, stopMs: 20 });
    await agent.connect(token);
    agents.push(agent);
    await ecs.send(new CreateServiceCommand({ cluster: 'ha', serviceName: 'web', taskDefinition: 'web', desiredCount: 2 }));
    await until('service web stable on the etcd-backed server', async () => stable((await ecs.send(new DescribeServicesCommand({ cluster: 'ha', services: ['web'] }))).services?.[0]), 30_000, 200);
    assert.equal(agent.running.size, 2);

    // The records are in etcd (read with our own client, not through the server).
    const direct = await EtcdStore.connect({ endpoints: etcd.endpoints });
    try {
      const svc = (await direct.range('/ecs/service/')).kvs;
      assert.equal(svc.length, 1, 'one service record in etcd');
      assert.match(svc[0]!.value, /"serviceName":"web"/);
    } finally {
      await direct.close();
    }

    agent.close();
    await first.stop();
    // A new server, a new empty data directory, the same etcd: the admin key is in etcd (only the local
    // credentials file is copied, as an operator copies it to another machine's CLI).
    const dataDir = mkdtempSync(join(tmpdir(), 'wharf-test-'));
    copyFileSync(join(first.dataDir, 'admin-credentials.json'), join(dataDir, 'admin-credentials.json'));
    const second = await startServerProcess({ dataDir, extraArgs: ['--store', etcd.storeUrl], env });
    servers.push(second);
    assert.equal(readFileSync(join(second.dataDir, 'join-token'), 'utf8').trim(), token, 'the join token is shared through etcd');
    const clusters = (await second.ecs().send(new ListClustersCommand({}))).clusterArns ?? [];
    assert.ok(clusters.some((a) => a.endsWith(':cluster/ha')), `cluster ha listed by the second server: ${clusters.join(', ')}`);
    const svc = (await second.ecs().send(new DescribeServicesCommand({ cluster: 'ha', services: ['web'] }))).services?.[0];
    assert.equal(svc?.desiredCount, 2);
    assert.equal(svc?.status, 'ACTIVE');
  });

  it('etcd out of reach: the API answers 503 ServiceUnavailableException with Retry-After, writes nothing, and serves again when etcd is back', async () => {
    // The admin key is in etcd since the first server; this one gets the credentials file copied in.
    const dataDir = mkdtempSync(join(tmpdir(), 'wharf-test-'));
    copyFileSync(join(servers[0]!.dataDir, 'admin-credentials.json'), join(dataDir, 'admin-credentials.json'));
    const server = await startServerProcess({ dataDir, extraArgs: ['--store', etcd.storeUrl], env });
    servers.push(server);
    const ecs = server.ecs();
    await ecs.send(new CreateClusterCommand({ clusterName: 'before' }));
    const refused = async (name: string) => {
      const t0 = Date.now();
      const err = await ecs.send(new CreateClusterCommand({ clusterName: name })).then(() => undefined, (e: unknown) => e as { name: string; message: string; $metadata: { httpStatusCode?: number }; $response?: { headers: Record<string, string> } });
      return { err, ms: Date.now() - t0 };
    };
    // A member that stops answering (paused): the request's deadline (5 s) passes.
    etcd.pauseMember(0);
    let paused;
    try {
      paused = await refused('while-paused');
    } finally {
      etcd.resumeMember(0);
    }
    assert.equal(paused.err?.name, 'ServiceUnavailableException', `paused etcd: ${String(paused.err?.message)}`);
    assert.equal(paused.err?.$metadata.httpStatusCode, 503);
    assert.match(paused.err!.message, /state store did not answer\. Retry the request/);
    assert.ok(paused.ms < 10_000, `answered after ${paused.ms} ms`);
    // A member that is gone (killed): refused at once.
    await etcd.stopMember(0);
    let killed;
    try {
      killed = await refused('while-down');
    } finally {
      await etcd.startMember(0);
    }
    assert.equal(killed.err?.name, 'ServiceUnavailableException', `etcd down: ${String(killed.err?.message)}`);
    assert.equal(killed.err?.$metadata.httpStatusCode, 503);
    assert.equal(killed.err?.$response?.headers['retry-after'], '1');
    // Nothing of the refused requests was written; the same request succeeds now.
    await until('the API serves again', async () => (await ecs.send(new ListClustersCommand({}))).clusterArns, 20_000, 200);
    const names = ((await ecs.send(new ListClustersCommand({}))).clusterArns ?? []).map((a) => a.slice(a.lastIndexOf('/') + 1));
    assert.ok(names.includes('before'));
    assert.ok(!names.includes('while-paused') && !names.includes('while-down'), `no refused cluster exists: ${names.join(', ')}`);
    await ecs.send(new CreateClusterCommand({ clusterName: 'while-down' }));
  });

  it('on a three-member etcd, losing a member (the first the server names) leaves the API serving, writes included', async () => {
    const cluster = await startEtcd({ members: 3 });
    try {
      const server = await startServerProcess({ extraArgs: ['--store', cluster.storeUrl], env });
      servers.push(server);
      const ecs = server.ecs();
      await ecs.send(new CreateClusterCommand({ clusterName: 'three-a' }));
      await cluster.stopMember(0);
      const t0 = Date.now();
      await until('a write with member 0 gone', async () => (await ecs.send(new CreateClusterCommand({ clusterName: 'three-b' }))).cluster?.status === 'ACTIVE', 20_000, 200);
      console.log(`member lost: first write accepted after ${Date.now() - t0} ms`);
      for (let i = 0; i < 10; i++) await ecs.send(new CreateClusterCommand({ clusterName: `three-c${i}` }));
      await cluster.startMember(0);
      await cluster.stopMember(1);
      const names = ((await ecs.send(new ListClustersCommand({}))).clusterArns ?? []).map((a) => a.slice(a.lastIndexOf('/') + 1));
      for (const n of ['three-a', 'three-b', 'three-c9']) assert.ok(names.includes(n), `${n} listed: ${names.join(', ')}`);
      await server.stop();
    } finally {
      await cluster.stop();
    }
  });

  it('refuses a malformed --store and names the accepted forms', async () => {
    await assert.rejects(startServerProcess({ extraArgs: ['--store', 'etcd://'], env }), /invalid store etcd:\/\/: use sqlite or etcd:\/\/host:port/);
  });
});
