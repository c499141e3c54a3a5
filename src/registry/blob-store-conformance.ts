/**
 * The blob-storage conformance suite: every adapter of `BlobStore` passes it. Call it from the adapter's
 * test file with a factory that gives a fresh store (and, for the restart case, a second store over the
 * same storage, as a new process would see it).
 */
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DigestMismatchError, type BlobStore } from './blob-store.js';

export interface ConformanceTarget {
  /** A fresh, empty store. `reopen` gives a new instance over the same storage (a restarted process). */
  create(): Promise<{ store: BlobStore; reopen: () => BlobStore; cleanup: () => Promise<void> }>;
}

const sha = (b: Buffer) => 'sha256:' + createHash('sha256').update(b).digest('hex');
async function bytes(r: Readable | undefined): Promise<Buffer> {
  assert.ok(r, 'expected a stream');
  const parts: Buffer[] = [];
  for await (const c of r) parts.push(c as Buffer);
  return Buffer.concat(parts);
}
const collect = async (s: BlobStore) => { const out: string[] = []; for await (const b of s.list()) out.push(b.digest); return out; };

export function blobStoreConformance(name: string, target: ConformanceTarget): void {
  const withStore = (title: string, fn: (s: BlobStore, reopen: () => BlobStore) => Promise<void>) =>
    test(`${name}: ${title}`, async () => {
      const { store, reopen, cleanup } = await target.create();
      try { await fn(store, reopen); } finally { await cleanup(); }
    });

  withStore('absent blobs stat and read as undefined', async (s) => {
    const d = sha(Buffer.from('nothing'));
    assert.equal(await s.stat(d), undefined);
    assert.equal(await s.read(d), undefined);
    assert.equal(await s.delete(d), false);
    assert.equal(await s.stat('sha256:../../etc/passwd'), undefined);
  });

  withStore('a streamed write becomes visible only on commit, with its size and content', async (s) => {
    const body = randomBytes(3 * 1024 * 1024 + 17);
    const d = sha(body);
    const ing = await s.ingest('w1');
    await ing.append(Readable.from([body.subarray(0, 1000), body.subarray(1000)]));
    assert.equal(ing.offset, body.length);
    assert.equal(await s.stat(d), undefined, 'not visible before commit');
    const st = await ing.commit(d);
    assert.equal(st.size, body.length);
    assert.deepEqual(await bytes(await s.read(d)), body);
    assert.deepEqual(await collect(s), [d]);
    assert.equal(await s.hasIngest('w1'), false);
  });

  withStore('ranges read inclusive byte spans', async (s) => {
    const body = Buffer.from('0123456789');
    const ing = await s.ingest('r1');
    await ing.append(body);
    await ing.commit(sha(body));
    assert.equal((await bytes(await s.read(sha(body), { start: 2, end: 5 }))).toString(), '2345');
  });

  withStore('a digest mismatch stores nothing and removes the ingest', async (s) => {
    const body = Buffer.from('hello');
    const wrong = sha(Buffer.from('other'));
    const ing = await s.ingest('m1');
    await ing.append(body);
    await assert.rejects(ing.commit(wrong), DigestMismatchError);
    assert.equal(await s.stat(wrong), undefined);
    assert.equal(await s.stat(sha(body)), undefined);
    assert.equal(await s.hasIngest('m1'), false);
    assert.deepEqual(await collect(s), []);
  });

  withStore('a failed or short append rolls back to the last acknowledged offset', async (s) => {
    const ing = await s.ingest('f1');
    await ing.append(Buffer.from('abc'));
    const failing = new Readable({ read() { this.push(Buffer.from('zzzz')); this.destroy(new Error('client went away')); } });
    await assert.rejects(ing.append(failing));
    assert.equal(ing.offset, 3);
    await assert.rejects(ing.append(Buffer.from('de'), { expectLength: 5 }));
    assert.equal(ing.offset, 3);
    await ing.append(Buffer.from('def'));
    assert.equal(ing.digest(), sha(Buffer.from('abcdef')));
    await ing.commit(sha(Buffer.from('abcdef')));
  });

  withStore('an ingest resumes in a new instance (restart) with its bytes and hash', async (s, reopen) => {
    const a = randomBytes(100_000), b = randomBytes(50_000);
    const ing = await s.ingest('resume1');
    await ing.append(a);
    const s2 = reopen();
    assert.equal(await s2.hasIngest('resume1'), true);
    const again = await s2.ingest('resume1');
    assert.equal(again.offset, a.length);
    await again.append(b);
    const all = Buffer.concat([a, b]);
    await again.commit(sha(all));
    assert.deepEqual(await bytes(await s2.read(sha(all))), all);
  });

  withStore('committing the same content twice (concurrent pushes of a layer) keeps one good blob', async (s) => {
    const body = randomBytes(200_000);
    const [x, y] = await Promise.all([s.ingest('c1'), s.ingest('c2')]);
    await Promise.all([x.append(body), y.append(body)]);
    await Promise.all([x.commit(sha(body)), y.commit(sha(body))]);
    assert.deepEqual(await bytes(await s.read(sha(body))), body);
    assert.deepEqual(await collect(s), [sha(body)]);
  });

  withStore('delete removes a blob; stale ingests are listed', async (s) => {
    const body = Buffer.from('bye');
    const ing = await s.ingest('d1');
    await ing.append(body);
    await ing.commit(sha(body));
    assert.equal(await s.delete(sha(body)), true);
    assert.equal(await s.stat(sha(body)), undefined);
    await (await s.ingest('old1')).append(Buffer.from('x'));
    assert.deepEqual(await s.staleIngests(Date.now() + 1000), ['old1']);
    assert.deepEqual(await s.staleIngests(Date.now() - 60_000), []);
  });
}
