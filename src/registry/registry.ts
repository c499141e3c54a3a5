/**
 * The registry as one object shared by the /v2/ plugin and the ECR API handlers: metadata in the Store,
 * bytes in the blob store, credentials, and the two background loops.
 *
 *   lifecycle   every LIFECYCLE_INTERVAL_MS, and right after PutLifecyclePolicy: expire images by policy
 *   gc          every GC_INTERVAL_MS: mark blobs referenced by any image, sweep the rest after a grace
 *
 * GC, mark and sweep. Naive version: delete every blob no manifest references. That races with pushes —
 * a client uploads layers first and the manifest last, so a fresh layer is unreferenced for a while.
 * So a blob is swept only when it is unreferenced AND untouched for GC_GRACE_MS; uploads, mounts, HEADs
 * and manifest PUTs touch the blobs they involve (manifest PUT touches before it commits), so anything
 * a push in flight depends on is younger than the grace period. Repository links follow the same rule.
 */
import { join } from 'node:path';
import type { Store } from '../store/store.js';
import type { AccessKeys } from '../iam/access-keys.js';
import { FsBlobStore } from './fs-blob-store.js';
import { RegistryAuth } from './auth.js';
import { RegistryError } from './errors.js';
import { checkRepoName, deleteImage, ecrKeys, getRepo, listImages, newRepository, type ImageRecord, type RepositoryRecord } from './metadata.js';
import { evaluateLifecycle, parseLifecyclePolicy, type Expiry } from './lifecycle.js';
import { createOnly } from '../store/store.js';
import { regionKeys, storeForRegion } from '../store/region-store.js';

/** How often lifecycle policies run. ECR promises "within 24 hours"; a minute keeps tests and users honest. */
export const LIFECYCLE_INTERVAL_MS = 60_000;
/** GC every 10 minutes: sweeping is a directory walk plus one store range, cheap at this cadence. */
export const GC_INTERVAL_MS = 10 * 60_000;
/** Unreferenced blobs younger than this survive: longer than any sane gap between a layer upload and its manifest. */
export const GC_GRACE_MS = 60 * 60_000;
/** Upload sessions untouched this long are abandoned (distribution's purge default is a week; a day is plenty). */
export const UPLOAD_TTL_MS = 24 * 60 * 60_000;

export interface RegistryDeps {
  readonly api: { readonly store: Store; readonly region: string; readonly accountId: string; readonly publicEndpoint: string; readonly clock: () => Date };
  readonly keys: AccessKeys;
  readonly config: { readonly dataDir: string };
  /**
   * IAM for /v2/: may this access key perform `action` (ecr:BatchGetImage, ecr:PutImage, …) on
   * `resource` (the repository's ARN)? undefined when allowed, else the denial message. Absent: allowed.
   */
  readonly authorize?: (accessKeyId: string, action: string, resource: string, now: Date, region: string) => Promise<string | undefined>;
}

export interface GcReport { blobsDeleted: number; bytesFreed: number; linksDeleted: number; uploadsDeleted: number; blobsKept: number }

/**
 * Regions. Repositories, images, links and upload sessions are per region (each region's Registry
 * works on that region's view of the store, src/store/region-store.ts); blobs are content-addressed and
 * shared by every region, so GC marks what any region references. /v2/ serves the region a client's
 * ECR token was issued in (GetAuthorizationToken in eu-west-1 → eu-west-1's repositories); an access
 * key pair used directly, as with `skopeo --creds`, means the default region.
 */
export class Registry {
  readonly blobs: FsBlobStore;
  readonly auth: RegistryAuth;
  readonly store: Store;
  readonly region: string;
  private timers: NodeJS.Timeout[] = [];
  private lifecycleRunning = new Map<string, Promise<Expiry[]>>();
  private readonly regions = new Map<string, Registry>();
  private readonly root: Registry;

  constructor(private readonly deps: RegistryDeps, parent?: { root: Registry; region: string }) {
    this.root = parent?.root ?? this;
    this.region = parent?.region ?? deps.api.region;
    this.store = storeForRegion(deps.api.store, this.region, deps.api.region);
    this.blobs = parent ? parent.root.blobs : new FsBlobStore(join(deps.config.dataDir, 'registry'));
    this.auth = parent ? parent.root.auth : new RegistryAuth(deps.api.store, deps.keys);
  }

  /** The same registry seen from `region` (shared blobs and credentials, that region's repositories). */
  forRegion(region: string | undefined): Registry {
    if (region === undefined || region === this.root.region) return this.root;
    const all = this.root.regions;
    let r = all.get(region);
    if (!r) { r = new Registry(this.deps, { root: this.root, region }); all.set(region, r); }
    return r;
  }

  /** Every region that has been used (its record is written on its first API call), default first. */
  async allRegions(): Promise<Registry[]> {
    const { kvs } = await this.deps.api.store.range(regionKeys.regions());
    return [this.root, ...kvs.map((kv) => this.forRegion(kv.key.slice(regionKeys.regions().length)))].filter((r, i, a) => a.indexOf(r) === i);
  }

  clock(): Date { return this.deps.api.clock(); }
  get accountId(): string { return this.deps.api.accountId; }

  /** The registry host as clients name it (HOST:PORT), from the public endpoint. */
  host(): string {
    return new URL(this.deps.api.publicEndpoint || 'http://127.0.0.1').host;
  }
  realm(): string { return `${this.deps.api.publicEndpoint || ''}/v2/`; }

  /** IAM for /v2/ (RegistryDeps.authorize): throws DENIED with ECR's message when the key may not. */
  async authorizeRequest(accessKeyId: string, action: string, repo: string, now: Date): Promise<void> {
    if (!this.deps.authorize) return;
    const resource = `arn:aws:ecr:${this.region}:${this.accountId}:repository/${repo}`;
    const denied = await this.deps.authorize(accessKeyId, action, resource, now, this.region);
    if (denied) throw new RegistryError('DENIED', denied);
  }

  async repoExists(name: string): Promise<boolean> {
    return (await this.store.get(ecrKeys.repo(name))) !== undefined;
  }

  async requireRepo(name: string): Promise<RepositoryRecord> {
    const r = await getRepo(this.store, name);
    if (!r) throw new RegistryError('NAME_UNKNOWN', `The repository with name '${name}' does not exist in the registry with id '${this.accountId}'`, { name });
    return r;
  }

  /**
   * Pushing to a repository that does not exist creates it (ECR's "create on push" repository creation
   * template, applied to every name), so `skopeo copy`/`podman push` work without a CreateRepository step.
   */
  async ensureRepo(name: string, now: Date): Promise<void> {
    checkRepoName(name);
    if (await this.repoExists(name)) return;
    await this.store.txn(createOnly(ecrKeys.repo(name), JSON.stringify(newRepository(name, { region: this.region, accountId: this.accountId, now }))));
  }

  start(): void {
    const every = (ms: number, fn: () => Promise<unknown>) => {
      const t = setInterval(() => { fn().catch(() => undefined); }, ms);
      t.unref();
      this.timers.push(t);
    };
    every(LIFECYCLE_INTERVAL_MS, () => this.runAllLifecycles());
    every(GC_INTERVAL_MS, () => this.gc());
  }

  stop(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
  }

  async runAllLifecycles(): Promise<void> {
    for (const r of await this.allRegions()) await r.runRegionLifecycles();
  }

  private async runRegionLifecycles(): Promise<void> {
    const { kvs } = await this.store.range(ecrKeys.repos());
    for (const kv of kvs) {
      const r = JSON.parse(kv.value) as RepositoryRecord;
      if (r.lifecyclePolicyText) await this.runLifecycle(r.repositoryName);
    }
  }

  /** What the policy would expire now (no changes). */
  async previewLifecycle(name: string, policyText?: string): Promise<{ expiries: Expiry[]; images: ImageRecord[] }> {
    const repo = await this.requireRepo(name);
    const text = policyText ?? repo.lifecyclePolicyText;
    if (!text) return { expiries: [], images: [] };
    const images = await listImages(this.store, name);
    return { expiries: evaluateLifecycle(parseLifecyclePolicy(text), images, this.clock()), images };
  }

  /** Applies the repository's lifecycle policy now. One run per repository at a time. */
  runLifecycle(name: string): Promise<Expiry[]> {
    const running = this.lifecycleRunning.get(name);
    if (running) return running;
    const p = (async () => {
      const { expiries } = await this.previewLifecycle(name);
      for (const e of expiries) await deleteImage(this.store, name, { digest: e.digest });
      await this.store.txn({ success: [] }).catch(() => undefined);
      return expiries;
    })().finally(() => this.lifecycleRunning.delete(name));
    this.lifecycleRunning.set(name, p);
    return p;
  }

  /** Mark and sweep; see the file comment. `graceMs` is for tests. */
  async gc(opts: { graceMs?: number } = {}): Promise<GcReport> {
    const now = this.clock().getTime();
    const cutoff = now - (opts.graceMs ?? GC_GRACE_MS);
    const report: GcReport = { blobsDeleted: 0, bytesFreed: 0, linksDeleted: 0, uploadsDeleted: 0, blobsKept: 0 };

    // Mark: every blob an image references, per repository and overall.
    // Blobs are shared by every region: mark across all of them.
    const regions = await this.root.allRegions();
    const referenced = new Set<string>();
    const linked = new Set<string>();
    for (const region of regions) {
      const store = region.store;
      const perRepo = new Set<string>();
      const { kvs: images } = await store.range(ecrKeys.allImages());
      for (const kv of images) {
        const name = kv.key.slice(ecrKeys.allImages().length, kv.key.lastIndexOf(':sha256:'));
        const img = JSON.parse(kv.value) as ImageRecord;
        for (const b of img.blobs) { referenced.add(b); perRepo.add(`${name}\n${b}`); }
      }
      // Links no image of their repository references, older than the grace period, go.
      const { kvs: links } = await store.range(ecrKeys.allLinks());
      for (const kv of links) {
        const rest = kv.key.slice(ecrKeys.allLinks().length);
        const i = rest.lastIndexOf(':sha256:');
        const name = rest.slice(0, i), digest = rest.slice(i + 1);
        const st = await this.blobs.stat(digest);
        if (!perRepo.has(`${name}\n${digest}`) && (!st || st.modifiedMs < cutoff)) {
          const r = await store.txn({ compare: [{ key: kv.key, target: 'modRevision', op: '==', value: kv.modRevision }], success: [{ type: 'delete', key: kv.key }] });
          if (r.succeeded) { report.linksDeleted++; continue; }
        }
        linked.add(digest);
      }
    }
    // Sweep blobs nobody references or links, untouched for the grace period.
    for await (const b of this.blobs.list()) {
      if (referenced.has(b.digest) || linked.has(b.digest) || b.modifiedMs >= cutoff) { report.blobsKept++; continue; }
      // Re-check right before deleting: a touch since the listing means a push now depends on it.
      const again = await this.blobs.stat(b.digest);
      if (!again || again.modifiedMs >= cutoff) { report.blobsKept++; continue; }
      if (await this.blobs.delete(b.digest)) { report.blobsDeleted++; report.bytesFreed += b.size; }
    }
    // Abandoned uploads.
    for (const id of await this.blobs.staleIngests(now - UPLOAD_TTL_MS)) {
      await this.blobs.removeIngest(id);
      for (const region of regions) await region.store.txn({ success: [{ type: 'delete', key: ecrKeys.upload(id) }] });
      report.uploadsDeleted++;
    }
    return report;
  }
}

export { checkRepoName };
