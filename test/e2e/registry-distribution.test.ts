/**
 * The OCI distribution endpoints through raw HTTP against a real `wharf server` process: auth, push
 * (monolithic, chunked, out-of-order 416, digest mismatch), manifests (missing blobs, digest refs,
 * immutable tags), tags/list paging, referrers, delete, cross-repo mount, and a SIGKILL mid-upload.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { waitFor } from './elb-helpers.js';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { startServerProcess, type TestServer } from '../support/server.js';
import { adminAuth, basic, http, pushImage, putBlob, sha256 } from './registry-helpers.js';

let s: TestServer;
let auth: string;
before(async () => { s = await startServerProcess(); auth = adminAuth(s); });
after(async () => { await s.stop(); s.cleanup(); });

/** Size of the largest partial upload (ingest) file on disk. */
const largestIngest = (dataDir: string): number => {
  const dir = join(dataDir, 'registry', 'ingest');
  if (!existsSync(dir)) return 0;
  return Math.max(0, ...readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => statSync(join(e.parentPath, e.name)).size));
};
const blobFiles = (dataDir: string): string[] => {
  const base = join(dataDir, 'registry', 'blobs', 'sha256');
  if (!existsSync(base)) return [];
  return readdirSync(base).flatMap((d) => readdirSync(join(base, d)).map((f) => 'sha256:' + f));
};

test('/v2/ asks for Basic credentials and accepts an ECR token or an access key pair', async () => {
  const r = await http(s, 'GET', '/v2/');
  assert.equal(r.status, 401);
  assert.match(String(r.headers['www-authenticate']), /^Basic realm="/);
  assert.equal(r.json.errors[0].code, 'UNAUTHORIZED');
  assert.equal((await http(s, 'GET', '/v2/', { auth: basic('AWS', 'nope.nope') })).status, 401);
  assert.equal((await http(s, 'GET', '/v2/', { auth })).status, 200);
  const token = s.aws(['ecr', 'get-login-password']).stdout.trim();
  assert.equal((await http(s, 'GET', '/v2/', { auth: basic('AWS', token) })).status, 200);
  assert.equal((await http(s, 'GET', '/v2/x/manifests/latest')).status, 401);
});

test('monolithic and chunked uploads; out-of-order chunk gives 416; blob GET, HEAD and Range', async () => {
  const data = randomBytes(300_000);
  const d = await putBlob(s, auth, 'up/mono', data);
  const head = await http(s, 'HEAD', `/v2/up/mono/blobs/${d}`, { auth });
  assert.equal(head.status, 200);
  assert.equal(head.headers['content-length'], String(data.length));
  assert.equal(head.headers['docker-content-digest'], d);
  assert.deepEqual((await http(s, 'GET', `/v2/up/mono/blobs/${d}`, { auth })).body, data);
  const part = await http(s, 'GET', `/v2/up/mono/blobs/${d}`, { auth, headers: { Range: 'bytes=10-19' } });
  assert.equal(part.status, 206);
  assert.deepEqual(part.body, data.subarray(10, 20));

  const start = await http(s, 'POST', '/v2/up/chunked/blobs/uploads/', { auth });
  assert.equal(start.status, 202);
  const loc = String(start.headers.location);
  const p1 = await http(s, 'PATCH', loc, { auth, body: data.subarray(0, 100_000), headers: { 'Content-Range': '0-99999', 'Content-Type': 'application/octet-stream' } });
  assert.equal(p1.status, 202);
  assert.equal(p1.headers.range, '0-99999');
  const bad = await http(s, 'PATCH', loc, { auth, body: data.subarray(150_000), headers: { 'Content-Range': `150000-${data.length - 1}`, 'Content-Type': 'application/octet-stream' } });
  assert.equal(bad.status, 416);
  assert.equal(bad.headers.range, '0-99999');
  const status = await http(s, 'GET', loc, { auth });
  assert.equal(status.status, 204);
  assert.equal(status.headers.range, '0-99999');
  const p2 = await http(s, 'PATCH', loc, { auth, body: data.subarray(100_000), headers: { 'Content-Range': `100000-${data.length - 1}`, 'Content-Type': 'application/octet-stream' } });
  assert.equal(p2.status, 202);
  const fin = await http(s, 'PUT', `${loc}?digest=${d}`, { auth });
  assert.equal(fin.status, 201);
  assert.equal(fin.headers['docker-content-digest'], d);
  assert.equal((await http(s, 'GET', loc, { auth })).status, 404, 'session gone after commit');
  assert.equal((await http(s, 'GET', `/v2/up/chunked/blobs/${sha256('absent')}`, { auth })).json.errors[0].code, 'BLOB_UNKNOWN');
});

test('a digest mismatch gives 400 DIGEST_INVALID and stores nothing', async () => {
  const data = randomBytes(50_000);
  const wrong = sha256('something else');
  const r = await http(s, 'POST', `/v2/bad/digest/blobs/uploads/?digest=${wrong}`, { auth, body: data, headers: { 'Content-Type': 'application/octet-stream' } });
  assert.equal(r.status, 400);
  assert.equal(r.json.errors[0].code, 'DIGEST_INVALID');
  const start = await http(s, 'POST', '/v2/bad/digest/blobs/uploads/', { auth });
  const r2 = await http(s, 'PUT', `${start.headers.location}?digest=${wrong}`, { auth, body: data, headers: { 'Content-Type': 'application/octet-stream' } });
  assert.equal(r2.status, 400);
  assert.equal(r2.json.errors[0].code, 'DIGEST_INVALID');
  const files = blobFiles(s.dataDir);
  assert.ok(!files.includes(sha256(data)) && !files.includes(wrong), 'neither digest was stored');
  assert.equal((await http(s, 'HEAD', `/v2/bad/digest/blobs/${sha256(data)}`, { auth })).status, 404);
  const ingest = join(s.dataDir, 'registry', 'ingest');
  assert.deepEqual(existsSync(ingest) ? readdirSync(ingest) : [], [], 'no partial upload left behind');
});

test('manifests: missing blobs, digest references, tags list paging, delete', async () => {
  const missing = JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256('nope'), size: 4 }, layers: [] });
  const r = await http(s, 'PUT', '/v2/man/a/manifests/v1', { auth, body: missing, headers: { 'Content-Type': 'application/vnd.oci.image.manifest.v1+json' } });
  assert.equal(r.status, 400);
  assert.equal(r.json.errors[0].code, 'MANIFEST_BLOB_UNKNOWN');
  assert.equal((await http(s, 'PUT', '/v2/BAD_NAME/manifests/v1', { auth, body: missing })).json.errors[0].code, 'NAME_INVALID');

  const img = await pushImage(s, auth, 'man/a', 'v1');
  for (const t of ['v2', 'v3', 'a0']) assert.equal((await http(s, 'PUT', `/v2/man/a/manifests/${t}`, { auth, body: img.manifest, headers: { 'Content-Type': 'application/vnd.oci.image.manifest.v1+json' } })).status, 201);
  const byDigest = await http(s, 'GET', `/v2/man/a/manifests/${img.digest}`, { auth });
  assert.equal(byDigest.status, 200);
  assert.equal(byDigest.body.toString(), img.manifest);
  assert.equal(byDigest.headers['content-type'], 'application/vnd.oci.image.manifest.v1+json');
  const wrongRef = await http(s, 'PUT', `/v2/man/a/manifests/${sha256('x')}`, { auth, body: img.manifest, headers: { 'Content-Type': 'application/vnd.oci.image.manifest.v1+json' } });
  assert.equal(wrongRef.json.errors[0].code, 'DIGEST_INVALID');

  const p1 = await http(s, 'GET', '/v2/man/a/tags/list?n=2', { auth });
  assert.deepEqual(p1.json.tags, ['a0', 'v1']);
  assert.match(String(p1.headers.link), /last=v1>; rel="next"/);
  const p2 = await http(s, 'GET', '/v2/man/a/tags/list?n=2&last=v1', { auth });
  assert.deepEqual(p2.json.tags, ['v2', 'v3']);

  assert.equal((await http(s, 'DELETE', '/v2/man/a/manifests/v3', { auth })).status, 202);
  assert.deepEqual((await http(s, 'GET', '/v2/man/a/tags/list', { auth })).json.tags, ['a0', 'v1', 'v2']);
  assert.equal((await http(s, 'DELETE', `/v2/man/a/manifests/${img.digest}`, { auth })).status, 202);
  assert.equal((await http(s, 'GET', '/v2/man/a/manifests/v1', { auth })).json.errors[0].code, 'MANIFEST_UNKNOWN');
  assert.equal((await http(s, 'GET', '/v2/nosuch/repo/tags/list', { auth })).json.errors[0].code, 'NAME_UNKNOWN');
});

test('index, referrers and cross-repository mount', async () => {
  const img = await pushImage(s, auth, 'ref/a', 'v1');
  const index = JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: img.digest, size: Buffer.byteLength(img.manifest), platform: { os: 'linux', architecture: 'amd64' } }] });
  assert.equal((await http(s, 'PUT', '/v2/ref/a/manifests/multi', { auth, body: index, headers: { 'Content-Type': 'application/vnd.oci.image.index.v1+json' } })).status, 201);
  const badIndex = index.replace(img.digest, sha256('missing manifest'));
  assert.equal((await http(s, 'PUT', '/v2/ref/a/manifests/bad', { auth, body: badIndex, headers: { 'Content-Type': 'application/vnd.oci.image.index.v1+json' } })).json.errors[0].code, 'MANIFEST_BLOB_UNKNOWN');

  const empty = Buffer.from('{}');
  const ed = await putBlob(s, auth, 'ref/a', empty);
  const sig = JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', artifactType: 'application/vnd.example.sig', config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: ed, size: 2 }, layers: [{ mediaType: 'application/vnd.oci.empty.v1+json', digest: ed, size: 2 }], subject: { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: img.digest, size: Buffer.byteLength(img.manifest) } });
  const put = await http(s, 'PUT', `/v2/ref/a/manifests/${sha256(sig)}`, { auth, body: sig, headers: { 'Content-Type': 'application/vnd.oci.image.manifest.v1+json' } });
  assert.equal(put.status, 201);
  assert.equal(put.headers['oci-subject'], img.digest);
  const refs = await http(s, 'GET', `/v2/ref/a/referrers/${img.digest}`, { auth });
  assert.equal(refs.status, 200);
  assert.deepEqual(refs.json.manifests.map((m: { digest: string; artifactType: string }) => [m.digest, m.artifactType]), [[sha256(sig), 'application/vnd.example.sig']]);
  const filtered = await http(s, 'GET', `/v2/ref/a/referrers/${img.digest}?artifactType=other`, { auth });
  assert.deepEqual(filtered.json.manifests, []);
  assert.equal(filtered.headers['oci-filters-applied'], 'artifactType');

  const m = await http(s, 'POST', `/v2/ref/b/blobs/uploads/?mount=${img.layerDigest}&from=ref/a`, { auth });
  assert.equal(m.status, 201);
  assert.equal((await http(s, 'HEAD', `/v2/ref/b/blobs/${img.layerDigest}`, { auth })).status, 200);
  const noSource = await http(s, 'POST', `/v2/ref/c/blobs/uploads/?mount=${img.layerDigest}&from=ref/none`, { auth });
  assert.equal(noSource.status, 202, 'falls back to an upload session');
  assert.equal((await http(s, 'DELETE', `/v2/ref/b/blobs/${img.layerDigest}`, { auth })).status, 202);
  assert.equal((await http(s, 'HEAD', `/v2/ref/b/blobs/${img.layerDigest}`, { auth })).status, 404);
});

test('an immutable tag cannot be moved, through /v2/ or PutImage', async () => {
  assert.equal(s.aws(['ecr', 'create-repository', '--repository-name', 'imm/app', '--image-tag-mutability', 'IMMUTABLE']).status, 0);
  const a = await pushImage(s, auth, 'imm/app', 'v1');
  const b = await pushImage(s, auth, 'imm/app', 'other');
  const r = await http(s, 'PUT', '/v2/imm/app/manifests/v1', { auth, body: b.manifest, headers: { 'Content-Type': 'application/vnd.oci.image.manifest.v1+json' } });
  assert.equal(r.status, 400);
  assert.equal(r.json.errors[0].code, 'TAG_INVALID');
  const same = await http(s, 'PUT', '/v2/imm/app/manifests/v1', { auth, body: a.manifest, headers: { 'Content-Type': 'application/vnd.oci.image.manifest.v1+json' } });
  assert.equal(same.status, 201, 're-pushing the same content is fine');
  const api = s.aws(['ecr', 'put-image', '--repository-name', 'imm/app', '--image-tag', 'v1', '--image-manifest', b.manifest]);
  assert.notEqual(api.status, 0);
  assert.match(api.stderr, /ImageTagAlreadyExistsException/);
  assert.equal((await http(s, 'GET', '/v2/imm/app/manifests/v1', { auth })).headers['docker-content-digest'], a.digest);
});

test('SIGKILL mid chunked upload: acknowledged chunks survive, no partial blob is visible, the upload resumes', async () => {
  const srv = await startServerProcess();
  try {
    const a = adminAuth(srv);
    const data = randomBytes(4 * 1024 * 1024);
    const d = sha256(data);
    const start = await http(srv, 'POST', '/v2/crash/app/blobs/uploads/', { auth: a });
    const loc = String(start.headers.location);
    const half = 2 * 1024 * 1024;
    assert.equal((await http(srv, 'PATCH', loc, { auth: a, body: data.subarray(0, half), headers: { 'Content-Range': `0-${half - 1}`, 'Content-Type': 'application/octet-stream' } })).status, 202);
    // Start the second chunk but kill the server while it is in flight.
    const { request } = await import('node:http');
    const req = request(new URL(loc, srv.endpoint), { method: 'PATCH', headers: { Authorization: a, 'Content-Range': `${half}-${data.length - 1}`, 'Content-Length': data.length - half, 'Content-Type': 'application/octet-stream' } });
    req.on('error', () => undefined);
    req.write(data.subarray(half, half + 500_000));
    await waitFor('the server to write part of the in-flight chunk to its ingest file', async () => largestIngest(srv.dataDir) > half, 10_000, 20);
    await srv.kill();
    req.destroy();
    assert.ok(!blobFiles(srv.dataDir).includes(d), 'no blob visible after the crash');

    const again = await startServerProcess({ dataDir: srv.dataDir });
    try {
      const st = await http(again, 'GET', loc, { auth: a });
      assert.equal(st.status, 204);
      assert.equal(st.headers.range, `0-${half - 1}`, 'exactly the acknowledged bytes');
      assert.equal((await http(again, 'HEAD', `/v2/crash/app/blobs/${d}`, { auth: a })).status, 404);
      const rest = await http(again, 'PATCH', loc, { auth: a, body: data.subarray(half), headers: { 'Content-Range': `${half}-${data.length - 1}`, 'Content-Type': 'application/octet-stream' } });
      assert.equal(rest.status, 202);
      assert.equal((await http(again, 'PUT', `${loc}?digest=${d}`, { auth: a })).status, 201);
      assert.deepEqual((await http(again, 'GET', `/v2/crash/app/blobs/${d}`, { auth: a })).body, data);
    } finally {
      await again.stop();
    }
  } finally {
    srv.cleanup();
  }
});
