/**
 * The AWS API front door: one function from a raw request to a wire response.
 *
 *   raw request ─► codec that claims it (per request) ─► SigV4: credential scope names the service
 *     ─► secret by access key ─► signature verified ─► operation from X-Amz-Target / Action / CBOR path
 *     ─► body decoded ─► validated against the service model ─► handler ─► encoded by the same codec
 *
 *     ─► authorized: each (action, resource, condition keys) the service names for the operation is
 *        evaluated against the caller's policies (iam/policy.ts); the first denial answers
 *        AccessDeniedException (JSON) / AccessDenied (query) with AWS's message
 *
 * Every failure on the way is an ApiError encoded by the request's own codec, so a client always gets
 * an error shape it parses. Nothing is written before validation passes, so bad input changes nothing.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { ApiError, isApiError } from '../model/errors.js';
import { headerValue, type Codec, type RawRequest, type WireResponse } from '../protocol/codecs/codec.js';
import { parseSignature, verifySignature, type Dialect } from '../protocol/sigv4.js';
import { validateInput } from '../protocol/service-model.js';
import type { IamDirectory } from '../iam/directory.js';
import { notAuthorizedMessage } from '../iam/policy.js';
import type { ApiDeps, AuthzItem, Principal, RegionalBackends, RequestContext, ServiceDefinition } from './types.js';
import { REGION_NAME, regionKeys, storeForRegion } from '../store/region-store.js';
import { createOnly, StoreUnavailableError } from '../store/store.js';

/**
 * The Retry-After of a 503 when the store is out of reach: 1 s. An etcd member restarting or a new etcd
 * leader being elected takes about a second; a client that comes back sooner only adds load.
 */
const RETRY_AFTER_SECONDS = 1;

export interface DispatchResult extends WireResponse {
  readonly service?: string;
  readonly operation?: string;
  readonly errorCode?: string;
}

/**
 * A handler's context: this request's identity, the process-wide deps read through prototype getters
 * (defined once per dispatcher, see contextClass) and a logger made on first use.
 */
class Context {
  private child?: Logger;
  constructor(
    protected readonly deps: ApiDeps,
    readonly requestId: string,
    readonly now: Date,
    readonly principal: Principal,
    private readonly baseLog: Logger,
    private readonly service: string,
    private readonly operation: string,
  ) {}

  // A child logger costs a few microseconds: make it only for handlers that log.
  get log(): Logger {
    return (this.child ??= this.baseLog.child({ requestId: this.requestId, service: this.service, operation: this.operation }));
  }
}

/** What a region's requests see: the deps, that region's name and store view, and its backends. */
type RegionDeps = ApiDeps & RegionalBackends;

function withBackends(deps: ApiDeps, region: string, store: ApiDeps['store']): RegionDeps {
  const b = deps.backendsFor(region);
  const value = (v: unknown) => ({ value: v, enumerable: true });
  return Object.create(deps, { region: value(region), store: value(store), registry: value(b.registry), logs: value(b.logs), metrics: value(b.metrics) }) as RegionDeps;
}

/** A Context subclass whose prototype reads each of `deps`' members from the (regional) deps object. */
function contextClass(deps: ApiDeps): typeof Context {
  class DepsContext extends Context {}
  for (const name of new Set([...Object.keys(deps), 'store', 'region', 'registry', 'logs', 'metrics'])) {
    if (name in Context.prototype) continue;
    Object.defineProperty(DepsContext.prototype, name, { get(this: { deps: Record<string, unknown> }) { return this.deps[name]; }, enumerable: true });
  }
  return DepsContext;
}

export class ApiDispatcher {
  private readonly bySigningName = new Map<string, ServiceDefinition>();
  private readonly Context: typeof Context;
  /** Per region: the deps handlers see (that region's name and its view of the store). */
  private readonly regional = new Map<string, RegionDeps>();
  private readonly home: RegionDeps;

  constructor(
    services: readonly ServiceDefinition[],
    private readonly codecs: readonly Codec[],
    private readonly iam: IamDirectory,
    private readonly deps: ApiDeps,
    private readonly log: Logger,
  ) {
    for (const s of services) this.bySigningName.set(s.signingName, s);
    this.Context = contextClass(deps);
    this.home = withBackends(deps, deps.region, deps.store);
    this.regional.set(deps.region, this.home);
  }

  /**
   * The deps of a region's requests: its name and its view of the store (src/store/region-store.ts).
   * The first request of a region records the region in the store, so its controllers start (and start
   * again after a restart) — see src/server/regions.ts.
   */
  private async region(region: string, dialect: Dialect): Promise<RegionDeps> {
    if (!REGION_NAME.test(region)) {
      throw new ApiError(dialect === 'query' ? 'SignatureDoesNotMatch' : 'InvalidSignatureException', `Credential should be scoped to a valid region. '${region}' is not a region name.`);
    }
    const store = storeForRegion(this.deps.store, region, this.deps.region);
    if (store !== this.deps.store) await this.deps.store.txn(createOnly(regionKeys.region(region), '{}'));
    const deps = withBackends(this.deps, region, store);
    if (this.regional.size > 1000) { this.regional.clear(); this.regional.set(this.deps.region, this.home); }
    this.regional.set(region, deps);
    return deps;
  }

  /** The first path segments of the REST (restJson1) operations served, for the HTTP router. */
  restPaths(): string[] {
    return this.codecs.flatMap((c) => ('pathPrefixes' in c && typeof c.pathPrefixes === 'function' ? (c.pathPrefixes as () => string[])() : []));
  }

  /** True when a request looks like an AWS API call this dispatcher should answer. */
  claims(req: RawRequest): boolean {
    return this.codecs.some((c) => c.claims(req));
  }

  async handle(req: RawRequest): Promise<DispatchResult> {
    const requestId = randomUUID();
    const codec = this.codecs.find((c) => c.claims(req));
    if (!codec) {
      // Nothing claims it: answer in awsJson1_1, the protocol of the API most clients here speak.
      const json = this.codecs.find((c) => c.protocol === 'awsJson1_1')!;
      const ct = String(req.headers['content-type'] ?? '');
      const err = req.headers['x-amz-target'] !== undefined
        ? new ApiError('UnsupportedMediaTypeException', `Content-Type '${ct}' is not supported here: AWS JSON operations take application/x-amz-json-1.0 or application/x-amz-json-1.1`)
        : new ApiError('UnknownOperationException', 'The request names no operation: send X-Amz-Target (JSON protocols), Action (query protocols) or a Smithy RPC v2 path.');
      return { ...json.encodeError(err, { requestId }), errorCode: err.code };
    }
    const dialect: Dialect = codec.protocol === 'awsQuery' || codec.protocol === 'ec2' ? 'query' : 'json';
    let service: ServiceDefinition | undefined;
    let operation: string | undefined;
    try {
      const sig = parseSignature(req, dialect);
      service = this.bySigningName.get(sig.credential.service);
      if (!service) {
        throw new ApiError(dialect === 'query' ? 'InvalidAction' : 'UnknownOperationException',
          `This endpoint does not serve the service '${sig.credential.service}' named in the credential scope. Served: ${[...this.bySigningName.keys()].join(', ')}.`);
      }
      const now = this.deps.clock();
      const cred = await this.iam.credential(sig.credential.accessKeyId, now);
      const invalidToken = () => new ApiError(dialect === 'query' ? 'InvalidClientTokenId' : 'UnrecognizedClientException', 'The security token included in the request is invalid.');
      if (cred.kind === 'unknown') throw invalidToken();
      const token = headerValue(req, 'x-amz-security-token') ?? (sig.presigned ? new URLSearchParams(req.query).get('X-Amz-Security-Token') ?? undefined : undefined);
      if (cred.kind === 'session') {
        // Temporary credentials count only with their own session token, and only until they expire.
        if (token !== cred.sessionToken) throw invalidToken();
        if (cred.expired) throw new ApiError(dialect === 'query' ? 'ExpiredToken' : 'ExpiredTokenException', 'The security token included in the request is expired');
      } else if (token !== undefined && token !== '') {
        throw invalidToken();
      }
      // Every region is served: the scope's region is part of the signing key, so a request signed for
      // one region and scoped to another fails the signature check itself, as at AWS.
      verifySignature(req, sig, cred.secretAccessKey, { now, dialect });
      const deps = this.regional.get(sig.credential.region) ?? await this.region(sig.credential.region, dialect);
      const principal: Principal = cred.caller;
      this.iam.lastUsed.set(principal.accessKeyId, { at: now.getTime(), service: service.signingName, region: sig.credential.region });

      const selector = codec.selectOperation(req);
      const known = service.model.metadata;
      if (!selector || (selector.servicePrefix !== undefined && selector.servicePrefix !== known.targetPrefix && selector.servicePrefix !== known.serviceId && selector.servicePrefix !== service.signingName)) {
        throw new ApiError(dialect === 'query' ? 'InvalidAction' : 'UnknownOperationException',
          selector ? `Unknown operation ${selector.servicePrefix ? selector.servicePrefix + '.' : ''}${selector.operation} for service ${service.name}` : 'The request names no operation.');
      }
      operation = selector.operation;
      const handler = service.handlers[operation];
      if (!handler) {
        const inModel = service.model.operations[operation] !== undefined;
        throw new ApiError(dialect === 'query' ? 'InvalidAction' : 'UnknownOperationException',
          inModel ? `Wharf does not support the ${service.name} operation ${operation} yet.` : `Unknown operation ${operation} for service ${service.name}`);
      }
      const input = codec.decodeInput(req, service.model, operation);
      validateInput(service.model, operation, input, { errorCode: service.validationError, enumWording: service.enumWording });
      const ctx = new this.Context(deps, requestId, now, principal, this.log, service.name, operation) as unknown as RequestContext;
      if (!principal.bootstrap) await this.authorize(service, operation, input, ctx, { dialect, sourceIp: req.remoteAddress, region: sig.credential.region });
      const output = await handler(input, ctx);
      const res = codec.encodeOutput(output, { model: service.model, operation, requestId });
      return { status: res.status, headers: res.headers, body: res.body, service: service.name, operation };
    } catch (e) {
      let err: ApiError;
      if (isApiError(e)) {
        err = e;
      } else if (e instanceof StoreUnavailableError) {
        // The store (etcd) is out of reach: nothing this request wrote is half-applied (each store
        // transaction is atomic), and the client should come back (docs/ha.md). 503 with Retry-After,
        // which the SDKs and the CLI retry by themselves.
        this.log.warn({ err: e.message, requestId, service: service?.name, operation }, 'store unavailable');
        err = new ApiError(dialect === 'query' ? 'ServiceUnavailable' : 'ServiceUnavailableException', 'The service is unavailable: its state store did not answer. Retry the request in a moment.');
        const res = codec.encodeError(err, { requestId, model: service?.model, operation });
        return { ...res, status: 503, headers: { ...res.headers, 'retry-after': String(RETRY_AFTER_SECONDS) }, service: service?.name, operation, errorCode: err.code };
      } else {
        this.log.error({ err: e, requestId, service: service?.name, operation }, 'handler failed');
        err = new ApiError(service?.serverError ?? 'InternalFailure', 'The server encountered an internal error. Retry the request; if it persists, check the server log for request id ' + requestId + '.');
      }
      return {
        ...codec.encodeError(err, { requestId, model: service?.model, operation }),
        service: service?.name, operation, errorCode: err.code,
      };
    }
  }

  /**
   * Checks every (action, resource) the operation needs. Naive approach: one action per operation on
   * '*'. That would make resource-scoped policies (a cluster, a task definition family, a role for
   * iam:PassRole) meaningless, so each service names the ARNs AWS's service authorization reference
   * lists for the operation, and the condition keys (ecs:cluster, iam:PassedToService…) it sets.
   */
  private async authorize(service: ServiceDefinition, operation: string, input: Record<string, unknown>, ctx: RequestContext,
    opts: { dialect: Dialect; sourceIp?: string; region: string }): Promise<void> {
    const prefix = service.iamPrefix ?? service.signingName;
    const items: readonly AuthzItem[] = (await service.authorize?.(operation, input, ctx)) ?? [{ resource: '*' }];
    const global = this.iam.globalContext(ctx.principal, ctx.now, { sourceIp: opts.sourceIp, region: opts.region });
    const tags = requestTags(input);
    for (const item of items) {
      const action = item.action ?? `${prefix}:${operation}`;
      const context = { ...global, ...tags, ...item.context };
      const r = this.iam.authorize(ctx.principal, { action, resource: item.resource, context });
      if (r.decision === 'Allow') continue;
      throw new ApiError(opts.dialect === 'query' ? 'AccessDenied' : 'AccessDeniedException', notAuthorizedMessage(ctx.principal.arn, action, item.resource, r.decision));
    }
  }
}

/** aws:RequestTag/… and aws:TagKeys from the tags a request carries (ECS `tags`, most others `Tags`). */
function requestTags(input: Record<string, unknown>): Record<string, string | string[]> {
  const list = input.tags ?? input.Tags;
  const out: Record<string, string | string[]> = {};
  if (Array.isArray(list)) {
    const keys: string[] = [];
    for (const t of list as Record<string, unknown>[]) {
      const k = (t.key ?? t.Key) as string | undefined;
      if (typeof k !== 'string') continue;
      keys.push(k);
      const v = t.value ?? t.Value;
      if (typeof v === 'string') out[`aws:requesttag/${k.toLowerCase()}`] = v;
    }
    out['aws:tagkeys'] = keys;
  } else if (list && typeof list === 'object') {
    // CloudWatch Logs and Secrets Manager-style maps {key: value}.
    out['aws:tagkeys'] = Object.keys(list);
    for (const [k, v] of Object.entries(list)) if (typeof v === 'string') out[`aws:requesttag/${k.toLowerCase()}`] = v;
  }
  return out;
}
