/**
 * AWS Secrets Manager (awsJson1_1, secretsmanager): secrets with versions and staging labels
 * (AWSCURRENT, AWSPREVIOUS), scheduled deletion with a recovery window, tags. Values are sealed with
 * the server's secrets key before they reach the store (iam/secret-box.ts) and are never logged.
 *
 *   PutSecretValue / UpdateSecret(value)   new version ─► AWSCURRENT; the old current ─► AWSPREVIOUS
 *   DeleteSecret                          deletedDate set; reads fail with InvalidRequestException until
 *                                         RestoreSecret, or the recovery window ends (then it is gone)
 */
import { randomInt, randomUUID } from 'node:crypto';
import type * as SM from '@aws-sdk/client-secrets-manager';
import smModel from '../../model/aws/secretsmanager.json' with { type: 'json' };
import type { ServiceModel } from '../../protocol/service-model.js';
import { ApiError } from '../../model/errors.js';
import { sealContext, secretKeys, type SecretRecord, type SecretVersion } from '../../model/secrets.js';
import { findSecret, openSecretVersion, pickSecretVersion } from '../../iam/secret-values.js';
import type { Authorizer, Handler, RequestContext, ServiceDefinition } from '../types.js';
import { secretBoxOf as box } from '../../iam/secret-values.js';

const notFound = () => new ApiError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const DAY = 86_400_000;

type Found = { value: SecretRecord; version: number; key: string };

/** A live secret (a scheduled deletion past its window is purged here and reads as not found). */
async function live(ctx: RequestContext, id: string, opts: { allowDeleted?: boolean } = {}): Promise<Found> {
  const f = await findSecret(ctx.store, id);
  if (!f) throw notFound();
  if (f.value.deletionDate !== undefined && f.value.deletionDate <= ctx.now.getTime()) {
    await ctx.store.txn({ compare: [{ key: f.key, target: 'version', op: '==', value: f.version }], success: [{ type: 'delete', key: f.key }] });
    throw notFound();
  }
  if (f.value.deletedDate !== undefined && !opts.allowDeleted) {
    throw new ApiError('InvalidRequestException', "You can't perform this operation on the secret because it was marked for deletion.");
  }
  return f;
}

async function write(ctx: RequestContext, f: Found | undefined, key: string, next: SecretRecord): Promise<void> {
  const r = await ctx.store.txn({
    compare: [f ? { key, target: 'version', op: '==', value: f.version } : { key, target: 'createRevision', op: '==', value: 0 }],
    success: [{ type: 'put', key, value: JSON.stringify(next) }],
  });
  if (!r.succeeded) {
    if (!f) throw new ApiError('ResourceExistsException', `The operation failed because the secret ${next.name} already exists.`);
    throw new ApiError('InternalServiceError', 'The secret was changed concurrently; retry the request.');
  }
}

function newVersion(ctx: RequestContext, rec: Pick<SecretRecord, 'arn'>, input: { ClientRequestToken?: string; SecretString?: string; SecretBinary?: Uint8Array }, stages: readonly string[]): SecretVersion {
  if (input.SecretString === undefined && input.SecretBinary === undefined) throw new ApiError('InvalidParameterException', 'You must provide either SecretString or SecretBinary.');
  if (input.SecretString !== undefined && input.SecretBinary !== undefined) throw new ApiError('InvalidParameterException', "You can't specify both a binary secret value and a string secret value in the same secret.");
  const versionId = input.ClientRequestToken ?? randomUUID();
  const kind = input.SecretString !== undefined ? 'string' : 'binary';
  return { versionId, stages, createdDate: ctx.now.getTime(), kind, sealed: box(ctx).seal(input.SecretString ?? input.SecretBinary!, sealContext.secret(rec.arn, versionId)) };
}

/** Adds a version as AWSCURRENT (unless other stages are given), moving AWSPREVIOUS along. */
function withVersion(rec: SecretRecord, v: SecretVersion): SecretRecord {
  const makesCurrent = v.stages.includes('AWSCURRENT');
  const versions = rec.versions.map((old) => {
    let stages = old.stages.filter((s) => !v.stages.includes(s) || s === 'AWSCURRENT');
    if (makesCurrent) {
      stages = stages.filter((s) => s !== 'AWSPREVIOUS');
      if (stages.includes('AWSCURRENT')) stages = [...stages.filter((s) => s !== 'AWSCURRENT'), 'AWSPREVIOUS'];
    }
    return { ...old, stages };
  }).filter((old) => old.stages.length > 0);
  return { ...rec, versions: [...versions, v], lastChangedDate: v.createdDate };
}

/** The same ClientRequestToken with the same value is a retry; with another value it is an error. */
function sameRetry(ctx: RequestContext, rec: SecretRecord, token: string | undefined, input: { SecretString?: string; SecretBinary?: Uint8Array }): SecretVersion | undefined {
  const v = token ? rec.versions.find((x) => x.versionId === token) : undefined;
  if (!v) return undefined;
  const was = openSecretVersion(box(ctx), rec, v);
  const now = input.SecretString !== undefined ? Buffer.from(input.SecretString) : Buffer.from(input.SecretBinary ?? []);
  if (!was.equals(now)) throw new ApiError('ResourceExistsException', `You can't modify an existing version, you can only create a new version.`);
  return v;
}

const createSecret: Handler<SM.CreateSecretRequest, SM.CreateSecretResponse> = async (input, ctx) => {
  const name = input.Name!;
  let suffix = '';
  for (let i = 0; i < 6; i++) suffix += ALNUM[randomInt(ALNUM.length)];
  const arn = `arn:aws:secretsmanager:${ctx.region}:${ctx.accountId}:secret:${name}-${suffix}`;
  const now = ctx.now.getTime();
  const existing = await findSecret(ctx.store, name);
  if (existing) throw new ApiError('ResourceExistsException', existing.value.deletedDate !== undefined
    ? `You can't create this secret because a secret with this name is already scheduled for deletion.`
    : `The operation failed because the secret ${name} already exists.`);
  const hasValue = input.SecretString !== undefined || input.SecretBinary !== undefined;
  const base: SecretRecord = {
    name, arn, ...(input.Description !== undefined ? { description: input.Description } : {}), ...(input.KmsKeyId !== undefined ? { kmsKeyId: input.KmsKeyId } : {}),
    tags: (input.Tags ?? []).map((t) => ({ Key: t.Key!, Value: t.Value ?? '' })), createdDate: now, lastChangedDate: now, versions: [],
  };
  const v = hasValue ? newVersion(ctx, base, input, ['AWSCURRENT']) : undefined;
  await write(ctx, undefined, secretKeys.secret(name), v ? withVersion(base, v) : base);
  return { ARN: arn, Name: name, ...(v ? { VersionId: v.versionId } : {}) };
};

const getSecretValue: Handler<SM.GetSecretValueRequest, SM.GetSecretValueResponse> = async (input, ctx) => {
  const f = await live(ctx, input.SecretId!);
  const v = pickSecretVersion(f.value, { versionId: input.VersionId, versionStage: input.VersionStage });
  if (!v) throw new ApiError('ResourceNotFoundException', `Secrets Manager can't find the specified secret value for ${input.VersionId ? `VersionId: ${input.VersionId}` : `staging label: ${input.VersionStage ?? 'AWSCURRENT'}`}`);
  const value = openSecretVersion(box(ctx), f.value, v);
  return {
    ARN: f.value.arn, Name: f.value.name, VersionId: v.versionId, VersionStages: [...v.stages], CreatedDate: new Date(v.createdDate),
    ...(v.kind === 'string' ? { SecretString: value.toString('utf8') } : { SecretBinary: new Uint8Array(value) }),
  };
};

const putSecretValue: Handler<SM.PutSecretValueRequest, SM.PutSecretValueResponse> = async (input, ctx) => {
  const f = await live(ctx, input.SecretId!);
  const retry = sameRetry(ctx, f.value, input.ClientRequestToken, input);
  if (retry) return { ARN: f.value.arn, Name: f.value.name, VersionId: retry.versionId, VersionStages: [...retry.stages] };
  const v = newVersion(ctx, f.value, input, input.VersionStages?.length ? input.VersionStages : ['AWSCURRENT']);
  await write(ctx, f, f.key, withVersion(f.value, v));
  return { ARN: f.value.arn, Name: f.value.name, VersionId: v.versionId, VersionStages: [...v.stages] };
};

const updateSecret: Handler<SM.UpdateSecretRequest, SM.UpdateSecretResponse> = async (input, ctx) => {
  const f = await live(ctx, input.SecretId!);
  let rec: SecretRecord = { ...f.value, ...(input.Description !== undefined ? { description: input.Description } : {}), ...(input.KmsKeyId !== undefined ? { kmsKeyId: input.KmsKeyId } : {}), lastChangedDate: ctx.now.getTime() };
  let versionId: string | undefined;
  if (input.SecretString !== undefined || input.SecretBinary !== undefined) {
    const retry = sameRetry(ctx, f.value, input.ClientRequestToken, input);
    if (retry) return { ARN: f.value.arn, Name: f.value.name, VersionId: retry.versionId };
    const v = newVersion(ctx, rec, input, ['AWSCURRENT']);
    rec = withVersion(rec, v);
    versionId = v.versionId;
  }
  await write(ctx, f, f.key, rec);
  return { ARN: rec.arn, Name: rec.name, ...(versionId ? { VersionId: versionId } : {}) };
};

function describeView(r: SecretRecord): SM.DescribeSecretResponse {
  return {
    ARN: r.arn, Name: r.name, ...(r.description !== undefined ? { Description: r.description } : {}), ...(r.kmsKeyId !== undefined ? { KmsKeyId: r.kmsKeyId } : {}),
    RotationEnabled: false, LastChangedDate: new Date(r.lastChangedDate), CreatedDate: new Date(r.createdDate),
    ...(r.deletedDate !== undefined ? { DeletedDate: new Date(r.deletedDate) } : {}),
    ...(r.tags.length ? { Tags: r.tags.map((t) => ({ ...t })) } : {}),
    VersionIdsToStages: Object.fromEntries(r.versions.map((v) => [v.versionId, [...v.stages]])),
  };
}

const describeSecret: Handler<SM.DescribeSecretRequest, SM.DescribeSecretResponse> = async (input, ctx) =>
  describeView((await live(ctx, input.SecretId!, { allowDeleted: true })).value);

const listSecrets: Handler<SM.ListSecretsRequest, SM.ListSecretsResponse> = async (input, ctx) => {
  let all = (await ctx.store.range(secretKeys.secrets)).kvs.map((kv) => JSON.parse(kv.value) as SecretRecord)
    .filter((r) => r.deletionDate === undefined || r.deletionDate > ctx.now.getTime())
    .filter((r) => input.IncludePlannedDeletion || r.deletedDate === undefined);
  for (const f of input.Filters ?? []) {
    const vals = f.Values ?? [];
    const test = (s: string | undefined) => vals.some((v) => (v.startsWith('!') ? !(s ?? '').startsWith(v.slice(1)) : (s ?? '').startsWith(v)));
    if (f.Key === 'name') all = all.filter((r) => test(r.name));
    else if (f.Key === 'description') all = all.filter((r) => test(r.description));
    else if (f.Key === 'tag-key') all = all.filter((r) => r.tags.some((t) => test(t.Key)));
    else if (f.Key === 'tag-value') all = all.filter((r) => r.tags.some((t) => test(t.Value)));
    else if (f.Key === 'all') all = all.filter((r) => test(r.name) || test(r.description) || r.tags.some((t) => test(t.Key) || test(t.Value)));
  }
  if (input.SortOrder === 'desc') all.reverse();
  const start = input.NextToken ? Number(Buffer.from(input.NextToken, 'base64').toString()) : 0;
  const max = input.MaxResults ?? 100;
  const page = all.slice(start, start + max);
  return {
    SecretList: page.map((r) => { const d = describeView(r); return { ...d, SecretVersionsToStages: d.VersionIdsToStages, VersionIdsToStages: undefined }; }) as SM.SecretListEntry[],
    ...(start + max < all.length ? { NextToken: Buffer.from(String(start + max)).toString('base64') } : {}),
  };
};

const deleteSecret: Handler<SM.DeleteSecretRequest, SM.DeleteSecretResponse> = async (input, ctx) => {
  if (input.ForceDeleteWithoutRecovery && input.RecoveryWindowInDays !== undefined) {
    throw new ApiError('InvalidParameterException', "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.");
  }
  const days = input.RecoveryWindowInDays ?? 30;
  if (!input.ForceDeleteWithoutRecovery && (days < 7 || days > 30)) throw new ApiError('InvalidParameterException', 'The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).');
  const f = await live(ctx, input.SecretId!, { allowDeleted: true });
  const now = ctx.now.getTime();
  if (input.ForceDeleteWithoutRecovery) {
    const r = await ctx.store.txn({ compare: [{ key: f.key, target: 'version', op: '==', value: f.version }], success: [{ type: 'delete', key: f.key }] });
    if (!r.succeeded) throw new ApiError('InternalServiceError', 'The secret was changed concurrently; retry the request.');
    return { ARN: f.value.arn, Name: f.value.name, DeletionDate: ctx.now };
  }
  if (f.value.deletedDate !== undefined) throw new ApiError('InvalidRequestException', "You can't perform this operation on the secret because it was marked for deletion.");
  const deletionDate = now + days * DAY;
  await write(ctx, f, f.key, { ...f.value, deletedDate: now, deletionDate });
  return { ARN: f.value.arn, Name: f.value.name, DeletionDate: new Date(deletionDate) };
};

const restoreSecret: Handler<SM.RestoreSecretRequest, SM.RestoreSecretResponse> = async (input, ctx) => {
  const f = await live(ctx, input.SecretId!, { allowDeleted: true });
  const { deletedDate: _d, deletionDate: _dd, ...rest } = f.value;
  await write(ctx, f, f.key, rest);
  return { ARN: f.value.arn, Name: f.value.name };
};

const tagResource: Handler<SM.TagResourceRequest, Record<string, never>> = async (input, ctx) => {
  const f = await live(ctx, input.SecretId!);
  const added = (input.Tags ?? []).map((t) => ({ Key: t.Key!, Value: t.Value ?? '' }));
  await write(ctx, f, f.key, { ...f.value, tags: [...f.value.tags.filter((t) => !added.some((a) => a.Key === t.Key)), ...added] });
  return {};
};

const untagResource: Handler<SM.UntagResourceRequest, Record<string, never>> = async (input, ctx) => {
  const f = await live(ctx, input.SecretId!);
  await write(ctx, f, f.key, { ...f.value, tags: f.value.tags.filter((t) => !input.TagKeys?.includes(t.Key)) });
  return {};
};

/** Secrets Manager actions act on the secret's ARN (SAR); CreateSecret on the ARN it would get, ListSecrets on '*'. */
const authorize: Authorizer = async (operation, input, ctx) => {
  if (operation === 'CreateSecret') return [{ resource: `arn:aws:secretsmanager:${ctx.region}:${ctx.accountId}:secret:${String(input.Name)}` }];
  if (typeof input.SecretId !== 'string') return [{ resource: '*' }];
  const f = await findSecret(ctx.store, input.SecretId);
  return [{ resource: f?.value.arn ?? (input.SecretId.startsWith('arn:') ? input.SecretId : `arn:aws:secretsmanager:${ctx.region}:${ctx.accountId}:secret:${input.SecretId}`) }];
};

export function secretsManagerService(): ServiceDefinition {
  return {
    name: 'secretsmanager',
    signingName: 'secretsmanager',
    model: smModel as unknown as ServiceModel,
    validationError: 'InvalidParameterException',
    serverError: 'InternalServiceError',
    handlers: {
      CreateSecret: createSecret, GetSecretValue: getSecretValue, PutSecretValue: putSecretValue, UpdateSecret: updateSecret,
      DescribeSecret: describeSecret, ListSecrets: listSecrets, DeleteSecret: deleteSecret, RestoreSecret: restoreSecret,
      TagResource: tagResource, UntagResource: untagResource,
    },
    authorize,
  };
}
