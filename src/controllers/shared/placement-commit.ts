/**
 * The placement applier shared by RunTask and the service controller: snapshot the cluster, let the
 * pure scheduler decide, commit tasks and instance reservations in one transaction guarded on every
 * instance record version that was read. A conflict means someone else placed or released meanwhile:
 * re-read and decide again (STYLE.md 3).
 */
import type { Store, Compare, Op } from '../../store/store.js';
import { keys } from '../../model/ecs/keys.js';
import type { ContainerInstanceRecord, TaskRecord } from '../../model/ecs/task-records.js';
import { place, type Constraint, type InstanceView, type PlacementFailure, type Strategy } from '../../scheduler/placement.js';
import { ecsArn } from '../../model/arn.js';

export interface PlaceRequest {
  cluster: string;
  /** Unplaced tasks of one kind (same definition and overrides): the demand is the first's. */
  tasks: TaskRecord[];
  strategies: Strategy[];
  constraints: Constraint[];
  requiresAttributes: { name: string; value?: string }[];
  random: () => number;
  /** Restrict to these instance ids (StartTask). */
  onlyInstances?: string[];
  matches?: (expression: string, instance: InstanceView) => boolean;
  /** Extra ops committed atomically with the placement (e.g. an idempotency record). */
  extraOps?: (placed: TaskRecord[]) => Op[];
}

export interface PlaceResult {
  placed: TaskRecord[];
  failures: PlacementFailure[];
  /** True when the cluster has no registered instance at all. */
  noInstances: boolean;
}

const LIVE = (t: TaskRecord) => t.lastStatus !== 'STOPPED' && t.lastStatus !== 'DELETED';

export async function placeAndCommit(store: Store, req: PlaceRequest): Promise<PlaceResult> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const [instKvs, taskKvs] = await Promise.all([store.range(keys.containerInstances(req.cluster)), store.range(keys.tasks(req.cluster))]);
    const instances = instKvs.kvs.map((kv) => ({ rec: JSON.parse(kv.value) as ContainerInstanceRecord, version: kv.version }))
      .filter(({ rec }) => rec.status !== 'INACTIVE' && (!req.onlyInstances || req.onlyInstances.includes(rec.id)));
    if (instances.length === 0) return { placed: [], failures: [], noInstances: true };
    const groupsByInstance = new Map<string, string[]>();
    for (const kv of taskKvs.kvs) {
      const t = JSON.parse(kv.value) as TaskRecord;
      if (t.containerInstanceId && LIVE(t)) groupsByInstance.set(t.containerInstanceId, [...(groupsByInstance.get(t.containerInstanceId) ?? []), t.group]);
    }
    const views: InstanceView[] = instances.map(({ rec }) => ({
      arn: rec.containerInstanceArn, id: rec.id, status: rec.status, agentConnected: rec.agentConnected,
      remaining: rec.remaining, attributes: rec.attributes.map((a) => ({ name: a.name ?? "", value: a.value })), taskGroups: groupsByInstance.get(rec.id) ?? [],
    }));
    const first = req.tasks[0];
    const plan = place({
      demand: { cpu: first.reserved.cpu, memory: first.reserved.memory, ports: first.reserved.ports, udpPorts: first.reserved.udpPorts, requiresAttributes: req.requiresAttributes },
      count: req.tasks.length, group: first.group, strategies: req.strategies, constraints: req.constraints, random: req.random, matches: req.matches,
    }, views);
    const placed: TaskRecord[] = [];
    const touched = new Map<string, { rec: ContainerInstanceRecord; version: number }>();
    plan.placements.forEach((arn, i) => {
      const inst = instances.find((x) => x.rec.containerInstanceArn === arn)!;
      const cur = touched.get(inst.rec.id) ?? { rec: structuredClone(inst.rec), version: inst.version };
      const t = req.tasks[i];
      cur.rec.remaining.cpu -= t.reserved.cpu;
      cur.rec.remaining.memory -= t.reserved.memory;
      cur.rec.remaining.ports.push(...t.reserved.ports);
      cur.rec.remaining.udpPorts.push(...t.reserved.udpPorts);
      touched.set(inst.rec.id, cur);
      placed.push({
        ...t,
        containerInstanceArn: inst.rec.containerInstanceArn,
        containerInstanceId: inst.rec.id,
        availabilityZone: inst.rec.attributes.find((a) => a.name === 'ecs.availability-zone')?.value,
        lastStatus: 'PENDING',
      });
    });
    const compare: Compare[] = [...touched.values()].map(({ rec, version }) => ({ key: keys.containerInstance(req.cluster, rec.id), target: 'version', op: '==', value: version }));
    const ops: Op[] = [
      ...placed.map((t): Op => ({ type: 'put', key: keys.task(req.cluster, t.id), value: JSON.stringify(t) })),
      ...[...touched.values()].map(({ rec }): Op => ({ type: 'put', key: keys.containerInstance(req.cluster, rec.id), value: JSON.stringify({ ...rec, version: rec.version + 1 }) })),
      ...(req.extraOps?.(placed) ?? []),
    ];
    // Every task must be new: guard against an id collision as well.
    for (const t of placed) compare.push({ key: keys.task(req.cluster, t.id), target: 'createRevision', op: '==', value: 0 });
    if (ops.length === 0) return { placed, failures: plan.failures, noInstances: false };
    const r = await store.txn({ compare, success: ops });
    if (r.succeeded) return { placed, failures: plan.failures, noInstances: false };
  }
  return { placed: [], failures: [{ arn: req.cluster, reason: 'CONFLICT' }], noInstances: false };
}
