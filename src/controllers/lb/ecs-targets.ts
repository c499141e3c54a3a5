/**
 * ECS service tasks → ELB targets, and ELB health → the tasks (issue 5 §3). Runs at the start of every
 * lb controller pass; level-triggered: each pass recomputes from the store and writes the difference.
 *
 *   task RUNNING, desired RUNNING       → a target per (service loadBalancers entry): the instance's
 *                                        ec2InstanceId + the host port bound to containerName:containerPort
 *                                        ("registered N targets in (target-group …)")
 *   task desired STOPPED (still running) → its targets start draining for the target group's
 *                                        deregistration delay ("has begun draining connections on N tasks.")
 *   drain over (target records removed) → task.elb.state = drained: the dispatcher now tells the agent
 *                                        to stop the task ("deregistered N targets in (target-group …)")
 *   task STOPPED                        → any target left is removed at once (nothing listens any more)
 *
 * Writes: target records it creates (with `task` set), `drainUntil`/`deregisteredAt` on those, the
 * task's `elb` field, and service events. The services controller reads `task.elb.health` to count a
 * task healthy only when its targets are, and to replace it when they fail (after the grace period).
 */
import type { Logger } from 'pino';
import type { Store, Op, Compare } from '../../store/store.js';
import { keys } from '../../model/ecs/keys.js';
import type { ServiceRecord } from '../../model/ecs/records.js';
import type { ContainerInstanceRecord, TaskElbState, TaskRecord } from '../../model/ecs/task-records.js';
import { elbKeys, TG_ATTRIBUTE_DEFAULTS, type TargetGroupRecord, type TargetRecord } from '../../model/elbv2/records.js';
import { appendServiceEvent } from '../../model/ecs/service-events.js';

export interface EcsTargetsResult { registered: number; draining: number }

interface LbEntry { targetGroupArn?: string; containerName?: string; containerPort?: number }

/** The address HAProxy reaches an instance at: its `wharf.host-address` attribute, else loopback. */
const addressOf = (i: ContainerInstanceRecord) => i.attributes.find((a) => a.name === 'wharf.host-address')?.value ?? '127.0.0.1';

const HEALTH_RANK = { healthy: 0, initial: 1, unhealthy: 2 } as const;

export async function reconcileServiceTargets(o: { store: Store; now: number; log: Logger }): Promise<EcsTargetsResult> {
  const { store, now } = o;
  const services = (await store.range(keys.services())).kvs.map((kv) => JSON.parse(kv.value) as ServiceRecord)
    .filter((s) => s.status !== 'INACTIVE' && (s.loadBalancers as LbEntry[]).length > 0);
  const tgByArn = new Map((await store.range(elbKeys.tgs())).kvs.map((kv) => JSON.parse(kv.value) as TargetGroupRecord).map((tg) => [tg.arn, tg]));
  const targetKvs = (await store.range(elbKeys.targets())).kvs;
  const targets = new Map(targetKvs.map((kv) => [kv.key, { value: JSON.parse(kv.value) as TargetRecord, version: kv.version }]));
  const byTask = new Map<string, string[]>();
  for (const [key, t] of targets) if (t.value.task) byTask.set(t.value.task.taskId, [...(byTask.get(t.value.task.taskId) ?? []), key]);

  const result: EcsTargetsResult = { registered: 0, draining: 0 };
  const clusters = new Set(services.map((s) => s.cluster));
  for (const cluster of clusters) {
    const instances = new Map((await store.range(keys.containerInstances(cluster))).kvs.map((kv) => JSON.parse(kv.value) as ContainerInstanceRecord).map((i) => [i.id, i]));
    const taskKvs = (await store.range(keys.tasks(cluster))).kvs;
    for (const svc of services.filter((s) => s.cluster === cluster)) {
      const entries = (svc.loadBalancers as LbEntry[]).filter((l) => l.targetGroupArn && tgByArn.has(l.targetGroupArn));
      const registeredPerTg = new Map<string, number>();
      const deregisteredPerTg = new Map<string, number>();
      let drainingTasks = 0;
      for (const kv of taskKvs) {
        const t = JSON.parse(kv.value) as TaskRecord;
        if (t.group !== `service:${svc.serviceName}`) continue;
        const ops: Op[] = [];
        const compare: Compare[] = [];
        const mine = (byTask.get(t.id) ?? []).map((k) => ({ key: k, ...targets.get(k)! }));
        const inst = t.containerInstanceId ? instances.get(t.containerInstanceId) : undefined;

        if (t.lastStatus === 'STOPPED') {
          // Nothing listens any more: drop its targets at once.
          for (const m of mine) { ops.push({ type: 'delete', key: m.key }); compare.push({ key: m.key, target: 'version', op: '==', value: m.version }); }
        } else if (t.desiredStatus === 'RUNNING' && t.lastStatus === 'RUNNING' && (inst || t.network?.eni)) {
          for (const lb of entries) {
            const tg = tgByArn.get(lb.targetGroupArn!)!;
            // ip targets (awsvpc): the task's own address and the container port (hostPort = containerPort).
            // instance targets: the instance and the host port bound to containerName:containerPort.
            let target: { id: string; port: number; address: string; availabilityZone?: string } | undefined;
            if (tg.targetType === 'ip') {
              const eni = t.network?.eni;
              if (eni && lb.containerPort && t.containers.some((c) => c.name === lb.containerName)) {
                target = { id: eni.privateIpv4Address, port: lb.containerPort, address: eni.privateIpv4Address, availabilityZone: t.availabilityZone };
              }
            } else if (inst) {
              const binding = t.containers.find((c) => c.name === lb.containerName)?.networkBindings.find((b) => b.containerPort === lb.containerPort);
              if (binding) target = { id: inst.ec2InstanceId, port: binding.hostPort, address: addressOf(inst), availabilityZone: inst.attributes.find((a) => a.name === 'ecs.availability-zone')?.value };
            }
            if (!target) continue;
            const key = elbKeys.target(tg.name, target.id, target.port);
            if (targets.has(key)) continue;
            const rec: TargetRecord = {
              tgName: tg.name, tgArn: tg.arn, id: target.id, port: target.port, address: target.address,
              availabilityZone: target.availabilityZone, registeredAt: now,
              task: { cluster, taskId: t.id, taskArn: t.taskArn, serviceName: svc.serviceName, containerName: lb.containerName! },
            };
            ops.push({ type: 'put', key, value: JSON.stringify(rec) });
            compare.push({ key, target: 'createRevision', op: '==', value: 0 });
            mine.push({ key, value: rec, version: 1 });
            registeredPerTg.set(tg.arn, (registeredPerTg.get(tg.arn) ?? 0) + 1);
          }
        } else if (t.desiredStatus === 'STOPPED') {
          let started = false;
          for (const m of mine) {
            if (m.value.drainUntil !== undefined) continue;
            const tg = tgByArn.get(m.value.tgArn);
            const delayS = Number(tg?.attributes['deregistration_delay.timeout_seconds'] ?? TG_ATTRIBUTE_DEFAULTS['deregistration_delay.timeout_seconds']);
            compare.push({ key: m.key, target: 'version', op: '==', value: m.version });
            if (delayS === 0) ops.push({ type: 'delete', key: m.key });
            else {
              const next = { ...m.value, deregisteredAt: now, drainUntil: now + delayS * 1000 };
              ops.push({ type: 'put', key: m.key, value: JSON.stringify(next) });
              m.value = next;
            }
            deregisteredPerTg.set(m.value.tgArn, (deregisteredPerTg.get(m.value.tgArn) ?? 0) + 1);
            started = true;
          }
          if (started) { drainingTasks++; result.draining++; }
        }

        // The task's elb field, from its targets as they will be after this pass.
        const live = mine.filter((m) => !ops.some((op) => op.type === 'delete' && op.key === m.key));
        const elb = elbStateOf(t, live.map((m) => m.value), now);
        if (JSON.stringify(elb) !== JSON.stringify(t.elb)) {
          ops.push({ type: 'put', key: kv.key, value: JSON.stringify({ ...t, elb, version: t.version + 1 }) });
          compare.push({ key: kv.key, target: 'version', op: '==', value: kv.version });
        }
        if (ops.length === 0) continue;
        const r = await store.txn({ compare, success: ops });
        if (!r.succeeded) o.log.debug({ task: t.id }, 'ecs targets: conflict, the next pass retries');
      }
      for (const n of registeredPerTg.values()) result.registered += n;
      if (registeredPerTg.size + deregisteredPerTg.size + drainingTasks > 0) {
        await addEvents(store, svc, now, [
          ...[...registeredPerTg].map(([arn, n]) => `(service ${svc.serviceName}) registered ${n} targets in (target-group ${arn})`),
          ...[...deregisteredPerTg].map(([arn, n]) => `(service ${svc.serviceName}) deregistered ${n} targets in (target-group ${arn})`),
          ...(drainingTasks > 0 ? [`(service ${svc.serviceName}) has begun draining connections on ${drainingTasks} tasks.`] : []),
        ]);
      }
    }
  }
  return result;
}

/** What the task's targets say: registered/draining/drained, and the worst health among them. */
export function elbStateOf(t: TaskRecord, mine: readonly TargetRecord[], now: number): TaskElbState | undefined {
  if (mine.length === 0) {
    // Had targets and they are all gone after a stop: drained. Never had any: nothing to say.
    if (t.elb && t.desiredStatus === 'STOPPED') return { ...t.elb, state: 'drained', drainUntil: undefined };
    return t.elb;
  }
  const draining = mine.filter((m) => m.drainUntil !== undefined);
  let health: TaskElbState['health'] = 'healthy';
  let unhealthyTg: string | undefined;
  for (const m of mine) {
    if (m.drainUntil !== undefined) continue;
    const h = m.health?.state === 'healthy' ? 'healthy' : m.health?.state === 'unhealthy' ? 'unhealthy' : 'initial';
    if (HEALTH_RANK[h] > HEALTH_RANK[health]) health = h;
    if (h === 'unhealthy' && !unhealthyTg) unhealthyTg = m.tgArn;
  }
  if (draining.length === mine.length) health = t.elb?.health ?? 'initial';
  return {
    state: draining.length > 0 ? 'draining' : 'registered',
    health,
    unhealthyTargetGroupArn: unhealthyTg,
    drainUntil: draining.length > 0 ? Math.max(...draining.map((d) => d.drainUntil!)) : undefined,
    targetGroupArns: [...new Set(mine.map((m) => m.tgArn))].sort(),
  };
  void now;
}

async function addEvents(store: Store, svc: ServiceRecord, now: number, messages: string[]): Promise<void> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const kv = await store.get(keys.service(svc.cluster, svc.serviceName));
    if (!kv) return;
    const s = JSON.parse(kv.value) as ServiceRecord;
    let changed = false;
    for (const m of messages) changed = appendServiceEvent(s, m, now) || changed;
    if (!changed) return;
    const r = await store.txn({ compare: [{ key: kv.key, target: 'version', op: '==', value: kv.version }], success: [{ type: 'put', key: kv.key, value: JSON.stringify(s) }] });
    if (r.succeeded) return;
  }
}
