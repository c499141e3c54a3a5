/**
 * Filesystem adapter of the blob-storage port, under <dataDir>/registry:
 *
 *   blobs/sha256/<first two hex>/<hex>     committed blobs (immutable, content-addressed)
 *   ingest/<id>/data                       partial writes; renamed into blobs/ on commit
 *
 * Why rename and not write in place: a reader (or a crash) must never see half a blob. The temp file and
 * its destination share one filesystem, so rename(2) is atomic; the file is fsynced before the rename and
 * the destination directory after it, so a committed blob survives power loss.
 *
 * Why hash while writing instead of after: hashing afterwards reads every byte back, which doubles the
 * I/O of a push; hashing on the way costs one SHA-256 pass (~1.8 GB/s per core here, above disk speed).
 * The hash state lives in memory; after a restart it is rebuilt by reading the ingest file once.
 */
import { createHash, type Hash } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import { mkdir, open, readFile, readdir, rename, rm, stat, utimes, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DigestMismatchError, ShortWriteError, isDigest, type BlobStat, type BlobStore, type ByteRange, type Ingest } from './blob-store.js';

const INGEST_ID = /^[A-Za-z0-9_-]{1,128}$/;
/** Read chunk size for re-hashing a resumed ingest: 1 MiB keeps syscalls per GiB near a thousand. */
const CHUNK = 1 << 20;
/**
 * How much of an incoming body may wait in memory while the previous batch is being written. Tried and
 * dropped: a background fdatasync every 32 MiB to overlap write-back with receiving. The closing fsync of
 * a 1 GiB push takes ~0.4 s here (the kernel flusher already writes back during the push), and the early
 * syncs moved that work into our thread pool: more sys time on 1 GiB, no clear gain on 100 MiB.
 */
const WRITE_BUFFER = 4 << 20;
/** Pull: read size and buffers per response (reused, so a GiB costs no allocation or GC churn). */
export const SEND_CHUNK = 4 << 20;
const SEND_BUFFERS = 3;

export class IngestBusyError extends Error {
  constructor(id: string) {
    super(`ingest ${id} is being written by another request`);
    this.name = 'IngestBusyError';
  }
}

export class FsBlobStore implements BlobStore {
  private readonly open = new Map<string, FsIngest>();

  constructor(readonly root: string) {}

  blobPath(digest: string): string {
    const hex = digest.slice('sha256:'.length);
    return join(this.root, 'blobs', 'sha256', hex.slice(0, 2), hex);
  }

  private ingestDir(id: string): string {
    if (!INGEST_ID.test(id)) throw new Error(`invalid ingest id ${JSON.stringify(id)}`);
    return join(this.root, 'ingest', id);
  }

  async stat(digest: string): Promise<BlobStat | undefined> {
    if (!isDigest(digest)) return undefined;
    try {
      const s = await stat(this.blobPath(digest));
      return { digest, size: s.size, modifiedMs: s.mtimeMs };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
  }

  async read(digest: string, range?: ByteRange): Promise<Readable | undefined> {
    if (!isDigest(digest)) return undefined;
    let fh;
    try {
      fh = await open(this.blobPath(digest), 'r');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
    // Opened before streaming, so a concurrent GC delete cannot cut a response short (the inode lives on).
    return fh.createReadStream({ start: range?.start, end: range?.end, highWaterMark: CHUNK, autoClose: true });
  }

  /**
   * Opens a blob for sendRange (the pull path). Opened before streaming, so a concurrent GC delete cannot
   * cut a response short (the inode lives on). The caller closes the handle.
   */
  async openBlob(digest: string): Promise<FileHandle | undefined> {
    if (!isDigest(digest)) return undefined;
    try {
      return await open(this.blobPath(digest), 'r');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
  }

  async hasIngest(id: string): Promise<boolean> {
    if (this.open.has(id)) return true;
    try {
      await stat(join(this.ingestDir(id), 'data'));
      return true;
    } catch {
      return false;
    }
  }

  async ingest(id: string): Promise<Ingest> {
    const cached = this.open.get(id);
    if (cached) return cached;
    const dir = this.ingestDir(id);
    const data = join(dir, 'data');
    await mkdir(dir, { recursive: true });
    const fh = await open(data, 'a+');
    let size: number;
    const hash = createHash('sha256');
    try {
      // Bytes past the last acknowledged offset belong to an append that never finished (the process died
      // mid-chunk): they were never acknowledged, so they are cut off.
      size = await readOffset(dir);
      if ((await fh.stat()).size !== size) await fh.truncate(size);
      // Resumed after a restart: rebuild the hash from what is on disk.
      if (size > 0) await pipeline(fh.createReadStream({ start: 0, highWaterMark: CHUNK, autoClose: false }), new Transform({ transform(c: Buffer, _e, cb) { hash.update(c); cb(); } }));
    } finally {
      await fh.close();
    }
    const again = this.open.get(id);
    if (again) return again;
    const ing = new FsIngest(this, id, dir, data, size, hash, () => this.open.delete(id));
    this.open.set(id, ing);
    return ing;
  }

  /** Moves a finished ingest file into place. Same content may already be there (concurrent pushes of one layer): then keep either. */
  async place(data: string, digest: string): Promise<BlobStat> {
    const dest = this.blobPath(digest);
    const parent = join(dest, '..');
    await mkdir(parent, { recursive: true });
    await rename(data, dest);
    await fsyncDir(parent);
    const s = await stat(dest);
    return { digest, size: s.size, modifiedMs: s.mtimeMs };
  }

  async touch(digest: string): Promise<void> {
    if (!isDigest(digest)) return;
    const now = new Date();
    try {
      await utimes(this.blobPath(digest), now, now);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }

  async delete(digest: string): Promise<boolean> {
    if (!isDigest(digest)) return false;
    try {
      await rm(this.blobPath(digest));
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw e;
    }
  }

  async *list(): AsyncIterable<BlobStat> {
    const base = join(this.root, 'blobs', 'sha256');
    let dirs: string[];
    try { dirs = (await readdir(base)).sort(); } catch { return; }
    for (const d of dirs) {
      let files: string[];
      try { files = (await readdir(join(base, d))).sort(); } catch { continue; }
      for (const f of files) {
        const digest = 'sha256:' + f;
        if (!isDigest(digest)) continue;
        const s = await this.stat(digest);
        if (s) yield s;
      }
    }
  }

  async staleIngests(beforeMs: number): Promise<string[]> {
    const base = join(this.root, 'ingest');
    let ids: string[];
    try { ids = await readdir(base); } catch { return []; }
    const out: string[] = [];
    for (const id of ids) {
      if (this.open.get(id)?.busy) continue;
      try {
        const s = await stat(join(base, id, 'data'));
        if (s.mtimeMs < beforeMs) out.push(id);
      } catch {
        out.push(id); // a directory without data: a crash between mkdir and open
      }
    }
    return out;
  }

  async removeIngest(id: string): Promise<void> {
    this.open.delete(id);
    await rm(this.ingestDir(id), { recursive: true, force: true });
  }
}

class FsIngest implements Ingest {
  busy = false;

  constructor(
    private readonly store: FsBlobStore,
    readonly id: string,
    private readonly dir: string,
    private readonly data: string,
    private size: number,
    private hash: Hash,
    private readonly forget: () => void,
  ) {}

  get offset(): number {
    return this.size;
  }

  digest(): string {
    return 'sha256:' + this.hash.copy().digest('hex');
  }

  async append(source: Readable | Buffer, options: { expectLength?: number } = {}): Promise<number> {
    if (this.busy) throw new IngestBusyError(this.id);
    this.busy = true;
    const before = this.size;
    const saved = this.hash.copy();
    const fh = await open(this.data, 'r+');
    let n = 0;
    try {
      if (Buffer.isBuffer(source)) {
        this.hash.update(source);
        n = source.length;
        if (n > 0) await fh.write(source, 0, n, before);
      } else {
        // One stage: hash and write each batch of chunks with one positioned writev (no Transform hop).
        // The Writable buffers up to WRITE_BUFFER while a writev is in flight, so the socket keeps
        // flowing; batches grow by themselves to cover the write latency.
        const hash = this.hash;
        let pos = before;
        const put = async (bufs: Buffer[]) => {
          for (const b of bufs) { hash.update(b); n += b.length; }
          let pending = bufs;
          while (pending.length > 0) {
            const { bytesWritten } = await fh.writev(pending, pos);
            pos += bytesWritten;
            pending = dropBytes(pending, bytesWritten);
          }
        };
        await pipeline(source, new Writable({
          highWaterMark: WRITE_BUFFER,
          write(c: Buffer, _e, cb) { put([c]).then(() => cb(), cb); },
          writev(cs, cb) { put(cs.map((x) => x.chunk as Buffer)).then(() => cb(), cb); },
        }));
      }
      if (options.expectLength !== undefined && n !== options.expectLength) throw new ShortWriteError(options.expectLength, n);
      await fh.sync();
      await writeOffset(this.dir, before + n);
      this.size = before + n;
      return this.size;
    } catch (e) {
      // Roll back to the last acknowledged state: the bytes of a failed append never count.
      await fh.truncate(before).catch(() => undefined);
      this.hash = saved;
      throw e;
    } finally {
      await fh.close();
      this.busy = false;
    }
  }

  async commit(expected: string): Promise<BlobStat> {
    if (this.busy) throw new IngestBusyError(this.id);
    this.busy = true;
    try {
      const actual = this.digest();
      if (actual !== expected) {
        await this.abort();
        throw new DigestMismatchError(expected, actual);
      }
      const s = await this.store.place(this.data, actual);
      await rm(this.dir, { recursive: true, force: true });
      this.forget();
      return s;
    } finally {
      this.busy = false;
    }
  }

  async abort(): Promise<void> {
    this.forget();
    await rm(this.dir, { recursive: true, force: true });
  }
}

/** What is left of `bufs` after the first `n` bytes were written. */
function dropBytes(bufs: Buffer[], n: number): Buffer[] {
  const out: Buffer[] = [];
  for (const b of bufs) {
    if (n >= b.length) { n -= b.length; continue; }
    out.push(n > 0 ? b.subarray(n) : b);
    n = 0;
  }
  return out;
}

/**
 * The acknowledged length of an ingest, kept beside its data: the data file may hold more (an append in
 * flight when the process died, written to the page cache but never acknowledged).
 */
async function readOffset(dir: string): Promise<number> {
  try {
    const n = Number((await readFile(join(dir, 'offset'), 'utf8')).trim());
    return Number.isSafeInteger(n) && n >= 0 ? n : 0;
  } catch {
    return 0;
  }
}

async function writeOffset(dir: string, offset: number): Promise<void> {
  // Fixed width, written in place (no truncate): a crash mid-write cannot leave an empty file.
  const fh = await open(join(dir, 'offset'), fsConstants.O_RDWR | fsConstants.O_CREAT, 0o644);
  try {
    await fh.write(String(offset).padStart(16, '0'), 0);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try { await fh.sync(); } finally { await fh.close(); }
}

/**
 * Writes bytes [start, end] (inclusive) of `fh` to `out` (an HTTP response whose headers are set).
 *
 * Why not `pipeline(fh.createReadStream(), res)`: that allocates a fresh buffer for every chunk (a GiB
 * pull = a GiB of short-lived allocations, page faults and GC) and measured ~1.5× the CPU per byte of
 * this loop on the 2-core box, where the client competes for the same cores. Here SEND_BUFFERS buffers
 * of SEND_CHUNK are reused: one read from the page cache runs in the thread pool while earlier buffers
 * are being written to the socket; a buffer returns to the pool when its write completes, so memory
 * per response is bounded (≤ 12 MiB) whatever the blob size. Rejects with ERR_STREAM_PREMATURE_CLOSE
 * when the client goes away.
 */
export function sendRange(fh: FileHandle, start: number, end: number, out: import('node:http').ServerResponse): Promise<void> {
  const total = end - start + 1;
  const chunk = Math.max(1, Math.min(SEND_CHUNK, total));
  const free: Buffer[] = [];
  let made = 0;
  let pos = start, writing = 0, reading: Promise<unknown> | undefined, settled = false;
  return new Promise<void>((resolve, reject) => {
    const fail = (e: unknown) => {
      if (settled) return;
      settled = true;
      out.off('close', onClose);
      // A read in flight still owns its buffer and the handle: let it land before the caller closes fh.
      void Promise.resolve(reading).catch(() => undefined).then(() => reject(e));
    };
    const onClose = () => { if (!out.writableFinished) fail(Object.assign(new Error('client closed the connection'), { code: 'ERR_STREAM_PREMATURE_CLOSE' })); };
    out.on('close', onClose);
    const pump = () => {
      if (settled || reading) return;
      if (pos > end) {
        if (writing > 0) return;
        settled = true;
        out.off('close', onClose);
        out.end(() => resolve());
        return;
      }
      let buf = free.pop();
      if (!buf) {
        if (made >= SEND_BUFFERS) return; // every buffer is queued on the socket: wait for one
        buf = Buffer.allocUnsafeSlow(chunk);
        made++;
      }
      const b = buf;
      const p = fh.read(b, 0, Math.min(chunk, end - pos + 1), pos);
      reading = p;
      p.then(({ bytesRead }) => {
        reading = undefined;
        if (settled) return;
        if (bytesRead === 0) return fail(new Error(`blob is shorter than expected at offset ${pos}`));
        pos += bytesRead;
        writing++;
        out.write(bytesRead === b.length ? b : b.subarray(0, bytesRead), (err) => {
          writing--;
          if (err) return fail(err);
          free.push(b);
          pump();
        });
        pump();
      }, (e: unknown) => { reading = undefined; fail(e); });
    };
    pump();
  });
}

export { Readable };
