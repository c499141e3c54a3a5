/** DescribeVpcs, CreateVpc, DeleteVpc. A new VPC gets its `default` security group, as in EC2. */
import type { CreateVpcRequest, CreateVpcResult, DeleteVpcRequest, DescribeVpcsRequest, DescribeVpcsResult } from '@aws-sdk/client-ec2';
import { defaultGroup, ec2Keys, type SecurityGroupRecord, type SubnetRecord, type VpcRecord } from '../../model/ec2/records.js';
import { formatCidr, parseCidr } from '../../model/ec2/cidr.js';
import { listJson } from '../../store/json.js';
import type { Handler } from '../types.js';
import { ec2Error, filterBy, findVpc, newId, requireAll, tagsFrom, vpcView } from './common.js';

export const describeVpcs: Handler<DescribeVpcsRequest, DescribeVpcsResult> = async (input, ctx) => {
  let vpcs = await listJson<VpcRecord>(ctx.store, ec2Keys.vpcs());
  if (input.VpcIds?.length) {
    requireAll(input.VpcIds, vpcs, (v) => v.vpcId, (id) => ec2Error('InvalidVpcID.NotFound', `The vpc ID '${id}' does not exist`));
    vpcs = vpcs.filter((v) => input.VpcIds!.includes(v.vpcId));
  }
  vpcs = filterBy(vpcs, input.Filters, (v) => ({
    'vpc-id': [v.vpcId], cidr: [v.cidrBlock], 'cidr-block-association.cidr-block': [v.cidrBlock], 'cidr-block-association.association-id': [v.cidrAssociationId],
    'cidr-block-association.state': ['associated'], 'dhcp-options-id': [v.dhcpOptionsId], 'is-default': [String(v.isDefault)], 'owner-id': [v.ownerId], state: [v.state],
  }), (v) => v.tags);
  return { Vpcs: vpcs.map(vpcView) };
};

export const createVpc: Handler<CreateVpcRequest, CreateVpcResult> = async (input, ctx) => {
  if (input.CidrBlock === undefined) throw ec2Error('MissingParameter', 'Either \'cidrBlock\' or \'ipv4IpamPoolId\' should be provided.');
  const cidr = parseCidr(input.CidrBlock, { strict: true });
  if (!cidr) throw ec2Error('InvalidParameterValue', `Value (${input.CidrBlock}) for parameter cidrBlock is invalid. This is not a valid CIDR block.`);
  if (cidr.prefix < 16 || cidr.prefix > 28) throw ec2Error('InvalidVpc.Range', `The CIDR '${input.CidrBlock}' is invalid.`);
  const now = ctx.now.getTime();
  const vpc: VpcRecord = {
    vpcId: newId('vpc'), cidrBlock: formatCidr(cidr), cidrAssociationId: newId('vpc-cidr-assoc'), isDefault: false, state: 'available',
    dhcpOptionsId: 'dopt-wharf', instanceTenancy: input.InstanceTenancy ?? 'default', ownerId: ctx.accountId,
    tags: tagsFrom(input.TagSpecifications, 'vpc'), createdAt: now,
  };
  const sg = defaultGroup({ groupId: newId('sg'), ruleIds: [newId('sgr'), newId('sgr')], vpcId: vpc.vpcId, ownerId: ctx.accountId, now });
  await ctx.store.txn({ success: [
    { type: 'put', key: ec2Keys.vpc(vpc.vpcId), value: JSON.stringify(vpc) },
    { type: 'put', key: ec2Keys.securityGroup(sg.groupId), value: JSON.stringify(sg) },
  ] });
  return { Vpc: { ...vpcView(vpc), State: 'pending' } };
};

export const deleteVpc: Handler<DeleteVpcRequest, Record<string, never>> = async (input, ctx) => {
  for (let attempt = 0; attempt < 10; attempt++) {
    const vpc = await findVpc(ctx.store, input.VpcId);
    const subnets = (await ctx.store.range(ec2Keys.subnets())).kvs.filter((kv) => (JSON.parse(kv.value) as SubnetRecord).vpcId === vpc.value.vpcId);
    const groups = (await ctx.store.range(ec2Keys.securityGroups())).kvs.map((kv) => ({ kv, g: JSON.parse(kv.value) as SecurityGroupRecord })).filter((x) => x.g.vpcId === vpc.value.vpcId);
    if (subnets.length || groups.some((x) => x.g.groupName !== 'default')) {
      throw ec2Error('DependencyViolation', `The vpc '${vpc.value.vpcId}' has dependencies and cannot be deleted.`);
    }
    // Its default security group goes with it. CreateSubnet and CreateSecurityGroup rewrite the VPC record
    // in their own transaction, so the version compare stops a delete that raced one of them.
    const r = await ctx.store.txn({
      compare: [
        { key: ec2Keys.vpc(vpc.value.vpcId), target: 'version', op: '==', value: vpc.version },
        ...groups.map((x) => ({ key: x.kv.key, target: 'version' as const, op: '==' as const, value: x.kv.version })),
      ],
      success: [{ type: 'delete', key: ec2Keys.vpc(vpc.value.vpcId) }, ...groups.map((x) => ({ type: 'delete' as const, key: x.kv.key }))],
    });
    if (r.succeeded) return {};
  }
  throw ec2Error('InternalError', 'The VPC kept changing while it was being deleted. Retry the request.');
};
