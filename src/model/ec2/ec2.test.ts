import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatCidr, formatIpv4, parseCidr, parseIpv4, pickAddress, usableRange } from './cidr.js';
import { matchesFilters, FilterError } from './filters.js';
import { compilePolicy } from './security-policy.js';
import { defaultGroup, leaseKey, ec2Keys } from './records.js';

test('CIDR parsing: strict refuses host bits, lenient normalises; AWS reserves five addresses per subnet', () => {
  assert.equal(parseIpv4('10.0.0.256'), undefined);
  assert.equal(parseIpv4('10.0.01.1'), undefined);
  assert.equal(formatIpv4(parseIpv4('172.31.16.5')!), '172.31.16.5');
  assert.equal(parseCidr('10.0.0.1/24', { strict: true }), undefined);
  assert.equal(formatCidr(parseCidr('10.0.0.1/24')!), '10.0.0.0/24');
  assert.deepEqual(usableRange(parseCidr('10.0.0.0/28')!), { first: parseIpv4('10.0.0.4'), last: parseIpv4('10.0.0.14'), count: 11 });
});

test('pickAddress: never a used or reserved address, undefined when the subnet is full', () => {
  const c = parseCidr('10.0.0.0/28')!;
  const used = new Set<number>();
  for (let i = 0; i < 11; i++) {
    const ip = pickAddress(c, used, () => 0.999)!;
    assert.ok(ip >= parseIpv4('10.0.0.4')! && ip <= parseIpv4('10.0.0.14')!, formatIpv4(ip));
    assert.ok(!used.has(ip));
    used.add(ip);
  }
  assert.equal(pickAddress(c, used, Math.random), undefined);
});

test('filters: AND across filters, OR within values, wildcards, tag:Key, unknown names refused', () => {
  const fields = { 'vpc-id': ['vpc-1'], 'is-default': ['true'] };
  const tags = [{ Key: 'env', Value: 'prod' }];
  assert.equal(matchesFilters([{ Name: 'is-default', Values: ['true'] }, { Name: 'vpc-id', Values: ['vpc-2', 'vpc-*'] }], fields, tags), true);
  assert.equal(matchesFilters([{ Name: 'is-default', Values: ['false'] }], fields, tags), false);
  assert.equal(matchesFilters([{ Name: 'tag:env', Values: ['pr?d'] }], fields, tags), true);
  assert.equal(matchesFilters([{ Name: 'tag-key', Values: ['team'] }], fields, tags), false);
  assert.throws(() => matchesFilters([{ Name: 'nope', Values: ['x'] }], fields, tags), FilterError);
});

test('policy: rules per group, members from interfaces; the default group refers to itself', () => {
  const g = defaultGroup({ groupId: 'sg-a', ruleIds: ['sgr-1', 'sgr-2'], vpcId: 'vpc-1', ownerId: '0', now: 0 });
  const p = compilePolicy([g], [
    { networkInterfaceId: 'eni-1', attachmentId: 'x', subnetId: 's', vpcId: 'vpc-1', availabilityZone: 'z', privateIpAddress: '10.0.0.9', macAddress: 'm', privateDnsName: 'd', securityGroups: ['sg-a'], taskArn: 't', cluster: 'c', createdAt: 0 },
  ]);
  assert.deepEqual(p.groups['sg-a'], { ingress: [{ protocol: 'all', group: 'sg-a' }], egress: [{ protocol: 'all', cidr: '0.0.0.0/0' }] });
  assert.deepEqual(p.members['sg-a'], ['10.0.0.9']);
});

test('lease keys sort by address within a subnet', () => {
  assert.equal(leaseKey({ subnetId: 'subnet-1', privateIpv4Address: '10.0.0.9' }), ec2Keys.networkInterface('subnet-1', parseIpv4('10.0.0.9')!));
  assert.ok(leaseKey({ subnetId: 'subnet-1', privateIpv4Address: '10.0.0.9' }) < leaseKey({ subnetId: 'subnet-1', privateIpv4Address: '10.0.0.10' }));
});
