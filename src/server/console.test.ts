import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync, gunzipSync } from 'node:zlib';
import Fastify, { type FastifyInstance } from 'fastify';
import { consolePlugin } from './console.js';

const work = mkdtempSync(join(tmpdir(), 'wharf-console-unit-'));
const built = join(work, 'dist');
const js = 'console.log("wharf console");'.repeat(50);
let app: FastifyInstance;
let missing: FastifyInstance;

before(async () => {
  mkdirSync(join(built, 'assets'), { recursive: true });
  writeFileSync(join(built, 'index.html'), '<!doctype html><title>Wharf console</title>');
  writeFileSync(join(built, 'assets', 'index-AbC123.js'), js);
  writeFileSync(join(built, 'assets', 'index-AbC123.js.gz'), gzipSync(js));
  writeFileSync(join(work, 'secret.txt'), 'not for the web');
  app = Fastify();
  await app.register(consolePlugin({ dir: built }));
  missing = Fastify();
  await missing.register(consolePlugin({ dir: join(work, 'nothing-here') }));
});
after(async () => {
  await app.close();
  await missing.close();
  rmSync(work, { recursive: true, force: true });
});

describe('console static files', () => {
  it('/console redirects to /console/, which serves index.html uncached with a CSP', async () => {
    const r = await app.inject({ url: '/console' });
    assert.equal(r.statusCode, 301);
    assert.equal(r.headers.location, '/console/');
    const page = await app.inject({ url: '/console/' });
    assert.equal(page.statusCode, 200);
    assert.match(String(page.headers['content-type']), /^text\/html/);
    assert.equal(page.headers['cache-control'], 'no-cache');
    assert.match(String(page.headers['content-security-policy']), /connect-src 'self'/);
    assert.match(page.body, /Wharf console/);
  });

  it('serves a build file gzipped to clients that accept gzip, plain to others, cached as immutable', async () => {
    const gz = await app.inject({ url: '/console/assets/index-AbC123.js', headers: { 'accept-encoding': 'gzip, deflate, br' } });
    assert.equal(gz.statusCode, 200);
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.match(String(gz.headers['content-type']), /^text\/javascript/);
    assert.match(String(gz.headers['cache-control']), /immutable/);
    assert.ok(gz.rawPayload.length < js.length, 'the gzipped body is smaller');
    assert.equal(gunzipSync(gz.rawPayload).toString(), js);
    const plain = await app.inject({ url: '/console/assets/index-AbC123.js' });
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.equal(plain.body, js);
  });

  it('answers 404 for unknown files and for paths outside the build', async () => {
    for (const url of ['/console/assets/nope.js', '/console/assets/..%2f..%2fsecret.txt', '/console/assets/.hidden', '/console/assets/..%5c..%5csecret.txt', '/console/secret.txt']) {
      const r = await app.inject({ url });
      assert.equal(r.statusCode, 404, url);
      assert.doesNotMatch(r.body, /not for the web/, url);
    }
  });

  it('without a build, /console/ says how to build it (503)', async () => {
    const r = await missing.inject({ url: '/console/' });
    assert.equal(r.statusCode, 503);
    assert.match(String(r.headers['content-type']), /^text\/html/);
    assert.match(r.body, /not built/);
    assert.match(r.body, /npm run build:console/);
    assert.match(r.body, /nothing-here/);
  });
});
