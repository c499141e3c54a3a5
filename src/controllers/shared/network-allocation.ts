/**
 * Address leases for awsvpc tasks, decided with the placement and committed in its transaction.
 *
 * The naive way is a counter per subnet ("next free address") updated in the placement transaction:
 * every placement in a subnet then conflicts with every other, and a released address needs the
 * counter's owner to take it back. Instead each leased address is its own key
 * (`/ec2/eni/<subnet>/<address>`, holding the network interface record) created with a compare that it
 * does not exist. Two placements that picked the same address cannot both commit: the second retries
 * and picks again. Releasing is deleting the key, in the transaction that records the task STOPPED.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Compare, Op, Store } from '../../store/store.js';
import type { TaskRecord } from '../../model/ecs/task-records.js';
import type { TaskEni, TaskNetwork } from '../../model/ecs/awsvpc.js';
import { ec2Id, ec2Keys, macAddress, privateDnsName, type NetworkInterfaceRecord, type SubnetRecord } from '../../model/ec2/records.js';
import { formatIpv4, parseCidr, pickAddress } from '../../model/ec2/cidr.js';

export interface Allocation {
  /** Tasks with their interface filled in; tasks that got no address are left out. */
  tasks: TaskRecord[];
  /** Tasks that could not get an address, with why. */
  failed: { task: TaskRecord; reason: string; detail: string }[];
  ops: Op[];
  compare: Compare[];
}

/**
 * Leases one address per awsvpc task, in a subnet of the task's configuration that lies in the zone
 * of the instance it was placed on. Tasks without `network` pass through untouched.
 *
 * `anyZone` (the managed Fargate pool, whose hosts serve every zone of the machine): the first subnet
 * of the configuration with a free address, and the task's availabilityZone becomes that subnet's, as
 * Fargate reports the zone of the subnet it chose.
 */
export async function allocateInterfaces(store: Store, placed: readonly TaskRecord[], opts: { region: string; random: () => number; now: number; anyZone?: boolean }): Promise<Allocation> {
  const out: Allocation = { tasks: [], failed: [], ops: [], compare: [] };
  const subnets = new Map<string, SubnetRecord | null>();
  const subnetVersions = new Map<string, number>();
  const used = new Map<string, Set<number>>();
  for (const t of placed) {
    const net = t.network;
    if (!net) { out.tasks.push(t); continue; }
    let leased: TaskEni | undefined;
    let zone = t.availabilityZone;
    for (const id of net.subnets) {
      if (!subnets.has(id)) {
        const kv = await store.get(ec2Keys.subnet(id));
        subnets.set(id, kv ? (JSON.parse(kv.value) as SubnetRecord) : null);
        if (kv) subnetVersions.set(id, kv.version);
      }
      const s = subnets.get(id);
      if (!s || (!opts.anyZone && t.availabilityZone && s.availabilityZone !== t.availabilityZone)) continue;
      const cidr = parseCidr(s.cidrBlock)!;
      let taken = used.get(id);
      if (!taken) {
        taken = new Set((await store.range(ec2Keys.networkInterfaces(id))).kvs.map((kv) => Number(kv.key.split('/').pop())));
        used.set(id, taken);
      }
      const ip = pickAddress(cidr, taken, opts.random);
      if (ip === undefined) continue;
      taken.add(ip);
      const address = formatIpv4(ip);
      const eni: NetworkInterfaceRecord = {
        networkInterfaceId: ec2Id('eni', randomBytes(9).toString('hex')),
        attachmentId: randomUUID(),
        subnetId: s.subnetId, vpcId: s.vpcId, availabilityZone: s.availabilityZone,
        privateIpAddress: address, macAddress: macAddress([...randomBytes(5)]),
        privateDnsName: privateDnsName(address, opts.region),
        securityGroups: net.securityGroups, taskArn: t.taskArn, cluster: t.cluster, createdAt: opts.now,
      };
      const key = ec2Keys.networkInterface(id, ip);
      out.ops.push({ type: 'put', key, value: JSON.stringify(eni) });
      out.compare.push({ key, target: 'createRevision', op: '==', value: 0 });
      // The subnet must still exist at commit (DeleteSubnet refuses only subnets with leases).
      if (!out.compare.some((c) => c.key === ec2Keys.subnet(id))) out.compare.push({ key: ec2Keys.subnet(id), target: 'version', op: '==', value: subnetVersions.get(id)! });
      leased = {
        attachmentId: eni.attachmentId, networkInterfaceId: eni.networkInterfaceId, subnetId: s.subnetId, vpcId: s.vpcId,
        subnetCidr: s.cidrBlock, privateIpv4Address: address, macAddress: eni.macAddress, privateDnsName: eni.privateDnsName,
      };
      zone = s.availabilityZone;
      break;
    }
    if (!leased) {
      out.failed.push({ task: t, reason: 'RESOURCE:ENI', detail: `No free IPv4 address in subnets ${net.subnets.join(', ')}${opts.anyZone ? '' : ` of availability zone ${t.availabilityZone ?? '(none)'}`}` });
      continue;
    }
    out.tasks.push({ ...t, availabilityZone: zone, network: { ...net, eni: leased } satisfies TaskNetwork });
  }
  return out;
}
