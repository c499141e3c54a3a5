/**
 * OCI distribution spec v1.1 at /v2/ (the registry half of ECR). Routes, after the spec's endpoint table:
 *
 *   GET       /v2/                                      end-1   (200, or 401 + WWW-Authenticate)
 *   GET|HEAD  /v2/<name>/blobs/<digest>                 end-2   (Range → 206)
 *   GET|HEAD  /v2/<name>/manifests/<ref>                end-3
 *   POST      /v2/<name>/blobs/uploads/                 end-4a/4b/11  (session | ?digest= monolithic | ?mount=&from=)
 *   PATCH     /v2/<name>/blobs/uploads/<id>             end-5   (Content-Range; 416 when out of order)
 *   PUT       /v2/<name>/blobs/uploads/<id>?digest=     end-6   (digest verified; mismatch → 400 DIGEST_INVALID)
 *   GET|DELETE /v2/<name>/blobs/uploads/<id>            end-13 / cancel
 *   PUT|DELETE /v2/<name>/manifests/<ref>               end-7 / end-9
 *   DELETE    /v2/<name>/blobs/<digest>                 end-10
 *   GET       /v2/<name>/tags/list?n=&last=             end-8a/8b (Link: rel="next")
 *   GET       /v2/<name>/referrers/<digest>             end-12a/12b
 *
 * Bodies are never parsed by Fastify: this context's content-type parser leaves the request stream
 * alone and handlers stream it to the blob store, so a multi-GB PATCH holds at most a few MiB in memory.
 * Handlers write the raw response themselves (reply.hijack) so large GETs stream straight from the file.
 *
 * Upload session state (one per upload id):
 *
 *   POST ─► open(offset 0) ─PATCH(start == offset)─► open(offset += n) ─PUT ?digest─► committed blob (201)
 *               │ PATCH(start != offset) → 416, unchanged      │ digest mismatch → 400, session and bytes gone
 *               └────────────── DELETE / abandoned (GC after a day) ──► gone
 *
 * The session record is in the store and the bytes in an ingest on disk, fsynced before each 202: a
 * server killed mid-upload restarts with every acknowledged byte, and a partial blob is never visible.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { DigestMismatchError, ShortWriteError, isDigest } from './blob-store.js';
import { IngestBusyError, sendRange } from './fs-blob-store.js';
import { RegistryError } from './errors.js';
import {
  MAX_MANIFEST_BYTES, checkRepoName, deleteImage, ecrKeys, isLinked, linkBlob, listImages, listTags, putManifest, resolveReference,
  MEDIA,
} from './metadata.js';
import type { Registry } from './registry.js';

type Route =
  | { kind: 'base' }
  | { kind: 'manifest'; name: string; ref: string }
  | { kind: 'uploads'; name: string; id: string }
  | { kind: 'blob'; name: string; digest: string }
  | { kind: 'tags'; name: string }
  | { kind: 'referrers'; name: string; digest: string };

/** Splits a /v2/ path; `<name>` may itself contain '/', so each pattern anchors on the last keyword. */
/** The ECR action a /v2/ request needs, by what it touches and its method. */
export function ecrActionOf(kind: 'manifest' | 'uploads' | 'blob' | 'tags' | 'referrers', method: string): string {
  switch (kind) {
    case 'manifest': return method === 'PUT' ? 'ecr:PutImage' : method === 'DELETE' ? 'ecr:BatchDeleteImage' : 'ecr:BatchGetImage';
    case 'blob': return method === 'HEAD' ? 'ecr:BatchCheckLayerAvailability' : method === 'DELETE' ? 'ecr:BatchDeleteImage' : 'ecr:GetDownloadUrlForLayer';
    case 'uploads': return method === 'POST' ? 'ecr:InitiateLayerUpload' : method === 'PUT' ? 'ecr:CompleteLayerUpload' : 'ecr:UploadLayerPart';
    case 'tags': return 'ecr:ListImages';
    case 'referrers': return 'ecr:BatchGetImage';
  }
}

export function parseRoute(path: string): Route | undefined {
  if (path === '/v2/' || path === '/v2') return { kind: 'base' };
  const p = path.slice('/v2/'.length);
  let m: RegExpMatchArray | null;
  if ((m = p.match(/^(.+)\/manifests\/([^/]+)$/))) return { kind: 'manifest', name: m[1], ref: decodeURIComponent(m[2]) };
  if ((m = p.match(/^(.+)\/blobs\/uploads\/([^/]*)$/))) return { kind: 'uploads', name: m[1], id: m[2] };
  if ((m = p.match(/^(.+)\/blobs\/([^/]+)$/))) return { kind: 'blob', name: m[1], digest: decodeURIComponent(m[2]) };
  if ((m = p.match(/^(.+)\/tags\/list$/))) return { kind: 'tags', name: m[1] };
  if ((m = p.match(/^(.+)\/referrers\/([^/]+)$/))) return { kind: 'referrers', name: m[1], digest: decodeURIComponent(m[2]) };
  return undefined;
}

type Headers = Record<string, string | number>;

function send(res: ServerResponse, status: number, headers: Headers, body?: string | Buffer): void {
  const h: Headers = { 'Docker-Distribution-API-Version': 'registry/2.0', ...headers };
  if (body !== undefined) h['Content-Length'] ??= Buffer.byteLength(body);
  else h['Content-Length'] ??= 0;
  res.writeHead(status, h);
  res.end(body);
}

function sendError(res: ServerResponse, e: RegistryError, extra: Headers = {}): void {
  send(res, e.status, { 'Content-Type': 'application/json', ...extra }, e.body());
}

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let n = 0;
  for await (const c of req) {
    n += (c as Buffer).length;
    if (n > limit) throw new RegistryError('SIZE_INVALID', `body is larger than ${limit} bytes`);
    parts.push(c as Buffer);
  }
  return Buffer.concat(parts);
}

const hasBody = (req: IncomingMessage) => req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
const rangeHeader = (offset: number) => `0-${Math.max(0, offset - 1)}`;

export function registryPlugin(reg: Registry) {
  return async (app: FastifyInstance): Promise<void> => {
    app.removeAllContentTypeParsers();
    // Leave the body stream untouched: handlers stream it.
    app.addContentTypeParser('*', (_req, _payload, done) => done(null, undefined));
    const handler = async (request: import('fastify').FastifyRequest, reply: import('fastify').FastifyReply) => {
      reply.hijack();
      const req = request.raw, res = reply.raw;
      try {
        await handle(reg, req, res);
      } catch (e) {
        if (res.headersSent) { res.destroy(); return; }
        if (e instanceof RegistryError) return sendError(res, e);
        if (req.destroyed || (e as NodeJS.ErrnoException).code === 'ERR_STREAM_PREMATURE_CLOSE' || (e as NodeJS.ErrnoException).code === 'ECONNRESET') { res.destroy(); return; }
        request.log.error({ err: e, method: req.method, url: req.url }, 'registry request failed');
        send(res, 500, { 'Content-Type': 'application/json' }, JSON.stringify({ errors: [{ code: 'UNKNOWN', message: 'internal error; see the server log' }] }));
      }
    };
    app.route({ method: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'], url: '/v2/*', handler, exposeHeadRoute: false });
    app.route({ method: ['GET', 'HEAD'], url: '/v2', handler, exposeHeadRoute: false });
  };
}

async function handle(root: Registry, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://registry');
  const now = root.clock();
  const principal = await root.auth.verify(req.headers.authorization, now);
  if (!principal) {
    return sendError(res, new RegistryError('UNAUTHORIZED', 'authentication required: use `aws ecr get-login-password` (user AWS) or an access key pair'), {
      'WWW-Authenticate': `Basic realm="${root.realm()}",service="ecr.amazonaws.com"`,
    });
  }
  // The repositories of the region the token was issued in (see Registry).
  const reg = root.forRegion(principal.region);
  const route = parseRoute(url.pathname);
  const method = req.method ?? 'GET';
  if (!route) throw new RegistryError('NAME_INVALID', `no registry endpoint at ${url.pathname}`);
  if (route.kind === 'base') return send(res, 200, { 'Content-Type': 'application/json' }, '{}');
  checkRepoName(route.name);
  const name = route.name;
  const store = reg.store;
  // IAM: the ECR action each request is (as ECR authorizes docker pushes and pulls).
  await reg.authorizeRequest(principal.accessKeyId, ecrActionOf(route.kind, method), name, now);

  switch (route.kind) {
    case 'manifest': {
      if (method === 'PUT') {
        await reg.ensureRepo(name, now);
        const body = await readBody(req, MAX_MANIFEST_BYTES);
        const r = await putManifest(store, reg.blobs, { repo: name, reference: route.ref, body, contentType: req.headers['content-type'], now });
        const h: Headers = { Location: `/v2/${name}/manifests/${r.digest}`, 'Docker-Content-Digest': r.digest };
        if (r.image.subject) h['OCI-Subject'] = r.image.subject;
        return send(res, 201, h);
      }
      await reg.requireRepo(name);
      if (method === 'DELETE') {
        const isD = isDigest(route.ref);
        const gone = await deleteImage(store, name, isD ? { digest: route.ref } : { tag: route.ref });
        if (!gone) throw new RegistryError('MANIFEST_UNKNOWN', `manifest ${route.ref} is not in ${name}`);
        return send(res, 202, {});
      }
      if (method !== 'GET' && method !== 'HEAD') throw new RegistryError('UNSUPPORTED', `${method} is not supported on manifests`);
      const img = await resolveReference(store, name, route.ref);
      if (!img) throw new RegistryError('MANIFEST_UNKNOWN', `manifest ${route.ref} is not in ${name}`, { tag: route.ref });
      const body = Buffer.from(img.manifest, 'utf8');
      const h: Headers = { 'Content-Type': img.mediaType, 'Docker-Content-Digest': img.digest, 'Content-Length': body.length, ETag: `"${img.digest}"` };
      return method === 'HEAD' ? send(res, 200, h) : send(res, 200, h, body);
    }

    case 'blob': {
      await reg.requireRepo(name);
      if (!isDigest(route.digest)) throw new RegistryError('DIGEST_INVALID', `invalid digest ${route.digest}`);
      if (method === 'DELETE') {
        if (!(await isLinked(store, name, route.digest))) throw new RegistryError('BLOB_UNKNOWN', `blob ${route.digest} is not in ${name}`, { digest: route.digest });
        await store.txn({ success: [{ type: 'delete', key: ecrKeys.link(name, route.digest) }] });
        return send(res, 202, {});
      }
      if (method !== 'GET' && method !== 'HEAD') throw new RegistryError('UNSUPPORTED', `${method} is not supported on blobs`);
      const st = (await isLinked(store, name, route.digest)) ? await reg.blobs.stat(route.digest) : undefined;
      if (!st) throw new RegistryError('BLOB_UNKNOWN', `blob ${route.digest} is not in ${name}`, { digest: route.digest });
      const h: Headers = { 'Content-Type': 'application/octet-stream', 'Docker-Content-Digest': st.digest, 'Accept-Ranges': 'bytes', ETag: `"${st.digest}"` };
      if (method === 'HEAD') {
        // A client checks for a layer before skipping its upload: keep it out of GC's sweep for a while.
        await reg.blobs.touch(st.digest);
        return send(res, 200, { ...h, 'Content-Length': st.size });
      }
      const range = parseRangeHeader(req.headers.range, st.size);
      if (range === 'invalid') {
        return send(res, 416, { 'Content-Range': `bytes */${st.size}`, 'Content-Type': 'application/json' }, new RegistryError('BLOB_UNKNOWN', 'requested range not satisfiable').body());
      }
      const fh = await reg.blobs.openBlob(st.digest);
      if (!fh) throw new RegistryError('BLOB_UNKNOWN', `blob ${route.digest} is not in ${name}`, { digest: route.digest });
      try {
        if (range) {
          res.writeHead(206, { 'Docker-Distribution-API-Version': 'registry/2.0', ...h, 'Content-Length': range.end - range.start + 1, 'Content-Range': `bytes ${range.start}-${range.end}/${st.size}` });
        } else {
          res.writeHead(200, { 'Docker-Distribution-API-Version': 'registry/2.0', ...h, 'Content-Length': st.size });
        }
        if (st.size === 0) { res.end(); return; }
        await sendRange(fh, range?.start ?? 0, range?.end ?? st.size - 1, res);
      } finally {
        await fh.close();
      }
      return;
    }

    case 'uploads':
      return uploads(reg, req, res, url, name, route.id, method, now);

    case 'tags': {
      if (method !== 'GET') throw new RegistryError('UNSUPPORTED', `${method} is not supported on tags/list`);
      await reg.requireRepo(name);
      let tags = await listTags(store, name);
      const last = url.searchParams.get('last');
      if (last !== null) tags = tags.filter((t) => t > last);
      const nParam = url.searchParams.get('n');
      const h: Headers = { 'Content-Type': 'application/json' };
      if (nParam !== null) {
        const n = Number(nParam);
        if (!Number.isInteger(n) || n < 0) throw new RegistryError('BLOB_UPLOAD_INVALID', 'n must be a non-negative integer');
        if (tags.length > n) {
          tags = tags.slice(0, n);
          if (n > 0) h.Link = `</v2/${name}/tags/list?n=${n}&last=${encodeURIComponent(tags[tags.length - 1])}>; rel="next"`;
        }
      }
      return send(res, 200, h, JSON.stringify({ name, tags }));
    }

    case 'referrers': {
      if (method !== 'GET') throw new RegistryError('UNSUPPORTED', `${method} is not supported on referrers`);
      if (!isDigest(route.digest)) throw new RegistryError('DIGEST_INVALID', `invalid digest ${route.digest}`);
      await reg.requireRepo(name);
      const filter = url.searchParams.get('artifactType');
      const manifests = (await listImages(store, name))
        .filter((i) => i.subject === route.digest && (filter === null || i.artifactType === filter))
        .map((i) => ({ mediaType: i.mediaType, digest: i.digest, size: Buffer.byteLength(i.manifest), ...(i.artifactType ? { artifactType: i.artifactType } : {}), ...(i.annotations ? { annotations: i.annotations } : {}) }));
      const h: Headers = { 'Content-Type': MEDIA.ociIndex };
      if (filter !== null) h['OCI-Filters-Applied'] = 'artifactType';
      return send(res, 200, h, JSON.stringify({ schemaVersion: 2, mediaType: MEDIA.ociIndex, manifests }));
    }
  }
}

async function uploads(reg: Registry, req: IncomingMessage, res: ServerResponse, url: URL, name: string, id: string, method: string, now: Date): Promise<void> {
  const store = reg.store;
  if (id === '') {
    if (method !== 'POST') throw new RegistryError('UNSUPPORTED', `${method} is not supported on ${url.pathname}`);
    await reg.ensureRepo(name, now);
    const mount = url.searchParams.get('mount');
    const from = url.searchParams.get('from');
    if (mount && isDigest(mount)) {
      // Cross-repository mount: link the blob here if the source repository has it. Otherwise fall
      // through to an ordinary upload session, as the spec requires.
      const st = from && (await reg.repoExists(from)) && (await isLinked(store, from, mount)) ? await reg.blobs.stat(mount) : undefined;
      if (st) {
        await reg.blobs.touch(mount);
        await linkBlob(store, name, mount, st.size, now);
        return send(res, 201, { Location: `/v2/${name}/blobs/${mount}`, 'Docker-Content-Digest': mount });
      }
    }
    const digest = url.searchParams.get('digest');
    if (digest !== null) {
      if (!isDigest(digest)) throw new RegistryError('DIGEST_INVALID', `invalid digest ${digest}: use sha256:<64 hex>`);
      const ing = await reg.blobs.ingest(randomUUID());
      const len = req.headers['content-length'] !== undefined ? Number(req.headers['content-length']) : undefined;
      try {
        await ing.append(req, { expectLength: len });
      } catch (e) {
        await ing.abort();
        if (e instanceof ShortWriteError) throw new RegistryError('SIZE_INVALID', e.message);
        throw e;
      }
      return commit(reg, res, name, ing, digest, now);
    }
    const uuid = randomUUID();
    await store.txn({ success: [{ type: 'put', key: ecrKeys.upload(uuid), value: JSON.stringify({ repo: name, startedAt: now.getTime() }) }] });
    await reg.blobs.ingest(uuid);
    return send(res, 202, { Location: `/v2/${name}/blobs/uploads/${uuid}`, Range: '0-0', 'Docker-Upload-UUID': uuid });
  }

  const session = await store.get(ecrKeys.upload(id));
  if (!session || (JSON.parse(session.value) as { repo: string }).repo !== name || !/^[0-9a-f-]{36}$/.test(id)) {
    throw new RegistryError('BLOB_UPLOAD_UNKNOWN', `upload ${id} is not in progress for ${name}`);
  }
  const ing = await reg.blobs.ingest(id);
  const location = `/v2/${name}/blobs/uploads/${id}`;
  const state = (): Headers => ({ Location: location, Range: rangeHeader(ing.offset), 'Docker-Upload-UUID': id });

  if (method === 'GET') return send(res, 204, state());
  if (method === 'DELETE') {
    await ing.abort();
    await store.txn({ success: [{ type: 'delete', key: ecrKeys.upload(id) }] });
    return send(res, 204, {});
  }
  if (method !== 'PATCH' && method !== 'PUT') throw new RegistryError('UNSUPPORTED', `${method} is not supported on uploads`);

  if (method === 'PUT' || hasBody(req) || method === 'PATCH') {
    let expectLength = req.headers['content-length'] !== undefined ? Number(req.headers['content-length']) : undefined;
    const cr = req.headers['content-range'];
    if (cr !== undefined) {
      const m = /^(?:bytes )?(\d+)-(\d+)$/.exec(String(cr).trim());
      if (!m) throw new RegistryError('BLOB_UPLOAD_INVALID', `bad Content-Range ${cr}: want <start>-<end>`, undefined, 416);
      const start = Number(m[1]), end = Number(m[2]);
      if (start !== ing.offset || end < start) {
        return sendError(res, new RegistryError('BLOB_UPLOAD_INVALID', `chunk out of order: the upload is at offset ${ing.offset}, the chunk starts at ${start}`, undefined, 416), state());
      }
      if (expectLength !== undefined && expectLength !== end - start + 1) {
        throw new RegistryError('BLOB_UPLOAD_INVALID', `Content-Length ${expectLength} does not match Content-Range ${cr}`, undefined, 416);
      }
      expectLength = end - start + 1;
    }
    if (hasBody(req) || cr !== undefined) {
      try {
        await ing.append(req, { expectLength });
      } catch (e) {
        if (e instanceof IngestBusyError) return sendError(res, new RegistryError('BLOB_UPLOAD_INVALID', e.message, undefined, 416), state());
        if (e instanceof ShortWriteError) throw new RegistryError('BLOB_UPLOAD_INVALID', `${e.message}; the chunk was discarded, resume at offset ${ing.offset}`);
        throw e;
      }
    }
  }
  if (method === 'PATCH') return send(res, 202, state());

  const digest = url.searchParams.get('digest');
  if (!digest || !isDigest(digest)) throw new RegistryError('DIGEST_INVALID', `the closing PUT needs ?digest=sha256:<64 hex>, got ${digest}`);
  // The session record goes before the reply (success or mismatch), so a client that asks right after sees it gone.
  return commit(reg, res, name, ing, digest, now, async () => {
    await store.txn({ success: [{ type: 'delete', key: ecrKeys.upload(id) }] });
  });
}

async function commit(reg: Registry, res: ServerResponse, name: string, ing: import('./blob-store.js').Ingest, digest: string, now: Date, done?: () => Promise<void>): Promise<void> {
  let st;
  try {
    st = await ing.commit(digest);
  } catch (e) {
    if (e instanceof DigestMismatchError) {
      await done?.();
      throw new RegistryError('DIGEST_INVALID', e.message, { digest });
    }
    throw e;
  }
  await linkBlob(reg.store, name, digest, st.size, now);
  await done?.();
  send(res, 201, { Location: `/v2/${name}/blobs/${digest}`, 'Docker-Content-Digest': digest });
}

/** `bytes=a-b`, `bytes=a-` or `bytes=-n` → an inclusive range; undefined for none; 'invalid' for 416. */
export function parseRangeHeader(h: string | undefined, size: number): { start: number; end: number } | undefined | 'invalid' {
  if (!h) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(h.trim());
  if (!m || (m[1] === '' && m[2] === '')) return 'invalid';
  let start: number, end: number;
  if (m[1] === '') { const n = Number(m[2]); start = Math.max(0, size - n); end = size - 1; }
  else { start = Number(m[1]); end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1); }
  if (start > end || start >= size) return 'invalid';
  return { start, end };
}
