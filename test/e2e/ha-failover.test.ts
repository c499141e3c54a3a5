/**
 * Two real `wharf server` processes on one etcd (docs/ha.md): one leader runs the controllers, both serve
 * the API. SIGSTOP the leader → the other takes over within the lease TTL + one renewal (measured and
 * printed); SIGCONT the ex-leader → its writes are refused by the fence (none lands: every heartbeat
 * written after the new term began is the new leader's) and it becomes a follower; the service still
 * converges, with no duplicate task.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateClusterCommand, CreateServiceCommand, DescribeServicesCommand, ListClustersCommand, RegisterTaskDefinitionCommand, UpdateServiceCommand, type Service } from '@aws-sdk/client-ecs';
import { startServerProcess, testVpcCidr, type TestServer } from '../support/server.js';
import { startEtcd, type EtcdCluster } from '../support/etcd.js';
import { ScriptedAgent } from '../support/scripted-agent.js';
import { until } from '../support/wait.js';
import { EtcdStore } from '../../src/store/etcd/etcd-store.js';
import { HEARTBEAT_KEY, LEADER_KEY } from '../../src/store/etcd/election.js';

/** The election's defaults (src/store/etcd/election.ts): 3 s lease, renewed every second. */
const TTL_MS = 3000;
const RENEW_MS = 1000;
/** Scheduling slack on a loaded two-core machine, on top of TTL + renewal. */
const SLACK_MS = 1500;

let etcd: EtcdCluster;
let direct: EtcdStore;
const servers: TestServer[] = [];
const agents: ScriptedAgent[] = [];
const env = { WHARF_LOG_LEVEL: 'warn', WHARF_DEFAULT_VPC_CIDR: testVpcCidr(), WHARF_SERVICE_LOST_AFTER_MS: '1500', WHARF_SERVICE_THROTTLE_BASE_MS: '300' };

before(async () => {
  etcd = await startEtcd();
  direct = await EtcdStore.connect({ endpoints: etcd.endpoints });
});
after(async () => {
  for (const a of agents) a.close();
  for (const s of servers) {
    s.process?.kill('SIGCONT');
    await s.stop().catch(() => {});
    s.cleanup();
  }
  await direct?.close();
  await etcd?.stop();
});

async function leader(): Promise<{ pid: number; term: number } | undefined> {
  const kv = await direct.get(LEADER_KEY);
  if (!kv) return undefined;
  const id = (JSON.parse(kv.value) as { id: string }).id;
  return { pid: Number(id.slice(id.lastIndexOf(':') + 1)), term: kv.createRevision };
}

const stable = (s: Service | undefined) => !!s && s.deployments?.length === 1 && s.runningCount === s.desiredCount && s.deployments[0]!.rolloutState === 'COMPLETED';

describe('two servers on one etcd', () => {
  it('the leader runs the controllers; SIGSTOP it and the other takes over within TTL + renewal; the woken ex-leader cannot write; the service converges', async () => {
    const a = await startServerProcess({ extraArgs: ['--store', etcd.storeUrl], env });
    servers.push(a);
    const first = await until('server A leads', async () => { const l = await leader(); return l?.pid === a.process!.pid && l; }, 15_000, 100);
    // B: its own data directory, with A's secrets key and the admin credentials copied in (docs/ha.md).
    const dataDir = mkdtempSync(join(tmpdir(), 'wharf-test-'));
    copyFileSync(join(a.dataDir, 'admin-credentials.json'), join(dataDir, 'admin-credentials.json'));
    copyFileSync(join(a.dataDir, 'secrets.key'), join(dataDir, 'secrets.key'));
    const b = await startServerProcess({ dataDir, extraArgs: ['--store', etcd.storeUrl], env });
    servers.push(b);
    assert.equal((await leader())?.pid, a.process!.pid, 'a second server does not take the lead from a live leader');

    // Every heartbeat, with the server that wrote it (the leader key's holder at each term).
    const heartbeats: { id: string; term: number; rev: number }[] = [];
    const ac = new AbortController();
    direct.watch(HEARTBEAT_KEY, (events) => {
      for (const e of events) if (e.type === 'put') { const v = JSON.parse(e.kv.value) as { id: string; term: number }; heartbeats.push({ id: v.id, term: v.term, rev: e.kv.modRevision }); }
    }, { signal: ac.signal });

    // The API on B, the agent on B, the controllers on A.
    const ecs = b.ecs();
    await ecs.send(new CreateClusterCommand({ clusterName: 'ha' }));
    await ecs.send(new RegisterTaskDefinitionCommand({ family: 'web', containerDefinitions: [{ name: 'app', image: 'web:1', memory: 64 }] }));
    const token = readFileSync(join(b.dataDir, 'join-token'), 'utf8').trim();
    const agent = new ScriptedAgent(b.endpoint, 'host-b', 'ha', { auto: true, startMs: 20, stopMs: 20, reconnectToken: token });
    await agent.connect(token);
    agents.push(agent);
    await ecs.send(new CreateServiceCommand({ cluster: 'ha', serviceName: 'web', taskDefinition: 'web', desiredCount: 2 }));
    const describe1 = async (s: TestServer) => (await s.ecs().send(new DescribeServicesCommand({ cluster: 'ha', services: ['web'] }))).services?.[0];
    await until('service web stable (controllers on A, API and agent on B)', async () => stable(await describe1(b)), 30_000, 200);
    await until('a heartbeat from the leader', async () => heartbeats.length > 0, 5_000, 100);
    assert.deepEqual(heartbeats.filter((h) => h.term !== first.term), [], 'only the leader writes heartbeats');

    // Pause the leader. The other takes over once A's lease expires.
    const stoppedAt = Date.now();
    a.process!.kill('SIGSTOP');
    const second = await until('server B leads', async () => { const l = await leader(); return l?.pid === b.process!.pid && l; }, 20_000, 50);
    const failoverMs = Date.now() - stoppedAt;
    console.log(`failover: ${failoverMs} ms from SIGSTOP of the leader to the new leader's key (lease TTL ${TTL_MS} ms + renewal ${RENEW_MS} ms)`);
    assert.ok(failoverMs <= TTL_MS + RENEW_MS + SLACK_MS, `failover took ${failoverMs} ms`);
    assert.ok(second.term > first.term);

    // The new leader converges a change while the old one is paused.
    await ecs.send(new UpdateServiceCommand({ cluster: 'ha', service: 'web', desiredCount: 3 }));
    await until('service web scaled to 3 by the new leader', async () => { const s = await describe1(b); return s?.desiredCount === 3 && stable(s); }, 30_000, 200);

    // Wake the ex-leader: it still believes it leads until etcd tells it otherwise, and its first write is refused.
    a.process!.kill('SIGCONT');
    await until('the woken ex-leader\'s heartbeat refused by the fence', async () => a.output.some((l) => l.includes('heartbeat refused by the fence')), 15_000, 100);
    await until('the ex-leader stepped down', async () => a.output.some((l) => l.includes('no longer the leader')), 15_000, 100);
    const fenced = a.output.filter((l) => l.includes('refused by the fence')).length;
    console.log(`fenced writes refused on the woken ex-leader: ${fenced}`);
    const afterTakeover = heartbeats.filter((h) => h.rev > second.term);
    assert.ok(afterTakeover.length > 0, 'the new leader writes heartbeats');
    assert.deepEqual(afterTakeover.filter((h) => h.term !== second.term), [], 'no write of the old term landed after the new term began');
    assert.equal((await leader())?.pid, b.process!.pid, 'the woken ex-leader does not take the lead back');

    // Both still serve the API; the service is converged, with exactly its tasks running.
    for (const s of [a, b]) {
      const clusters = (await s.ecs().send(new ListClustersCommand({})).catch((e) => { throw new Error(`${e}\n${s.output.slice(-10).join('\n')}`); })).clusterArns ?? [];
      assert.ok(clusters.some((arn) => arn.endsWith(':cluster/ha')));
    }
    await ecs.send(new UpdateServiceCommand({ cluster: 'ha', service: 'web', desiredCount: 4 }));
    await until('service web scaled to 4 after the ex-leader woke', async () => { const s = await describe1(a); return s?.desiredCount === 4 && stable(s); }, 30_000, 200);
    assert.equal(agent.running.size, 4, `the agent runs exactly the service's 4 tasks: ${[...agent.running].join(', ')}`);
    ac.abort();
  });
});
