/**
 * awsQuery (ELBv2, IAM, STS, CloudWatch's oldest clients): a form-encoded request naming the operation
 * in `Action` and the API version in `Version`, answered in XML. Driven entirely by the service model, so
 * one codec serves every query service.
 *
 * Request (POST body `application/x-www-form-urlencoded`, or the query string of a GET):
 *   structure   Prefix.Member=…                       (member name, or its locationName)
 *   list        Prefix.member.N=…  (N from 1)         flattened: Prefix.N; renamed member: Prefix.<name>.N
 *               Prefix=            (an empty list)
 *   map         Prefix.entry.N.key / Prefix.entry.N.value   (flattened: Prefix.N.key)
 *   boolean     true | false;  timestamp ISO-8601 (epoch seconds accepted);  blob base64
 *
 * Reply:
 *   <OpResponse xmlns="NS"><OpResult>…members…</OpResult>
 *     <ResponseMetadata><RequestId>…</RequestId></ResponseMetadata></OpResponse>
 *   lists as <Name><member>…</member></Name> (an empty list is an empty element), maps as
 *   <Name><entry><key/><value/></entry></Name>, timestamps ISO-8601 with milliseconds, undefined omitted.
 * Error:
 *   <ErrorResponse xmlns="NS"><Error><Type>Sender|Receiver</Type><Code>…</Code><Message>…</Message></Error>
 *     <RequestId>…</RequestId></ErrorResponse>     with the error's own HTTP status (400, 403, 500…)
 *
 * Naive approach: hand the form to handlers as a flat map and let each handler pick `Tags.member.3.Key`
 * apart. That is how emulators grow one bug per handler (off-by-one lists, empty lists lost); walking the
 * model here once gives handlers the same nested objects the JSON codec does.
 */
import { ApiError } from '../../model/errors.js';
import type { MemberRef, ServiceModel, Shape } from '../service-model.js';
import { headerValue, type Codec, type EncodeContext, type OperationSelector, type RawRequest, type WireResponse } from './codec.js';

const FORM = 'application/x-www-form-urlencoded';

export class AwsQueryCodec implements Codec {
  readonly protocol = 'awsQuery' as const;

  claims(req: RawRequest): boolean {
    if (headerValue(req, 'x-amz-target') !== undefined) return false;
    if (req.method === 'GET') return /(^|&)Action=/.test(req.query);
    if (req.method !== 'POST') return false;
    const ct = (headerValue(req, 'content-type') ?? '').split(';')[0].trim().toLowerCase();
    return ct === FORM;
  }

  selectOperation(req: RawRequest): OperationSelector | undefined {
    const action = params(req).get('Action');
    return action ? { operation: action } : undefined;
  }

  decodeInput(req: RawRequest, model: ServiceModel, operation: string): Record<string, unknown> {
    const p = params(req);
    const version = p.get('Version');
    if (version === undefined) throw new ApiError('MissingParameter', 'The request must contain the parameter Version.');
    if (version !== model.metadata.apiVersion) {
      throw new ApiError('InvalidAction', `Could not find operation ${operation} for version ${version}.`);
    }
    const op = model.operations[operation];
    if (!op?.input) return {};
    const out = readStructure(model, model.shapes[op.input], '', p);
    return (out ?? {}) as Record<string, unknown>;
  }

  encodeOutput(output: unknown, ctx: EncodeContext): WireResponse {
    const op = ctx.model.operations[ctx.operation];
    const ns = ctx.model.metadata.xmlNamespace ?? '';
    let result = '';
    if (op?.output && op.resultWrapper) {
      const shape = ctx.model.shapes[op.output];
      result = `<${op.resultWrapper}>${writeMembers(ctx.model, shape, output ?? {})}</${op.resultWrapper}>`;
    }
    const body = `<${ctx.operation}Response xmlns="${escapeXml(ns)}">${result}<ResponseMetadata><RequestId>${escapeXml(ctx.requestId)}</RequestId></ResponseMetadata></${ctx.operation}Response>`;
    return { status: 200, headers: { 'content-type': 'text/xml', 'x-amzn-requestid': ctx.requestId }, body };
  }

  encodeError(err: ApiError, ctx: Partial<EncodeContext> & { requestId: string }): WireResponse {
    const ns = ctx.model?.metadata.xmlNamespace;
    const type = err.spec.fault === 'server' ? 'Receiver' : 'Sender';
    const body = `<ErrorResponse${ns ? ` xmlns="${escapeXml(ns)}"` : ''}><Error><Type>${type}</Type><Code>${escapeXml(err.code)}</Code><Message>${escapeXml(err.message)}</Message></Error><RequestId>${escapeXml(ctx.requestId)}</RequestId></ErrorResponse>`;
    return { status: err.status, headers: { 'content-type': 'text/xml', 'x-amzn-requestid': ctx.requestId }, body };
  }
}

/** The request's parameters: the form body of a POST, the query string of a GET. Cached per request. */
const parsed = new WeakMap<RawRequest, Map<string, string>>();
export function params(req: RawRequest): Map<string, string> {
  let m = parsed.get(req);
  if (!m) {
    const text = req.method === 'GET' ? req.query : Buffer.from(req.body).toString('utf8');
    m = new Map(new URLSearchParams(text));
    parsed.set(req, m);
  }
  return m;
}

const join = (prefix: string, name: string) => (prefix ? `${prefix}.${name}` : name);

/** True when some parameter is `key` itself or lies under `key.` */
function present(p: Map<string, string>, key: string): boolean {
  if (p.has(key)) return true;
  const dotted = key + '.';
  for (const k of p.keys()) if (k.startsWith(dotted)) return true;
  return false;
}

function readValue(model: ServiceModel, ref: MemberRef, key: string, p: Map<string, string>): unknown {
  const shape = model.shapes[ref.shape];
  if (!shape) return p.get(key);
  switch (shape.type) {
    case 'structure': return readStructure(model, shape, key, p);
    case 'list': return readList(model, shape, ref, key, p);
    case 'map': return readMap(model, shape, ref, key, p);
    default: {
      const raw = p.get(key);
      return raw === undefined ? undefined : scalar(shape, raw, key);
    }
  }
}

function readStructure(model: ServiceModel, shape: Shape | undefined, prefix: string, p: Map<string, string>): Record<string, unknown> | undefined {
  if (!shape) return undefined;
  if (prefix && !present(p, prefix)) return undefined;
  const out: Record<string, unknown> = {};
  for (const [name, ref] of Object.entries(shape.members ?? {})) {
    const v = readValue(model, ref, join(prefix, ref.locationName ?? name), p);
    if (v !== undefined) out[name] = v;
  }
  return out;
}

/** Indices N present under `base.N…`, ascending. */
function indices(p: Map<string, string>, base: string): number[] {
  const dotted = base + '.';
  const found = new Set<number>();
  for (const k of p.keys()) {
    if (!k.startsWith(dotted)) continue;
    const rest = k.slice(dotted.length);
    const end = rest.indexOf('.');
    const n = Number(end < 0 ? rest : rest.slice(0, end));
    if (Number.isInteger(n) && n >= 1) found.add(n);
  }
  return [...found].sort((a, b) => a - b);
}

function readList(model: ServiceModel, shape: Shape, ref: MemberRef, key: string, p: Map<string, string>): unknown[] | undefined {
  const flattened = shape.flattened || ref.flattened;
  const base = flattened ? key : `${key}.${shape.member?.locationName ?? 'member'}`;
  const ns = indices(p, base);
  if (ns.length === 0) return p.has(key) ? [] : undefined;
  const memberRef = shape.member ?? { shape: '' };
  return ns.map((n) => readValue(model, memberRef, `${base}.${n}`, p));
}

function readMap(model: ServiceModel, shape: Shape, ref: MemberRef, key: string, p: Map<string, string>): Record<string, unknown> | undefined {
  const flattened = shape.flattened || ref.flattened;
  const base = flattened ? key : `${key}.entry`;
  const ns = indices(p, base);
  if (ns.length === 0) return p.has(key) ? {} : undefined;
  const out: Record<string, unknown> = {};
  const keyName = shape.key?.locationName ?? 'key';
  const valueName = shape.value?.locationName ?? 'value';
  for (const n of ns) {
    const k = p.get(`${base}.${n}.${keyName}`);
    if (k === undefined) continue;
    out[k] = shape.value ? readValue(model, shape.value, `${base}.${n}.${valueName}`, p) : p.get(`${base}.${n}.${valueName}`);
  }
  return out;
}

export function scalar(shape: Shape, raw: string, key: string): unknown {
  switch (shape.type) {
    case 'boolean':
      if (raw === 'true') return true;
      if (raw === 'false') return false;
      throw new ApiError('InvalidParameterValue', `Value (${raw}) for parameter ${key} is invalid. Expected: 'true' or 'false'.`);
    case 'integer':
    case 'long': {
      const n = Number(raw);
      if (raw.trim() === '' || !Number.isInteger(n)) throw new ApiError('InvalidParameterValue', `Value (${raw}) for parameter ${key} is invalid. Expected an integer.`);
      return n;
    }
    case 'double':
    case 'float': {
      const n = Number(raw);
      if (raw.trim() === '' || Number.isNaN(n)) throw new ApiError('InvalidParameterValue', `Value (${raw}) for parameter ${key} is invalid. Expected a number.`);
      return n;
    }
    case 'timestamp': {
      const d = /^-?\d+(\.\d+)?$/.test(raw) ? new Date(Number(raw) * 1000) : new Date(raw);
      if (Number.isNaN(d.getTime())) throw new ApiError('InvalidParameterValue', `Value (${raw}) for parameter ${key} is invalid. Expected an ISO-8601 timestamp.`);
      return d;
    }
    case 'blob':
      return new Uint8Array(Buffer.from(raw, 'base64'));
    default:
      return raw;
  }
}

// ---------------------------------------------------------------------------------------------- XML out

export function escapeXml(s: string): string {
  return s.replace(/[&<>"'\r]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;', '\r': '&#xD;' })[c]!);
}

export function writeMembers(model: ServiceModel, shape: Shape | undefined, value: unknown): string {
  if (!shape || typeof value !== 'object' || value === null) return '';
  const obj = value as Record<string, unknown>;
  let out = '';
  for (const [name, ref] of Object.entries(shape.members ?? {})) {
    const v = obj[name];
    if (v === undefined || v === null) continue;
    out += writeNamed(model, ref, ref.locationName ?? name, v);
  }
  return out;
}

function writeNamed(model: ServiceModel, ref: MemberRef, name: string, v: unknown): string {
  const shape = model.shapes[ref.shape];
  if (shape?.type === 'list') {
    const items = Array.isArray(v) ? v : [];
    const memberRef = shape.member ?? { shape: '' };
    if (shape.flattened || ref.flattened) {
      return items.map((item) => writeNamed(model, memberRef, shape.member?.locationName ?? name, item)).join('');
    }
    const memberName = shape.member?.locationName ?? 'member';
    return `<${name}>${items.map((item) => writeNamed(model, memberRef, memberName, item)).join('')}</${name}>`;
  }
  if (shape?.type === 'map') {
    const entries = Object.entries((v ?? {}) as Record<string, unknown>);
    const k = shape.key?.locationName ?? 'key';
    const val = shape.value?.locationName ?? 'value';
    const body = entries.map(([ek, ev]) => `<entry><${k}>${escapeXml(ek)}</${k}>${ev === undefined || ev === null ? '' : writeNamed(model, shape.value ?? { shape: '' }, val, ev)}</entry>`).join('');
    return `<${name}>${body}</${name}>`;
  }
  if (shape?.type === 'structure') return `<${name}>${writeMembers(model, shape, v)}</${name}>`;
  return `<${name}>${escapeXml(scalarText(shape, v))}</${name}>`;
}

function scalarText(shape: Shape | undefined, v: unknown): string {
  if (v instanceof Date) return v.toISOString();
  if (shape?.type === 'timestamp') {
    if (typeof v === 'number') return new Date(v * 1000).toISOString();
    if (typeof v === 'string') return new Date(v).toISOString();
  }
  if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
  return String(v);
}
