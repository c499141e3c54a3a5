/**
 * The DNS wire format (RFC 1035) as far as Wharf's DNS server needs it: read a query's header and
 * question (and the EDNS payload size it advertises, RFC 6891), and write a reply with A, AAAA, CNAME,
 * SRV (RFC 2782) and SOA records. Answer names equal to the question point back to it (compression,
 * RFC 1035 §4.1.4), which keeps eight SRV answers inside 512 bytes.
 */

export const RR = { A: 1, NS: 2, CNAME: 5, SOA: 6, AAAA: 28, SRV: 33, OPT: 41, ANY: 255 } as const;
export const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;

export interface DnsQuery {
  id: number;
  flags: number;
  name: string;
  type: number;
  cls: number;
  /** The largest reply the client takes over UDP: its EDNS payload size, else 512. */
  maxUdp: number;
  /** Where the question ends (the reply copies the question bytes). */
  questionEnd: number;
}

export type RecordData =
  | { type: 'A'; address: string }
  | { type: 'AAAA'; address: string }
  | { type: 'CNAME'; target: string }
  | { type: 'SRV'; priority: number; weight: number; port: number; target: string }
  | { type: 'SOA'; mname: string; rname: string; serial: number; refresh: number; retry: number; expire: number; minimum: number };

export interface DnsRecord { name: string; ttl: number; data: RecordData }

export class DnsFormatError extends Error {}

function readName(buf: Buffer, start: number): { name: string; end: number } {
  const labels: string[] = [];
  let off = start;
  let end = -1;
  for (let hops = 0; hops < 64; hops++) {
    if (off >= buf.length) throw new DnsFormatError('name runs past the message');
    const len = buf[off]!;
    if (len === 0) { if (end < 0) end = off + 1; return { name: labels.join('.'), end }; }
    if ((len & 0xc0) === 0xc0) {
      if (off + 1 >= buf.length) throw new DnsFormatError('truncated pointer');
      if (end < 0) end = off + 2;
      off = ((len & 0x3f) << 8) | buf[off + 1]!;
      continue;
    }
    if (off + 1 + len > buf.length) throw new DnsFormatError('label runs past the message');
    labels.push(buf.toString('latin1', off + 1, off + 1 + len));
    off += 1 + len;
  }
  throw new DnsFormatError('too many labels or pointers');
}

/** Reads a query: one question (QDCOUNT 1), and an OPT record among the additional ones, if any. */
export function parseQuery(buf: Buffer): DnsQuery {
  if (buf.length < 12) throw new DnsFormatError('shorter than a header');
  const id = buf.readUInt16BE(0);
  const flags = buf.readUInt16BE(2);
  const qd = buf.readUInt16BE(4);
  const an = buf.readUInt16BE(6);
  const ns = buf.readUInt16BE(8);
  const ar = buf.readUInt16BE(10);
  if (qd !== 1) throw new DnsFormatError(`expected one question, got ${qd}`);
  const q = readName(buf, 12);
  if (q.end + 4 > buf.length) throw new DnsFormatError('question truncated');
  const type = buf.readUInt16BE(q.end);
  const cls = buf.readUInt16BE(q.end + 2);
  const questionEnd = q.end + 4;
  let maxUdp = 512;
  // Skip answer and authority records, then look for OPT among the additional ones.
  let off = questionEnd;
  for (let i = 0; i < an + ns + ar && off < buf.length; i++) {
    const n = readName(buf, off);
    if (n.end + 10 > buf.length) break;
    const rtype = buf.readUInt16BE(n.end);
    const rdlen = buf.readUInt16BE(n.end + 8);
    if (i >= an + ns && rtype === RR.OPT) maxUdp = Math.max(512, Math.min(buf.readUInt16BE(n.end + 2), 4096));
    off = n.end + 10 + rdlen;
  }
  return { id, flags, name: q.name, type, cls, maxUdp, questionEnd };
}

function writeName(name: string): Buffer {
  const parts: Buffer[] = [];
  for (const label of name.split('.').filter(Boolean)) {
    const b = Buffer.from(label, 'latin1');
    parts.push(Buffer.from([Math.min(b.length, 63)]), b.subarray(0, 63));
  }
  parts.push(Buffer.from([0]));
  return Buffer.concat(parts);
}

function ipv4(address: string): Buffer {
  return Buffer.from(address.split('.').map(Number));
}

function ipv6(address: string): Buffer {
  const [head, tail] = address.includes('::') ? address.split('::') as [string, string] : [address, undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  const out = Buffer.alloc(16);
  groups.slice(0, 8).forEach((g, i) => out.writeUInt16BE(parseInt(g || '0', 16) & 0xffff, i * 2));
  return out;
}

function rdata(d: RecordData): Buffer {
  switch (d.type) {
    case 'A': return ipv4(d.address);
    case 'AAAA': return ipv6(d.address);
    case 'CNAME': return writeName(d.target);
    case 'SRV': {
      const head = Buffer.alloc(6);
      head.writeUInt16BE(d.priority, 0); head.writeUInt16BE(d.weight, 2); head.writeUInt16BE(d.port, 4);
      return Buffer.concat([head, writeName(d.target)]);
    }
    case 'SOA': {
      const nums = Buffer.alloc(20);
      [d.serial, d.refresh, d.retry, d.expire, d.minimum].forEach((n, i) => nums.writeUInt32BE(n >>> 0, i * 4));
      return Buffer.concat([writeName(d.mname), writeName(d.rname), nums]);
    }
  }
}

/** One resource record; a name equal to the question's is written as a pointer to it (offset 12). */
function record(r: DnsRecord, question: string): Buffer {
  const name = r.name.toLowerCase() === question.toLowerCase() ? Buffer.from([0xc0, 12]) : writeName(r.name);
  const data = rdata(r.data);
  const fixed = Buffer.alloc(10);
  fixed.writeUInt16BE(RR[r.data.type], 0);
  fixed.writeUInt16BE(1, 2); // IN
  fixed.writeUInt32BE(Math.max(0, Math.min(r.ttl, 2147483647)), 4);
  fixed.writeUInt16BE(data.length, 8);
  return Buffer.concat([name, fixed, data]);
}

/**
 * A reply to `q` (whose bytes are `query`): the question echoed, then the sections. When the reply is
 * larger than the client takes, the additional section goes first, then TC is set with no answers
 * (the client retries over TCP, which this server does not serve; eight SRV answers fit in 512 bytes).
 */
export function buildReply(query: Buffer, q: DnsQuery, o: { rcode: number; authoritative: boolean; answers?: DnsRecord[]; authority?: DnsRecord[]; additional?: DnsRecord[] }): Buffer {
  const question = query.subarray(12, q.questionEnd);
  const build = (answers: DnsRecord[], authority: DnsRecord[], additional: DnsRecord[], tc: boolean) => {
    const header = Buffer.alloc(12);
    header.writeUInt16BE(q.id, 0);
    const opcode = q.flags & 0x7800;
    const rd = q.flags & 0x0100;
    header.writeUInt16BE(0x8000 | opcode | (o.authoritative ? 0x0400 : 0) | (tc ? 0x0200 : 0) | rd | 0x0080 | (o.rcode & 0xf), 2);
    header.writeUInt16BE(1, 4);
    header.writeUInt16BE(answers.length, 6);
    header.writeUInt16BE(authority.length, 8);
    header.writeUInt16BE(additional.length, 10);
    return Buffer.concat([header, question, ...answers.map((r) => record(r, q.name)), ...authority.map((r) => record(r, q.name)), ...additional.map((r) => record(r, q.name))]);
  };
  const full = build(o.answers ?? [], o.authority ?? [], o.additional ?? [], false);
  if (full.length <= q.maxUdp) return full;
  const noExtra = build(o.answers ?? [], o.authority ?? [], [], false);
  if (noExtra.length <= q.maxUdp) return noExtra;
  return build([], [], [], true);
}

/** A header-only error reply (FORMERR, SERVFAIL, NOTIMP) for a message whose question may not parse. */
export function errorReply(query: Buffer, rcode: number): Buffer {
  const header = Buffer.alloc(12);
  if (query.length >= 2) header.writeUInt16BE(query.readUInt16BE(0), 0);
  const rd = query.length >= 4 ? query.readUInt16BE(2) & 0x0100 : 0;
  header.writeUInt16BE(0x8000 | rd | 0x0080 | rcode, 2);
  return header;
}
