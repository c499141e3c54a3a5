/**
 * Registering and deregistering Cloud Map instances: shared by the Cloud Map API (RegisterInstance,
 * DeregisterInstance) and by ECS services with service registries, so a task is registered exactly as a
 * user's instance is (same checks, same operation records, same counts).
 *
 * Each change is one transaction guarded on the versions it read: the instance, its service (whose
 * instanceCount and instancesRevision move with it) and a new operation record. A DeleteService that
 * commits first makes the registration's compare fail; the retry then finds no service (ServiceNotFound)
 * instead of leaving an instance under a deleted service.
 */
import { randomBytes } from 'node:crypto';
import { ApiError } from '../../model/errors.js';
import { instanceNotFound, serviceNotFound } from '../../model/servicediscovery/errors.js';
import {
  operationId, sdKeys, type InstanceRecord, type OperationRecord, type OperationType, type ServiceRecord,
} from '../../model/servicediscovery/records.js';
import { checkAttributes } from '../../model/servicediscovery/validation.js';
import { getKeyed, putOp, deleteOp, unchangedSince } from '../../store/json.js';
import type { Store } from '../../store/store.js';

/** A finished operation (Wharf commits the change with its operation record: see records.ts). */
export function newOperation(type: OperationType, targets: Record<string, string>, now: number, o: { namespaceId?: string; serviceId?: string } = {}): OperationRecord {
  return {
    id: operationId(randomBytes(32), now), type, status: 'SUCCESS', targets,
    ...(o.namespaceId ? { namespaceId: o.namespaceId } : {}), ...(o.serviceId ? { serviceId: o.serviceId } : {}),
    createdAt: now, updatedAt: now,
  };
}

const concurrent = () => new ApiError('RequestLimitExceeded', 'The request conflicted with other changes to the same service too many times; retry it.');

export interface Registration {
  readonly serviceId: string;
  readonly instanceId: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly creatorRequestId?: string;
  readonly now: number;
}

/** Creates or replaces an instance; returns the REGISTER_INSTANCE operation's id. */
export async function registerInstance(store: Store, r: Registration): Promise<string> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const svc = await getKeyed<ServiceRecord>(store, sdKeys.service(r.serviceId));
    if (!svc) throw serviceNotFound(r.serviceId);
    const health = checkAttributes(svc.value, r.attributes);
    const key = sdKeys.instance(r.serviceId, r.instanceId);
    const cur = await getKeyed<InstanceRecord>(store, key);
    const inst: InstanceRecord = {
      id: r.instanceId, serviceId: r.serviceId, namespaceId: svc.value.namespaceId,
      ...(r.creatorRequestId !== undefined ? { creatorRequestId: r.creatorRequestId } : {}),
      attributes: { ...r.attributes }, health, createdAt: cur?.value.createdAt ?? r.now, updatedAt: r.now,
    };
    const service: ServiceRecord = { ...svc.value, instanceCount: svc.value.instanceCount + (cur ? 0 : 1), instancesRevision: svc.value.instancesRevision + 1 };
    const op = newOperation('REGISTER_INSTANCE', { INSTANCE: r.instanceId, SERVICE: r.serviceId }, r.now, { namespaceId: svc.value.namespaceId, serviceId: r.serviceId });
    const res = await store.txn({
      compare: [...unchangedSince(svc), { key, target: 'version', op: '==', value: cur?.version ?? 0 }],
      success: [putOp(key, inst), putOp(svc.key, service), putOp(sdKeys.operation(op.id), op)],
    });
    if (res.succeeded) return op.id;
  }
  throw concurrent();
}

/** Removes an instance; returns the DEREGISTER_INSTANCE operation's id. */
export async function deregisterInstance(store: Store, d: { serviceId: string; instanceId: string; now: number }): Promise<string> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const svc = await getKeyed<ServiceRecord>(store, sdKeys.service(d.serviceId));
    if (!svc) throw serviceNotFound(d.serviceId);
    const cur = await getKeyed<InstanceRecord>(store, sdKeys.instance(d.serviceId, d.instanceId));
    if (!cur) throw instanceNotFound(d.serviceId, d.instanceId);
    const service: ServiceRecord = { ...svc.value, instanceCount: Math.max(0, svc.value.instanceCount - 1), instancesRevision: svc.value.instancesRevision + 1 };
    const op = newOperation('DEREGISTER_INSTANCE', { INSTANCE: d.instanceId, SERVICE: d.serviceId }, d.now, { namespaceId: svc.value.namespaceId, serviceId: d.serviceId });
    const res = await store.txn({
      compare: unchangedSince(svc, cur),
      success: [deleteOp(cur.key), putOp(svc.key, service), putOp(sdKeys.operation(op.id), op)],
    });
    if (res.succeeded) return op.id;
  }
  throw concurrent();
}

/**
 * Sets a registered instance's custom health status (UpdateInstanceCustomHealthStatus's effect; ECS
 * reports its tasks' health this way). Returns false when the instance is gone or the write lost a race
 * (the caller's next pass retries).
 */
export async function setInstanceHealth(store: Store, s: { serviceId: string; instanceId: string; health: 'HEALTHY' | 'UNHEALTHY'; now: number }): Promise<boolean> {
  const cur = await getKeyed<InstanceRecord>(store, sdKeys.instance(s.serviceId, s.instanceId));
  if (!cur) return false;
  if (cur.value.health === s.health) return true;
  const r = await store.txn({ compare: unchangedSince(cur), success: [putOp(cur.key, { ...cur.value, health: s.health, updatedAt: s.now })] });
  return r.succeeded;
}
