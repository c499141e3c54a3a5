/**
 * The HTTP surface of `wharf server`: one port for everything.
 *
 *   POST /  and  POST /service/{S}/operation/{O}   AWS API calls (ApiDispatcher)
 *   /v2/…                                         OCI distribution (the registry plugin)
 *   /healthz                                      liveness
 *   /metrics                                      Prometheus
 *   /agent                                        agent WebSocket (dispatcher)
 *
 * The AWS API lives in its own encapsulated Fastify context whose body parser keeps the raw bytes
 * (SigV4 signs them); other contexts (the registry) stream their bodies instead.
 */
import Fastify, { LogController, type FastifyInstance, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { ApiError } from '../model/errors.js';
import type { ApiDispatcher } from '../api/dispatch.js';
import type { RawRequest, WireResponse } from '../protocol/codecs/codec.js';
import { AwsJsonCodec } from '../protocol/codecs/aws-json.js';

export interface AppOptions {
  readonly dispatcher: ApiDispatcher;
  readonly logger: Logger;
  /** Largest AWS API request body accepted, in bytes. AWS's own limits are in this range (PutLogEvents: 1 MiB). */
  readonly apiBodyLimit?: number;
  /** Extra plugins (registry, agent gateway, metrics) registered by the entry point. */
  readonly plugins?: readonly ((app: FastifyInstance) => Promise<void>)[];
}

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const app: FastifyInstance = Fastify({
    loggerInstance: options.logger as unknown as import('fastify').FastifyBaseLogger,
    // One log line per API call is written by the handler below (service, operation, status, ms).
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.apiBodyLimit ?? 10 * 1024 * 1024,
    // AWS clients keep connections open; keep them alive a little longer than their idle timeouts.
    keepAliveTimeout: 65_000,
    return503OnClosing: true,
    routerOptions: { ignoreTrailingSlash: false },
  });

  app.get('/healthz', async () => ({ status: 'ok' }));

  await app.register(async (api) => {
    api.removeAllContentTypeParsers();
    // Read the raw bytes ourselves. Past the limit we keep draining (up to 8× the limit) and only then
    // answer 413: answering while the client is still sending makes most clients see a reset instead
    // of the error.
    const limit = options.apiBodyLimit ?? 10 * 1024 * 1024;
    api.addContentTypeParser('*', { bodyLimit: Number.MAX_SAFE_INTEGER }, (_req, payload, done) => {
      const chunks: Buffer[] = [];
      let size = 0;
      payload.on('data', (c: Buffer) => {
        size += c.length;
        if (size <= limit) chunks.push(c);
        else if (size > limit * 8) payload.destroy();
      });
      payload.on('error', (e) => done(e, undefined));
      payload.on('close', () => { if (size > limit * 8) done(Object.assign(new Error('body too large'), { code: 'FST_ERR_CTP_BODY_TOO_LARGE', statusCode: 413 }), undefined); });
      payload.on('end', () => {
        if (size > limit) done(Object.assign(new Error('body too large'), { code: 'FST_ERR_CTP_BODY_TOO_LARGE', statusCode: 413 }), undefined);
        else done(null, Buffer.concat(chunks, size));
      });
    });
    const fallback = new AwsJsonCodec('awsJson1_1');
    api.setErrorHandler((error: Error & { statusCode?: number; code?: string }, request, reply) => {
      const requestId = String(request.id);
      const err = error.code === 'FST_ERR_CTP_BODY_TOO_LARGE'
        ? new ApiError('RequestEntityTooLargeException', `Request body is larger than the limit of ${options.apiBodyLimit ?? 10 * 1024 * 1024} bytes.`)
        : error.statusCode && error.statusCode < 500
          ? new ApiError('SerializationException', error.message)
          : new ApiError('InternalFailure', 'The server encountered an internal error.');
      if (err.status >= 500) request.log.error({ err: error }, 'request failed');
      send(reply, fallback.encodeError(err, { requestId }));
    });
    const handle = async (request: FastifyRequest, reply: import('fastify').FastifyReply) => {
      const raw = toRaw(request);
      const started = process.hrtime.bigint();
      const res = await options.dispatcher.handle(raw);
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      request.log.info({ service: res.service, operation: res.operation, status: res.status, error: res.errorCode, ms: Math.round(ms * 100) / 100 }, 'api');
      send(reply, res);
    };
    api.post('/', handle);
    api.post('/service/:service/operation/:operation', handle);
    // GET / with a query string is how some query-protocol clients call (Action=…&Version=…).
    api.get('/', handle);
  });

  for (const plugin of options.plugins ?? []) await app.register(plugin);
  return app;
}

function toRaw(request: FastifyRequest): RawRequest {
  const url = request.raw.url ?? '/';
  const q = url.indexOf('?');
  const body = request.body instanceof Buffer ? request.body : Buffer.alloc(0);
  return {
    method: request.method,
    path: q < 0 ? url : url.slice(0, q),
    query: q < 0 ? '' : url.slice(q + 1),
    headers: request.headers as Record<string, string | string[] | undefined>,
    body,
  };
}

function send(reply: import('fastify').FastifyReply, res: WireResponse): void {
  reply.code(res.status).headers(res.headers).send(typeof res.body === 'string' ? res.body : Buffer.from(res.body));
}
