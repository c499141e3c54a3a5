import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderTaskTable } from './nft.js';

test('a task table: drop by default, replies, loopback and the task endpoints (169.254.170.2:80) allowed, one accept per rule of its groups, member sets', () => {
  const script = renderTaskTable({
    groups: {
      'sg-web': { ingress: [{ protocol: 'tcp', fromPort: 80, toPort: 80, cidr: '0.0.0.0/0' }, { protocol: 'tcp', fromPort: 8000, toPort: 8100, group: 'sg-cli' }], egress: [{ protocol: 'all', cidr: '0.0.0.0/0' }] },
      'sg-db': { ingress: [{ protocol: 'udp', cidr: '10.0.0.0/16' }, { protocol: 'icmp', cidr: '10.0.0.0/8' }], egress: [] },
      'sg-other': { ingress: [{ protocol: 'all', cidr: '0.0.0.0/0' }], egress: [] },
    },
    members: { 'sg-cli': ['10.0.0.5', '10.0.0.6'] },
  }, ['sg-web', 'sg-db']);
  assert.equal(script, [
    'table inet wharf',
    'delete table inet wharf',
    'table inet wharf {',
    '  set g_sg_cli {\n    type ipv4_addr\n    elements = { 10.0.0.5, 10.0.0.6 }\n  }',
    '  chain ingress {\n    type filter hook input priority 0; policy drop;\n    ct state established,related accept\n    iifname "lo" accept\n'
      + '    tcp dport 80 accept\n    ip saddr @g_sg_cli tcp dport 8000-8100 accept\n    ip saddr 10.0.0.0/16 meta l4proto udp accept\n    ip saddr 10.0.0.0/8 meta l4proto icmp accept\n  }',
    '  chain egress {\n    type filter hook output priority 0; policy drop;\n    ct state established,related accept\n    oifname "lo" accept\n    ip daddr 169.254.170.2 tcp dport 80 accept\n    ip daddr 169.254.169.253 udp dport 53 accept\n    ip daddr 169.254.169.253 tcp dport 53 accept\n    accept\n  }',
    '}',
    '',
  ].join('\n'));
});

test('a group with no members yet still declares its (empty) set', () => {
  assert.match(renderTaskTable({ groups: { a: { ingress: [{ protocol: 'all', group: 'a' }], egress: [] } }, members: {} }, ['a']), /set g_a \{\n    type ipv4_addr\n  \}/);
});
