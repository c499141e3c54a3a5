/**
 * The AWS API front door: one function from a raw request to a wire response.
 *
 *   raw request ─► codec that claims it (per request) ─► SigV4: credential scope names the service
 *     ─► secret by access key ─► signature verified ─► operation from X-Amz-Target / Action / CBOR path
 *     ─► body decoded ─► validated against the service model ─► handler ─► encoded by the same codec
 *
 * Every failure on the way is an ApiError encoded by the request's own codec, so a client always gets
 * an error shape it parses. Nothing is written before validation passes, so bad input changes nothing.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { ApiError, isApiError } from '../model/errors.js';
import type { Codec, RawRequest, WireResponse } from '../protocol/codecs/codec.js';
import { parseSignature, verifySignature, type Dialect } from '../protocol/sigv4.js';
import { validateInput } from '../protocol/service-model.js';
import type { AccessKeys } from '../iam/access-keys.js';
import type { ApiDeps, Principal, RequestContext, ServiceDefinition } from './types.js';

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

/** A Context subclass whose prototype reads each of `deps`' members from the deps object. */
function contextClass(deps: ApiDeps): typeof Context {
  class DepsContext extends Context {}
  for (const name of Object.keys(deps)) {
    if (name in Context.prototype) continue;
    Object.defineProperty(DepsContext.prototype, name, { get(this: { deps: Record<string, unknown> }) { return this.deps[name]; }, enumerable: true });
  }
  return DepsContext;
}

export class ApiDispatcher {
  private readonly bySigningName = new Map<string, ServiceDefinition>();
  /** Principals by access key record (the record is replaced when the key changes). */
  private readonly principals = new WeakMap<object, Principal>();
  private readonly Context: typeof Context;

  constructor(
    private readonly services: readonly ServiceDefinition[],
    private readonly codecs: readonly Codec[],
    private readonly keys: AccessKeys,
    private readonly deps: ApiDeps,
    private readonly log: Logger,
  ) {
    for (const s of services) this.bySigningName.set(s.signingName, s);
    this.Context = contextClass(deps);
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
    const dialect: Dialect = codec.protocol === 'awsQuery' ? 'query' : 'json';
    let service: ServiceDefinition | undefined;
    let operation: string | undefined;
    try {
      const sig = parseSignature(req, dialect);
      service = this.bySigningName.get(sig.credential.service);
      if (!service) {
        throw new ApiError(dialect === 'query' ? 'InvalidAction' : 'UnknownOperationException',
          `This endpoint does not serve the service '${sig.credential.service}' named in the credential scope. Served: ${[...this.bySigningName.keys()].join(', ')}.`);
      }
      const key = await this.keys.find(sig.credential.accessKeyId);
      if (!key) {
        throw new ApiError(dialect === 'query' ? 'InvalidClientTokenId' : 'UnrecognizedClientException', 'The security token included in the request is invalid.');
      }
      const now = this.deps.clock();
      verifySignature(req, sig, key.secretAccessKey, { now, dialect, region: this.deps.region });

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
      validateInput(service.model, operation, input, { errorCode: service.validationError });
      let principal = this.principals.get(key);
      if (!principal) {
        principal = Object.freeze({ accessKeyId: key.accessKeyId, userName: key.userName, arn: `arn:aws:iam::${this.deps.accountId}:user/${key.userName}` });
        this.principals.set(key, principal);
      }
      const ctx = new this.Context(this.deps, requestId, now, principal, this.log, service.name, operation) as unknown as RequestContext;
      const output = await handler(input, ctx);
      const res = codec.encodeOutput(output, { model: service.model, operation, requestId });
      return { status: res.status, headers: res.headers, body: res.body, service: service.name, operation };
    } catch (e) {
      let err: ApiError;
      if (isApiError(e)) {
        err = e;
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
}
