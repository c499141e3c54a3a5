/** How a stored cluster appears on the wire (DescribeClusters, CreateCluster, DeleteCluster, …). */
import type { Cluster, ClusterField, KeyValuePair } from '@aws-sdk/client-ecs';
import type { ClusterRecord } from '../../model/ecs/records.js';
import { keys } from '../../model/ecs/keys.js';
import type { Store } from '../../store/store.js';

export interface ClusterCounts {
  registeredContainerInstancesCount: number;
  runningTasksCount: number;
  pendingTasksCount: number;
  activeServicesCount: number;
  statistics: KeyValuePair[];
}

interface TaskLike { lastStatus?: string; desiredStatus?: string; launchType?: string }
interface ServiceLike { status?: string; launchType?: string }
interface InstanceLike { status?: string; fargatePool?: boolean }

/** Counts derived from the cluster's tasks, services and instances (never stored, so never stale). */
export async function clusterCounts(store: Store, name: string): Promise<ClusterCounts> {
  const [tasks, services, instances] = await Promise.all([
    store.range(keys.tasks(name)), store.range(keys.services(name)), store.range(keys.containerInstances(name)),
  ]);
  let running = 0, pending = 0, runningFargate = 0, pendingFargate = 0;
  for (const kv of tasks.kvs) {
    const t = JSON.parse(kv.value) as TaskLike;
    if (t.lastStatus === 'RUNNING') { running++; if (t.launchType === 'FARGATE') runningFargate++; }
    else if (t.lastStatus !== 'STOPPED' && t.lastStatus !== 'DELETED' && t.desiredStatus !== 'STOPPED') { pending++; if (t.launchType === 'FARGATE') pendingFargate++; }
  }
  let active = 0, activeFargate = 0, draining = 0, drainingFargate = 0;
  for (const kv of services.kvs) {
    const s = JSON.parse(kv.value) as ServiceLike;
    if (s.status === 'ACTIVE') { active++; if (s.launchType === 'FARGATE') activeFargate++; }
    if (s.status === 'DRAINING') { draining++; if (s.launchType === 'FARGATE') drainingFargate++; }
  }
  const registered = instances.kvs.filter((kv) => { const i = JSON.parse(kv.value) as InstanceLike; return i.status !== 'INACTIVE' && !i.fargatePool; }).length;
  const stat = (name: string, value: number): KeyValuePair => ({ name, value: String(value) });
  return {
    registeredContainerInstancesCount: registered,
    runningTasksCount: running,
    pendingTasksCount: pending,
    activeServicesCount: active,
    statistics: [
      stat('runningEC2TasksCount', running - runningFargate), stat('runningFargateTasksCount', runningFargate),
      stat('pendingEC2TasksCount', pending - pendingFargate), stat('pendingFargateTasksCount', pendingFargate),
      stat('activeEC2ServiceCount', active - activeFargate), stat('activeFargateServiceCount', activeFargate),
      stat('drainingEC2ServiceCount', draining - drainingFargate), stat('drainingFargateServiceCount', drainingFargate),
    ],
  };
}

export function clusterView(c: ClusterRecord, counts: ClusterCounts | undefined, include: readonly (ClusterField | string)[] | 'all'): Cluster {
  const has = (f: string) => include === 'all' || include.includes(f);
  return {
    clusterArn: c.clusterArn,
    clusterName: c.clusterName,
    status: c.status,
    registeredContainerInstancesCount: counts?.registeredContainerInstancesCount ?? 0,
    runningTasksCount: counts?.runningTasksCount ?? 0,
    pendingTasksCount: counts?.pendingTasksCount ?? 0,
    activeServicesCount: counts?.activeServicesCount ?? 0,
    statistics: has('STATISTICS') ? counts?.statistics ?? [] : [],
    tags: has('TAGS') ? c.tags : [],
    settings: has('SETTINGS') ? c.settings : undefined,
    configuration: has('CONFIGURATIONS') ? c.configuration : undefined,
    // ECS omits both while no capacity provider is associated (aws-cli's create-cluster and describe-clusters
    // examples); with one, the strategy is echoed even when empty.
    ...(c.capacityProviders.length ? { capacityProviders: c.capacityProviders, defaultCapacityProviderStrategy: c.defaultCapacityProviderStrategy } : {}),
    serviceConnectDefaults: c.serviceConnectDefaults,
  };
}
