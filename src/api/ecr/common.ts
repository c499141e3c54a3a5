/**
 * Helpers the ECR handlers share: repository lookup with ECR's errors, the wire views of repositories
 * and images, and the mapping from registry (OCI) errors to ECR's API errors.
 */
import type { Repository, ImageDetail, Tag } from '@aws-sdk/client-ecr';
import { ApiError } from '../../model/errors.js';
import { RegistryError } from '../../registry/errors.js';
import { getRepo, type ImageRecord, type RepositoryRecord } from '../../registry/metadata.js';
import type { Registry } from '../../registry/registry.js';
import type { RequestContext } from '../types.js';

export async function requireRepo(ctx: RequestContext, name: string | undefined): Promise<RepositoryRecord> {
  const r = name ? await getRepo(ctx.store, name) : undefined;
  if (!r) throw repoNotFound(ctx, name ?? '');
  return r;
}

export const repoNotFound = (ctx: RequestContext, name: string) =>
  new ApiError('RepositoryNotFoundException', `The repository with name '${name}' does not exist in the registry with id '${ctx.accountId}'`);

export function repositoryView(reg: Registry, r: RepositoryRecord): Repository {
  return {
    repositoryArn: r.repositoryArn,
    registryId: r.registryId,
    repositoryName: r.repositoryName,
    repositoryUri: `${reg.host()}/${r.repositoryName}`,
    createdAt: new Date(r.createdAt),
    imageTagMutability: r.imageTagMutability,
    imageScanningConfiguration: { scanOnPush: r.scanOnPush },
    encryptionConfiguration: { encryptionType: r.encryptionType as 'AES256', ...(r.kmsKey ? { kmsKey: r.kmsKey } : {}) },
  };
}

export function imageDetailView(ctx: RequestContext, repo: string, i: ImageRecord): ImageDetail {
  return {
    registryId: ctx.accountId,
    repositoryName: repo,
    imageDigest: i.digest,
    imageTags: i.tags.length ? i.tags : undefined,
    imageSizeInBytes: i.size,
    imagePushedAt: new Date(i.pushedAt),
    imageManifestMediaType: i.mediaType,
    artifactMediaType: i.artifactType ?? configMediaType(i),
    ...(i.lastPulledAt ? { lastRecordedPullTime: new Date(i.lastPulledAt) } : {}),
  };
}

function configMediaType(i: ImageRecord): string | undefined {
  try { return (JSON.parse(i.manifest) as { config?: { mediaType?: string } }).config?.mediaType; } catch { return undefined; }
}

/** OCI errors raised by the shared metadata code, in ECR's API vocabulary. */
export function toApiError(e: unknown, repo: string, ctx: RequestContext): unknown {
  if (!(e instanceof RegistryError)) return e;
  switch (e.code) {
    case 'NAME_UNKNOWN': return repoNotFound(ctx, repo);
    case 'MANIFEST_BLOB_UNKNOWN': return new ApiError('LayersNotFoundException', e.message);
    case 'DIGEST_INVALID': return new ApiError('ImageDigestDoesNotMatchException', e.message);
    case 'TAG_INVALID': return /immutable/.test(e.message) ? new ApiError('ImageTagAlreadyExistsException', e.message) : new ApiError('InvalidParameterException', e.message);
    default: return new ApiError('InvalidParameterException', e.message);
  }
}

export function validateEcrTags(tags: readonly Tag[] | undefined): Tag[] {
  if (!tags) return [];
  if (tags.length > 50) throw new ApiError('TooManyTagsException', 'A resource can have at most 50 tags.');
  const seen = new Set<string>();
  for (const t of tags) {
    if (!t.Key || t.Key.length > 128 || (t.Value ?? '').length > 256) throw new ApiError('InvalidTagParameterException', 'Tag keys are 1–128 characters and values at most 256.');
    if (t.Key.toLowerCase().startsWith('aws:')) throw new ApiError('InvalidTagParameterException', "Tag keys with the prefix 'aws:' are reserved for AWS use.");
    if (seen.has(t.Key)) throw new ApiError('InvalidTagParameterException', `Duplicate tag key: ${t.Key}`);
    seen.add(t.Key);
  }
  return tags.map((t) => ({ Key: t.Key, Value: t.Value ?? '' }));
}

/** The repository an ECR resource ARN names (arn:aws:ecr:region:account:repository/NAME). */
export function repoNameFromArn(arn: string | undefined): string | undefined {
  const m = /^arn:aws[a-z-]*:ecr:[^:]*:[^:]*:repository\/(.+)$/.exec(arn ?? '');
  return m?.[1];
}

export const isDigestRef = (s: string | undefined) => s !== undefined && /^sha256:[a-f0-9]{64}$/.test(s);
