/**
 * Security groups as the agents enforce them (pure). The control plane compiles every security group
 * and the addresses of its members into one NetworkPolicy and pushes it to agents whenever a rule or a
 * membership changes; each agent renders, per awsvpc task, an nftables table inside the task's network
 * namespace from the groups that task is in (src/agent/network/nft.ts).
 *
 * Why in the task's namespace and not on the host's bridge: a rule there sees exactly the task's
 * traffic whatever its path (bridge neighbour, host, load balancer, another host), needs no bridge
 * netfilter module, and disappears with the namespace, so nothing can leak when a task stops.
 */
import type { NetworkInterfaceRecord, SecurityGroupRecord, SgRule } from './records.js';

export interface PolicyRule {
  /** 'all', 'tcp', 'udp', 'icmp' or an IP protocol number. */
  protocol: string;
  fromPort?: number;
  toPort?: number;
  /** Exactly one of cidr / group. */
  cidr?: string;
  group?: string;
}

export interface NetworkPolicy {
  groups: Record<string, { ingress: PolicyRule[]; egress: PolicyRule[] }>;
  /** Member addresses per security group (addresses of the network interfaces in it). */
  members: Record<string, string[]>;
}

/** EC2's protocol spellings → one: numbers 6/17/1 are tcp/udp/icmp, -1 is all. */
export function normalizeProtocol(p: string): string {
  const s = p.toLowerCase();
  return ({ '-1': '-1', all: '-1', '6': 'tcp', '17': 'udp', '1': 'icmp', '58': 'icmpv6' } as Record<string, string>)[s] ?? s;
}

function policyRule(r: SgRule): PolicyRule {
  const protocol = r.protocol === '-1' ? 'all' : r.protocol;
  const out: PolicyRule = { protocol };
  if ((protocol === 'tcp' || protocol === 'udp') && r.fromPort !== undefined && r.toPort !== undefined && !(r.fromPort === 0 && r.toPort === 65535) && r.fromPort !== -1) {
    out.fromPort = r.fromPort;
    out.toPort = r.toPort;
  }
  if (r.cidrIpv4) out.cidr = r.cidrIpv4;
  if (r.groupId) out.group = r.groupId;
  return out;
}

export function compilePolicy(groups: readonly SecurityGroupRecord[], interfaces: readonly NetworkInterfaceRecord[]): NetworkPolicy {
  const policy: NetworkPolicy = { groups: {}, members: {} };
  for (const g of [...groups].sort((a, b) => a.groupId.localeCompare(b.groupId))) {
    policy.groups[g.groupId] = { ingress: g.ingress.map(policyRule), egress: g.egress.map(policyRule) };
    policy.members[g.groupId] = [];
  }
  for (const eni of interfaces) for (const sg of eni.securityGroups) (policy.members[sg] ??= []).push(eni.privateIpAddress);
  for (const m of Object.values(policy.members)) m.sort();
  return policy;
}
