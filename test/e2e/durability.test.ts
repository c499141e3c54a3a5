/**
 * An acknowledged write survives kill -9. The server is SIGKILLed the moment a reply arrives (and, in
 * the concurrent case, while other writes are still in flight); after a restart on the same data
 * directory every acknowledged write is there.
 */
import { it, after } from 'node:test';
import assert from 'node:assert/strict';
import { CreateClusterCommand, DescribeClustersCommand } from '@aws-sdk/client-ecs';
import { startServerProcess, type TestServer } from '../support/server.js';

let server: TestServer;
after(async () => { await server?.stop(); server?.cleanup(); });

it('a write acknowledged right before SIGKILL is there after restart (5 rounds)', async () => {
  server = await startServerProcess();
  const dataDir = server.dataDir;
  for (let round = 0; round < 5; round++) {
    const name = `durable-${round}`;
    await server.ecs().send(new CreateClusterCommand({ clusterName: name }));
    await server.kill();
    server = await startServerProcess({ dataDir });
    const out = await server.ecs().send(new DescribeClustersCommand({ clusters: Array.from({ length: round + 1 }, (_, i) => `durable-${i}`) }));
    assert.deepEqual(out.failures, [], `round ${round}: every acknowledged cluster survives`);
    assert.equal(out.clusters?.length, round + 1);
  }
});

it('under concurrent writes, every acknowledged one survives a SIGKILL mid-stream', async () => {
  const dataDir = server.dataDir;
  const ecs = server.ecs();
  const acked: string[] = [];
  let killed = false;
  const writes = Array.from({ length: 60 }, (_, i) => `burst-${i}`).map(async (name) => {
    try {
      await ecs.send(new CreateClusterCommand({ clusterName: name }));
      if (!killed) acked.push(name);
      if (acked.length === 20 && !killed) { killed = true; await server.kill(); }
    } catch { /* in flight when killed: not acknowledged, may or may not exist */ }
  });
  await Promise.all(writes);
  if (!killed) await server.kill();
  assert.ok(acked.length >= 20);
  server = await startServerProcess({ dataDir });
  const out = await server.ecs().send(new DescribeClustersCommand({ clusters: acked }));
  assert.deepEqual(out.failures, [], 'no acknowledged write is lost');
  assert.equal(out.clusters?.length, acked.length);
});
