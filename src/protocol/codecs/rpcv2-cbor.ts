/**
 * Smithy RPC v2 CBOR (what current AWS SDKs speak to CloudWatch): POST /service/{Service}/operation/{Op}
 * with `Smithy-Protocol: rpc-v2-cbor`, a CBOR map in and out, timestamps as tag 1 (epoch seconds), blobs as
 * byte strings. Replies must carry `smithy-protocol: rpc-v2-cbor` or the SDK rejects them. Errors are a
 * CBOR map {__type, message} with the error's HTTP status; for awsQueryCompatible services (a model whose
 * own protocol is query, i.e. CloudWatch) the query error code also goes in `x-amzn-query-error: Code;Type`,
 * which is what SDKs built for query-compatible services map errors by.
 *
 * Claiming: the Smithy-Protocol header *and* the /service/…/operation/… path — the most specific test in
 * the precision order, so this codec is asked first.
 */
import { decode, encode } from 'cbor2';
import { ApiError } from '../../model/errors.js';
import type { ServiceModel } from '../service-model.js';
import { headerValue, type Codec, type EncodeContext, type OperationSelector, type RawRequest, type WireResponse } from './codec.js';

const PATH = /^\/service\/([^/]+)\/operation\/([^/]+)$/;
const CT = 'application/cbor';

export class RpcV2CborCodec implements Codec {
  readonly protocol = 'rpcv2Cbor' as const;

  claims(req: RawRequest): boolean {
    return (headerValue(req, 'smithy-protocol') ?? '').toLowerCase() === 'rpc-v2-cbor' && PATH.test(req.path);
  }

  selectOperation(req: RawRequest): OperationSelector | undefined {
    const m = PATH.exec(req.path);
    if (!m) return undefined;
    // The service segment is the Smithy service shape name, possibly namespaced (com.amazonaws.x#Name).
    const service = decodeURIComponent(m[1]);
    return { servicePrefix: service.includes('#') ? service.slice(service.indexOf('#') + 1) : service, operation: decodeURIComponent(m[2]) };
  }

  decodeInput(req: RawRequest, model: ServiceModel, operation: string): Record<string, unknown> {
    if (req.method !== 'POST') throw new ApiError('SerializationException', `Only POST is supported by the rpcv2Cbor protocol, not ${req.method}`);
    if (req.body.length === 0) return {};
    let value: unknown;
    try {
      value = decode(req.body);
    } catch (e) {
      throw new ApiError('SerializationException', `The request body is not valid CBOR: ${(e as Error).message}`);
    }
    if (value instanceof Map) value = Object.fromEntries(value);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new ApiError('SerializationException', 'The request body must be a CBOR map');
    }
    const op = model.operations[operation];
    return (op?.input ? fromCbor(model, op.input, value) : value) as Record<string, unknown>;
  }

  encodeOutput(output: unknown, ctx: EncodeContext): WireResponse {
    return {
      status: 200,
      headers: { 'content-type': CT, 'smithy-protocol': 'rpc-v2-cbor', 'x-amzn-requestid': ctx.requestId },
      body: encode(clean(output ?? {})),
    };
  }

  encodeError(err: ApiError, ctx: Partial<EncodeContext> & { requestId: string }): WireResponse {
    const headers: Record<string, string> = { 'content-type': CT, 'smithy-protocol': 'rpc-v2-cbor', 'x-amzn-requestid': ctx.requestId };
    if (!ctx.model || ctx.model.metadata.protocol === 'query') headers['x-amzn-query-error'] = `${err.code};${err.spec.fault === 'server' ? 'Receiver' : 'Sender'}`;
    return { status: err.status, headers, body: encode(clean({ __type: err.code, message: err.message, ...(err.extra ?? {}) })) };
  }
}

/** Drops undefined members (CBOR has `undefined`, which SDKs do not expect) and Map → object. */
function clean(v: unknown): unknown {
  if (v === null || typeof v !== 'object' || v instanceof Date || v instanceof Uint8Array) return v;
  if (Array.isArray(v)) return v.map(clean);
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) if (x !== undefined) out[k] = clean(x);
  return out;
}

/** Model-driven fix-ups: numbers where timestamps are expected become Date; maps become objects. */
function fromCbor(model: ServiceModel, shapeName: string, value: unknown): unknown {
  const shape = model.shapes[shapeName];
  if (value instanceof Map) value = Object.fromEntries(value);
  if (!shape || value === null || value === undefined) return value;
  switch (shape.type) {
    case 'structure': {
      if (typeof value !== 'object' || Array.isArray(value) || value instanceof Date) return value;
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        const ref = shape.members?.[k];
        out[k] = ref ? fromCbor(model, ref.shape, v) : v;
      }
      return out;
    }
    case 'list':
      return Array.isArray(value) && shape.member ? value.map((v) => fromCbor(model, shape.member!.shape, v)) : value;
    case 'map':
      if (typeof value !== 'object' || Array.isArray(value) || !shape.value) return value;
      return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, fromCbor(model, shape.value!.shape, v)]));
    case 'timestamp':
      return typeof value === 'number' ? new Date(value * 1000) : value;
    default:
      return value;
  }
}
