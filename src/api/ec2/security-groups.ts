/**
 * DescribeSecurityGroups, CreateSecurityGroup, DeleteSecurityGroup. A new group allows all traffic out
 * and nothing in, as in EC2. Rules are changed in security-group-rules.ts; agents receive every change
 * within a second (the dispatcher's policy push) and apply it to running tasks.
 */
import type { CreateSecurityGroupRequest, CreateSecurityGroupResult, DeleteSecurityGroupRequest, DeleteSecurityGroupResult, DescribeSecurityGroupsRequest, DescribeSecurityGroupsResult } from '@aws-sdk/client-ec2';
import { ec2Keys, type SecurityGroupRecord } from '../../model/ec2/records.js';
import { listJson } from '../../store/json.js';
import type { Handler } from '../types.js';
import { allInterfaces, defaultVpc, ec2Error, filterBy, findGroup, findVpc, groupView, newId, requireAll, tagsFrom } from './common.js';

export const describeSecurityGroups: Handler<DescribeSecurityGroupsRequest, DescribeSecurityGroupsResult> = async (input, ctx) => {
  let groups = await listJson<SecurityGroupRecord>(ctx.store, ec2Keys.securityGroups());
  if (input.GroupIds?.length) {
    for (const id of input.GroupIds) if (!/^sg-[0-9a-f]+$/.test(id)) throw ec2Error('InvalidGroupId.Malformed', `Invalid id: "${id}" (expecting "sg-...")`);
    requireAll(input.GroupIds, groups, (g) => g.groupId, (id) => ec2Error('InvalidGroup.NotFound', `The security group '${id}' does not exist`));
    groups = groups.filter((g) => input.GroupIds!.includes(g.groupId));
  }
  if (input.GroupNames?.length) {
    const def = (await defaultVpc(ctx.store))?.vpcId;
    const inDefault = groups.filter((g) => g.vpcId === def);
    requireAll(input.GroupNames, inDefault, (g) => g.groupName, (n) => ec2Error('InvalidGroup.NotFound', `The security group '${n}' does not exist in default VPC '${def ?? 'none'}'`));
    groups = inDefault.filter((g) => input.GroupNames!.includes(g.groupName));
  }
  const rules = (g: SecurityGroupRecord, egress: boolean) => (egress ? g.egress : g.ingress);
  const field = (g: SecurityGroupRecord, egress: boolean, f: (r: SecurityGroupRecord['ingress'][number]) => string | undefined) => rules(g, egress).map(f);
  const perm = (egress: boolean) => {
    const p = egress ? 'egress.ip-permission' : 'ip-permission';
    return (g: SecurityGroupRecord) => ({
      [`${p}.cidr`]: field(g, egress, (r) => r.cidrIpv4),
      [`${p}.from-port`]: field(g, egress, (r) => (r.fromPort === undefined ? undefined : String(r.fromPort))),
      [`${p}.to-port`]: field(g, egress, (r) => (r.toPort === undefined ? undefined : String(r.toPort))),
      [`${p}.protocol`]: field(g, egress, (r) => r.protocol),
      [`${p}.group-id`]: field(g, egress, (r) => r.groupId),
      [`${p}.user-id`]: field(g, egress, (r) => (r.groupId ? g.ownerId : undefined)),
    });
  };
  groups = filterBy(groups, input.Filters, (g) => ({
    'group-id': [g.groupId], 'group-name': [g.groupName], description: [g.description], 'vpc-id': [g.vpcId], 'owner-id': [g.ownerId],
    ...perm(false)(g), ...perm(true)(g),
  }), (g) => g.tags);
  return { SecurityGroups: groups.map(groupView) };
};

export const createSecurityGroup: Handler<CreateSecurityGroupRequest, CreateSecurityGroupResult> = async (input, ctx) => {
  const name = input.GroupName ?? '';
  const description = input.Description ?? '';
  if (!name) throw ec2Error('MissingParameter', 'The request must contain the parameter groupName');
  if (!description) throw ec2Error('MissingParameter', 'The request must contain the parameter groupDescription');
  if (name.length > 255 || description.length > 255) throw ec2Error('InvalidParameterValue', 'Security group name and description can be at most 255 characters.');
  if (/^sg-/i.test(name)) throw ec2Error('InvalidParameterValue', "Group names may not be in the format sg-*.");
  if (name === 'default') throw ec2Error('InvalidGroup.Reserved', "The security group 'default' is reserved");
  const vpcRef = input.VpcId ?? (await defaultVpc(ctx.store))?.vpcId;
  if (!vpcRef) throw ec2Error('VPCIdNotSpecified', 'No default VPC for this user');
  for (let attempt = 0; attempt < 10; attempt++) {
    const vpc = await findVpc(ctx.store, vpcRef);
    const groups = await listJson<SecurityGroupRecord>(ctx.store, ec2Keys.securityGroups());
    if (groups.some((g) => g.vpcId === vpc.value.vpcId && g.groupName === name)) {
      throw ec2Error('InvalidGroup.Duplicate', `The security group '${name}' already exists for VPC '${vpc.value.vpcId}'`);
    }
    const g: SecurityGroupRecord = {
      groupId: newId('sg'), groupName: name, description, vpcId: vpc.value.vpcId, ownerId: ctx.accountId,
      ingress: [], egress: [{ ruleId: newId('sgr'), protocol: '-1', cidrIpv4: '0.0.0.0/0' }],
      tags: tagsFrom(input.TagSpecifications, 'security-group'), createdAt: ctx.now.getTime(),
    };
    // Rewriting the VPC record serialises creates in one VPC (no duplicate names) and with DeleteVpc.
    const vpcKey = ec2Keys.vpc(vpc.value.vpcId);
    const r = await ctx.store.txn({
      compare: [{ key: vpcKey, target: 'version', op: '==', value: vpc.version }],
      success: [{ type: 'put', key: ec2Keys.securityGroup(g.groupId), value: JSON.stringify(g) }, { type: 'put', key: vpcKey, value: JSON.stringify(vpc.value) }],
    });
    if (r.succeeded) return { GroupId: g.groupId, Tags: g.tags.length ? g.tags : undefined, SecurityGroupArn: `arn:aws:ec2:${ctx.region}:${ctx.accountId}:security-group/${g.groupId}` };
  }
  throw ec2Error('InternalError', 'The VPC kept changing while the group was being created. Retry the request.');
};

export const deleteSecurityGroup: Handler<DeleteSecurityGroupRequest, DeleteSecurityGroupResult> = async (input, ctx) => {
  for (let attempt = 0; attempt < 10; attempt++) {
    const g = await findGroup(ctx.store, { id: input.GroupId, name: input.GroupId === undefined ? input.GroupName : undefined });
    if (g.value.groupName === 'default') throw ec2Error('CannotDelete', `the specified group: "${g.value.groupId}" name: "default" cannot be deleted by a user`);
    const others = await listJson<SecurityGroupRecord>(ctx.store, ec2Keys.securityGroups());
    const referenced = others.some((o) => o.groupId !== g.value.groupId && [...o.ingress, ...o.egress].some((r) => r.groupId === g.value.groupId));
    const inUse = (await allInterfaces(ctx.store)).some((e) => e.securityGroups.includes(g.value.groupId));
    if (referenced || inUse) throw ec2Error('DependencyViolation', `resource ${g.value.groupId} has a dependent object`);
    const r = await ctx.store.txn({
      compare: [{ key: ec2Keys.securityGroup(g.value.groupId), target: 'version', op: '==', value: g.version }],
      success: [{ type: 'delete', key: ec2Keys.securityGroup(g.value.groupId) }],
    });
    if (r.succeeded) return { Return: true, GroupId: g.value.groupId };
  }
  throw ec2Error('InternalError', 'The security group kept changing while it was being deleted. Retry the request.');
};
