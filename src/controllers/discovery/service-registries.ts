/**
 * ECS service tasks → Cloud Map instances (an ECS service's `serviceRegistries`), in the order the load
 * balancer uses for its targets, so a caller never discovers a task that is not ready or is stopping:
 *
 *   task RUNNING, desired RUNNING, healthy  → registered: one instance per registry, id = the task id,
 *     (or no container health check)         address = the task's ENI address (awsvpc) or its host's
 *                                            address (bridge/host), SRV port = `port`/containerPort
 *                                            (awsvpc) or the host port bound to containerName:containerPort
 *   registered, task reports UNHEALTHY      → registries with a custom health check: the instance goes
 *                                            UNHEALTHY (HEALTHY again when the task is); others: deregistered
 *   desired STOPPED (still running)         → deregistered first; only then `discovery.state` becomes
 *                                            `deregistered`, which releases the stop: until then the
 *                                            agent is told RUNNING (model/ecs/task-state.ts, as for
 *                                            draining targets)
 *   task STOPPED                            → anything left is deregistered
 *
 * Level-triggered: every pass recomputes from the store (a watch on the ECS task and service prefixes
 * and on Cloud Map's records kicks one; a resync runs every few seconds), so a crash between registering
 * and recording is repaired by the next pass. Writes: Cloud Map instances and operations (through
 * controllers/shared/cloud-map.ts, the path RegisterInstance takes) and the task's `discovery` field.
 */
import type { Logger } from 'pino';
import type { ServiceRegistry } from '@aws-sdk/client-ecs';
import { keys } from '../../model/ecs/keys.js';
import type { ServiceRecord } from '../../model/ecs/records.js';
import type { ContainerInstanceRecord, TaskDiscoveryState, TaskRecord } from '../../model/ecs/task-records.js';
import { instanceAttributes, registryServiceId, type TaskEndpoint } from '../../model/ecs/service-registries.js';
import { sdKeys, type InstanceRecord, type ServiceRecord as CloudMapService } from '../../model/servicediscovery/records.js';
import { isApiError } from '../../model/errors.js';
import { deregisterInstance, registerInstance, setInstanceHealth } from '../shared/cloud-map.js';
import { getJson } from '../../store/json.js';
import type { Store } from '../../store/store.js';

/** Where bridge/host tasks are reached: their instance's `wharf.host-address` attribute, else loopback (as ELB targets). */
const hostAddressOf = (i: ContainerInstanceRecord) => i.attributes.find((a) => a.name === 'wharf.host-address')?.value ?? '127.0.0.1';

/** Ready for callers: RUNNING, and healthy when an essential container has a health check (ECS's task health). */
function ready(t: TaskRecord): boolean {
  const checked = t.containers.some((c) => c.essential && c.healthStatus !== undefined);
  return !checked || t.healthStatus === 'HEALTHY';
}

function endpointOf(t: TaskRecord, r: ServiceRegistry, svc: CloudMapService, inst: ContainerInstanceRecord | undefined): TaskEndpoint | undefined {
  const srv = svc.dnsConfig?.DnsRecords.some((d) => d.Type === 'SRV') ?? false;
  const eni = t.network?.eni;
  if (eni) {
    const port = r.port ?? r.containerPort;
    return { address: eni.privateIpv4Address, ...(port !== undefined && (srv || !svc.dnsConfig) ? { port } : {}) };
  }
  if (!inst) return undefined;
  if (r.containerName === undefined) return { address: hostAddressOf(inst) };
  // The IPv4 binding: the runtime may publish IPv4 and IPv6 on different host ports.
  const binding = t.containers.find((c) => c.name === r.containerName)?.networkBindings.find((b) => b.containerPort === r.containerPort && !b.bindIP?.includes(':'));
  return binding ? { address: hostAddressOf(inst), port: binding.hostPort } : undefined;
}

const familyOf = (arn: string) => /task-definition\/([^:]+):\d+$/.exec(arn)?.[1] ?? arn;

export async function reconcileServiceRegistries(o: { store: Store; region: string; now: number; log: Logger }): Promise<void> {
  const { store, now } = o;
  const services = (await store.range(keys.services())).kvs.map((kv) => JSON.parse(kv.value) as ServiceRecord);
  const byName = new Map(services.map((s) => [`${s.cluster}/${s.serviceName}`, s]));
  const cloudMap = new Map((await store.range(sdKeys.services())).kvs.map((kv) => JSON.parse(kv.value) as CloudMapService).map((s) => [s.id, s]));
  for (const cluster of new Set(services.map((s) => s.cluster))) {
    const taskKvs = (await store.range(keys.tasks(cluster))).kvs;
    let instances: Map<string, ContainerInstanceRecord> | undefined;
    for (const kv of taskKvs) {
      const t = JSON.parse(kv.value) as TaskRecord;
      if (!t.group.startsWith('service:')) continue;
      const svc = byName.get(`${cluster}/${t.group.slice('service:'.length)}`);
      const registries = (svc?.serviceRegistries ?? []) as ServiceRegistry[];
      if (registries.length === 0 && !t.discovery) continue;
      // Done with: stopped and known deregistered (stopped tasks stay in the store until reaped).
      if (t.lastStatus === 'STOPPED' && t.discovery?.state === 'deregistered') continue;
      instances ??= new Map((await store.range(keys.containerInstances(cluster))).kvs.map((x) => JSON.parse(x.value) as ContainerInstanceRecord).map((i) => [i.id, i]));
      const inst = t.containerInstanceId ? instances.get(t.containerInstanceId) : undefined;
      const up = t.lastStatus === 'RUNNING' && t.desiredStatus === 'RUNNING';
      const unhealthy = t.healthStatus === 'UNHEALTHY';
      const registered: string[] = [];
      for (const r of registries) {
        const id = registryServiceId(r.registryArn);
        const cm = id ? cloudMap.get(id) : undefined;
        if (!id || !cm || !up) continue;
        const existing = await getJson<InstanceRecord>(store, sdKeys.instance(id, t.id));
        try {
          if (existing) {
            if (unhealthy && !cm.healthCheckCustomConfig) continue; // deregistered below
            if (cm.healthCheckCustomConfig) await setInstanceHealth(store, { serviceId: id, instanceId: t.id, health: unhealthy ? 'UNHEALTHY' : 'HEALTHY', now });
            registered.push(id);
            continue;
          }
          if (!ready(t)) continue;
          const endpoint = endpointOf(t, r, cm, inst);
          if (!endpoint) continue;
          await registerInstance(store, {
            serviceId: id, instanceId: t.id, now,
            attributes: instanceAttributes({
              endpoint, registry: cm, region: o.region, availabilityZone: t.availabilityZone, cluster, serviceName: svc!.serviceName,
              family: familyOf(t.taskDefinitionArn), healthy: true,
            }),
          });
          registered.push(id);
        } catch (e) {
          o.log.warn({ task: t.id, registry: r.registryArn, err: isApiError(e) ? e.message : e }, 'service registries: registration failed; the next pass retries');
        }
      }
      // Everything else this task is in goes: what it was registered in (and anything a crash left behind).
      let pending = false;
      for (const id of new Set([...(t.discovery?.serviceIds ?? []), ...registries.map((r) => registryServiceId(r.registryArn)).filter((x): x is string => !!x)])) {
        if (registered.includes(id)) continue;
        if (!(await getJson(store, sdKeys.instance(id, t.id)))) continue;
        try {
          await deregisterInstance(store, { serviceId: id, instanceId: t.id, now });
        } catch (e) {
          if (!(isApiError(e) && (e.code === 'InstanceNotFound' || e.code === 'ServiceNotFound'))) {
            pending = true;
            o.log.warn({ task: t.id, serviceId: id, err: isApiError(e) ? e.message : e }, 'service registries: deregistration failed; the next pass retries');
          }
        }
      }
      const next: TaskDiscoveryState | undefined = registered.length > 0 || pending
        ? { state: 'registered', serviceIds: [...new Set([...registered, ...(pending ? t.discovery?.serviceIds ?? [] : [])])].sort() }
        : t.discovery ? { state: 'deregistered', serviceIds: [] } : undefined;
      if (JSON.stringify(next) === JSON.stringify(t.discovery)) continue;
      const w = await store.txn({
        compare: [{ key: kv.key, target: 'version', op: '==', value: kv.version }],
        success: [{ type: 'put', key: kv.key, value: JSON.stringify({ ...t, discovery: next, version: t.version + 1 }) }],
      });
      if (!w.succeeded) o.log.debug({ task: t.id }, 'service registries: task changed meanwhile; the next pass retries');
    }
  }
}

export interface ServiceRegistriesController {
  /** Runs a pass now and resolves when it is done (tests). */
  sync(): Promise<void>;
}

/** Runs passes on changes to ECS tasks and services and Cloud Map's records, and every `resyncMs` (default 5 s). */
export function startServiceRegistriesController(o: { store: Store; region: string; log: Logger; signal: AbortSignal; clock?: () => number; resyncMs?: number }): ServiceRegistriesController {
  const clock = o.clock ?? Date.now;
  let running: Promise<void> | undefined;
  let again = false;
  const runLoop = async (): Promise<void> => {
    do {
      again = false;
      try {
        await reconcileServiceRegistries({ store: o.store, region: o.region, now: clock(), log: o.log });
      } catch (e) {
        o.log.error({ err: e }, 'service registries pass failed; retrying on the next change or resync');
      }
    } while (again && !o.signal.aborted);
  };
  const kick = () => {
    if (o.signal.aborted) return;
    if (running) { again = true; return; }
    running = runLoop().finally(() => { running = undefined; });
  };
  let debounce: NodeJS.Timeout | undefined;
  const onChange = () => {
    if (debounce) return;
    debounce = setTimeout(() => { debounce = undefined; kick(); }, 10);
  };
  for (const prefix of ['/ecs/task/', '/ecs/service/', '/sd/svc/']) o.store.watch(prefix, onChange, { signal: o.signal });
  const resync = setInterval(kick, o.resyncMs ?? 5000);
  resync.unref();
  o.signal.addEventListener('abort', () => { clearInterval(resync); if (debounce) clearTimeout(debounce); }, { once: true });
  kick();
  return {
    async sync() {
      while (running) await running;
      kick();
      while (running) await running;
    },
  };
}
