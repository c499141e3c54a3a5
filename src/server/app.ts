/**
 * The HTTP surface of `wharf server`: one port for everything.
 *
 *   POST /  and  POST /service/{S}/operation/{O}   AWS API calls (ApiDispatcher)
 *   /schedules…, /schedule-groups…, /tags/…       restJson1 API calls (EventBridge Scheduler), same dispatcher
 *   /v2/…                                         OCI distribution (the registry plugin)
 *   /healthz                                      liveness
 *   /metrics                                      Prometheus
 *   /console                                      web console, a static build (./console.ts)
 *   /agent                                        agent WebSocket (dispatcher)
 *
 * The AWS API lives in its own encapsulated Fastify context whose body parser keeps the raw bytes
 * (SigV4 signs them); other contexts (the registry) stream their bodies instead.
 *
 * Fast path. `POST /` (every AWS JSON and query call) is answered straight from node:http, without
 * Fastify's routing, content-type parsing, hook chain and reply serialization: that machinery cost
 * ≈ 15 % of a DescribeTaskDefinition (bench/RESULTS.md). It behaves as the Fastify route does: same
 * body limit and 413, same error shapes, same log line, 503 while closing, and root-level onResponse
 * hooks (the request metrics) still run. Should a plugin add any other request hook at the root
 * (onRequest, preHandler…), the fast path turns itself off and Fastify serves `POST /` again.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import Fastify, { LogController, type FastifyInstance, type FastifyRequest, type FastifyReply } from 'fastify';
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
  const limit = options.apiBodyLimit ?? 10 * 1024 * 1024;
  let closing = false;
  const app: FastifyInstance = Fastify({
    serverFactory: (fastifyHandler) => {
      const server = createServer((req, res) => {
        if (fast && req.method === 'POST' && req.url === '/') fastApi(req, res);
        else fastifyHandler(req, res);
      });
      // What Fastify sets on the servers it creates itself (its defaults, and our keep-alive below).
      server.keepAliveTimeout = 65_000;
      server.requestTimeout = 0;
      server.setTimeout(0);
      return server;
    },
    loggerInstance: options.logger as unknown as import('fastify').FastifyBaseLogger,
    // One log line per API call is written by the handler below (service, operation, status, ms).
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.apiBodyLimit ?? 10 * 1024 * 1024,
    // AWS clients keep connections open; keep them alive a little longer than their idle timeouts.
    keepAliveTimeout: 65_000,
    return503OnClosing: true,
    routerOptions: { ignoreTrailingSlash: false },
  });

  // Root-level hooks apply to every route, so to the fast path too: mirror onResponse hooks, and give
  // up the fast path for any other per-request hook rather than skip it.
  let fast = true;
  const onResponse: ((req: FastifyRequest, reply: FastifyReply) => unknown)[] = [];
  const addHook = app.addHook;
  const perRequest = new Set(['onRequest', 'preParsing', 'preValidation', 'preHandler', 'preSerialization', 'onSend', 'onError', 'onTimeout', 'onRequestAbort']);
  (app as unknown as { addHook: unknown }).addHook = function (this: FastifyInstance, name: string, fn: (...a: unknown[]) => unknown) {
    if (this === app && name === 'onResponse') onResponse.push(fn as (typeof onResponse)[number]);
    else if (this === app && perRequest.has(name)) fast = false;
    return (addHook as (...a: unknown[]) => FastifyInstance).call(this, name, fn);
  };
  app.addHook('preClose', async () => { closing = true; });
  const fallbackCodec = new AwsJsonCodec('awsJson1_1');
  let nextId = 0;
  const fastApi = (req: IncomingMessage, res: ServerResponse) => {
    if (closing) {
      res.writeHead(503, { 'Content-Type': 'application/json', 'Content-Length': '80', Connection: 'close' });
      res.end('{"error":"Service Unavailable","message":"Service Unavailable","statusCode":503}');
      return;
    }
    const started = performance.now();
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= limit) chunks.push(c);
      else if (size > limit * 8) req.destroy();
    });
    req.on('error', () => { /* the socket is gone: nothing to answer */ });
    req.on('close', () => { if (size > limit * 8 && !res.headersSent) fastSend(res, tooLarge(fallbackCodec, `req-${++nextId}`, limit)); });
    req.on('end', () => {
      if (size > limit) { fastSend(res, tooLarge(fallbackCodec, `req-${++nextId}`, limit)); return; }
      const raw: RawRequest = { method: 'POST', path: '/', query: '', headers: req.headers as Record<string, string | string[] | undefined>, body: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size), remoteAddress: req.socket.remoteAddress };
      options.dispatcher.handle(raw).then((r) => {
        const ms = performance.now() - started;
        options.logger.info({ service: r.service, operation: r.operation, status: r.status, error: r.errorCode, ms: Math.round(ms * 100) / 100 }, 'api');
        fastSend(res, r);
      }, (error: unknown) => {
        options.logger.error({ err: error }, 'request failed');
        fastSend(res, fallbackCodec.encodeError(new ApiError('InternalFailure', 'The server encountered an internal error.'), { requestId: `req-${++nextId}` }));
      });
    });
    if (onResponse.length > 0) {
      res.once('finish', () => {
        // The parts of Fastify's request and reply that response hooks read.
        const request = { id: `req-${++nextId}`, method: 'POST', url: '/', headers: req.headers, raw: req, log: options.logger, routeOptions: { url: '/', method: 'POST' } };
        const reply = { raw: res, request, statusCode: res.statusCode, elapsedTime: performance.now() - started, getHeader: (n: string) => res.getHeader(n) };
        for (const hook of onResponse) {
          try {
            void Promise.resolve((hook as (...a: unknown[]) => unknown)(request, reply, () => {})).catch((err: unknown) => options.logger.error({ err }, 'onResponse hook failed'));
          } catch (err) {
            options.logger.error({ err }, 'onResponse hook failed');
          }
        }
      });
    }
  };

  app.get('/healthz', async () => ({ status: 'ok' }));

  await app.register(async (api) => {
    api.removeAllContentTypeParsers();
    // Read the raw bytes ourselves. Past the limit we keep draining (up to 8× the limit) and only then
    // answer 413: answering while the client is still sending makes most clients see a reset instead
    // of the error.
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
    // restJson1 services (EventBridge Scheduler) name the operation by method and path.
    for (const p of options.dispatcher.restPaths()) for (const url of [p, `${p}/*`]) api.route({ method: ['GET', 'POST', 'PUT', 'DELETE'], url, handler: handle });
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
    remoteAddress: request.raw.socket.remoteAddress,
  };
}

function tooLarge(codec: AwsJsonCodec, requestId: string, limit: number): WireResponse {
  return codec.encodeError(new ApiError('RequestEntityTooLargeException', `Request body is larger than the limit of ${limit} bytes.`), { requestId });
}

function fastSend(res: ServerResponse, r: WireResponse): void {
  const body = typeof r.body === 'string' ? r.body : Buffer.from(r.body);
  const headers: Record<string, string | number> = { ...r.headers, 'content-length': Buffer.byteLength(body) };
  res.writeHead(r.status, headers);
  res.end(body);
}

function send(reply: import('fastify').FastifyReply, res: WireResponse): void {
  reply.code(res.status).headers(res.headers).send(typeof res.body === 'string' ? res.body : Buffer.from(res.body));
}
