/**
 * restJson1: the operation is named by the HTTP method and path, as the model's `http` binding says
 * (`POST /schedules/{Name}`); input members travel in the path (`location: uri`), the query string
 * (`querystring`), headers (`header`) or, the rest, a JSON body; the output is a JSON body with the
 * binding's status (default 200); timestamps are epoch seconds; errors carry their name in
 * X-Amzn-ErrorType, `{"Message": …}` in the body and the status their error shape names (404, 409, …).
 *
 * Naive approach: claim every request that is not JSON-RPC or query. A REST path says nothing about
 * which service it is for until it is matched, and the paths of two REST services can overlap
 * (`/tags/{ResourceArn}`), so a request is claimed only when its SigV4 credential scope names one of the
 * restJson1 services this codec was made with, and routed against that service's bindings alone.
 */
import { ApiError } from '../../model/errors.js';
import type { ServiceModel, Shape } from '../service-model.js';
import { fromJson, toWire } from './aws-json.js';
import { headerValue, type Codec, type EncodeContext, type OperationSelector, type RawRequest, type WireResponse } from './codec.js';

interface Route {
  readonly operation: string;
  readonly method: string;
  /** Literal segments as strings, labels as { label }. */
  readonly segments: readonly (string | { label: string; greedy: boolean })[];
}

/** The service named by a request's SigV4 credential scope (header or presigned query), undefined if none. */
function scopeService(req: RawRequest): string | undefined {
  const auth = headerValue(req, 'authorization');
  const m = auth ? /Credential=[^/,\s]+\/\d{8}\/[^/]+\/([^/]+)\/aws4_request/.exec(auth) : null;
  if (m) return m[1];
  const cred = new URLSearchParams(req.query).get('X-Amz-Credential');
  return cred?.split('/')[3];
}

function compileRoutes(model: ServiceModel): Route[] {
  const routes: Route[] = [];
  for (const [operation, op] of Object.entries(model.operations)) {
    if (!op.http) continue;
    const path = op.http.requestUri.split('?')[0];
    const segments = path.split('/').filter((s) => s !== '').map((s) => {
      const l = /^\{([^}+]+)(\+?)\}$/.exec(s);
      return l ? { label: l[1], greedy: l[2] === '+' } : s;
    });
    routes.push({ operation, method: op.http.method.toUpperCase(), segments });
  }
  // Literal paths before labelled ones, so `/schedules` never reads as a label.
  return routes.sort((a, b) => a.segments.filter((s) => typeof s !== 'string').length - b.segments.filter((s) => typeof s !== 'string').length);
}

function matchRoute(route: Route, parts: readonly string[]): Record<string, string> | undefined {
  const labels: Record<string, string> = {};
  let i = 0;
  for (const [k, seg] of route.segments.entries()) {
    if (typeof seg === 'string') {
      if (parts[i] !== seg) return undefined;
      i++;
    } else if (seg.greedy) {
      if (k !== route.segments.length - 1 || i >= parts.length) return undefined;
      labels[seg.label] = parts.slice(i).map(decodeURIComponent).join('/');
      i = parts.length;
    } else {
      if (parts[i] === undefined || parts[i] === '') return undefined;
      labels[seg.label] = decodeURIComponent(parts[i]);
      i++;
    }
  }
  return i === parts.length ? labels : undefined;
}

/** A query-string or header value as the member's scalar type. */
function scalar(shape: Shape | undefined, v: string): unknown {
  switch (shape?.type) {
    case 'integer': case 'long': case 'double': case 'float': {
      const n = Number(v);
      return v.trim() === '' || Number.isNaN(n) ? v : n;
    }
    case 'boolean':
      return v === 'true' ? true : v === 'false' ? false : v;
    case 'timestamp': {
      const n = Number(v);
      if (!Number.isNaN(n) && v.trim() !== '') return new Date(n * 1000);
      return Number.isNaN(Date.parse(v)) ? v : new Date(v);
    }
    default:
      return v;
  }
}

export class RestJsonCodec implements Codec {
  readonly protocol = 'restJson1' as const;
  private readonly services = new Map<string, { model: ServiceModel; routes: Route[] }>();

  /** `services`: the restJson1 services served, by SigV4 signing name. */
  constructor(services: readonly { signingName: string; model: ServiceModel }[]) {
    for (const s of services) if (s.model.metadata.protocol === 'rest-json') this.services.set(s.signingName, { model: s.model, routes: compileRoutes(s.model) });
  }

  /** The first path segments the served operations start with (the server routes these here). */
  pathPrefixes(): string[] {
    const out = new Set<string>();
    for (const { routes } of this.services.values()) for (const r of routes) if (typeof r.segments[0] === 'string') out.add(`/${r.segments[0]}`);
    return [...out];
  }

  claims(req: RawRequest): boolean {
    if (headerValue(req, 'x-amz-target') !== undefined) return false;
    const s = scopeService(req);
    return s !== undefined && this.services.has(s);
  }

  selectOperation(req: RawRequest): OperationSelector | undefined {
    const name = scopeService(req);
    const svc = name ? this.services.get(name) : undefined;
    if (!svc || !name) return undefined;
    const parts = req.path.split('/').filter((s) => s !== '');
    const method = req.method.toUpperCase();
    for (const r of svc.routes) if (r.method === method && matchRoute(r, parts)) return { servicePrefix: name, operation: r.operation };
    return undefined;
  }

  decodeInput(req: RawRequest, model: ServiceModel, operation: string): Record<string, unknown> {
    const op = model.operations[operation];
    const shape = op?.input ? model.shapes[op.input] : undefined;
    const input: Record<string, unknown> = {};
    const route = compileRoutes({ ...model, operations: { [operation]: op } })[0];
    const labels = route ? matchRoute(route, req.path.split('/').filter((s) => s !== '')) ?? {} : {};
    const query = new URLSearchParams(req.query);
    const bodyMembers: string[] = [];
    for (const [name, ref] of Object.entries(shape?.members ?? {})) {
      const target = model.shapes[ref.shape];
      const wire = ref.locationName ?? name;
      if (ref.location === 'uri') {
        if (labels[wire] !== undefined) input[name] = scalar(target, labels[wire]);
      } else if (ref.location === 'querystring') {
        if (target?.type === 'list') {
          const all = query.getAll(wire);
          if (all.length > 0) input[name] = all.map((v) => scalar(model.shapes[target.member?.shape ?? ''], v));
        } else {
          const v = query.get(wire);
          if (v !== null) input[name] = scalar(target, v);
        }
      } else if (ref.location === 'header') {
        const v = headerValue(req, wire.toLowerCase());
        if (v !== undefined) input[name] = scalar(target, v);
      } else if (ref.location === undefined) {
        bodyMembers.push(name);
      }
    }
    const text = Buffer.from(req.body.buffer, req.body.byteOffset, req.body.byteLength).toString('utf8').trim();
    if (text !== '' && bodyMembers.length > 0) {
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (e) {
        throw new ApiError('SerializationException', `The request body is not valid JSON: ${(e as Error).message}`);
      }
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        throw new ApiError('SerializationException', 'Start of structure or map found where not expected: the request body must be a JSON object');
      }
      const body = op?.input ? (fromJson(model, op.input, value) as Record<string, unknown>) : (value as Record<string, unknown>);
      for (const m of bodyMembers) if (body[m] !== undefined) input[m] = body[m];
    }
    return input;
  }

  encodeOutput(output: unknown, ctx: EncodeContext): WireResponse {
    const op = ctx.model.operations[ctx.operation];
    return {
      status: op?.http?.responseCode ?? 200,
      headers: { 'content-type': 'application/json', 'x-amzn-requestid': ctx.requestId },
      body: JSON.stringify(toWire(output ?? {})),
    };
  }

  encodeError(err: ApiError, ctx: Partial<EncodeContext> & { requestId: string }): WireResponse {
    const modeled = ctx.model?.shapes[err.code];
    const status = modeled?.error?.httpStatusCode ?? err.status;
    // The service's error shapes name their text `Message`; the framework's errors use `message`.
    const key = modeled?.members?.Message ? 'Message' : 'message';
    return {
      status,
      headers: { 'content-type': 'application/json', 'x-amzn-requestid': ctx.requestId, 'x-amzn-errortype': err.code },
      body: JSON.stringify({ [key]: err.message, ...(err.extra ?? {}) }),
    };
  }
}
