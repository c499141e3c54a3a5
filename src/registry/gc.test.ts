import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { AccessKeys } from '../iam/access-keys.js';
import { Registry } from './registry.js';
import { deleteImage, linkBlob, putManifest, sha256 } from './metadata.js';

test('GC sweeps unreferenced blobs older than the grace period and keeps referenced or fresh ones', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wharf-gc-'));
  const store = new SqliteStore(join(dir, 'state.db'));
  const keys = new AccessKeys(store);
  const now = new Date();
  const reg = new Registry({ api: { store, region: 'us-east-1', accountId: '000000000000', publicEndpoint: 'http://127.0.0.1:1', clock: () => new Date() }, keys, config: { dataDir: dir } });
  try {
    const put = async (b: Buffer) => { const i = await reg.blobs.ingest(sha256(b).slice(7, 40)); await i.append(b); await i.commit(sha256(b)); await linkBlob(store, 'r/a', sha256(b), b.length, now); return sha256(b); };
    await reg.ensureRepo('r/a', now);
    const cfg = Buffer.from('{"os":"linux"}');
    const keep = await put(Buffer.from('layer kept'));
    const cd = await put(cfg);
    const orphan = await put(Buffer.from('orphan layer'));
    const fresh = await put(Buffer.from('fresh upload, manifest not pushed yet'));
    const doomed = await put(Buffer.from('layer of a deleted image'));
    const manifest = (layer: string, size: number) => Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: cd, size: cfg.length }, layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: layer, size }] }));
    await putManifest(store, reg.blobs, { repo: 'r/a', reference: 'v1', body: manifest(keep, 10), now });
    const gone = await putManifest(store, reg.blobs, { repo: 'r/a', reference: 'v2', body: manifest(doomed, 24), now });
    await deleteImage(store, 'r/a', { digest: gone.digest });
    // Age everything but `fresh` past the grace period.
    const old = new Date(Date.now() - 2 * 3600_000);
    for (const d of [keep, cd, orphan, doomed]) utimesSync(reg.blobs.blobPath(d), old, old);
    const report = await reg.gc({ graceMs: 3600_000 });
    assert.equal(await reg.blobs.stat(orphan), undefined);
    assert.equal(await reg.blobs.stat(doomed), undefined);
    assert.ok(await reg.blobs.stat(keep));
    assert.ok(await reg.blobs.stat(cd));
    assert.ok(await reg.blobs.stat(fresh), 'an in-flight push keeps its layers');
    assert.equal(report.blobsDeleted, 2);
    assert.equal(report.linksDeleted, 2);
  } finally {
    keys.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
