/** 64 concurrent registrations of one family all succeed, with 64 distinct consecutive revisions. */
import { it, after } from 'node:test';
import assert from 'node:assert/strict';
import { RegisterTaskDefinitionCommand, DescribeTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { startServerProcess, type TestServer } from '../support/server.js';

let server: TestServer;
after(async () => { await server?.stop(); server?.cleanup(); });

it('registrations racing in one family get distinct, consecutive revisions and no errors', async () => {
  server = await startServerProcess();
  const ecs = server.ecs();
  const results = await Promise.all(Array.from({ length: 64 }, (_, i) => ecs.send(new RegisterTaskDefinitionCommand({
    family: 'race', containerDefinitions: [{ name: 'app', image: `busybox:${i}`, memory: 64 }],
  }))));
  const revisions = results.map((r) => r.taskDefinition!.revision!).sort((a, b) => a - b);
  assert.deepEqual(revisions, Array.from({ length: 64 }, (_, i) => i + 1));
  const latest = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'race' }));
  assert.equal(latest.taskDefinition?.revision, 64);
  const byImage = new Map(results.map((r) => [r.taskDefinition!.containerDefinitions![0].image, r.taskDefinition!.revision]));
  for (const [image, rev] of byImage) {
    const d = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: `race:${rev}` }));
    assert.equal(d.taskDefinition?.containerDefinitions?.[0].image, image, 'each revision holds the request that got it');
  }
});
