/**
 * Repository and image metadata in the Store, shared by the OCI endpoints (/v2/) and the ECR API, so
 * both always agree. Blobs live in the blob store; everything else is here:
 *
 *   /ecr/repositories/<name>          RepositoryRecord
 *   /ecr/images/<name>:<digest>       ImageRecord (the manifest text, its tags, what it references)
 *   /ecr/tags/<name>:<tag>            { digest }
 *   /ecr/links/<name>:<digest>        a blob belongs to the repository (uploaded or mounted there)
 *   /ecr/uploads/<uuid>               an upload session: { repo, startedAt }
 *
 * ':' cannot occur in a repository name, so `/ecr/images/<name>:` is a prefix of exactly one
 * repository's images (a '/' separator would also match `<name>/child`).
 *
 * Image lifecycle (ECR's own): PUT manifest ─► image (tagged) ─► tag moved or deleted ─► untagged image
 * ─► deleted (by digest, by removing its last tag, by lifecycle policy, or with the repository).
 * Writers: the /v2/ handlers and ECR API write images and tags; lifecycle evaluation deletes images;
 * GC deletes links and blobs, never records.
 */
import { createHash } from 'node:crypto';
import type { Store, Op, Compare } from '../store/store.js';
import { getJson } from '../store/json.js';
import type { BlobStore } from './blob-store.js';
import { isDigest } from './blob-store.js';
import { RegistryError } from './errors.js';

export interface RepoTag { key?: string; value?: string }

export interface RepositoryRecord {
  repositoryName: string;
  repositoryArn: string;
  registryId: string;
  createdAt: number;
  imageTagMutability: 'MUTABLE' | 'IMMUTABLE';
  scanOnPush: boolean;
  encryptionType: string;
  kmsKey?: string;
  tags: RepoTag[];
  policyText?: string;
  lifecyclePolicyText?: string;
  lifecycleEvaluatedAt?: number;
}

export interface ImageRecord {
  digest: string;
  mediaType: string;
  artifactType?: string;
  /** Bytes of what the manifest references (config + layers; children for an index). */
  size: number;
  manifest: string;
  pushedAt: number;
  tags: string[];
  /** Blob digests (config, layers) this manifest needs. */
  blobs: string[];
  /** Manifest digests an index lists. */
  children: string[];
  subject?: string;
  annotations?: Record<string, string>;
  lastPulledAt?: number;
}

export interface LinkRecord { size: number; at: number }

export const ecrKeys = {
  repo: (name: string) => `/ecr/repositories/${name}`,
  repos: () => '/ecr/repositories/',
  image: (name: string, digest: string) => `/ecr/images/${name}:${digest}`,
  images: (name: string) => `/ecr/images/${name}:`,
  tag: (name: string, tag: string) => `/ecr/tags/${name}:${tag}`,
  tags: (name: string) => `/ecr/tags/${name}:`,
  link: (name: string, digest: string) => `/ecr/links/${name}:${digest}`,
  links: (name: string) => `/ecr/links/${name}:`,
  allLinks: () => '/ecr/links/',
  allImages: () => '/ecr/images/',
  upload: (id: string) => `/ecr/uploads/${id}`,
  authSecret: () => '/ecr/auth-secret',
  preview: (name: string) => `/ecr/lifecycle-preview/${name}`,
};

export const MEDIA = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
} as const;
const MANIFEST_TYPES = new Set<string>([MEDIA.ociManifest, MEDIA.dockerManifest]);
const INDEX_TYPES = new Set<string>([MEDIA.ociIndex, MEDIA.dockerList]);
export const SUPPORTED_MANIFEST_TYPES = [...MANIFEST_TYPES, ...INDEX_TYPES];

/** distribution-spec's name grammar; ECR adds a 2–256 length. */
export const REPO_NAME = /^[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(\/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*$/;
export const TAG = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;
/** The largest manifest accepted: ECR's limit is 4 MiB, so is distribution's default. */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

export const sha256 = (b: Buffer | string) => 'sha256:' + createHash('sha256').update(b).digest('hex');

export function checkRepoName(name: string): void {
  if (name.length < 2 || name.length > 256 || !REPO_NAME.test(name)) {
    throw new RegistryError('NAME_INVALID', `invalid repository name '${name}': lowercase letters, digits and separators (., _, __, -, /), 2 to 256 characters`);
  }
}

export function repositoryArn(region: string, accountId: string, name: string): string {
  return `arn:aws:ecr:${region}:${accountId}:repository/${name}`;
}

export function newRepository(name: string, scope: { region: string; accountId: string; now: Date }, opts: Partial<RepositoryRecord> = {}): RepositoryRecord {
  return {
    repositoryName: name,
    repositoryArn: repositoryArn(scope.region, scope.accountId, name),
    registryId: scope.accountId,
    createdAt: scope.now.getTime(),
    imageTagMutability: 'MUTABLE',
    scanOnPush: false,
    encryptionType: 'AES256',
    tags: [],
    ...opts,
  };
}

export async function getRepo(store: Store, name: string): Promise<RepositoryRecord | undefined> {
  return (await getJson<RepositoryRecord>(store, ecrKeys.repo(name)))?.value;
}

export async function listImages(store: Store, name: string): Promise<ImageRecord[]> {
  const { kvs } = await store.range(ecrKeys.images(name));
  return kvs.map((kv) => JSON.parse(kv.value) as ImageRecord);
}

export async function listTags(store: Store, name: string): Promise<string[]> {
  const prefix = ecrKeys.tags(name);
  const { kvs } = await store.range(prefix);
  return kvs.map((kv) => kv.key.slice(prefix.length));
}

export async function resolveReference(store: Store, name: string, reference: string): Promise<ImageRecord | undefined> {
  let digest = reference;
  if (!isDigest(reference)) {
    const t = await getJson<{ digest: string }>(store, ecrKeys.tag(name, reference));
    if (!t) return undefined;
    digest = t.value.digest;
  }
  return (await getJson<ImageRecord>(store, ecrKeys.image(name, digest)))?.value;
}

interface ParsedManifest {
  mediaType: string;
  blobs: string[];
  children: string[];
  size: number;
  subject?: string;
  artifactType?: string;
  annotations?: Record<string, string>;
}

interface Descriptor { mediaType?: string; digest?: string; size?: number; urls?: string[]; artifactType?: string }

/** Parses and checks a manifest's shape; says which blobs and manifests it needs. */
export function parseManifest(body: Buffer, contentType: string | undefined): ParsedManifest {
  let doc: { schemaVersion?: number; mediaType?: string; config?: Descriptor; layers?: Descriptor[]; manifests?: Descriptor[]; subject?: Descriptor; artifactType?: string; annotations?: Record<string, string> };
  try {
    doc = JSON.parse(body.toString('utf8'));
  } catch {
    throw new RegistryError('MANIFEST_INVALID', 'manifest is not valid JSON');
  }
  if (typeof doc !== 'object' || doc === null || doc.schemaVersion !== 2) {
    throw new RegistryError('MANIFEST_INVALID', 'manifest must be a JSON object with schemaVersion 2 (schema 1 is not supported)');
  }
  const ct = contentType?.split(';')[0].trim();
  const declared = doc.mediaType;
  if (declared && ct && ct !== declared && SUPPORTED_MANIFEST_TYPES.includes(ct)) {
    throw new RegistryError('MANIFEST_INVALID', `Content-Type ${ct} does not match the manifest's mediaType ${declared}`);
  }
  const mediaType = declared ?? (ct && SUPPORTED_MANIFEST_TYPES.includes(ct) ? ct : doc.manifests ? MEDIA.ociIndex : MEDIA.ociManifest);
  const desc = (d: Descriptor | undefined, what: string): Descriptor & { digest: string; size: number } => {
    if (!d || typeof d.digest !== 'string' || !isDigest(d.digest) || typeof d.size !== 'number' || d.size < 0) {
      throw new RegistryError('MANIFEST_INVALID', `${what} needs a sha256 digest and a size`);
    }
    return d as Descriptor & { digest: string; size: number };
  };
  const subject = doc.subject ? desc(doc.subject, 'subject').digest : undefined;
  if (MANIFEST_TYPES.has(mediaType)) {
    const config = desc(doc.config, 'config');
    if (!Array.isArray(doc.layers)) throw new RegistryError('MANIFEST_INVALID', 'an image manifest needs a layers array');
    const layers = doc.layers.map((l, i) => desc(l, `layers[${i}]`));
    // Foreign (non-distributable) layers are fetched from their urls, never from this registry.
    const local = layers.filter((l) => !(l.urls?.length && /nondistributable|foreign/.test(l.mediaType ?? '')));
    return {
      mediaType, subject, annotations: doc.annotations,
      artifactType: doc.artifactType ?? (config.mediaType && config.mediaType !== 'application/vnd.oci.image.config.v1+json' && config.mediaType !== 'application/vnd.docker.container.image.v1+json' ? config.mediaType : undefined),
      blobs: [...new Set([config.digest, ...local.map((l) => l.digest)])],
      children: [],
      size: config.size + layers.reduce((a, l) => a + l.size, 0),
    };
  }
  if (INDEX_TYPES.has(mediaType)) {
    if (!Array.isArray(doc.manifests)) throw new RegistryError('MANIFEST_INVALID', 'an index needs a manifests array');
    const ms = doc.manifests.map((m, i) => desc(m, `manifests[${i}]`));
    return { mediaType, subject, annotations: doc.annotations, artifactType: doc.artifactType, blobs: [], children: [...new Set(ms.map((m) => m.digest))], size: body.length + ms.reduce((a, m) => a + m.size, 0) };
  }
  throw new RegistryError('MANIFEST_INVALID', `unsupported manifest media type ${mediaType}; supported: ${SUPPORTED_MANIFEST_TYPES.join(', ')}`);
}

export interface PutManifestResult { digest: string; image: ImageRecord; unchanged: boolean }

/**
 * Stores a manifest under a tag or its digest. Checks that every blob it references is in the
 * repository and every manifest an index lists is an image of the repository (MANIFEST_BLOB_UNKNOWN);
 * enforces tag immutability (TAG_INVALID); moves the tag off the image that had it (which stays, untagged).
 * One transaction, guarded on every record it read.
 */
export async function putManifest(store: Store, blobs: BlobStore, args: { repo: string; reference: string; body: Buffer; contentType?: string; now: Date; expectDigest?: string }): Promise<PutManifestResult> {
  const { repo, reference, body, now } = args;
  if (body.length > MAX_MANIFEST_BYTES) throw new RegistryError('SIZE_INVALID', `manifest is larger than ${MAX_MANIFEST_BYTES} bytes`);
  const digest = sha256(body);
  const byDigest = isDigest(reference);
  if (byDigest && reference !== digest) throw new RegistryError('DIGEST_INVALID', `manifest hashes to ${digest}, not ${reference}`, { digest: reference });
  if (args.expectDigest && args.expectDigest !== digest) throw new RegistryError('DIGEST_INVALID', `manifest hashes to ${digest}, not ${args.expectDigest}`, { digest: args.expectDigest });
  if (!byDigest && !TAG.test(reference)) throw new RegistryError('TAG_INVALID', `invalid tag '${reference}'`);
  const parsed = parseManifest(body, args.contentType);

  for (const b of parsed.blobs) {
    const link = await store.get(ecrKeys.link(repo, b));
    const st = link ? await blobs.stat(b) : undefined;
    if (!st) throw new RegistryError('MANIFEST_BLOB_UNKNOWN', `blob ${b} is not in repository ${repo}: push it first`, { digest: b });
    // Referenced now: keep GC's grace period from starting while the record is being written.
    await blobs.touch(b);
  }
  for (const c of parsed.children) {
    if (!(await store.get(ecrKeys.image(repo, c)))) throw new RegistryError('MANIFEST_BLOB_UNKNOWN', `manifest ${c} listed by the index is not in repository ${repo}: push it first`, { digest: c });
  }

  for (let attempt = 0; attempt < 20; attempt++) {
    const repoKv = await store.get(ecrKeys.repo(repo));
    if (!repoKv) throw new RegistryError('NAME_UNKNOWN', `repository ${repo} does not exist`, { name: repo });
    const repoRec = JSON.parse(repoKv.value) as RepositoryRecord;
    const imgKv = await store.get(ecrKeys.image(repo, digest));
    const existing = imgKv ? (JSON.parse(imgKv.value) as ImageRecord) : undefined;
    const compare: Compare[] = [
      { key: ecrKeys.repo(repo), target: 'version', op: '==', value: repoKv.version },
      { key: ecrKeys.image(repo, digest), target: 'version', op: '==', value: imgKv?.version ?? 0 },
    ];
    const ops: Op[] = [];
    const image: ImageRecord = existing ?? {
      digest, mediaType: parsed.mediaType, artifactType: parsed.artifactType, size: parsed.size, manifest: body.toString('utf8'),
      pushedAt: now.getTime(), tags: [], blobs: parsed.blobs, children: parsed.children, subject: parsed.subject, annotations: parsed.annotations,
    };
    let unchanged = existing !== undefined;
    if (!byDigest) {
      const tag = reference;
      const tagKv = await store.get(ecrKeys.tag(repo, tag));
      compare.push({ key: ecrKeys.tag(repo, tag), target: 'version', op: '==', value: tagKv?.version ?? 0 });
      const prev = tagKv ? (JSON.parse(tagKv.value) as { digest: string }).digest : undefined;
      if (prev !== digest) {
        unchanged = false;
        if (prev && repoRec.imageTagMutability === 'IMMUTABLE') {
          throw new RegistryError('TAG_INVALID', `The image tag '${tag}' already exists in the '${repo}' repository and cannot be overwritten because the repository is immutable.`, { tag });
        }
        if (prev) {
          const oldKv = await store.get(ecrKeys.image(repo, prev));
          if (oldKv) {
            const old = JSON.parse(oldKv.value) as ImageRecord;
            old.tags = old.tags.filter((t) => t !== tag);
            compare.push({ key: oldKv.key, target: 'version', op: '==', value: oldKv.version });
            ops.push({ type: 'put', key: oldKv.key, value: JSON.stringify(old) });
          }
        }
        ops.push({ type: 'put', key: ecrKeys.tag(repo, tag), value: JSON.stringify({ digest }) });
        if (!image.tags.includes(tag)) image.tags = [...image.tags, tag].sort();
      }
    }
    if (unchanged) return { digest, image, unchanged: true };
    ops.push({ type: 'put', key: ecrKeys.image(repo, digest), value: JSON.stringify(image) });
    const r = await store.txn({ compare, success: ops });
    if (r.succeeded) return { digest, image, unchanged: false };
  }
  throw new Error(`gave up storing manifest ${digest} in ${repo} after repeated conflicts`);
}

/**
 * Deletes by tag (the tag goes; the image goes with its last tag, as in ECR) or by digest (the image
 * and every tag on it). Returns the image as it was, or undefined when there was nothing to delete.
 */
export async function deleteImage(store: Store, repo: string, ref: { digest?: string; tag?: string }): Promise<ImageRecord | undefined> {
  for (let attempt = 0; attempt < 20; attempt++) {
    let digest = ref.digest;
    let tagKv;
    if (ref.tag !== undefined) {
      tagKv = await store.get(ecrKeys.tag(repo, ref.tag));
      if (!tagKv) return undefined;
      const d = (JSON.parse(tagKv.value) as { digest: string }).digest;
      if (digest && digest !== d) return undefined;
      digest = d;
    }
    if (!digest) return undefined;
    const imgKv = await store.get(ecrKeys.image(repo, digest));
    if (!imgKv) return undefined;
    const img = JSON.parse(imgKv.value) as ImageRecord;
    const compare: Compare[] = [{ key: imgKv.key, target: 'version', op: '==', value: imgKv.version }];
    const ops: Op[] = [];
    const removeTags = ref.tag !== undefined && ref.digest === undefined ? [ref.tag] : img.tags;
    const left = img.tags.filter((t) => !removeTags.includes(t));
    for (const t of removeTags) ops.push({ type: 'delete', key: ecrKeys.tag(repo, t) });
    if (left.length === 0) ops.push({ type: 'delete', key: imgKv.key });
    else ops.push({ type: 'put', key: imgKv.key, value: JSON.stringify({ ...img, tags: left }) });
    if (tagKv) compare.push({ key: tagKv.key, target: 'version', op: '==', value: tagKv.version });
    const r = await store.txn({ compare, success: ops });
    if (r.succeeded) return img;
  }
  throw new Error(`gave up deleting from ${repo} after repeated conflicts`);
}

/** Records that a blob belongs to a repository (after an upload or a mount). */
export async function linkBlob(store: Store, repo: string, digest: string, size: number, now: Date): Promise<void> {
  await store.txn({ success: [{ type: 'put', key: ecrKeys.link(repo, digest), value: JSON.stringify({ size, at: now.getTime() } satisfies LinkRecord) }] });
}

export async function isLinked(store: Store, repo: string, digest: string): Promise<boolean> {
  return (await store.get(ecrKeys.link(repo, digest))) !== undefined;
}

/** Deletes a repository and everything under it in one transaction. */
export async function deleteRepository(store: Store, name: string): Promise<void> {
  const ops: Op[] = [{ type: 'delete', key: ecrKeys.repo(name) }, { type: 'delete', key: ecrKeys.preview(name) }];
  for (const p of [ecrKeys.images(name), ecrKeys.tags(name), ecrKeys.links(name)]) {
    const { kvs } = await store.range(p);
    for (const kv of kvs) ops.push({ type: 'delete', key: kv.key });
  }
  await store.txn({ success: ops });
}
