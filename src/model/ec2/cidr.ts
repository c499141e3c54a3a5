/**
 * IPv4 addresses and CIDR blocks as numbers (pure). EC2's rules for what a VPC or subnet CIDR may be
 * live here too: a VPC is /16…/28, a subnet /16…/28 inside its VPC, and AWS reserves the first four
 * addresses of every subnet (network, router, DNS, future use) and the last one (broadcast).
 */

export interface Cidr {
  /** The network address as an unsigned 32-bit number. */
  readonly base: number;
  readonly prefix: number;
}

/** Parses `a.b.c.d` to an unsigned number, or undefined. */
export function parseIpv4(s: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255) || m.slice(1).some((p) => p.length > 1 && p.startsWith('0'))) return undefined;
  return ((parts[0] << 24) >>> 0) + (parts[1] << 16) + (parts[2] << 8) + parts[3];
}

export function formatIpv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

const maskOf = (prefix: number) => (prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0);

/**
 * Parses `a.b.c.d/n`. `strict` (EC2's CreateVpc/CreateSubnet) refuses host bits; security group rules
 * accept and normalise them.
 */
export function parseCidr(s: string, opts: { strict?: boolean } = {}): Cidr | undefined {
  const m = /^([^/]+)\/(\d{1,2})$/.exec(s);
  if (!m) return undefined;
  const ip = parseIpv4(m[1]);
  const prefix = Number(m[2]);
  if (ip === undefined || prefix > 32) return undefined;
  const base = (ip & maskOf(prefix)) >>> 0;
  if (opts.strict && base !== ip) return undefined;
  return { base, prefix };
}

export const formatCidr = (c: Cidr) => `${formatIpv4(c.base)}/${c.prefix}`;
export const size = (c: Cidr) => 2 ** (32 - c.prefix);
export const lastAddress = (c: Cidr) => c.base + size(c) - 1;
export const containsIp = (c: Cidr, ip: number) => ip >= c.base && ip <= lastAddress(c);
export const containsCidr = (outer: Cidr, inner: Cidr) => inner.prefix >= outer.prefix && containsIp(outer, inner.base);
export const overlaps = (a: Cidr, b: Cidr) => a.base <= lastAddress(b) && b.base <= lastAddress(a);

/** The subnet's router: the first usable address (AWS's `.1`). Wharf puts it on the subnet's bridge. */
export const gatewayOf = (c: Cidr) => c.base + 1;

/** Addresses tasks may get: all but AWS's five reserved ones. */
export function usableRange(c: Cidr): { first: number; last: number; count: number } {
  const first = c.base + 4;
  const last = lastAddress(c) - 1;
  return { first, last, count: Math.max(0, last - first + 1) };
}

/**
 * Picks a free address in `c`, or undefined when the subnet is full. Starting the scan at a random
 * offset (not at the lowest free address) makes two concurrent placements in one subnet unlikely to
 * pick the same address; the store's create-only compare decides if they still do.
 */
export function pickAddress(c: Cidr, used: ReadonlySet<number>, random: () => number): number | undefined {
  const { first, count } = usableRange(c);
  if (used.size >= count) return undefined;
  const start = Math.floor(random() * count);
  for (let i = 0; i < count; i++) {
    const ip = first + ((start + i) % count);
    if (!used.has(ip)) return ip;
  }
  return undefined;
}
