/**
 * RunTask's clientToken through a Store test double that interleaves transactions: every transaction
 * waits until no request is still reading, then all waiting transactions commit one after another.
 * So all 100 retries read "token absent" and decide a placement before any of them commits — the
 * interleaving two servers on one etcd can produce. Instance version compares alone do not save this:
 * retries that chose different instances do not conflict with each other. Only the token guard
 * (createRevision == 0 on the token record, in the placement's own transaction) keeps it exactly once.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import type { RunTaskResponse } from '@aws-sdk/client-ecs';
import { SqliteStore } from '../../store/sqlite/sqlite-store.js';
import type { Store, Txn, TxnResult } from '../../store/store.js';
import { keys } from '../../model/ecs/keys.js';
import type { ContainerInstanceRecord } from '../../model/ecs/task-records.js';
import { containerInstanceArn } from '../../model/arn.js';
import type { RequestContext } from '../types.js';
import { IamDirectory } from '../../iam/directory.js';
import { createCluster } from './create-cluster.js';
import { registerTaskDefinition } from './register-task-definition.js';
import { runTask } from './run-task.js';
import { PlacementCaches } from '../../controllers/shared/placement-commit.js';
import { RevisionAllocator } from './revision-allocator.js';

/** Delegates to a real store; while `interleave` is on, transactions wait for quiescence, then commit in arrival order. */
class InterleavingStore {
  interleave = false;
  private held: { txn: Txn; resolve: (r: Promise<TxnResult>) => void }[] = [];
  private timer?: NodeJS.Timeout;
  rounds = 0;
  constructor(private readonly inner: Store) {}
  get = (key: string) => this.inner.get(key);
  range: Store['range'] = (prefix, o) => this.inner.range(prefix, o);
  watch: Store['watch'] = (prefix, cb, o) => this.inner.watch(prefix, cb, o);
  revision = () => this.inner.revision();
  close = () => this.inner.close();
  txn(t: Txn): Promise<TxnResult> {
    if (!this.interleave) return this.inner.txn(t);
    return new Promise((resolve) => {
      this.held.push({ txn: t, resolve });
      // Release only when no new transaction arrived for a while: every request has done its reads.
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.release(), 30);
    });
  }
  private release(): void {
    const batch = this.held;
    this.held = [];
    this.rounds++;
    for (const h of batch) h.resolve(this.inner.txn(h.txn));
  }
}

function context(store: Store): RequestContext {
  const now = new Date('2026-12-01T12:00:00Z');
  return {
    store, region: 'us-east-1', accountId: '000000000000', publicEndpoint: 'http://127.0.0.1:1', clock: () => now,
    requestId: 'test', now, iam: new IamDirectory(store, '000000000000'),
    principal: { accessKeyId: 'AKIDTEST', userName: 'admin', arn: 'arn:aws:iam::000000000000:user/admin', userId: 'AIDATEST', type: 'user', bootstrap: true, tags: [] },
    log: pino({ level: 'silent' }),
    placement: new PlacementCaches(store, 'us-east-1'),
    revisions: new RevisionAllocator(),
    // RunTask touches neither the load balancer config nor the registry or telemetry backends.
    elb: undefined as never, targetTrackingAlarms: undefined as never, backendsFor: () => { throw new Error('ECS only'); }, registry: undefined as never, logs: undefined as never, metrics: undefined as never,
  };
}

function instance(id: string): ContainerInstanceRecord {
  const scope = { region: 'us-east-1', accountId: '000000000000' };
  return {
    containerInstanceArn: containerInstanceArn(scope, 'c1', id), id, cluster: 'c1', ec2InstanceId: `host-${id}`, status: 'ACTIVE', agentConnected: true,
    registeredResources: [{ name: 'CPU', type: 'INTEGER', integerValue: 4096 }, { name: 'MEMORY', type: 'INTEGER', integerValue: 8192 }, { name: 'PORTS', type: 'STRINGSET', stringSetValue: ['22'] }],
    attributes: [], versionInfo: {}, registeredAt: 0, tags: [], version: 1,
  };
}

async function setup(): Promise<{ store: InterleavingStore; ctx: RequestContext }> {
  const store = new InterleavingStore(new SqliteStore(':memory:'));
  const ctx = context(store);
  await createCluster({ clusterName: 'c1' }, ctx);
  await registerTaskDefinition({
    family: 'web',
    // A static host port: three fit (one per instance), the fourth is a RESOURCE:PORTS failure.
    containerDefinitions: [{ name: 'app', image: 'busybox', memory: 64, portMappings: [{ containerPort: 80, hostPort: 8080 }] }],
  }, ctx);
  for (const id of ['i1', 'i2', 'i3']) {
    await store.txn({ success: [{ type: 'put', key: keys.containerInstance('c1', id), value: JSON.stringify(instance(id)) }] });
  }
  return { store, ctx };
}

const arnsOf = (r: RunTaskResponse) => (r.tasks ?? []).map((t) => t.taskArn!).sort();

describe('RunTask clientToken under interleaved transactions', () => {
  it('100 concurrent retries of one token create one task set, and every reply names it (failures included)', async () => {
    const { store, ctx } = await setup();
    store.interleave = true;
    const replies = await Promise.all(Array.from({ length: 100 }, () => runTask({ cluster: 'c1', taskDefinition: 'web', count: 1, clientToken: 'one-token' }, ctx)));
    store.interleave = false;
    assert.ok(store.rounds >= 1);
    const tasks = (await store.range(keys.tasks('c1'))).kvs;
    assert.equal(tasks.length, 1, `exactly one task set, found ${tasks.length} tasks`);
    const first = arnsOf(replies[0]);
    assert.equal(first.length, 1);
    for (const r of replies) assert.deepEqual(arnsOf(r), first);

    // A reply with failures is replayed with them.
    store.interleave = true;
    const four = await Promise.all(Array.from({ length: 100 }, () => runTask({ cluster: 'c1', taskDefinition: 'web', count: 3, clientToken: 'three' }, ctx)));
    store.interleave = false;
    const all = (await store.range(keys.tasks('c1'))).kvs;
    assert.equal(all.length, 1 + 2, 'two more fit beside the first task (one port 8080 per instance)');
    for (const r of four) {
      assert.deepEqual(arnsOf(r), arnsOf(four[0]));
      assert.equal(r.tasks!.length, 2);
      assert.deepEqual(r.failures, four[0].failures);
      assert.ok(r.failures!.length >= 1, 'the task that did not fit is reported');
      for (const f of r.failures!) assert.equal(f.reason, 'RESOURCE:PORTS');
    }
    await store.close();
  });

  it('a different request under a used token is a ConflictException naming the original tasks', async () => {
    const { store, ctx } = await setup();
    const first = await runTask({ cluster: 'c1', taskDefinition: 'web', clientToken: 'tok' }, ctx);
    await assert.rejects(runTask({ cluster: 'c1', taskDefinition: 'web', clientToken: 'tok', startedBy: 'someone-else' }, ctx), (e: Error & { extra?: { resourceIds?: string[] } }) => {
      assert.equal(e.name, 'ConflictException');
      assert.match(e.message, /clientToken is already in use with a different RunTask request/);
      return true;
    });
    assert.equal((await store.range(keys.tasks('c1'))).kvs.length, 1, 'the conflicting request changed nothing');
    assert.deepEqual(arnsOf(await runTask({ cluster: 'c1', taskDefinition: 'web', clientToken: 'tok' }, ctx)), arnsOf(first));
    await store.close();
  });
});
