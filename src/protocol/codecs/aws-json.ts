/**
 * awsJson1_0 and awsJson1_1: POST / with X-Amz-Target: <TargetPrefix>.<Operation>, JSON in and out,
 * timestamps as epoch seconds (numbers, fractional milliseconds), blobs as base64, errors as
 * {"__type": "<Name>", "message": "…"} with the same name in X-Amzn-ErrorType.
 * The two versions differ on the wire only in the Content-Type.
 */
import { ApiError } from '../../model/errors.js';
import { memberList, type ServiceModel, type Shape } from '../service-model.js';
import { headerValue, type Codec, type EncodeContext, type RawRequest, type WireResponse, type OperationSelector } from './codec.js';

export class AwsJsonCodec implements Codec {
  readonly contentType: string;
  constructor(readonly protocol: 'awsJson1_0' | 'awsJson1_1') {
    this.contentType = protocol === 'awsJson1_0' ? 'application/x-amz-json-1.0' : 'application/x-amz-json-1.1';
  }

  claims(req: RawRequest): boolean {
    if (headerValue(req, 'x-amz-target') === undefined) return false;
    const ct = (headerValue(req, 'content-type') ?? '').split(';')[0].trim().toLowerCase();
    return ct === this.contentType;
  }

  selectOperation(req: RawRequest): OperationSelector | undefined {
    const target = headerValue(req, 'x-amz-target') ?? '';
    const dot = target.lastIndexOf('.');
    if (dot <= 0 || dot === target.length - 1) return undefined;
    return { servicePrefix: target.slice(0, dot), operation: target.slice(dot + 1) };
  }

  decodeInput(req: RawRequest, model: ServiceModel, operation: string): Record<string, unknown> {
    if (req.method !== 'POST') throw new ApiError('SerializationException', `Only POST is supported by the ${this.protocol} protocol, not ${req.method}`);
    // A view over the body bytes, not a copy.
    const text = Buffer.from(req.body.buffer, req.body.byteOffset, req.body.byteLength).toString('utf8').trim();
    if (text === '') return {};
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      throw new ApiError('SerializationException', `The request body is not valid JSON: ${(e as Error).message}`);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new ApiError('SerializationException', 'Start of structure or map found where not expected: the request body must be a JSON object');
    }
    const op = model.operations[operation];
    return op?.input ? (fromJson(model, op.input, value) as Record<string, unknown>) : (value as Record<string, unknown>);
  }

  encodeOutput(output: unknown, ctx: EncodeContext): WireResponse {
    return {
      status: 200,
      headers: { 'content-type': this.contentType, 'x-amzn-requestid': ctx.requestId },
      body: JSON.stringify(toWire(output ?? {})),
    };
  }

  encodeError(err: ApiError, ctx: { requestId: string; model?: ServiceModel }): WireResponse {
    const headers: Record<string, string> = { 'content-type': this.contentType, 'x-amzn-requestid': ctx.requestId, 'x-amzn-errortype': err.code };
    // awsQueryCompatible (a query service spoken in JSON, i.e. CloudWatch): SDKs map errors by this header.
    if (ctx.model?.metadata.protocol === 'query') headers['x-amzn-query-error'] = `${err.code};${err.spec.fault === 'server' ? 'Receiver' : 'Sender'}`;
    return {
      status: err.status,
      headers,
      body: JSON.stringify({ __type: err.code, message: err.message, ...(err.extra ?? {}) }, jsonReplacer),
    };
  }
}

/**
 * Dates become epoch seconds and Uint8Array base64, in one walk before a plain JSON.stringify — a
 * replacer function would be called for every member of every reply, which costs more than the walk.
 */
export function toWire(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (v instanceof Date) return v.getTime() / 1000;
  if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
  if (Array.isArray(v)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < v.length; i++) {
      const w = toWire(v[i]);
      if (w !== v[i]) (out ??= v.slice())[i] = w;
    }
    return out ?? v;
  }
  let out: Record<string, unknown> | undefined;
  for (const k in v as Record<string, unknown>) {
    const x = (v as Record<string, unknown>)[k];
    if (x === null || typeof x !== 'object') continue;
    const w = toWire(x);
    if (w !== x) (out ??= { ...(v as Record<string, unknown>) })[k] = w;
  }
  return out ?? v;
}

/** Dates become epoch seconds; Uint8Array becomes base64; undefined members are dropped. */
export function jsonReplacer(this: unknown, key: string, value: unknown): unknown {
  const raw = (this as Record<string, unknown>)[key];
  if (raw instanceof Date) return raw.getTime() / 1000;
  if (raw instanceof Uint8Array) return Buffer.from(raw).toString('base64');
  return value;
}

const convertible = new WeakMap<Shape, boolean>();
/**
 * Whether a value of this shape can hold a timestamp or blob anywhere below it; when not, fromJson
 * hands the parsed JSON over as it is (most inputs: RegisterTaskDefinition has neither).
 */
function converts(model: ServiceModel, shape: Shape, seen = new Set<Shape>()): boolean {
  const known = convertible.get(shape);
  if (known !== undefined) return known;
  if (seen.has(shape)) return false; // a recursive shape: the other branches decide
  seen.add(shape);
  const child = (name: string | undefined) => { const s = name ? model.shapes[name] : undefined; return s ? converts(model, s, seen) : false; };
  const r = shape.type === 'timestamp' || shape.type === 'blob'
    || (shape.type === 'structure' && memberList(shape).some(([, ref]) => child(ref.shape)))
    || (shape.type === 'list' && child(shape.member?.shape))
    || (shape.type === 'map' && child(shape.value?.shape));
  seen.delete(shape);
  if (seen.size === 0 || r) convertible.set(shape, r);
  return r;
}

/**
 * Turns wire JSON into handler input: timestamps (epoch seconds or ISO strings) become Date and blobs
 * become Uint8Array, following the model. Type checking is left to validateInput.
 */
export function fromJson(model: ServiceModel, shapeName: string, value: unknown): unknown {
  const shape = model.shapes[shapeName];
  if (!shape || value === null || value === undefined || !converts(model, shape)) return value;
  switch (shape.type) {
    case 'structure': {
      if (typeof value !== 'object' || Array.isArray(value)) return value;
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        const ref = shape.members?.[k];
        out[k] = ref ? fromJson(model, ref.shape, v) : v;
      }
      return out;
    }
    case 'list':
      return Array.isArray(value) && shape.member ? value.map((v) => fromJson(model, shape.member!.shape, v)) : value;
    case 'map':
      if (typeof value !== 'object' || Array.isArray(value) || !shape.value) return value;
      return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, fromJson(model, shape.value!.shape, v)]));
    case 'timestamp':
      if (typeof value === 'number') return new Date(value * 1000);
      if (typeof value === 'string' && !Number.isNaN(Date.parse(value))) return new Date(value);
      return value;
    case 'blob':
      return typeof value === 'string' ? new Uint8Array(Buffer.from(value, 'base64')) : value;
    default:
      return value;
  }
}
