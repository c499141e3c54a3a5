/**
 * Security groups → an nftables table inside one task's network namespace (pure).
 *
 *   table inet wharf
 *     set g_<group>       member addresses of a group some rule names as its source/destination
 *     chain ingress       hook input,  policy drop: replies, loopback, then one accept per ingress rule
 *     chain egress        hook output, policy drop: replies, loopback, ECS's task endpoints (credentials,
 *                         metadata at 169.254.170.2:80, which security groups do not govern in ECS either;
 *                         the VPC resolver at 169.254.169.253:53, which EC2's groups do not filter),
 *                         then one accept per egress rule
 *
 * A task in several groups gets the union of their rules, as EC2 does. The script replaces the whole
 * table in one transaction (declare, delete, define), so a rule change is atomic and a re-run is a no-op.
 */
import type { NetworkPolicy, PolicyRule } from '../../protocol/agent-messages.js';
import { TASK_ENDPOINT_ADDRESS, VPC_RESOLVER_ADDRESS } from '../container-spec.js';

export const NFT_TABLE = 'wharf';

const setName = (group: string) => `g_${group.replace(/[^A-Za-z0-9]/g, '_')}`;

function match(r: PolicyRule, dir: 'saddr' | 'daddr'): string | undefined {
  const parts: string[] = [];
  if (r.group) parts.push(`ip ${dir} @${setName(r.group)}`);
  else if (r.cidr && r.cidr !== '0.0.0.0/0') parts.push(`ip ${dir} ${r.cidr}`);
  const p = r.protocol;
  if (p === 'tcp' || p === 'udp') parts.push(r.fromPort !== undefined ? `${p} dport ${r.fromPort === r.toPort ? r.fromPort : `${r.fromPort}-${r.toPort}`}` : `meta l4proto ${p}`);
  else if (p === 'icmp') parts.push('meta l4proto icmp');
  else if (p === 'icmpv6') return undefined; // IPv4-only tasks
  else if (p !== 'all' && /^\d+$/.test(p)) parts.push(`meta l4proto ${p}`);
  return [...parts, 'accept'].join(' ');
}

/** The nft script for a task in `groups` (its security groups), given the whole policy. */
export function renderTaskTable(policy: NetworkPolicy, groups: readonly string[]): string {
  const ingress: string[] = [];
  const egress: string[] = [];
  const referenced = new Set<string>();
  for (const g of groups) {
    const sg = policy.groups[g];
    if (!sg) continue;
    for (const r of sg.ingress) { const m = match(r, 'saddr'); if (m) ingress.push(m); if (r.group) referenced.add(r.group); }
    for (const r of sg.egress) { const m = match(r, 'daddr'); if (m) egress.push(m); if (r.group) referenced.add(r.group); }
  }
  const sets = [...referenced].sort().map((g) => {
    const members = policy.members[g] ?? [];
    return `  set ${setName(g)} {\n    type ipv4_addr\n${members.length ? `    elements = { ${members.join(', ')} }\n` : ''}  }`;
  });
  // In ECS the agent's endpoints are reached over a link of the agent's own, outside the task's ENI and its
  // security groups: a task whose groups allow no egress still gets its role's credentials.
  // Nor do security groups filter traffic to the Amazon-provided DNS server (EC2 user guide).
  egress.unshift(`ip daddr ${TASK_ENDPOINT_ADDRESS} tcp dport 80 accept`, `ip daddr ${VPC_RESOLVER_ADDRESS} udp dport 53 accept`, `ip daddr ${VPC_RESOLVER_ADDRESS} tcp dport 53 accept`);
  const chain = (name: string, hook: string, lo: string, rules: string[]) =>
    `  chain ${name} {\n    type filter hook ${hook} priority 0; policy drop;\n    ct state established,related accept\n    ${lo} accept\n${rules.map((r) => `    ${r}\n`).join('')}  }`;
  return [
    `table inet ${NFT_TABLE}`,
    `delete table inet ${NFT_TABLE}`,
    `table inet ${NFT_TABLE} {`,
    ...sets,
    chain('ingress', 'input', 'iifname "lo"', ingress),
    chain('egress', 'output', 'oifname "lo"', egress),
    '}',
    '',
  ].join('\n');
}
