/**
 * The default VPC, as every AWS account has one: 172.31.0.0/16 (configurable, so several Wharf
 * installations on one machine do not route the same addresses), a `default` security group, and one
 * default /20 subnet per availability zone — the zones of the container instances, plus the server's
 * default zone so the VPC is usable before the first agent registers. Made once on first start (a
 * marker key remembers it, so a user who deletes it does not get it back) and extended whenever an
 * instance registers in a zone without a default subnet.
 */
import { randomBytes } from 'node:crypto';
import { defaultGroup, ec2Id, ec2Keys, type SubnetRecord, type VpcRecord } from '../../model/ec2/records.js';
import { formatCidr, overlaps, parseCidr, size } from '../../model/ec2/cidr.js';
import { listJson } from '../../store/json.js';
import type { Op, Store } from '../../store/store.js';

const id = (prefix: Parameters<typeof ec2Id>[0]) => ec2Id(prefix, randomBytes(9).toString('hex'));

const defaultSecurityGroup = (vpcId: string, ownerId: string, now: number) => defaultGroup({ groupId: id('sg'), ruleIds: [id('sgr'), id('sgr')], vpcId, ownerId, now });

export interface DefaultVpcOptions { accountId: string; cidr: string; zones: string[]; now: number }

/** Creates the default VPC if it was never made, and default subnets for zones that lack one. Idempotent. */
export async function ensureDefaultVpc(store: Store, o: DefaultVpcOptions): Promise<void> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const marker = await store.get(ec2Keys.defaultVpcMarker());
    if (!marker) {
      const cidr = parseCidr(o.cidr, { strict: true });
      if (!cidr) throw new Error(`default VPC CIDR ${o.cidr} is not a CIDR block`);
      const vpc: VpcRecord = {
        vpcId: id('vpc'), cidrBlock: formatCidr(cidr), cidrAssociationId: id('vpc-cidr-assoc'), isDefault: true, state: 'available',
        dhcpOptionsId: 'dopt-wharf', instanceTenancy: 'default', ownerId: o.accountId, tags: [], createdAt: o.now,
      };
      const sg = defaultSecurityGroup(vpc.vpcId, o.accountId, o.now);
      const r = await store.txn({
        compare: [{ key: ec2Keys.defaultVpcMarker(), target: 'createRevision', op: '==', value: 0 }],
        success: [
          { type: 'put', key: ec2Keys.defaultVpcMarker(), value: vpc.vpcId },
          { type: 'put', key: ec2Keys.vpc(vpc.vpcId), value: JSON.stringify(vpc) },
          { type: 'put', key: ec2Keys.securityGroup(sg.groupId), value: JSON.stringify(sg) },
        ],
      });
      if (!r.succeeded) continue;
    }
    const vpcKv = await store.get(ec2Keys.vpc((await store.get(ec2Keys.defaultVpcMarker()))!.value));
    if (!vpcKv) return; // the user deleted the default VPC
    const vpc = JSON.parse(vpcKv.value) as VpcRecord;
    const subnets = (await listJson<SubnetRecord>(store, ec2Keys.subnets())).filter((s) => s.vpcId === vpc.vpcId);
    const missing = [...new Set(o.zones)].filter((z) => !subnets.some((s) => s.defaultForAz && s.availabilityZone === z)).sort();
    if (missing.length === 0) return;
    const vpcCidr = parseCidr(vpc.cidrBlock)!;
    const ops: Op[] = [];
    const taken = subnets.map((s) => parseCidr(s.cidrBlock)!);
    for (const zone of missing) {
      // The next free /20 (or the whole VPC when it is smaller), as AWS lays out default subnets.
      const prefix = Math.max(20, vpcCidr.prefix);
      let block: ReturnType<typeof parseCidr>;
      for (let base = vpcCidr.base; base < vpcCidr.base + size(vpcCidr); base += 2 ** (32 - prefix)) {
        const c = { base, prefix };
        if (!taken.some((t) => overlaps(t, c))) { block = c; break; }
      }
      if (!block) break;
      taken.push(block);
      const s: SubnetRecord = {
        subnetId: id('subnet'), vpcId: vpc.vpcId, cidrBlock: formatCidr(block), availabilityZone: zone, defaultForAz: true,
        mapPublicIpOnLaunch: true, state: 'available', ownerId: o.accountId, tags: [], createdAt: o.now,
      };
      ops.push({ type: 'put', key: ec2Keys.subnet(s.subnetId), value: JSON.stringify(s) });
    }
    if (!ops.length) return;
    const r = await store.txn({ compare: [{ key: vpcKv.key, target: 'version', op: '==', value: vpcKv.version }], success: [...ops, { type: 'put', key: vpcKv.key, value: vpcKv.value }] });
    if (r.succeeded) return;
  }
}
