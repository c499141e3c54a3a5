/**
 * The VPC model: VPCs, subnets, security groups and network interfaces (task ENIs), as EC2 shows them.
 *
 *   VPC ──< subnet (one Linux bridge per subnet on every host that runs a task in it; its router
 *   │        address, AWS's `.1`, is on the bridge, so the host routes to task addresses)
 *   └──< security group ──< rules (ingress/egress: protocol, port range, CIDR or source group)
 *   subnet ──< network interface (one per awsvpc task: address, MAC, security groups)
 *
 * Who writes what:
 *   EC2 API (src/api/ec2)       VPCs, subnets, security groups and their rules, tags
 *   default-VPC controller      the default VPC, its default security group, a default subnet per AZ
 *   placement (RunTask, services)  a network interface record, committed with the task's placement
 *                               (the interface record is the address's lease: its key is created
 *                               only if absent, so an address is never held by two tasks)
 *   dispatcher                  deletes the interface record in the transaction that records STOPPED
 *   network controller          deletes interface records whose task is gone or STOPPED (safety net)
 */

export interface Ec2Tag { Key: string; Value: string }

export interface VpcRecord {
  vpcId: string;
  cidrBlock: string;
  cidrAssociationId: string;
  isDefault: boolean;
  state: 'available';
  dhcpOptionsId: string;
  instanceTenancy: string;
  ownerId: string;
  tags: Ec2Tag[];
  createdAt: number;
}

export interface SubnetRecord {
  subnetId: string;
  vpcId: string;
  cidrBlock: string;
  availabilityZone: string;
  defaultForAz: boolean;
  mapPublicIpOnLaunch: boolean;
  state: 'available';
  ownerId: string;
  tags: Ec2Tag[];
  createdAt: number;
}

/** One rule: EC2 shows rules grouped by (protocol, ports) as IpPermissions and one by one as SecurityGroupRules. */
export interface SgRule {
  ruleId: string;
  /** '-1' (all), 'tcp', 'udp', 'icmp', or an IP protocol number as text. */
  protocol: string;
  fromPort?: number;
  toPort?: number;
  cidrIpv4?: string;
  /** Source (ingress) or destination (egress) security group. */
  groupId?: string;
  description?: string;
}

export interface SecurityGroupRecord {
  groupId: string;
  groupName: string;
  description: string;
  vpcId: string;
  ownerId: string;
  ingress: SgRule[];
  egress: SgRule[];
  tags: Ec2Tag[];
  createdAt: number;
}

/** A task's elastic network interface. Its key is the address lease within the subnet. */
export interface NetworkInterfaceRecord {
  networkInterfaceId: string;
  attachmentId: string;
  subnetId: string;
  vpcId: string;
  availabilityZone: string;
  privateIpAddress: string;
  macAddress: string;
  privateDnsName: string;
  securityGroups: string[];
  taskArn: string;
  cluster: string;
  createdAt: number;
}

const pad = (n: number) => String(n).padStart(10, '0');

export const ec2Keys = {
  vpc: (id: string) => `/ec2/vpc/${id}`,
  vpcs: () => '/ec2/vpc/',
  subnet: (id: string) => `/ec2/subnet/${id}`,
  subnets: () => '/ec2/subnet/',
  securityGroup: (id: string) => `/ec2/sg/${id}`,
  securityGroups: () => '/ec2/sg/',
  /** The lease of one address in a subnet (the address as a zero-padded number, so keys sort by address). */
  networkInterface: (subnetId: string, ip: number) => `/ec2/eni/${subnetId}/${pad(ip)}`,
  networkInterfaces: (subnetId?: string) => (subnetId === undefined ? '/ec2/eni/' : `/ec2/eni/${subnetId}/`),
  /** Set once the default VPC exists (so a user who deletes it does not get it back on restart). */
  defaultVpcMarker: () => '/ec2/default-vpc',
};

/** EC2 ids: a prefix and 17 hex digits (`vpc-0a1b…`). `hex` is random hex from the caller. */
export const ec2Id = (prefix: 'vpc' | 'subnet' | 'sg' | 'sgr' | 'eni' | 'dopt' | 'vpc-cidr-assoc', hex: string) => `${prefix}-${hex.slice(0, 17)}`;

/** `ip-10-0-1-5.ec2.internal` in us-east-1, `ip-10-0-1-5.<region>.compute.internal` elsewhere (EC2's names). */
export function privateDnsName(ip: string, region: string): string {
  const host = `ip-${ip.replace(/\./g, '-')}`;
  return region === 'us-east-1' ? `${host}.ec2.internal` : `${host}.${region}.compute.internal`;
}

/** A locally administered unicast MAC (first octet 0x0a, as AWS's ENIs have) from 5 random bytes. */
export function macAddress(bytes: readonly number[]): string {
  return ['0a', ...bytes.slice(0, 5).map((b) => (b & 255).toString(16).padStart(2, '0'))].join(':');
}

/** Linux bridge name of a subnet: `wh` + the subnet id's hex (≤15 characters, IFNAMSIZ). */
export const bridgeName = (subnetId: string) => `wh${subnetId.replace(/^subnet-/, '').slice(0, 13)}`;

/** The zone a fresh installation has before any agent registers (the agent's default `--availability-zone`). */
export const DEFAULT_ZONE = 'local-1a';

/** The default VPC as AWS makes it: 172.31.0.0/16, one /20 per availability zone. */
export const DEFAULT_VPC_CIDR = '172.31.0.0/16';

/** The lease key of an interface's address (what the dispatcher deletes when the task stops). */
export function leaseKey(eni: { subnetId: string; privateIpv4Address: string }): string {
  const ip = eni.privateIpv4Address.split('.').reduce((n, o) => n * 256 + Number(o), 0);
  return ec2Keys.networkInterface(eni.subnetId, ip);
}

/** A VPC's `default` group: all traffic from members of the group itself, all traffic out. */
export function defaultGroup(o: { groupId: string; ruleIds: [string, string]; vpcId: string; ownerId: string; now: number }): SecurityGroupRecord {
  return {
    groupId: o.groupId, groupName: 'default', description: 'default VPC security group', vpcId: o.vpcId, ownerId: o.ownerId,
    ingress: [{ ruleId: o.ruleIds[0], protocol: '-1', groupId: o.groupId }],
    egress: [{ ruleId: o.ruleIds[1], protocol: '-1', cidrIpv4: '0.0.0.0/0' }],
    tags: [], createdAt: o.now,
  };
}
