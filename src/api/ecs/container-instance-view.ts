/** How stored container instances appear on the wire, and resolving `containerInstance` parameters. */
import type { ContainerInstance } from '@aws-sdk/client-ecs';
import { keys } from '../../model/ecs/keys.js';
import type { ContainerInstanceRecord, TaskRecord } from '../../model/ecs/task-records.js';
import { getJson, type Versioned } from '../../store/json.js';
import type { Store } from '../../store/store.js';
import { toDate } from './common.js';
import { holdsResources, instanceAttributes, remainingOf, remainingResources, type Reservation } from '../../model/ecs/task-state.js';

export { remainingResources };

/** Per instance: its running and pending task counts and what its tasks reserve (for remainingOf). */
export interface InstanceTasks { running: number; pending: number; reservations: Reservation[] }

export async function instanceTaskCounts(store: Store, cluster: string): Promise<Map<string, InstanceTasks>> {
  const counts = new Map<string, InstanceTasks>();
  for (const kv of (await store.range(keys.tasks(cluster))).kvs) {
    const t = JSON.parse(kv.value) as TaskRecord;
    if (!t.containerInstanceId) continue;
    const c = counts.get(t.containerInstanceId) ?? { running: 0, pending: 0, reservations: [] };
    if (t.lastStatus === 'RUNNING') c.running++;
    else if (t.lastStatus !== 'STOPPED' && t.lastStatus !== 'DELETED') c.pending++;
    if (holdsResources(t)) c.reservations.push(t.reserved);
    counts.set(t.containerInstanceId, c);
  }
  return counts;
}

export function containerInstanceView(i: ContainerInstanceRecord, counts: InstanceTasks | undefined, includeTags = false): ContainerInstance {
  return {
    containerInstanceArn: i.containerInstanceArn,
    ec2InstanceId: i.ec2InstanceId,
    capacityProviderName: i.capacityProviderName,
    version: i.version,
    versionInfo: i.versionInfo,
    remainingResources: remainingResources(remainingOf(i, counts?.reservations ?? [])),
    registeredResources: i.registeredResources,
    status: i.status,
    statusReason: i.statusReason,
    agentConnected: i.agentConnected,
    runningTasksCount: counts?.running ?? 0,
    pendingTasksCount: counts?.pending ?? 0,
    attributes: instanceAttributes(i),
    registeredAt: toDate(i.registeredAt),
    attachments: [],
    // Without include=TAGS ECS still answers the member, empty (update-container-instances-state's and deregister-container-instance's examples).
    tags: includeTags ? i.tags : [],
  };
}

/** A `containerInstance` parameter: the id or the full ARN. */
export const instanceIdOf = (ref: string) => (ref.startsWith('arn:') ? ref.split('/').pop()! : ref);

export async function findInstance(store: Store, cluster: string, ref: string): Promise<Versioned<ContainerInstanceRecord> | undefined> {
  const id = instanceIdOf(ref);
  if (!/^[A-Za-z0-9-]{1,64}$/.test(id)) return undefined;
  if (ref.startsWith('arn:') && !ref.includes(`:container-instance/${cluster}/`)) return undefined;
  const rec = await getJson<ContainerInstanceRecord>(store, keys.containerInstance(cluster, id));
  // Wharf's managed Fargate hosts are not the user's: no API that names an instance sees them.
  return rec?.value.fargatePool ? undefined : rec;
}
