/**
 * The network controller: keeps the default VPC (a default subnet in every zone where a container
 * instance registers) and sweeps address leases whose task is gone.
 *
 * Leases are normally released by the dispatcher in the transaction that records the task STOPPED. The
 * sweep is the safety net for the paths that never report STOPPED — a task record deleted while its
 * instance was deregistered, a placement whose task was removed by hand: a lease whose task record is
 * missing or STOPPED is deleted (guarded on the lease's version, so a fresh lease is never touched).
 * Level-triggered: it runs on every instance change and once a minute.
 */
import type { Logger } from 'pino';
import type { Store } from '../../store/store.js';
import { keys } from '../../model/ecs/keys.js';
import type { ContainerInstanceRecord, TaskRecord } from '../../model/ecs/task-records.js';
import { DEFAULT_VPC_CIDR, DEFAULT_ZONE, ec2Keys, type NetworkInterfaceRecord } from '../../model/ec2/records.js';
import { ensureDefaultVpc } from './default-vpc.js';

export interface NetworkControllerOptions {
  store: Store;
  accountId: string;
  defaultVpcCidr?: string;
  log: Logger;
  clock: () => Date;
  /** How often leases are swept. Default 60 s. */
  sweepMs?: number;
}

export async function startNetworkController(o: NetworkControllerOptions): Promise<{ stop(): void }> {
  const abort = new AbortController();
  const zones = async () => {
    const out = new Set([DEFAULT_ZONE]);
    for (const kv of (await o.store.range(keys.containerInstances())).kvs) {
      const i = JSON.parse(kv.value) as ContainerInstanceRecord;
      const z = i.attributes.find((a) => a.name === 'ecs.availability-zone')?.value;
      if (z && i.status !== 'INACTIVE') out.add(z);
    }
    return [...out];
  };
  const ensure = async () => ensureDefaultVpc(o.store, { accountId: o.accountId, cidr: o.defaultVpcCidr ?? DEFAULT_VPC_CIDR, zones: await zones(), now: o.clock().getTime() });
  await ensure();
  let running: Promise<void> = Promise.resolve();
  const kick = () => { running = running.then(ensure).catch((err) => o.log.error({ err }, 'default VPC upkeep failed')); };
  o.store.watch(keys.containerInstances(), kick, { signal: abort.signal });
  const sweep = async () => {
    for (const kv of (await o.store.range(ec2Keys.networkInterfaces())).kvs) {
      const eni = JSON.parse(kv.value) as NetworkInterfaceRecord;
      const id = eni.taskArn.split('/').pop()!;
      const t = await o.store.get(keys.task(eni.cluster, id));
      const task = t ? (JSON.parse(t.value) as TaskRecord) : undefined;
      if (task && task.lastStatus !== 'STOPPED' && task.network?.eni?.networkInterfaceId === eni.networkInterfaceId) continue;
      // The lease may be younger than the task read (placement commits both at once): compare on the lease.
      const r = await o.store.txn({ compare: [{ key: kv.key, target: 'modRevision', op: '==', value: kv.modRevision }, ...(t ? [{ key: t.key, target: 'modRevision' as const, op: '==' as const, value: t.modRevision }] : [])], success: [{ type: 'delete', key: kv.key }] });
      if (r.succeeded) o.log.info({ eni: eni.networkInterfaceId, address: eni.privateIpAddress, task: eni.taskArn }, 'released a lease whose task is gone');
    }
  };
  const timer = setInterval(() => { running = running.then(sweep).catch((err) => o.log.error({ err }, 'lease sweep failed')); }, o.sweepMs ?? 60_000);
  timer.unref();
  return { stop() { abort.abort(); clearInterval(timer); } };
}
