/**
 * Wharf's DNS server for Cloud Map's private DNS namespaces (docs/service-discovery.md, "DNS"): answers
 * A, AAAA, SRV, CNAME and SOA queries for names in those namespaces from the store
 * (model/servicediscovery/dns-answers.ts decides, model/servicediscovery/dns-message.ts speaks the
 * wire), and relays every other query to the host's resolver unchanged.
 *
 *   UDP query ─► parse (FORMERR if it does not) ─► in a private DNS namespace?
 *                  yes ─► read namespaces, the namespace's services and their instances ─► answer (AA)
 *                  no  ─► relay the query bytes to the upstream resolver, relay its reply (SERVFAIL after 3 s)
 *
 * Reading the store per query, rather than caching a zone, means a registration is visible to the next
 * query: resolvers cache for the records' TTL anyway, which is the freshness Cloud Map promises.
 * UDP only: replies over the client's size are truncated (TC) and eight SRV answers fit in 512 bytes.
 */
import { createSocket, type Socket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import { answer, type DnsZoneView } from '../model/servicediscovery/dns-answers.js';
import { buildReply, DnsFormatError, errorReply, parseQuery, RCODE } from '../model/servicediscovery/dns-message.js';
import { sdKeys, type InstanceRecord, type NamespaceRecord, type ServiceRecord } from '../model/servicediscovery/records.js';
import { listJson } from '../store/json.js';
import type { Store } from '../store/store.js';

export interface HostPort { host: string; port: number }

export function parseHostPort(s: string, defaultPort = 53): HostPort {
  const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(s) ?? /^([^:]+)(?::(\d+))?$/.exec(s);
  if (!m) return { host: s, port: defaultPort };
  return { host: m[1]!, port: m[2] ? Number(m[2]) : defaultPort };
}

/** The host's resolver: the first `nameserver` of /etc/resolv.conf. */
export function hostResolver(file = '/etc/resolv.conf'): HostPort | undefined {
  try {
    const m = /^\s*nameserver\s+(\S+)/m.exec(readFileSync(file, 'utf8'));
    return m ? { host: m[1]!, port: 53 } : undefined;
  } catch {
    return undefined;
  }
}

/** How long a relayed query waits for the upstream resolver before the client gets SERVFAIL. */
const UPSTREAM_TIMEOUT_MS = 3000;

function shuffle<T>(xs: T[]): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [xs[i], xs[j]] = [xs[j]!, xs[i]!];
  }
  return xs;
}

async function zoneFor(store: Store, qname: string): Promise<DnsZoneView | undefined> {
  const name = qname.toLowerCase().replace(/\.$/, '');
  const namespaces = (await listJson<NamespaceRecord>(store, sdKeys.namespaces())).filter((n) => n.type === 'DNS_PRIVATE');
  const mine = namespaces.filter((n) => name === n.name.toLowerCase() || name.endsWith(`.${n.name.toLowerCase()}`));
  if (mine.length === 0) return undefined;
  const services = (await listJson<ServiceRecord>(store, sdKeys.services())).filter((s) => mine.some((n) => n.id === s.namespaceId));
  const instances = new Map<string, InstanceRecord[]>();
  for (const s of services) instances.set(s.id, await listJson<InstanceRecord>(store, sdKeys.instances(s.id)));
  return { namespaces: mine, services: (id) => services.filter((s) => s.namespaceId === id), instances: (id) => instances.get(id) ?? [] };
}

export interface DnsServer {
  readonly address: HostPort;
  close(): Promise<void>;
}

export async function startDnsServer(o: { store: Store; listen: HostPort; upstream?: HostPort; log: Logger; signal?: AbortSignal }): Promise<DnsServer> {
  const family = o.listen.host.includes(':') ? 'udp6' : 'udp4';
  const sock: Socket = createSocket({ type: family, reuseAddr: false });
  const upstream = o.upstream ?? hostResolver();

  const relay = (msg: Buffer, reply: (b: Buffer) => void) => {
    if (!upstream) { reply(errorReply(msg, RCODE.SERVFAIL)); return; }
    const out = createSocket(upstream.host.includes(':') ? 'udp6' : 'udp4');
    const timer = setTimeout(() => { out.close(); reply(errorReply(msg, RCODE.SERVFAIL)); }, UPSTREAM_TIMEOUT_MS);
    out.once('message', (r) => { clearTimeout(timer); out.close(); reply(r); });
    out.once('error', () => { clearTimeout(timer); out.close(); reply(errorReply(msg, RCODE.SERVFAIL)); });
    out.send(msg, upstream.port, upstream.host);
  };

  sock.on('message', (msg, rinfo) => {
    const reply = (b: Buffer) => sock.send(b, rinfo.port, rinfo.address);
    let q: ReturnType<typeof parseQuery>;
    try {
      q = parseQuery(msg);
    } catch (e) {
      if (e instanceof DnsFormatError) reply(errorReply(msg, RCODE.FORMERR));
      return;
    }
    if ((q.flags & 0x7800) !== 0) { reply(errorReply(msg, RCODE.NOTIMP)); return; }
    zoneFor(o.store, q.name).then((zone) => {
      const out = zone ? answer(q.name, q.type, zone, shuffle) : { kind: 'forward' as const };
      if (out.kind === 'forward') { relay(msg, reply); return; }
      reply(buildReply(msg, q, { rcode: RCODE[out.rcode], authoritative: true, answers: out.answers, authority: out.authority, additional: out.additional }));
    }).catch((err) => {
      o.log.warn({ err, name: q.name }, 'dns: answering failed');
      reply(errorReply(msg, RCODE.SERVFAIL));
    });
  });

  await new Promise<void>((resolve, reject) => {
    sock.once('error', reject);
    sock.bind(o.listen.port, o.listen.host, () => { sock.off('error', reject); resolve(); });
  });
  sock.on('error', (err) => o.log.warn({ err }, 'dns: socket error'));
  const bound = sock.address();
  const server: DnsServer = {
    address: { host: bound.address, port: bound.port },
    close: () => new Promise<void>((resolve) => { try { sock.close(() => resolve()); } catch { resolve(); } }),
  };
  o.signal?.addEventListener('abort', () => { void server.close(); }, { once: true });
  o.log.info({ address: server.address, upstream }, 'dns: serving Cloud Map private DNS namespaces');
  return server;
}
