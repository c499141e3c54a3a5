/** DescribeSubnets, CreateSubnet, DeleteSubnet. A subnet with a leased address (a running awsvpc task) cannot be deleted. */
import type { CreateSubnetRequest, CreateSubnetResult, DeleteSubnetRequest, DescribeSubnetsRequest, DescribeSubnetsResult } from '@aws-sdk/client-ec2';
import { ec2Keys, type SubnetRecord } from '../../model/ec2/records.js';
import { containsCidr, formatCidr, overlaps, parseCidr } from '../../model/ec2/cidr.js';
import { listJson } from '../../store/json.js';
import type { Handler } from '../types.js';
import { ec2Error, filterBy, findSubnet, findVpc, leasedCount, newId, requireAll, subnetView, tagsFrom, zoneId } from './common.js';
import { knownZones } from './zones.js';

export const describeSubnets: Handler<DescribeSubnetsRequest, DescribeSubnetsResult> = async (input, ctx) => {
  let subnets = await listJson<SubnetRecord>(ctx.store, ec2Keys.subnets());
  if (input.SubnetIds?.length) {
    requireAll(input.SubnetIds, subnets, (s) => s.subnetId, (id) => ec2Error('InvalidSubnetID.NotFound', `The subnet ID '${id}' does not exist`));
    subnets = subnets.filter((s) => input.SubnetIds!.includes(s.subnetId));
  }
  subnets = filterBy(subnets, input.Filters, (s) => ({
    'subnet-id': [s.subnetId], 'vpc-id': [s.vpcId], 'cidr-block': [s.cidrBlock], cidr: [s.cidrBlock], cidrBlock: [s.cidrBlock],
    'availability-zone': [s.availabilityZone], availabilityZone: [s.availabilityZone], 'availability-zone-id': [zoneId(s.availabilityZone)],
    'default-for-az': [String(s.defaultForAz)], defaultForAz: [String(s.defaultForAz)], 'map-public-ip-on-launch': [String(s.mapPublicIpOnLaunch)],
    'owner-id': [s.ownerId], state: [s.state], 'subnet-arn': [`arn:aws:ec2:${ctx.region}:${ctx.accountId}:subnet/${s.subnetId}`],
  }), (s) => s.tags);
  const out = [];
  for (const s of subnets) out.push(subnetView(s, await leasedCount(ctx.store, s.subnetId), ctx));
  return { Subnets: out };
};

export const createSubnet: Handler<CreateSubnetRequest, CreateSubnetResult> = async (input, ctx) => {
  if (input.VpcId === undefined) throw ec2Error('MissingParameter', 'The request must contain the parameter vpcId');
  if (input.CidrBlock === undefined) throw ec2Error('MissingParameter', 'The request must contain the parameter cidrBlock');
  const cidr = parseCidr(input.CidrBlock, { strict: true });
  if (!cidr) throw ec2Error('InvalidParameterValue', `Value (${input.CidrBlock}) for parameter cidrBlock is invalid. This is not a valid CIDR block.`);
  const zones = await knownZones(ctx);
  const zone = input.AvailabilityZone ?? zones[0];
  if (!zones.includes(zone)) {
    throw ec2Error('InvalidParameterValue', `Value (${zone}) for parameter availabilityZone is invalid. Subnets can currently only be created in the following availability zones: ${zones.join(', ')}.`);
  }
  for (let attempt = 0; attempt < 10; attempt++) {
    const vpc = await findVpc(ctx.store, input.VpcId);
    const vpcCidr = parseCidr(vpc.value.cidrBlock)!;
    if (cidr.prefix > 28 || !containsCidr(vpcCidr, cidr)) throw ec2Error('InvalidSubnet.Range', `The CIDR '${input.CidrBlock}' is invalid.`);
    const siblings = (await listJson<SubnetRecord>(ctx.store, ec2Keys.subnets())).filter((s) => s.vpcId === vpc.value.vpcId);
    if (siblings.some((s) => overlaps(parseCidr(s.cidrBlock)!, cidr))) throw ec2Error('InvalidSubnet.Conflict', `The CIDR '${input.CidrBlock}' conflicts with another subnet`);
    const s: SubnetRecord = {
      subnetId: newId('subnet'), vpcId: vpc.value.vpcId, cidrBlock: formatCidr(cidr), availabilityZone: zone, defaultForAz: false,
      mapPublicIpOnLaunch: false, state: 'available', ownerId: ctx.accountId, tags: tagsFrom(input.TagSpecifications, 'subnet'), createdAt: ctx.now.getTime(),
    };
    // Rewriting the VPC record serialises this with DeleteVpc and with another CreateSubnet (no overlap race).
    const vpcKey = ec2Keys.vpc(vpc.value.vpcId);
    const r = await ctx.store.txn({
      compare: [{ key: vpcKey, target: 'version', op: '==', value: vpc.version }],
      success: [{ type: 'put', key: ec2Keys.subnet(s.subnetId), value: JSON.stringify(s) }, { type: 'put', key: vpcKey, value: JSON.stringify(vpc.value) }],
    });
    if (r.succeeded) return { Subnet: { ...subnetView(s, 0, ctx), State: 'available' } };
  }
  throw ec2Error('InternalError', 'The VPC kept changing while the subnet was being created. Retry the request.');
};

export const deleteSubnet: Handler<DeleteSubnetRequest, Record<string, never>> = async (input, ctx) => {
  for (let attempt = 0; attempt < 10; attempt++) {
    const s = await findSubnet(ctx.store, input.SubnetId);
    const leases = (await ctx.store.range(ec2Keys.networkInterfaces(s.value.subnetId), { limit: 1 })).kvs;
    if (leases.length) throw ec2Error('DependencyViolation', `The subnet '${s.value.subnetId}' has dependencies and cannot be deleted.`);
    // Guarded on "no lease yet" so a placement that leases an address meanwhile keeps the subnet.
    const r = await ctx.store.txn({
      compare: [{ key: ec2Keys.subnet(s.value.subnetId), target: 'version', op: '==', value: s.version }],
      success: [{ type: 'delete', key: ec2Keys.subnet(s.value.subnetId) }],
    });
    if (r.succeeded) return {};
  }
  throw ec2Error('InternalError', 'The subnet kept changing while it was being deleted. Retry the request.');
};
