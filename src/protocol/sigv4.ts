/**
 * AWS Signature Version 4 verification.
 *
 * The server rebuilds the canonical request from what actually arrived — the method, the raw path, the
 * raw query, only the headers the client listed in SignedHeaders, and the SHA-256 of the raw body bytes
 * (never a re-serialized body) — derives the signing key from the stored secret, and compares signatures
 * in constant time. `host` and `x-amz-date` must be signed, and so must `x-amz-target` when present,
 * so neither the operation nor the date can be swapped under a valid signature.
 *
 * Error names differ per protocol family: JSON services say InvalidSignatureException where query
 * services say SignatureDoesNotMatch (see `dialect`).
 */
import { createHmac, hash, timingSafeEqual } from 'node:crypto';
import { ApiError, type ErrorCode } from '../model/errors.js';

export interface SignedRequest {
  readonly method: string;
  /** The path exactly as sent (still percent-encoded), without the query. */
  readonly path: string;
  /** The raw query string without '?', or ''. */
  readonly query: string;
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Uint8Array;
}

export interface Credential {
  readonly accessKeyId: string;
  readonly date: string;
  readonly region: string;
  readonly service: string;
}

export interface ParsedSignature {
  readonly credential: Credential;
  readonly signedHeaders: readonly string[];
  readonly signature: string;
  readonly amzDate: string;
  /** Presigned (query-string) authentication rather than the Authorization header. */
  readonly presigned: boolean;
  readonly expiresSeconds?: number;
}

export type Dialect = 'json' | 'query';

const NAMES: Record<Dialect, { missing: ErrorCode; incomplete: ErrorCode; invalid: ErrorCode; unknownKey: ErrorCode }> = {
  json: { missing: 'MissingAuthenticationTokenException', incomplete: 'IncompleteSignatureException', invalid: 'InvalidSignatureException', unknownKey: 'UnrecognizedClientException' },
  query: { missing: 'MissingAuthenticationToken', incomplete: 'IncompleteSignature', invalid: 'SignatureDoesNotMatch', unknownKey: 'InvalidClientTokenId' },
};

export const MISMATCH_MESSAGE = 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

const header = (req: SignedRequest, name: string): string | undefined => {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(',') : v;
};

/** Reads the credential scope without verifying anything: used first, to route by service name. */
export function parseSignature(req: SignedRequest, dialect: Dialect = 'json'): ParsedSignature {
  const n = NAMES[dialect];
  const auth = header(req, 'authorization');
  if (!auth) {
    const q = new URLSearchParams(req.query);
    if (q.get('X-Amz-Algorithm')) return parsePresigned(q, dialect);
    throw new ApiError(n.missing, 'Missing Authentication Token');
  }
  const m = /^AWS4-HMAC-SHA256\s+(.*)$/s.exec(auth.trim());
  if (!m) throw new ApiError(n.incomplete, `Authorization header requires the AWS4-HMAC-SHA256 algorithm. Authorization=${auth.split(' ')[0]}`);
  const parts = new Map<string, string>();
  for (const p of m[1].split(',')) {
    const eq = p.indexOf('=');
    if (eq > 0) parts.set(p.slice(0, eq).trim(), p.slice(eq + 1).trim());
  }
  const missing = ['Credential', 'SignedHeaders', 'Signature'].filter((k) => !parts.get(k));
  if (missing.length > 0) {
    throw new ApiError(n.incomplete, missing.map((k) => `Authorization header requires '${k}' parameter.`).join(' ') + ` Authorization=${auth}`);
  }
  const amzDate = header(req, 'x-amz-date');
  if (!amzDate) throw new ApiError(n.incomplete, "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=" + auth);
  return {
    credential: parseCredential(parts.get('Credential')!, dialect),
    signedHeaders: parts.get('SignedHeaders')!.split(';').map((h) => h.trim().toLowerCase()),
    signature: parts.get('Signature')!,
    amzDate,
    presigned: false,
  };
}

function parsePresigned(q: URLSearchParams, dialect: Dialect): ParsedSignature {
  const n = NAMES[dialect];
  if (q.get('X-Amz-Algorithm') !== 'AWS4-HMAC-SHA256') throw new ApiError(n.incomplete, 'X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"');
  const need = ['X-Amz-Credential', 'X-Amz-Date', 'X-Amz-SignedHeaders', 'X-Amz-Signature'].filter((k) => !q.get(k));
  if (need.length > 0) throw new ApiError(n.incomplete, need.map((k) => `AWS query-string parameters must include '${k}'.`).join(' '));
  const expires = q.get('X-Amz-Expires');
  return {
    credential: parseCredential(q.get('X-Amz-Credential')!, dialect),
    signedHeaders: q.get('X-Amz-SignedHeaders')!.split(';').map((h) => h.toLowerCase()),
    signature: q.get('X-Amz-Signature')!,
    amzDate: q.get('X-Amz-Date')!,
    presigned: true,
    expiresSeconds: expires ? Number(expires) : undefined,
  };
}

function parseCredential(value: string, dialect: Dialect): Credential {
  const parts = value.split('/');
  if (parts.length !== 5 || parts[4] !== 'aws4_request' || !/^\d{8}$/.test(parts[1]) || !parts[0] || !parts[2] || !parts[3]) {
    throw new ApiError(NAMES[dialect].incomplete, `Credential should be scoped to a valid region, service and terminated by 'aws4_request'. Credential=${value}`);
  }
  return { accessKeyId: parts[0], date: parts[1], region: parts[2], service: parts[3] };
}

export interface VerifyOptions {
  readonly now: Date;
  /** Allowed clock difference either way. AWS allows 5 minutes. */
  readonly maxSkewMs?: number;
  readonly dialect?: Dialect;
}

/**
 * Verifies a parsed signature against `secret`. Throws ApiError on any mismatch.
 * The secret is looked up by the caller (so an unknown key can be reported as such).
 */
export function verifySignature(req: SignedRequest, sig: ParsedSignature, secret: string, options: VerifyOptions): void {
  const dialect = options.dialect ?? 'json';
  const n = NAMES[dialect];
  const { credential, signedHeaders } = sig;
  const signed = new Set(signedHeaders);
  if (!signed.has('host')) throw new ApiError(n.invalid, "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
  if (!sig.presigned && !signed.has('x-amz-date')) throw new ApiError(n.invalid, "'X-Amz-Date' must be a 'SignedHeader' in the AWS Authorization.");
  if (header(req, 'x-amz-target') !== undefined && !signed.has('x-amz-target')) {
    throw new ApiError(n.invalid, "'X-Amz-Target' must be a 'SignedHeader' in the AWS Authorization.");
  }
  for (const h of signedHeaders) {
    if (header(req, h) === undefined) throw new ApiError(n.invalid, `Signed header '${h}' is missing from the request.`);
  }
  const when = parseAmzDate(sig.amzDate);
  if (!when) throw new ApiError(n.incomplete, `Date must be in ISO-8601 'basic format'. Got '${sig.amzDate}'. See http://en.wikipedia.org/wiki/ISO_8601`);
  if (sig.amzDate.slice(0, 8) !== credential.date) {
    throw new ApiError(n.invalid, `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${credential.date}' != '${sig.amzDate.slice(0, 8)}', from '${sig.amzDate}'.`);
  }
  const skew = options.maxSkewMs ?? 5 * 60_000;
  const now = options.now.getTime();
  if (sig.presigned) {
    const expires = sig.expiresSeconds ?? 900;
    if (now > when.getTime() + expires * 1000) throw new ApiError(n.invalid, `Signature expired: ${sig.amzDate} is now earlier than ${basic(new Date(now - expires * 1000))}`);
  } else if (when.getTime() < now - skew) {
    throw new ApiError(n.invalid, `Signature expired: ${sig.amzDate} is now earlier than ${basic(new Date(now - skew))} (${basic(options.now)} - ${skew / 60_000} min.)`);
  } else if (when.getTime() > now + skew) {
    throw new ApiError(n.invalid, `Signature not yet current: ${sig.amzDate} is still later than ${basic(new Date(now + skew))} (${basic(options.now)} + ${skew / 60_000} min.)`);
  }
  const expected = computeSignature(req, sig, secret);
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(sig.signature, 'utf8');
  if (a.length !== b.length || !timingSafeEqual(a, b)) throw new ApiError(n.invalid, MISMATCH_MESSAGE);
}

/** Computes the hex signature the client should have sent. Exported for tests and for signing. */
export function computeSignature(req: SignedRequest, sig: Pick<ParsedSignature, 'credential' | 'signedHeaders' | 'amzDate' | 'presigned'>, secret: string): string {
  const { credential } = sig;
  const scope = `${credential.date}/${credential.region}/${credential.service}/aws4_request`;
  const canonical = canonicalRequest(req, sig.signedHeaders, sig.presigned);
  const stringToSign = `AWS4-HMAC-SHA256\n${sig.amzDate}\n${scope}\n${sha256hex(canonical)}`;
  return hmacHex(signingKey(secret, credential.date, credential.region, credential.service), stringToSign);
}

/**
 * A derived signing key, kept as the two padded blocks HMAC-SHA-256 hashes in front of its input
 * (RFC 2104: H((K ⊕ opad) ‖ H((K ⊕ ipad) ‖ m))). The naive `createHmac(key).update(m).digest()` builds an
 * Hmac object and re-pads the same key on every request; with the pads computed once per key, a request's
 * HMAC is two one-shot `crypto.hash` calls (the profile of DescribeTaskDefinition put createHmac at ≈ 4 %
 * of the server's CPU, against ≈ 1.7 % for the two SHA-256 hashes of the request itself).
 */
interface SigningKey { readonly inner: Buffer; readonly outer: Buffer }
const BLOCK = 64; // SHA-256 block size in bytes

function padded(key: Buffer): SigningKey {
  const inner = Buffer.alloc(BLOCK, 0x36);
  const outer = Buffer.alloc(BLOCK, 0x5c);
  for (let i = 0; i < key.length; i++) { inner[i] ^= key[i]; outer[i] ^= key[i]; }
  return { inner, outer };
}

function hmacHex(k: SigningKey, message: string): string {
  const m = Buffer.from(message, 'utf8');
  const inner = hash('sha256', Buffer.concat([k.inner, m], BLOCK + m.length), 'buffer');
  return hash('sha256', Buffer.concat([k.outer, inner], BLOCK + inner.length), 'hex');
}

export function canonicalRequest(req: SignedRequest, signedHeaders: readonly string[], presigned = false): string {
  // Clients send SignedHeaders sorted already (SigV4 requires it); sort a copy only when they did not.
  let sorted = true;
  for (let i = 1; i < signedHeaders.length && sorted; i++) sorted = signedHeaders[i - 1] <= signedHeaders[i];
  const headers = sorted ? signedHeaders : [...signedHeaders].sort();
  let canonicalHeaders = '';
  for (const h of headers) canonicalHeaders += `${h}:${canonicalHeaderValue(header(req, h) ?? '')}\n`;
  const payloadHash = presigned && header(req, 'x-amz-content-sha256') === undefined
    ? sha256hex(req.body)
    : header(req, 'x-amz-content-sha256') === 'UNSIGNED-PAYLOAD' ? 'UNSIGNED-PAYLOAD' : sha256hex(req.body);
  return `${req.method.toUpperCase()}\n${canonicalUri(req.path)}\n${canonicalQuery(req.query, presigned)}\n${canonicalHeaders}\n${headers.join(';')}\n${payloadHash}`;
}

function canonicalHeaderValue(v: string): string {
  return v.trim().replace(/\s+/g, ' ');
}

/** Non-S3 services "double encode": the path as sent is escaped once more, keeping '/'. */
export function canonicalUri(rawPath: string): string {
  if (rawPath === '/') return '/'; // every JSON and query call
  const segments: string[] = [];
  for (const s of (rawPath || '/').split('/')) {
    if (s === '' || s === '.') continue;
    if (s === '..') segments.pop();
    else segments.push(s);
  }
  const normalized = `/${segments.join('/')}${segments.length > 0 && rawPath.endsWith('/') ? '/' : ''}`;
  return strictEncode(normalized).replace(/%2F/g, '/');
}

export function canonicalQuery(rawQuery: string, presigned = false): string {
  if (!rawQuery) return '';
  const pairs: [string, string][] = [];
  for (const part of rawQuery.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const k = decode(eq < 0 ? part : part.slice(0, eq));
    const v = eq < 0 ? '' : decode(part.slice(eq + 1));
    if (presigned && k === 'X-Amz-Signature') continue;
    pairs.push([strictEncode(k), strictEncode(v)]);
  }
  pairs.sort(([ak, av], [bk, bv]) => (ak < bk ? -1 : ak > bk ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  return pairs.map(([k, v]) => `${k}=${v}`).join('&');
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, '%20'));
  } catch {
    return s;
  }
}

function strictEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

const keyCache = new Map<string, SigningKey>();
/** The last key derived, checked first: a server mostly sees one key, one day, one region at a time. */
let lastKey: { secret: string; date: string; region: string; service: string; key: SigningKey } | undefined;
function signingKey(secret: string, date: string, region: string, service: string): SigningKey {
  const l = lastKey;
  if (l && l.secret === secret && l.date === date && l.region === region && l.service === service) return l.key;
  const id = `${secret}\0${date}\0${region}\0${service}`;
  let k = keyCache.get(id);
  if (!k) {
    const kDate = createHmac('sha256', `AWS4${secret}`).update(date).digest();
    const kRegion = createHmac('sha256', kDate).update(region).digest();
    const kService = createHmac('sha256', kRegion).update(service).digest();
    k = padded(createHmac('sha256', kService).update('aws4_request').digest());
    if (keyCache.size > 1000) keyCache.clear();
    keyCache.set(id, k);
  }
  lastKey = { secret, date, region, service, key: k };
  return k;
}

export function sha256hex(data: string | Uint8Array): string {
  return hash('sha256', data, 'hex');
}

export function parseAmzDate(s: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s);
  if (!m) return undefined;
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]));
  return Number.isNaN(d.getTime()) ? undefined : d;
}

export function basic(d: Date): string {
  return d.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}
