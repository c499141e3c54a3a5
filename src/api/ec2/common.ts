/**
 * What the EC2 handlers share: lookups that fail with EC2's own errors, ids, tags, filters, and how the
 * stored VPC model appears on the wire (the SDK's EC2 shapes, PascalCase; the codec writes EC2's XML).
 */
import { randomBytes } from 'node:crypto';
import type { IpPermission, SecurityGroup, SecurityGroupRule, Subnet, Tag, TagSpecification, Vpc } from '@aws-sdk/client-ec2';
import { ApiError, type ErrorCode } from '../../model/errors.js';
import { ec2Id, ec2Keys, type Ec2Tag, type NetworkInterfaceRecord, type SecurityGroupRecord, type SgRule, type SubnetRecord, type VpcRecord } from '../../model/ec2/records.js';
import { FilterError, matchesFilters, type Ec2Filter } from '../../model/ec2/filters.js';
import { parseCidr, usableRange } from '../../model/ec2/cidr.js';
import { getJson, listJson, type Versioned } from '../../store/json.js';
import type { Store } from '../../store/store.js';
import type { RequestContext } from '../types.js';

export const ec2Error = (code: ErrorCode, message: string) => new ApiError(code, message);
export const newId = (prefix: Parameters<typeof ec2Id>[0]) => ec2Id(prefix, randomBytes(9).toString('hex'));

export async function findVpc(store: Store, id: string | undefined): Promise<Versioned<VpcRecord>> {
  const v = id && /^vpc-[0-9a-f]+$/.test(id) ? await getJson<VpcRecord>(store, ec2Keys.vpc(id)) : undefined;
  if (!v) {
    if (id && !id.startsWith('vpc-')) throw ec2Error('InvalidVpcID.Malformed', `Invalid id: "${id}" (expecting "vpc-...")`);
    throw ec2Error('InvalidVpcID.NotFound', `The vpc ID '${id ?? ''}' does not exist`);
  }
  return v;
}

export async function findSubnet(store: Store, id: string | undefined): Promise<Versioned<SubnetRecord>> {
  const s = id && /^subnet-[0-9a-f]+$/.test(id) ? await getJson<SubnetRecord>(store, ec2Keys.subnet(id)) : undefined;
  if (!s) {
    if (id && !id.startsWith('subnet-')) throw ec2Error('InvalidSubnetID.Malformed', `Invalid id: "${id}" (expecting "subnet-...")`);
    throw ec2Error('InvalidSubnetID.NotFound', `The subnet ID '${id ?? ''}' does not exist`);
  }
  return s;
}

export async function findGroup(store: Store, ref: { id?: string; name?: string; vpcId?: string }): Promise<Versioned<SecurityGroupRecord>> {
  if (ref.id !== undefined) {
    if (!/^sg-[0-9a-f]+$/.test(ref.id)) throw ec2Error('InvalidGroupId.Malformed', `Invalid id: "${ref.id}" (expecting "sg-...")`);
    const g = await getJson<SecurityGroupRecord>(store, ec2Keys.securityGroup(ref.id));
    if (!g) throw ec2Error('InvalidGroup.NotFound', `The security group '${ref.id}' does not exist`);
    return g;
  }
  const vpcId = ref.vpcId ?? (await defaultVpc(store))?.vpcId;
  const all = (await store.range(ec2Keys.securityGroups())).kvs;
  for (const kv of all) {
    const g = JSON.parse(kv.value) as SecurityGroupRecord;
    if (g.groupName === ref.name && g.vpcId === vpcId) return { value: g, version: kv.version, modRevision: kv.modRevision };
  }
  throw ec2Error('InvalidGroup.NotFound', `The security group '${ref.name ?? ''}' does not exist in default VPC '${vpcId ?? 'none'}'`);
}

export async function defaultVpc(store: Store): Promise<VpcRecord | undefined> {
  return (await listJson<VpcRecord>(store, ec2Keys.vpcs())).find((v) => v.isDefault);
}

/** Filters, with EC2's error for a name the resource does not support. */
export function filterBy<T>(items: readonly T[], filters: readonly Ec2Filter[] | undefined, fields: (t: T) => Record<string, (string | undefined)[]>, tags: (t: T) => Ec2Tag[]): T[] {
  try {
    return items.filter((t) => matchesFilters(filters, fields(t), tags(t)));
  } catch (e) {
    if (e instanceof FilterError) throw ec2Error('InvalidParameterValue', e.message);
    throw e;
  }
}

/** Ids asked for that do not exist: EC2 fails the whole call naming the first one. */
export function requireAll<T>(ids: readonly string[] | undefined, found: readonly T[], idOf: (t: T) => string, notFound: (id: string) => ApiError): void {
  for (const id of ids ?? []) if (!found.some((f) => idOf(f) === id)) throw notFound(id);
}

/** TagSpecifications of a Create* call, for one resource type. */
export function tagsFrom(specs: readonly TagSpecification[] | undefined, resourceType: string): Ec2Tag[] {
  const out: Ec2Tag[] = [];
  for (const s of specs ?? []) {
    if (s.ResourceType && s.ResourceType !== resourceType) {
      throw ec2Error('InvalidParameterValue', `'${s.ResourceType}' is not a valid taggable resource type for this operation.`);
    }
    for (const t of s.Tags ?? []) out.push({ Key: t.Key ?? '', Value: t.Value ?? '' });
  }
  return out;
}

export const tagView = (tags: readonly Ec2Tag[]): Tag[] => tags.map((t) => ({ Key: t.Key, Value: t.Value }));

export function vpcView(v: VpcRecord): Vpc {
  return {
    CidrBlock: v.cidrBlock, DhcpOptionsId: v.dhcpOptionsId, State: v.state, VpcId: v.vpcId, OwnerId: v.ownerId,
    InstanceTenancy: v.instanceTenancy as Vpc['InstanceTenancy'], Ipv6CidrBlockAssociationSet: [],
    CidrBlockAssociationSet: [{ AssociationId: v.cidrAssociationId, CidrBlock: v.cidrBlock, CidrBlockState: { State: 'associated' } }],
    IsDefault: v.isDefault, Tags: v.tags.length ? tagView(v.tags) : undefined,
  };
}

export function subnetView(s: SubnetRecord, leased: number, ctx: Pick<RequestContext, 'region' | 'accountId'>): Subnet {
  const cidr = parseCidr(s.cidrBlock)!;
  return {
    AvailabilityZone: s.availabilityZone, AvailabilityZoneId: zoneId(s.availabilityZone), AvailableIpAddressCount: usableRange(cidr).count - leased,
    CidrBlock: s.cidrBlock, DefaultForAz: s.defaultForAz, MapPublicIpOnLaunch: s.mapPublicIpOnLaunch, State: s.state,
    SubnetId: s.subnetId, VpcId: s.vpcId, OwnerId: s.ownerId, AssignIpv6AddressOnCreation: false, Ipv6CidrBlockAssociationSet: [],
    Tags: s.tags.length ? tagView(s.tags) : undefined, SubnetArn: `arn:aws:ec2:${ctx.region}:${ctx.accountId}:subnet/${s.subnetId}`,
    EnableDns64: false, Ipv6Native: false, MapCustomerOwnedIpOnLaunch: false,
    PrivateDnsNameOptionsOnLaunch: { HostnameType: 'ip-name', EnableResourceNameDnsARecord: false, EnableResourceNameDnsAAAARecord: false },
  };
}

/** AWS's zone ids look like `use1-az1`; ours are derived from the zone name so they are stable. */
export function zoneId(zone: string): string {
  const m = /^([a-z]+)-([a-z]+)-(\d+)([a-z])$/.exec(zone);
  if (m) return `${m[1]}${m[2][0]}${m[3]}-az${m[4].charCodeAt(0) - 96}`;
  return `${zone}-id`;
}

/** Rules grouped as EC2's IpPermissions: one per (protocol, ports), with its CIDRs and groups. */
export function permissionsView(rules: readonly SgRule[], ownerId: string): IpPermission[] {
  const out: IpPermission[] = [];
  for (const r of rules) {
    const ports = r.protocol === '-1' ? {} : { FromPort: r.fromPort, ToPort: r.toPort };
    let p = out.find((x) => x.IpProtocol === r.protocol && x.FromPort === ports.FromPort && x.ToPort === ports.ToPort);
    if (!p) {
      p = { IpProtocol: r.protocol, ...ports, IpRanges: [], Ipv6Ranges: [], PrefixListIds: [], UserIdGroupPairs: [] };
      out.push(p);
    }
    if (r.cidrIpv4) p.IpRanges!.push({ CidrIp: r.cidrIpv4, ...(r.description ? { Description: r.description } : {}) });
    if (r.groupId) p.UserIdGroupPairs!.push({ GroupId: r.groupId, UserId: ownerId, ...(r.description ? { Description: r.description } : {}) });
  }
  return out;
}

export function groupView(g: SecurityGroupRecord): SecurityGroup {
  return {
    Description: g.description, GroupName: g.groupName, GroupId: g.groupId, OwnerId: g.ownerId, VpcId: g.vpcId,
    IpPermissions: permissionsView(g.ingress, g.ownerId), IpPermissionsEgress: permissionsView(g.egress, g.ownerId),
    Tags: g.tags.length ? tagView(g.tags) : undefined,
  };
}

export function ruleView(g: SecurityGroupRecord, r: SgRule, egress: boolean): SecurityGroupRule {
  return {
    SecurityGroupRuleId: r.ruleId, GroupId: g.groupId, GroupOwnerId: g.ownerId, IsEgress: egress, IpProtocol: r.protocol,
    FromPort: r.protocol === '-1' ? -1 : r.fromPort, ToPort: r.protocol === '-1' ? -1 : r.toPort, CidrIpv4: r.cidrIpv4,
    ReferencedGroupInfo: r.groupId ? { GroupId: r.groupId, UserId: g.ownerId } : undefined, Description: r.description, Tags: [],
  };
}

export async function leasedCount(store: Store, subnetId: string): Promise<number> {
  return (await store.range(ec2Keys.networkInterfaces(subnetId))).kvs.length;
}

export async function allInterfaces(store: Store): Promise<NetworkInterfaceRecord[]> {
  return listJson<NetworkInterfaceRecord>(store, ec2Keys.networkInterfaces());
}
