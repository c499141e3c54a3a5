/**
 * What a cluster's live FARGATE tasks hold of the managed pool (placed or still PROVISIONING), for the
 * capacity check RunTask and the service controller make before they create more (model/ecs/capacity.ts
 * poolRoomFor). One range over the cluster's tasks: Fargate launches pay it, EC2 placement never does.
 */
import type { Store } from '../../store/store.js';
import { keys } from '../../model/ecs/keys.js';
import type { TaskRecord } from '../../model/ecs/task-records.js';

export async function liveFargateDemand(store: Store, cluster: string): Promise<{ cpu: number; memory: number }[]> {
  const out: { cpu: number; memory: number }[] = [];
  for (const kv of (await store.range(keys.tasks(cluster))).kvs) {
    const t = JSON.parse(kv.value) as Pick<TaskRecord, 'launchType' | 'lastStatus' | 'reserved'>;
    if (t.launchType === 'FARGATE' && t.lastStatus !== 'STOPPED' && t.lastStatus !== 'DELETED') out.push({ cpu: t.reserved.cpu, memory: t.reserved.memory });
  }
  return out;
}
