/**
 * `wharf image import`: load an image from disk into a repository of the Wharf registry.
 *
 *   wharf image import ./layout-dir   --repository app/web [--tag v1]   OCI image layout (dir)
 *   wharf image import ./image.tar    --repository app/web [--tag v1]   `podman save` / `docker save`
 *                                                                       (docker-archive or oci-archive)
 *
 * It speaks only the public surfaces: the ECR API (CreateRepository, GetAuthorizationToken) and /v2/
 * with the token, exactly like `podman push` would. Blobs stream from disk (a chunked upload, hashed on
 * the way for archives whose layer digests are not known in advance), so memory stays flat for any size;
 * blobs already in the repository are skipped. One progress bar per layer on a terminal; quiet otherwise.
 */
import { createHash } from 'node:crypto';
import { closeSync, createReadStream, existsSync, openSync, readSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { request as requestHttps } from 'node:https';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Command } from 'commander';
import { CreateRepositoryCommand, ECRClient, GetAuthorizationTokenCommand, paginateDescribeImages, paginateDescribeRepositories, type ImageDetail } from '@aws-sdk/client-ecr';
import cliProgress from 'cli-progress';
import * as tar from 'tar';
import { addGlobalOptions, call, CliError, clientConfig, emit, printJson, printTable, resolveConnection, type GlobalOptions } from './client.js';

interface Descriptor { mediaType: string; digest: string; size: number; annotations?: Record<string, string> }

interface ImportOptions extends GlobalOptions { repository: string; tag?: string; sourceTag?: string }

export function registerImageCommands(program: Command): void {
  const image = program.command('image').alias('images').description('list the images in the Wharf registry, and import images into it');
  registerImageList(image);
  addGlobalOptions(image.command('import').argument('<path>', 'OCI layout directory, or a `podman save`/`docker save` tar archive')
    .description('import an image into a registry repository (created if missing)'))
    .requiredOption('-r, --repository <name>', 'target repository, e.g. app/web')
    .option('-t, --tag <tag>', 'tag to push (default: the image\'s own tag, else latest)')
    .option('--source-tag <tag>', 'which image of a layout/archive that holds several (default: the first)')
    .action(async (path: string, opts: ImportOptions) => {
      const result = await importImage(path, opts);
      if (opts.output === 'json') return printJson(result);
      process.stdout.write(`imported ${result.imageUri} (${result.digest}, ${result.blobs} blobs, ${result.uploaded} uploaded)\n`);
    });
}

function registerImageList(image: Command): void {
  addGlobalOptions(image.command('list').alias('ls').description('list the images in the registry (repository, tags, digest, size, pushed)'))
    .option('-r, --repository <name>', 'only this repository')
    .action(async (o: GlobalOptions & { repository?: string }) => {
      const ecr = new ECRClient(clientConfig(o));
      const repos: string[] = [];
      if (o.repository) repos.push(o.repository);
      else for await (const p of paginateDescribeRepositories({ client: ecr }, {})) repos.push(...(p.repositories ?? []).map((r) => r.repositoryName!));
      const images: ImageDetail[] = [];
      for (const r of repos) for await (const p of paginateDescribeImages({ client: ecr }, { repositoryName: r })) images.push(...(p.imageDetails ?? []));
      images.sort((a, b) => (a.repositoryName ?? '').localeCompare(b.repositoryName ?? '') || (b.imagePushedAt?.getTime() ?? 0) - (a.imagePushedAt?.getTime() ?? 0));
      emit(o, { imageDetails: images }, () => printTable(['REPOSITORY', 'TAGS', 'DIGEST', 'SIZE', 'PUSHED'], images.map((i) => [
        i.repositoryName, (i.imageTags ?? []).join(', ') || '<untagged>', i.imageDigest?.slice(0, 19), i.imageSizeInBytes !== undefined ? `${(i.imageSizeInBytes / 2 ** 20).toFixed(1)} MiB` : '',
        i.imagePushedAt?.toISOString()])));
    });
}

export async function importImage(path: string, opts: ImportOptions): Promise<{ imageUri: string; digest: string; blobs: number; uploaded: number }> {
  if (!existsSync(path)) throw new CliError(`${path} does not exist`);
  const conn = resolveConnection(opts);
  const ecr = new ECRClient({ endpoint: conn.endpoint, region: conn.region, credentials: { accessKeyId: conn.accessKeyId, secretAccessKey: conn.secretAccessKey }, maxAttempts: 2 });
  try {
    await ecr.send(new CreateRepositoryCommand({ repositoryName: opts.repository })).catch((e: Error) => {
      if (e.name !== 'RepositoryAlreadyExistsException') throw e;
    });
    const tok = await call('getting a registry token', conn.endpoint, () => ecr.send(new GetAuthorizationTokenCommand({})));
    const auth = 'Basic ' + tok.authorizationData![0].authorizationToken!;
    const reg = new RegistryClient(conn.endpoint, auth, opts.repository);

    let dir = path;
    let tmp: string | undefined;
    if (statSync(path).isFile()) {
      tmp = mkdtempSync(join(tmpdir(), 'wharf-import-'));
      await tar.x({ file: path, cwd: tmp });
      dir = tmp;
    }
    try {
      const bars = new Bars();
      try {
        if (existsSync(join(dir, 'oci-layout')) && existsSync(join(dir, 'index.json'))) return await importLayout(reg, dir, opts, bars);
        if (existsSync(join(dir, 'manifest.json'))) return await importDockerArchive(reg, dir, opts, bars);
      } finally {
        bars.stop();
      }
      throw new CliError(`${path} is neither an OCI image layout (oci-layout + index.json) nor a docker-archive (manifest.json)`);
    } finally {
      if (tmp) rmSync(tmp, { recursive: true, force: true });
    }
  } finally {
    ecr.destroy();
  }
}

const blobPath = (dir: string, digest: string) => join(dir, 'blobs', ...digest.split(':'));

async function importLayout(reg: RegistryClient, dir: string, opts: ImportOptions, bars: Bars) {
  const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as { manifests: Descriptor[] };
  const pick = opts.sourceTag ? index.manifests.find((m) => m.annotations?.['org.opencontainers.image.ref.name'] === opts.sourceTag) : index.manifests[0];
  if (!pick) throw new CliError(`no image${opts.sourceTag ? ` tagged ${opts.sourceTag}` : ''} in ${dir}/index.json`);
  const tag = opts.tag ?? pick.annotations?.['org.opencontainers.image.ref.name'] ?? 'latest';
  let blobs = 0, uploaded = 0;
  const pushManifest = async (desc: Descriptor, ref: string): Promise<void> => {
    const body = readFileSync(blobPath(dir, desc.digest));
    const doc = JSON.parse(body.toString('utf8')) as { mediaType?: string; config?: Descriptor; layers?: Descriptor[]; manifests?: Descriptor[] };
    for (const child of doc.manifests ?? []) {
      if (existsSync(blobPath(dir, child.digest))) await pushManifest(child, child.digest);
    }
    for (const b of [...(doc.config ? [doc.config] : []), ...(doc.layers ?? [])]) {
      blobs++;
      if (await reg.hasBlob(b.digest)) continue;
      await reg.uploadFile(blobPath(dir, b.digest), { digest: b.digest, label: b.digest.slice(7, 19), bars });
      uploaded++;
    }
    await reg.putManifest(ref, body, doc.mediaType ?? desc.mediaType);
  };
  await pushManifest(pick, tag);
  const digest = 'sha256:' + createHash('sha256').update(readFileSync(blobPath(dir, pick.digest))).digest('hex');
  return { imageUri: `${reg.host}/${reg.repo}:${tag}`, digest, blobs, uploaded };
}

async function importDockerArchive(reg: RegistryClient, dir: string, opts: ImportOptions, bars: Bars) {
  const entries = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { Config: string; RepoTags?: string[]; Layers: string[] }[];
  const entry = opts.sourceTag ? entries.find((e) => e.RepoTags?.some((t) => t.endsWith(':' + opts.sourceTag))) : entries[0];
  if (!entry) throw new CliError(`no image${opts.sourceTag ? ` tagged ${opts.sourceTag}` : ''} in ${dir}/manifest.json`);
  const own = entry.RepoTags?.[0];
  const tag = opts.tag ?? (own && own.lastIndexOf(':') > own.lastIndexOf('/') ? own.slice(own.lastIndexOf(':') + 1) : 'latest');
  let uploaded = 0;
  const push = async (file: string, label: string): Promise<{ digest: string; size: number; gzip: boolean }> => {
    const p = join(dir, file);
    const head = Buffer.alloc(2);
    const fd = openSync(p, 'r');
    try { readSync(fd, head, 0, 2, 0); } finally { closeSync(fd); }
    const r = await reg.uploadFile(p, { label, bars });
    if (r.uploaded) uploaded++;
    return { digest: r.digest, size: r.size, gzip: head[0] === 0x1f && head[1] === 0x8b };
  };
  const config = await push(entry.Config, 'config');
  const layers = [];
  for (const [i, l] of entry.Layers.entries()) layers.push(await push(l, `layer ${i + 1}/${entry.Layers.length} ${basename(l).slice(0, 12)}`));
  // Docker's config JSON is an OCI image config; uncompressed layers are valid OCI layers.
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: config.digest, size: config.size },
    layers: layers.map((l) => ({ mediaType: l.gzip ? 'application/vnd.oci.image.layer.v1.tar+gzip' : 'application/vnd.oci.image.layer.v1.tar', digest: l.digest, size: l.size })),
  }));
  await reg.putManifest(tag, manifest, 'application/vnd.oci.image.manifest.v1+json');
  const digest = 'sha256:' + createHash('sha256').update(manifest).digest('hex');
  return { imageUri: `${reg.host}/${reg.repo}:${tag}`, digest, blobs: layers.length + 1, uploaded };
}

/** Progress bars on a terminal, nothing otherwise. */
class Bars {
  private multi?: cliProgress.MultiBar;
  constructor() {
    if (process.stderr.isTTY) {
      this.multi = new cliProgress.MultiBar({
        stream: process.stderr, clearOnComplete: false, hideCursor: true,
        format: ' {label} [{bar}] {percentage}% | {mib}/{totalMib} MiB',
      }, cliProgress.Presets.shades_classic);
    }
  }
  bar(label: string, total: number): (n: number) => void {
    if (!this.multi) return () => undefined;
    const mib = (n: number) => (n / 1048576).toFixed(1);
    const b = this.multi.create(total, 0, { label: label.padEnd(24), mib: mib(0), totalMib: mib(total) });
    return (n) => b.update(n, { mib: mib(n) });
  }
  stop(): void { this.multi?.stop(); }
}

/** Just enough of the distribution API to push: HEAD blob, chunked upload of a file, PUT manifest. */
class RegistryClient {
  readonly host: string;
  private readonly agent = new Agent({ keepAlive: true });
  constructor(private readonly endpoint: string, private readonly auth: string, readonly repo: string) {
    this.host = new URL(endpoint).host;
  }

  private req(method: string, path: string, opts: { headers?: Record<string, string | number>; body?: Buffer | NodeJS.ReadableStream } = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
    const u = new URL(path, this.endpoint);
    const fn = u.protocol === 'https:' ? requestHttps : request;
    return new Promise((resolve, reject) => {
      const r = fn(u, { method, agent: u.protocol === 'https:' ? undefined : this.agent, headers: { Authorization: this.auth, ...opts.headers } }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => { body += c; });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      });
      r.on('error', reject);
      if (opts.body === undefined) r.end();
      else if (Buffer.isBuffer(opts.body)) r.end(opts.body);
      else pipeline(opts.body, r).catch(reject);
    });
  }

  async hasBlob(digest: string): Promise<boolean> {
    return (await this.req('HEAD', `/v2/${this.repo}/blobs/${digest}`)).status === 200;
  }

  /** Streams a file as one PATCH, hashing it on the way, then closes with its digest. */
  async uploadFile(file: string, opts: { digest?: string; label: string; bars: Bars }): Promise<{ digest: string; size: number; uploaded: boolean }> {
    const size = statSync(file).size;
    if (!opts.digest) {
      // Archives do not name layers by digest: hash first, so a layer the repository has is not sent again.
      const h = createHash('sha256');
      await pipeline(createReadStream(file, { highWaterMark: 1 << 20 }), new Transform({ transform(c: Buffer, _e, cb) { h.update(c); cb(); } }));
      opts.digest = 'sha256:' + h.digest('hex');
      if (await this.hasBlob(opts.digest)) return { digest: opts.digest, size, uploaded: false };
    }
    const start = await this.req('POST', `/v2/${this.repo}/blobs/uploads/`);
    if (start.status !== 202) throw new CliError(`starting an upload to ${this.repo}: HTTP ${start.status} ${start.body}`);
    const loc = String(start.headers.location);
    const tick = opts.bars.bar(opts.label, size);
    let sent = 0;
    const counter = new Transform({ transform(c: Buffer, _e, cb) { sent += c.length; tick(sent); cb(null, c); } });
    const patch = this.req('PATCH', loc, { headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': size, ...(size > 0 ? { 'Content-Range': `0-${size - 1}` } : {}) }, body: createReadStream(file, { highWaterMark: 1 << 20 }).pipe(counter) });
    const p = await patch;
    if (p.status !== 202) throw new CliError(`uploading ${file}: HTTP ${p.status} ${p.body}`);
    const next = String(p.headers.location ?? loc);
    const put = await this.req('PUT', `${next}${next.includes('?') ? '&' : '?'}digest=${opts.digest}`);
    if (put.status !== 201) throw new CliError(`finishing the upload of ${file}: HTTP ${put.status} ${put.body}`);
    return { digest: opts.digest, size, uploaded: true };
  }

  async putManifest(ref: string, body: Buffer, mediaType: string): Promise<void> {
    const r = await this.req('PUT', `/v2/${this.repo}/manifests/${ref}`, { headers: { 'Content-Type': mediaType, 'Content-Length': body.length }, body });
    if (r.status !== 201) throw new CliError(`pushing the manifest ${ref}: HTTP ${r.status} ${r.body}`);
  }
}
