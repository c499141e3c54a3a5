import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { answer, type DnsZoneView } from './dns-answers.js';
import { buildReply, DnsFormatError, parseQuery, RR } from './dns-message.js';
import type { InstanceRecord, NamespaceRecord, ServiceRecord } from './records.js';

const ns: NamespaceRecord = {
  id: 'ns-a', arn: 'arn', name: 'apps.local', type: 'DNS_PRIVATE', httpName: 'apps.local', soaTtl: 30, createOperationId: 'op', serviceCount: 1, tags: [], createdAt: 0, updatedAt: 0,
};
const svc: ServiceRecord = {
  id: 'srv-a', arn: 'arn', name: '_web._tcp', namespaceId: 'ns-a', type: 'DNS_HTTP', instanceCount: 2, instancesRevision: 2, tags: [], createdAt: 0,
  dnsConfig: { RoutingPolicy: 'MULTIVALUE', DnsRecords: [{ Type: 'SRV', TTL: 9 }] },
};
const inst = (id: string, health: InstanceRecord['health']): InstanceRecord => ({
  id, serviceId: 'srv-a', namespaceId: 'ns-a', attributes: { AWS_INSTANCE_IPV4: `10.0.0.${id.length}`, AWS_INSTANCE_PORT: '80' }, health, createdAt: 0, updatedAt: 0,
});
const zone = (instances: InstanceRecord[]): DnsZoneView => ({ namespaces: [ns], services: () => [svc], instances: () => instances });
const same = <T>(xs: T[]) => xs;

function query(name: string, type: number): Buffer {
  const labels = Buffer.concat([...name.split('.').map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)])), Buffer.from([0])]);
  const header = Buffer.from([0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]);
  const tail = Buffer.alloc(4);
  tail.writeUInt16BE(type, 0); tail.writeUInt16BE(1, 2);
  return Buffer.concat([header, labels, tail]);
}

describe('DNS answers for Cloud Map', () => {
  it('SRV names with underscores, healthy instances only, NXDOMAIN elsewhere in the zone, and other names forwarded', () => {
    const z = zone([inst('a', 'HEALTHY'), inst('bb', 'UNHEALTHY')]);
    const r = answer('_web._tcp.apps.local.', RR.SRV, z, same);
    assert.equal(r.kind === 'answer' && r.rcode, 'NOERROR');
    assert.deepEqual(r.kind === 'answer' && r.answers.map((x) => x.data), [{ type: 'SRV', priority: 1, weight: 1, port: 80, target: 'a._web._tcp.apps.local' }]);
    assert.deepEqual(r.kind === 'answer' && r.additional.map((x) => [x.name, x.data]), [['a._web._tcp.apps.local', { type: 'A', address: '10.0.0.1' }]]);
    const nx = answer('other.apps.local', RR.A, z, same);
    assert.equal(nx.kind === 'answer' && nx.rcode, 'NXDOMAIN');
    assert.equal(nx.kind === 'answer' && nx.authority[0]!.ttl, 30);
    assert.equal(answer('example.com', RR.A, z, same).kind, 'forward');
    assert.equal(answer('apps.localx', RR.A, z, same).kind, 'forward');
  });

  it('the wire: a reply echoes id and question, points answers at the question, and truncates what does not fit', () => {
    const q = query('_web._tcp.apps.local', RR.SRV);
    const pq = parseQuery(q);
    assert.deepEqual([pq.id, pq.name, pq.type, pq.maxUdp], [0x1234, '_web._tcp.apps.local', RR.SRV, 512]);
    const many = Array.from({ length: 40 }, (_, i) => ({ name: pq.name, ttl: 9, data: { type: 'SRV' as const, priority: 1, weight: 1, port: 80, target: `instance-${i}._web._tcp.apps.local` } }));
    const big = buildReply(q, pq, { rcode: 0, authoritative: true, answers: many });
    assert.equal(big.length, 12 + (q.length - 12), 'header and question only');
    assert.equal(big.readUInt16BE(2) & 0x0200, 0x0200, 'TC set');
    const one = buildReply(q, pq, { rcode: 0, authoritative: true, answers: many.slice(0, 1) });
    assert.equal(one.readUInt16BE(0), 0x1234);
    assert.equal(one.readUInt16BE(6), 1);
    assert.deepEqual([...one.subarray(q.length, q.length + 2)], [0xc0, 12], 'the answer name points at the question');
    assert.throws(() => parseQuery(Buffer.from([1, 2, 3])), DnsFormatError);
  });
});
