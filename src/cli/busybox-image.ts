/**
 * Tiny test images built offline from Debian's busybox-static (`/bin/busybox`, one static binary).
 *
 * Nothing can be pulled from the internet on these machines, so tests make their own images: one gzip
 * layer holding busybox plus a symlink per applet (`sh`, `httpd`, `nc`, `sleep`, …), a minimal /etc, and an
 * OCI image config; written as an OCI image layout (index.json, oci-layout, blobs/sha256/…).
 *
 * Reproducible: every tar entry has mtime 0, uid/gid 0, sorted order; gzip from node:zlib writes a fixed
 * header (mtime 0), and the config carries a fixed `created`. The same busybox binary and options give the
 * same manifest digest, so a registry test can assert on digests.
 *
 * Why gzip and not a plain tar layer: skopeo 1.9 recompresses uncompressed OCI layers when copying to
 * `docker://`, which changes the layer digest (reference/floors.md "What did not work").
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import tarStream from 'tar-stream';

const run = promisify(execFile);

export const BUSYBOX_PATH = '/bin/busybox';
const FIXED_DATE = new Date(0);
const CREATED = '1970-01-01T00:00:00Z';

export interface ImageOptions {
  /** Image CMD. Default `["sh"]`. */
  cmd?: string[];
  /** Image ENTRYPOINT. Default none. */
  entrypoint?: string[];
  /** `NAME=value` pairs. Default `["PATH=/usr/sbin:/usr/bin:/sbin:/bin"]`. */
  env?: string[];
  workingDir?: string;
  /** Docker-style HEALTHCHECK: `["CMD-SHELL", "…"]`; durations in seconds. */
  healthcheck?: { test: string[]; intervalSeconds?: number; timeoutSeconds?: number; retries?: number; startPeriodSeconds?: number };
  /** Extra files in the layer, path (no leading slash) → content. */
  files?: Record<string, string>;
  /** index.json ref name, used as `oci:DIR:TAG`. Default `latest`. */
  tag?: string;
}

export interface BuiltImage {
  layoutDir: string;
  /** `oci:DIR:TAG`, the skopeo source for this image. */
  ociRef: string;
  manifestDigest: string;
  configDigest: string;
  layerDigest: string;
}

interface TarEntry { name: string; type: 'file' | 'directory' | 'symlink'; mode: number; body?: Buffer; linkname?: string }

async function busyboxApplets(): Promise<string[]> {
  const { stdout } = await run(BUSYBOX_PATH, ['--list']);
  return stdout.split('\n').map((s) => s.trim()).filter((s) => s && s !== 'busybox').sort();
}

async function layerEntries(files: Record<string, string>): Promise<TarEntry[]> {
  const busybox = await readFile(BUSYBOX_PATH);
  const dir = (name: string, mode = 0o755): TarEntry => ({ name: name + '/', type: 'directory', mode });
  const file = (name: string, body: string | Buffer, mode = 0o644): TarEntry => ({ name, type: 'file', mode, body: Buffer.from(body) });
  const entries: TarEntry[] = [
    dir('bin'), dir('dev'), dir('etc'), dir('home'), dir('proc'), dir('root', 0o700), dir('sys'),
    dir('tmp', 0o1777), dir('usr'), dir('usr/bin'), dir('usr/sbin'), dir('sbin'), dir('var'), dir('var/www'),
    file('bin/busybox', busybox, 0o755),
    file('etc/passwd', 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n'),
    file('etc/group', 'root:x:0:\nnogroup:x:65534:\n'),
    file('var/www/index.html', 'wharf-test\n'),
  ];
  // Every applet lives in /bin, which is on every PATH a test sets; sorted, so the tar is reproducible.
  for (const applet of await busyboxApplets()) {
    entries.push({ name: `bin/${applet}`, type: 'symlink', mode: 0o777, linkname: 'busybox' });
  }
  for (const [path, content] of Object.entries(files).sort(([a], [b]) => a.localeCompare(b))) {
    const parts = path.split('/').slice(0, -1);
    for (let i = 1; i <= parts.length; i++) {
      const d = parts.slice(0, i).join('/') + '/';
      if (!entries.some((e) => e.name === d)) entries.push(dir(d.slice(0, -1)));
    }
    entries.push(file(path, content, 0o755));
  }
  return entries;
}

async function tarOf(entries: TarEntry[]): Promise<Buffer> {
  const pack = tarStream.pack();
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    pack.on('data', (c: unknown) => chunks.push(c as Buffer));
    pack.on('end', () => resolve(Buffer.concat(chunks)));
    pack.on('error', reject);
  });
  for (const e of entries) {
    const header = { name: e.name, type: e.type, mode: e.mode, mtime: FIXED_DATE, uid: 0, gid: 0, uname: '', gname: '' };
    await new Promise<void>((resolve, reject) => {
      const cb = (err?: Error | null) => (err ? reject(err) : resolve());
      if (e.type === 'file') pack.entry({ ...header, size: e.body!.length }, e.body!, cb);
      else if (e.type === 'symlink') pack.entry({ ...header, linkname: e.linkname! }, cb);
      else pack.entry(header, cb);
    });
  }
  pack.finalize();
  return done;
}

const sha256 = (b: Buffer | string) => 'sha256:' + createHash('sha256').update(b).digest('hex');
const ociArch = (): string => ({ x64: 'amd64', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x' } as Record<string, string>)[process.arch] ?? process.arch;

/** Build a busybox OCI image layout in `dir` (which is replaced). */
export async function buildBusyboxImage(dir: string, opts: ImageOptions = {}): Promise<BuiltImage> {
  const tag = opts.tag ?? 'latest';
  await rm(dir, { recursive: true, force: true });
  const blobs = join(dir, 'blobs', 'sha256');
  await mkdir(blobs, { recursive: true });
  const put = async (b: Buffer | string) => {
    const d = sha256(b);
    await writeFile(join(blobs, d.slice('sha256:'.length)), b);
    return { digest: d, size: Buffer.byteLength(b) };
  };

  const tar = await tarOf(await layerEntries(opts.files ?? {}));
  const layer = await put(gzipSync(tar, { level: 6 }));
  const ns = (s: number | undefined) => (s === undefined ? undefined : s * 1e9);
  const hc = opts.healthcheck;
  const config = JSON.stringify({
    created: CREATED,
    architecture: ociArch(),
    os: 'linux',
    config: {
      Env: opts.env ?? ['PATH=/usr/sbin:/usr/bin:/sbin:/bin'],
      Cmd: opts.cmd ?? ['sh'],
      ...(opts.entrypoint ? { Entrypoint: opts.entrypoint } : {}),
      ...(opts.workingDir ? { WorkingDir: opts.workingDir } : {}),
      ...(hc ? { Healthcheck: { Test: hc.test, Interval: ns(hc.intervalSeconds), Timeout: ns(hc.timeoutSeconds), Retries: hc.retries, StartPeriod: ns(hc.startPeriodSeconds) } } : {}),
    },
    rootfs: { type: 'layers', diff_ids: [sha256(tar)] },
    history: [{ created: CREATED, created_by: 'wharf test/support/images.ts (busybox-static)' }],
  });
  const cfg = await put(config);
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: cfg.digest, size: cfg.size },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: layer.digest, size: layer.size }],
  });
  const man = await put(manifest);
  await writeFile(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  await writeFile(join(dir, 'index.json'), JSON.stringify({
    schemaVersion: 2,
    manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: man.digest, size: man.size, annotations: { 'org.opencontainers.image.ref.name': tag } }],
  }));
  return { layoutDir: dir, ociRef: `oci:${dir}:${tag}`, manifestDigest: man.digest, configDigest: cfg.digest, layerDigest: layer.digest };
}

async function skopeo(args: string[]): Promise<void> {
  try {
    await run('skopeo', args, { maxBuffer: 16 << 20 });
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(`skopeo ${args.join(' ')} failed: ${(err.stderr || err.message).trim()}`);
  }
}

/**
 * Copy an image layout into local containers-storage so Podman can run it without a registry.
 * `name` is `repo:tag`; a name without a registry host lands as `localhost/repo:tag`, so pass that
 * full form to the runtime. Returns the name the runtime knows it by.
 */
export async function loadIntoRuntime(layoutDir: string, name: string, opts: { tag?: string } = {}): Promise<string> {
  const full = name.includes('/') && name.split('/')[0].match(/[.:]|^localhost$/) ? name : `localhost/${name}`;
  await skopeo(['copy', '-q', `oci:${layoutDir}:${opts.tag ?? 'latest'}`, `containers-storage:${full}`]);
  return full;
}

/** Push an image layout to a registry over plain HTTP: `dest` is `HOST:PORT/name:tag`. */
export async function pushToRegistry(
  layoutDir: string,
  dest: string,
  opts: { creds?: { username: string; password: string }; tag?: string } = {},
): Promise<void> {
  const args = ['copy', '-q', '--dest-tls-verify=false'];
  if (opts.creds) args.push('--dest-creds', `${opts.creds.username}:${opts.creds.password}`);
  args.push(`oci:${layoutDir}:${opts.tag ?? 'latest'}`, `docker://${dest}`);
  await skopeo(args);
}
