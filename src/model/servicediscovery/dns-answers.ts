/**
 * What Wharf's DNS server answers for a name in a private DNS namespace, as Route 53 answers for the
 * records Cloud Map makes (pure: the server passes in the records it read).
 *
 *   <service>.<namespace>              A / AAAA: the instances' AWS_INSTANCE_IPV4 / _IPV6
 *                                      SRV: `1 1 <AWS_INSTANCE_PORT> <instance>.<service>.<namespace>`
 *                                      (and the targets' A/AAAA records as additional answers)
 *                                      CNAME: AWS_INSTANCE_CNAME
 *   <instance>.<service>.<namespace>   A / AAAA of that instance (the records Cloud Map makes for SRV targets)
 *   <namespace>                        SOA
 *   anything else in the namespace     NXDOMAIN, with the SOA (its TTL is how long resolvers cache the miss)
 *
 * TTLs are the service's DnsRecords'. Routing: MULTIVALUE answers up to eight instances, WEIGHTED one
 * chosen at random. Only healthy instances are answered (HEALTHY, or UNKNOWN for services without a
 * health check); when none is healthy, all are, as Route 53 fails open for both policies.
 */
import type { InstanceRecord, NamespaceRecord, RecordType, ServiceRecord } from './records.js';
import type { DnsRecord, RecordData } from './dns-message.js';

/** Route 53 answers a multivalue query with at most eight records. */
export const MULTIVALUE_MAX = 8;

export interface DnsZoneView {
  /** The private DNS namespaces (other types are not served by DNS). */
  namespaces: readonly NamespaceRecord[];
  services: (namespaceId: string) => readonly ServiceRecord[];
  instances: (serviceId: string) => readonly InstanceRecord[];
}

export type DnsOutcome =
  | { kind: 'forward' }
  | { kind: 'answer'; rcode: 'NOERROR' | 'NXDOMAIN'; answers: DnsRecord[]; authority: DnsRecord[]; additional: DnsRecord[] };

const QTYPE: Record<number, RecordType | 'SOA' | 'ANY' | undefined> = { 1: 'A', 28: 'AAAA', 5: 'CNAME', 33: 'SRV', 6: 'SOA', 255: 'ANY' };

export function soaRecord(ns: NamespaceRecord): DnsRecord {
  return {
    name: ns.name, ttl: ns.soaTtl ?? 15,
    data: { type: 'SOA', mname: `ns.${ns.name}`, rname: `hostmaster.${ns.name}`, serial: 1, refresh: 7200, retry: 900, expire: 1209600, minimum: ns.soaTtl ?? 15 },
  };
}

/** `shuffle` returns its argument in a random order (the server passes a real shuffle; tests a fixed one). */
export function answer(qname: string, qtype: number, zone: DnsZoneView, shuffle: <T>(xs: T[]) => T[]): DnsOutcome {
  const name = qname.toLowerCase().replace(/\.$/, '');
  const ns = zone.namespaces
    .filter((n) => n.type === 'DNS_PRIVATE' && (name === n.name.toLowerCase() || name.endsWith(`.${n.name.toLowerCase()}`)))
    .sort((a, b) => b.name.length - a.name.length)[0];
  if (!ns) return { kind: 'forward' };
  const soa = soaRecord(ns);
  const nodata = (): DnsOutcome => ({ kind: 'answer', rcode: 'NOERROR', answers: [], authority: [soa], additional: [] });
  const nxdomain: DnsOutcome = { kind: 'answer', rcode: 'NXDOMAIN', answers: [], authority: [soa], additional: [] };
  const want = QTYPE[qtype];
  if (name === ns.name.toLowerCase()) return want === 'SOA' || want === 'ANY' ? { kind: 'answer', rcode: 'NOERROR', answers: [soa], authority: [], additional: [] } : nodata();
  const rel = name.slice(0, name.length - ns.name.length - 1);
  const services = zone.services(ns.id).filter((s) => s.dnsConfig);
  const svc = services.find((s) => s.name.toLowerCase() === rel);
  const healthy = (xs: readonly InstanceRecord[]) => { const h = xs.filter((i) => i.health !== 'UNHEALTHY'); return h.length > 0 ? [...h] : [...xs]; };
  const fqdn = (s: ServiceRecord) => `${s.name}.${ns.name}`;
  const ttlOf = (s: ServiceRecord, t: RecordType) => s.dnsConfig!.DnsRecords.find((r) => r.Type === t)?.TTL;
  const addressRecords = (s: ServiceRecord, i: InstanceRecord, owner: string, ttl: number): DnsRecord[] => [
    ...(i.attributes.AWS_INSTANCE_IPV4 ? [{ name: owner, ttl, data: { type: 'A', address: i.attributes.AWS_INSTANCE_IPV4 } as RecordData }] : []),
    ...(i.attributes.AWS_INSTANCE_IPV6 ? [{ name: owner, ttl, data: { type: 'AAAA', address: i.attributes.AWS_INSTANCE_IPV6 } as RecordData }] : []),
  ];
  if (svc) {
    const picked = shuffle(healthy(zone.instances(svc.id))).slice(0, svc.dnsConfig!.RoutingPolicy === 'WEIGHTED' ? 1 : MULTIVALUE_MAX);
    const types: RecordType[] = want === 'ANY' ? (['A', 'AAAA', 'SRV', 'CNAME'] as RecordType[]) : want && want !== 'SOA' ? [want] : [];
    const answers: DnsRecord[] = [];
    const additional: DnsRecord[] = [];
    for (const t of types) {
      const ttl = ttlOf(svc, t);
      if (ttl === undefined) continue;
      for (const i of picked) {
        const a = i.attributes;
        if (t === 'A' && a.AWS_INSTANCE_IPV4) answers.push({ name: fqdn(svc), ttl, data: { type: 'A', address: a.AWS_INSTANCE_IPV4 } });
        if (t === 'AAAA' && a.AWS_INSTANCE_IPV6) answers.push({ name: fqdn(svc), ttl, data: { type: 'AAAA', address: a.AWS_INSTANCE_IPV6 } });
        if (t === 'CNAME' && a.AWS_INSTANCE_CNAME) answers.push({ name: fqdn(svc), ttl, data: { type: 'CNAME', target: a.AWS_INSTANCE_CNAME } });
        if (t === 'SRV' && a.AWS_INSTANCE_PORT) {
          const target = `${i.id}.${fqdn(svc)}`;
          answers.push({ name: fqdn(svc), ttl, data: { type: 'SRV', priority: 1, weight: 1, port: Number(a.AWS_INSTANCE_PORT), target } });
          additional.push(...addressRecords(svc, i, target, ttl));
        }
      }
    }
    return answers.length > 0 ? { kind: 'answer', rcode: 'NOERROR', answers, authority: [], additional } : nodata();
  }
  // <instance>.<service>: the address records Cloud Map makes for a service's SRV targets.
  for (const s of services) {
    const suffix = `.${s.name.toLowerCase()}`;
    if (!rel.endsWith(suffix) || ttlOf(s, 'SRV') === undefined) continue;
    const inst = zone.instances(s.id).find((i) => i.id.toLowerCase() === rel.slice(0, -suffix.length));
    if (!inst) continue;
    const records = addressRecords(s, inst, `${inst.id}.${fqdn(s)}`, ttlOf(s, 'SRV')!).filter((r) => want === 'ANY' || r.data.type === want);
    return records.length > 0 ? { kind: 'answer', rcode: 'NOERROR', answers: records, authority: [], additional: [] } : nodata();
  }
  return nxdomain;
}
