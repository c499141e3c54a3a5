/**
 * AuthorizeSecurityGroupIngress/Egress, RevokeSecurityGroupIngress/Egress, DescribeSecurityGroupRules.
 *
 * A request's IpPermissions (or the legacy flat CidrIp/FromPort/ToPort/IpProtocol/SourceSecurityGroupName
 * members) expand to one rule per CIDR and per source group; rules are stored one by one, as EC2's
 * SecurityGroupRules show them. Authorize refuses a rule that already exists and adds nothing of the
 * request then (all or nothing, as EC2); Revoke removes matching rules, or fails if one does not exist.
 */
import type {
  AuthorizeSecurityGroupEgressRequest, AuthorizeSecurityGroupEgressResult, AuthorizeSecurityGroupIngressRequest, AuthorizeSecurityGroupIngressResult,
  DescribeSecurityGroupRulesRequest, DescribeSecurityGroupRulesResult, IpPermission, RevokeSecurityGroupEgressRequest, RevokeSecurityGroupEgressResult,
  RevokeSecurityGroupIngressRequest, RevokeSecurityGroupIngressResult,
} from '@aws-sdk/client-ec2';
import { ec2Keys, type SecurityGroupRecord, type SgRule } from '../../model/ec2/records.js';
import { normalizeProtocol } from '../../model/ec2/security-policy.js';
import { formatCidr, parseCidr } from '../../model/ec2/cidr.js';
import { listJson } from '../../store/json.js';
import type { Handler, RequestContext } from '../types.js';
import { ec2Error, filterBy, findGroup, newId, ruleView } from './common.js';

type Direction = 'ingress' | 'egress';
type RuleInput = Omit<SgRule, 'ruleId'>;

interface LegacyMembers { CidrIp?: string; FromPort?: number; ToPort?: number; IpProtocol?: string; SourceSecurityGroupName?: string; SourceSecurityGroupOwnerId?: string }

const PROTOCOL_NAMES: Record<string, string> = { tcp: 'TCP', udp: 'UDP', icmp: 'ICMP', '-1': 'ALL' };

/** Expands IpPermissions to rules, validating as EC2 does. Source groups named by name are looked up in `vpcId`. */
async function rulesFrom(ctx: RequestContext, perms: readonly IpPermission[], vpcId: string): Promise<RuleInput[]> {
  const out: RuleInput[] = [];
  for (const p of perms) {
    if (p.IpProtocol === undefined) throw ec2Error('MissingParameter', 'The request must contain the parameter ipProtocol');
    const protocol = normalizeProtocol(p.IpProtocol);
    if (!['-1', 'tcp', 'udp', 'icmp', 'icmpv6'].includes(protocol) && !/^\d{1,3}$/.test(protocol)) {
      throw ec2Error('InvalidParameterValue', `Invalid value '${p.IpProtocol}' for IP protocol. Unknown protocol.`);
    }
    let fromPort: number | undefined;
    let toPort: number | undefined;
    if (protocol === 'tcp' || protocol === 'udp') {
      if (p.FromPort === undefined || p.ToPort === undefined) throw ec2Error('InvalidParameterValue', `Invalid value 'null' for ${p.FromPort === undefined ? 'fromPort' : 'toPort'}. ${PROTOCOL_NAMES[protocol]} port range required.`);
      if (p.FromPort < 0 || p.ToPort > 65535 || p.FromPort > p.ToPort) throw ec2Error('InvalidParameterValue', `Invalid ${PROTOCOL_NAMES[protocol]} port range: from port ${p.FromPort}, to port ${p.ToPort}.`);
      fromPort = p.FromPort;
      toPort = p.ToPort;
    } else if (protocol === 'icmp') {
      fromPort = p.FromPort ?? -1;
      toPort = p.ToPort ?? -1;
    }
    const base = { protocol, ...(fromPort !== undefined ? { fromPort, toPort } : {}) };
    for (const r of p.IpRanges ?? []) {
      const c = r.CidrIp === undefined ? undefined : parseCidr(r.CidrIp);
      if (!c) throw ec2Error('InvalidParameterValue', `CIDR block ${r.CidrIp ?? ''} is malformed`);
      out.push({ ...base, cidrIpv4: formatCidr(c), ...(r.Description ? { description: r.Description } : {}) });
    }
    for (const pair of p.UserIdGroupPairs ?? []) {
      const g = await findGroup(ctx.store, pair.GroupId !== undefined ? { id: pair.GroupId } : { name: pair.GroupName, vpcId });
      if (g.value.vpcId !== vpcId) throw ec2Error('InvalidGroup.NotFound', `You have specified two resources that belong to different networks.`);
      out.push({ ...base, groupId: g.value.groupId, ...(pair.Description ? { description: pair.Description } : {}) });
    }
    if ((p.Ipv6Ranges ?? []).length || (p.PrefixListIds ?? []).length) throw ec2Error('InvalidParameterValue', 'Wharf supports IPv4 CIDR and security group sources only.');
    if (!(p.IpRanges ?? []).length && !(p.UserIdGroupPairs ?? []).length) throw ec2Error('MissingParameter', 'The request must contain the parameter ipRanges or groups');
  }
  return out;
}

function legacyPermissions(input: LegacyMembers): IpPermission[] {
  if (input.IpProtocol === undefined && input.CidrIp === undefined && input.SourceSecurityGroupName === undefined) return [];
  return [{
    IpProtocol: input.IpProtocol ?? '-1', FromPort: input.FromPort, ToPort: input.ToPort,
    IpRanges: input.CidrIp ? [{ CidrIp: input.CidrIp }] : [],
    UserIdGroupPairs: input.SourceSecurityGroupName ? [{ GroupName: input.SourceSecurityGroupName }] : [],
  }];
}

const sameRule = (a: RuleInput, b: RuleInput) => a.protocol === b.protocol && a.fromPort === b.fromPort && a.toPort === b.toPort && a.cidrIpv4 === b.cidrIpv4 && a.groupId === b.groupId;

function describeRule(r: RuleInput, direction: Direction): string {
  const peer = r.cidrIpv4 ?? r.groupId;
  const ports = r.protocol === '-1' ? 'ALL' : `${PROTOCOL_NAMES[r.protocol] ?? r.protocol}, from port: ${r.fromPort}, to port: ${r.toPort}`;
  return `peer: ${peer}, ${ports}, ALLOW${direction === 'egress' ? ' (egress)' : ''}`;
}

async function change(ctx: RequestContext, direction: Direction, op: 'authorize' | 'revoke', input: { GroupId?: string; GroupName?: string; IpPermissions?: IpPermission[]; SecurityGroupRuleIds?: string[] } & LegacyMembers) {
  for (let attempt = 0; attempt < 10; attempt++) {
    const g = await findGroup(ctx.store, { id: input.GroupId, name: input.GroupId === undefined ? input.GroupName : undefined });
    const next: SecurityGroupRecord = structuredClone(g.value);
    const list = direction === 'ingress' ? next.ingress : next.egress;
    const perms = [...(input.IpPermissions ?? []), ...legacyPermissions(input)];
    const wanted = await rulesFrom(ctx, perms, g.value.vpcId);
    const touched: SgRule[] = [];
    if (op === 'authorize') {
      if (!wanted.length) throw ec2Error('MissingParameter', 'The request must contain the parameter ipPermissions');
      for (const w of wanted) {
        if (list.some((r) => sameRule(r, w)) || touched.some((r) => sameRule(r, w))) {
          throw ec2Error('InvalidPermission.Duplicate', `the specified rule "${describeRule(w, direction)}" already exists`);
        }
        touched.push({ ruleId: newId('sgr'), ...w });
      }
      list.push(...touched);
    } else {
      for (const id of input.SecurityGroupRuleIds ?? []) {
        const r = list.find((x) => x.ruleId === id);
        if (!r) throw ec2Error('InvalidSecurityGroupRuleId.NotFound', `The security group rule ID '${id}' does not exist`);
        touched.push(r);
      }
      for (const w of wanted) {
        const r = list.find((x) => sameRule(x, w));
        if (!r) throw ec2Error('InvalidPermission.NotFound', 'The specified rule does not exist in this security group.');
        touched.push(r);
      }
      if (!touched.length) throw ec2Error('MissingParameter', 'The request must contain the parameter ipPermissions');
      const drop = new Set(touched.map((r) => r.ruleId));
      if (direction === 'ingress') next.ingress = list.filter((r) => !drop.has(r.ruleId));
      else next.egress = list.filter((r) => !drop.has(r.ruleId));
    }
    const key = ec2Keys.securityGroup(g.value.groupId);
    const r = await ctx.store.txn({ compare: [{ key, target: 'version', op: '==', value: g.version }], success: [{ type: 'put', key, value: JSON.stringify(next) }] });
    if (r.succeeded) return { Return: true, SecurityGroupRules: touched.map((x) => ruleView(next, x, direction === 'egress')) };
  }
  throw ec2Error('InternalError', 'The security group kept changing. Retry the request.');
}

export const authorizeSecurityGroupIngress: Handler<AuthorizeSecurityGroupIngressRequest, AuthorizeSecurityGroupIngressResult> = (input, ctx) => change(ctx, 'ingress', 'authorize', input);
export const authorizeSecurityGroupEgress: Handler<AuthorizeSecurityGroupEgressRequest, AuthorizeSecurityGroupEgressResult> = (input, ctx) => change(ctx, 'egress', 'authorize', { ...input, CidrIp: input.CidrIp, IpProtocol: input.IpProtocol });
export const revokeSecurityGroupIngress: Handler<RevokeSecurityGroupIngressRequest, RevokeSecurityGroupIngressResult> = async (input, ctx) => {
  const r = await change(ctx, 'ingress', 'revoke', input);
  return { Return: r.Return, RevokedSecurityGroupRules: r.SecurityGroupRules.map((x) => ({ SecurityGroupRuleId: x.SecurityGroupRuleId, GroupId: x.GroupId, IsEgress: false, IpProtocol: x.IpProtocol, FromPort: x.FromPort, ToPort: x.ToPort, CidrIpv4: x.CidrIpv4, ReferencedGroupId: x.ReferencedGroupInfo?.GroupId, Description: x.Description })) };
};
export const revokeSecurityGroupEgress: Handler<RevokeSecurityGroupEgressRequest, RevokeSecurityGroupEgressResult> = async (input, ctx) => {
  const r = await change(ctx, 'egress', 'revoke', input);
  return { Return: r.Return, RevokedSecurityGroupRules: r.SecurityGroupRules.map((x) => ({ SecurityGroupRuleId: x.SecurityGroupRuleId, GroupId: x.GroupId, IsEgress: true, IpProtocol: x.IpProtocol, FromPort: x.FromPort, ToPort: x.ToPort, CidrIpv4: x.CidrIpv4, ReferencedGroupId: x.ReferencedGroupInfo?.GroupId, Description: x.Description })) };
};

export const describeSecurityGroupRules: Handler<DescribeSecurityGroupRulesRequest, DescribeSecurityGroupRulesResult> = async (input, ctx) => {
  const groups = await listJson<SecurityGroupRecord>(ctx.store, ec2Keys.securityGroups());
  let rules = groups.flatMap((g) => [...g.ingress.map((r) => ruleView(g, r, false)), ...g.egress.map((r) => ruleView(g, r, true))]);
  if (input.SecurityGroupRuleIds?.length) rules = rules.filter((r) => input.SecurityGroupRuleIds!.includes(r.SecurityGroupRuleId!));
  rules = filterBy(rules, input.Filters, (r) => ({ 'group-id': [r.GroupId], 'security-group-rule-id': [r.SecurityGroupRuleId] }), () => []);
  return { SecurityGroupRules: rules };
};
