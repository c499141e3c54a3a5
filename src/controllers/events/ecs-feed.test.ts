import { after, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../../store/sqlite/sqlite-store.js';
import { keys } from '../../model/ecs/keys.js';
import type { ServiceRecord } from '../../model/ecs/records.js';
import { eventsKeys, type OutboxEvent } from '../../model/events/records.js';
import { feedResourceEvents } from './ecs-feed.js';

const dir = mkdtempSync(join(tmpdir(), 'wharf-feed-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const scope = { region: 'us-east-1', accountId: '000000000000' };

async function outbox(store: SqliteStore): Promise<string[]> {
  return (await store.range(eventsKeys.outboxAll())).kvs.map((kv) => {
    const e = (JSON.parse(kv.value) as OutboxEvent).event;
    return `${e['detail-type']}:${(e.detail as { eventName: string }).eventName}`;
  });
}

it('a deployment that finished and the steady state it brought, seen in one pass: in the order they happened (the start at createdAt), then nothing again', async () => {
  const store = new SqliteStore(join(dir, 'a.db'));
  const now = 1_800_000_000_000;
  const d = { id: 'ecs-svc/1', status: 'PRIMARY', rolloutState: 'COMPLETED', rolloutStateReason: 'ECS deployment ecs-svc/1 completed.', createdAt: now - 5000, updatedAt: now - 1000 };
  const svc = {
    serviceArn: 'arn:aws:ecs:us-east-1:000000000000:service/c/web', serviceName: 'web', cluster: 'c', clusterArn: 'arn:aws:ecs:us-east-1:000000000000:cluster/c',
    deployments: [d], history: [],
    events: [
      { id: 'e3', createdAt: now - 1000, message: '(service web) has reached a steady state.' },
      { id: 'e2', createdAt: now - 3000, message: '(service web) has started 1 tasks: (task 1).' },
      { id: 'e1', createdAt: now - 4000, message: '(service web) was unable to place a task because no container instance met all of its requirements. The closest matching (container-instance i) has insufficient memory available.' },
    ],
  } as unknown as ServiceRecord;
  await store.txn({ compare: [], success: [{ type: 'put', key: keys.service('c', 'web'), value: JSON.stringify(svc) }] });
  assert.equal(await feedResourceEvents(store, now, { scope }), 4);
  assert.deepEqual(await outbox(store), [
    'ECS Deployment State Change:SERVICE_DEPLOYMENT_IN_PROGRESS',
    'ECS Service Action:SERVICE_TASK_PLACEMENT_FAILURE',
    'ECS Deployment State Change:SERVICE_DEPLOYMENT_COMPLETED',
    'ECS Service Action:SERVICE_STEADY_STATE',
  ]);
  assert.equal(await feedResourceEvents(store, now + 1000, { scope }), 0, 'the cursor moved with the events');
  store.close();
});
