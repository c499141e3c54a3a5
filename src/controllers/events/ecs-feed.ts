/**
 * The events of resources with more than one writer: "ECS Container Instance State Change" (written by
 * the dispatcher, placement, the API), "ECS Service Action" and "ECS Deployment State Change" (the
 * services controller and the API), "CloudWatch Alarm State Change" (alarm evaluation and SetAlarmState,
 * in metrics.db).
 *
 * Naive approach: put the event in the outbox in each writer's transaction, as the dispatcher does for
 * tasks. Container instances have five writers and alarms live in another database, so instead each
 * pass of the delivery controller reads the committed state and a cursor per resource, and
 *
 *   container instance  version > cursor            ─► one event with the instance as it is now
 *   service             events newer than cursor     ─► one "ECS Service Action" per documented action
 *                       (DescribeServices `events`,     (steady state, placement failure, start
 *                       written with each change)       impaired, configuration failure)
 *                       deployment rolloutState ≠ cursor ─► one "ECS Deployment State Change"
 *   alarm history       StateUpdate rows after cursor ─► one "CloudWatch Alarm State Change" each
 *
 * puts the events in the outbox in the same transaction that moves the cursor, guarded on the cursor's
 * and the resource's versions. So a change that is committed is never lost to a crash (the cursor still
 * points before it after a restart) and is announced once, in order per resource; what is coalesced is
 * a container instance's intermediate versions between two passes (the event shows the latest, with its
 * `version`, as ECS's consumers compare versions anyway).
 *
 *   /events/feed/instance/<cluster>/<id>   { version }
 *   /events/feed/service/<cluster>/<name>  { lastEventId, deployments: { <id>: rolloutState } }
 *   /events/feed/alarms                    { lastId }
 */
import { randomUUID } from 'node:crypto';
import type { Compare, KeyValue, Op, Store } from '../../store/store.js';
import { keys } from '../../model/ecs/keys.js';
import { clusterArn } from '../../model/arn.js';
import type { ContainerInstanceRecord, TaskRecord } from '../../model/ecs/task-records.js';
import type { ServiceRecord } from '../../model/ecs/records.js';
import { holdsResources, remainingOf, remainingResources, type Reservation } from '../../model/ecs/task-state.js';
import {
  containerInstanceStateChangeDetail, deploymentStateChangeDetail, ecsEvent, serviceActionDetail, serviceActionOf,
} from '../../model/events/ecs-events.js';
import { alarmStateChangeEvent, type AlarmStateChange } from '../../model/events/alarm-events.js';
import { DEFAULT_BUS, eventsKeys, type BusEvent, type OutboxEvent } from '../../model/events/records.js';

type Scope = { region: string; accountId: string };

const feedKeys = {
  instance: (cluster: string, id: string) => `/events/feed/instance/${cluster}/${id}`,
  instances: () => '/events/feed/instance/',
  service: (cluster: string, name: string) => `/events/feed/service/${cluster}/${name}`,
  services: () => '/events/feed/service/',
  alarms: () => '/events/feed/alarms',
};

/** A service seen for the first time announces only what happened this recently (not an old service's whole past). */
const FIRST_SIGHT_MS = 3_600_000;

interface ServiceCursor { lastEventId?: string; deployments: Record<string, string> }

/** Outbox entries for `events`, in order (the key's sequence part keeps them in order within one commit). */
function outboxOps(events: BusEvent[], now: number): Op[] {
  return events.map((event, i) => {
    const rec: OutboxEvent = { eventBusName: DEFAULT_BUS, event, receivedAt: now };
    return { type: 'put' as const, key: eventsKeys.outbox(DEFAULT_BUS, now, `${String(i).padStart(4, '0')}-${event.id}`), value: JSON.stringify(rec) };
  });
}

const guardOn = (key: string, kv: KeyValue | undefined): Compare => ({ key, target: 'version', op: '==', value: kv?.version ?? 0 });
const sameAs = (kv: KeyValue): Compare => ({ key: kv.key, target: 'modRevision', op: '==', value: kv.modRevision });

async function feedInstances(store: Store, now: number, scope: Scope): Promise<number> {
  const instances = (await store.range(keys.containerInstances())).kvs;
  const cursors = new Map((await store.range(feedKeys.instances())).kvs.map((kv) => [kv.key, kv]));
  const live = new Set<string>();
  const reservations = new Map<string, Map<string, Reservation[]>>();
  let n = 0;
  for (const kv of instances) {
    const i = JSON.parse(kv.value) as ContainerInstanceRecord;
    const ck = feedKeys.instance(i.cluster, i.id);
    live.add(ck);
    // Wharf's managed Fargate hosts are not the user's container instances (ECS sends no such events for Fargate).
    if (i.fargatePool) continue;
    const cur = cursors.get(ck);
    if (cur && (JSON.parse(cur.value) as { version: number }).version >= i.version) continue;
    let byInstance = reservations.get(i.cluster);
    if (!byInstance) {
      byInstance = new Map();
      for (const tkv of (await store.range(keys.tasks(i.cluster))).kvs) {
        const t = JSON.parse(tkv.value) as TaskRecord;
        if (!t.containerInstanceId || !holdsResources(t)) continue;
        byInstance.set(t.containerInstanceId, [...(byInstance.get(t.containerInstanceId) ?? []), t.reserved]);
      }
      reservations.set(i.cluster, byInstance);
    }
    const detail = containerInstanceStateChangeDetail(i, remainingResources(remainingOf(i, byInstance.get(i.id) ?? [])), clusterArn(scope, i.cluster), now);
    const event = ecsEvent('ECS Container Instance State Change', i.containerInstanceArn, detail, scope, randomUUID(), now);
    const r = await store.txn({ compare: [guardOn(ck, cur), sameAs(kv)], success: [...outboxOps([event], now), { type: 'put', key: ck, value: JSON.stringify({ version: i.version }) }] });
    if (r.succeeded) n++;
  }
  for (const [key, kv] of cursors) if (!live.has(key)) await store.txn({ compare: [guardOn(key, kv)], success: [{ type: 'delete', key }] });
  return n;
}

async function feedServices(store: Store, now: number, scope: Scope): Promise<number> {
  const services = (await store.range(keys.services())).kvs;
  const cursors = new Map((await store.range(feedKeys.services())).kvs.map((kv) => [kv.key, kv]));
  const live = new Set<string>();
  let n = 0;
  for (const kv of services) {
    const s = JSON.parse(kv.value) as ServiceRecord;
    const ck = feedKeys.service(s.cluster, s.serviceName);
    live.add(ck);
    const ckv = cursors.get(ck);
    const cur: ServiceCursor | undefined = ckv ? (JSON.parse(ckv.value) as ServiceCursor) : undefined;
    // Each event with the time of its change, so the two kinds interleave in the order they happened
    // (a deployment's COMPLETED comes before the steady state the same reconcile pass wrote).
    const timed: { at: number; event: BusEvent }[] = [];
    const deployments: Record<string, string> = {};
    for (const d of [...s.history].reverse().concat(s.deployments)) {
      deployments[d.id] = d.rolloutState;
      const before = cur?.deployments[d.id];
      if (before === d.rolloutState) continue;
      if (cur === undefined && d.updatedAt < now - FIRST_SIGHT_MS) continue;
      // A deployment first seen already finished announces its start too (a fast one can finish between passes).
      if (before === undefined && d.rolloutState !== 'IN_PROGRESS' && d.createdAt >= now - FIRST_SIGHT_MS) {
        const started = deploymentStateChangeDetail({ ...d, rolloutState: 'IN_PROGRESS', rolloutStateReason: `ECS deployment ${d.id} in progress.`, updatedAt: d.createdAt });
        timed.push({ at: d.createdAt, event: ecsEvent('ECS Deployment State Change', s.serviceArn, started, scope, randomUUID(), now) });
      }
      timed.push({ at: d.updatedAt, event: ecsEvent('ECS Deployment State Change', s.serviceArn, deploymentStateChangeDetail(d), scope, randomUUID(), now) });
    }
    // Service events are newest first; the new ones are those before the last one seen.
    const seenAt = cur?.lastEventId === undefined ? -1 : s.events.findIndex((e) => e.id === cur.lastEventId);
    const fresh = (seenAt < 0 ? s.events : s.events.slice(0, seenAt)).filter((e) => cur !== undefined || e.createdAt >= now - FIRST_SIGHT_MS).reverse();
    for (const e of fresh) {
      const action = serviceActionOf(e.message);
      if (action) timed.push({ at: e.createdAt, event: ecsEvent('ECS Service Action', s.serviceArn, serviceActionDetail(action, s.clusterArn, e.createdAt), scope, randomUUID(), now) });
    }
    // A stable sort: at equal times deployments come first.
    const events = timed.sort((a, b) => a.at - b.at).map((t) => t.event);
    const next: ServiceCursor = { lastEventId: s.events[0]?.id ?? cur?.lastEventId, deployments };
    if (events.length === 0 && ckv && JSON.stringify(next) === ckv.value) continue;
    const r = await store.txn({ compare: [guardOn(ck, ckv), sameAs(kv)], success: [...outboxOps(events, now), { type: 'put', key: ck, value: JSON.stringify(next) }] });
    if (r.succeeded) n += events.length;
  }
  for (const [key, kv] of cursors) if (!live.has(key)) await store.txn({ compare: [guardOn(key, kv)], success: [{ type: 'delete', key }] });
  return n;
}

/** The alarm state changes metrics.db recorded after `afterId` (oldest first, at most `limit`). */
export type AlarmChangesSource = (afterId: number, limit: number) => AlarmStateChange[];

async function feedAlarms(store: Store, now: number, scope: Scope, source: AlarmChangesSource): Promise<number> {
  const ckv = await store.get(feedKeys.alarms());
  const lastId = ckv ? (JSON.parse(ckv.value) as { lastId: number }).lastId : 0;
  const changes = source(lastId, 500);
  if (changes.length === 0) return 0;
  const events = changes.filter((c) => ckv || c.at >= now - FIRST_SIGHT_MS).map((c) => alarmStateChangeEvent(c, scope, randomUUID()));
  await store.txn({ compare: [guardOn(feedKeys.alarms(), ckv)], success: [...outboxOps(events, now), { type: 'put', key: feedKeys.alarms(), value: JSON.stringify({ lastId: changes[changes.length - 1].id }) }] });
  return events.length;
}

export async function feedResourceEvents(store: Store, now: number, o: { scope: Scope; alarmChanges?: AlarmChangesSource }): Promise<number> {
  let n = await feedInstances(store, now, o.scope);
  n += await feedServices(store, now, o.scope);
  if (o.alarmChanges) n += await feedAlarms(store, now, o.scope, o.alarmChanges);
  return n;
}
