/**
 * What the IAM handlers share: record reads with IAM's NoSuchEntity wording, create-only and
 * version-guarded writes, policy document checks (MalformedPolicyDocument with the reason), ids in
 * AWS's shapes and Marker/MaxItems paging. IAM is global: records are not per region.
 */
import { randomInt } from 'node:crypto';
import { ApiError } from '../../model/errors.js';
import { MalformedPolicyError, parsePolicy } from '../../iam/policy.js';
import type { Tag } from '../../iam/records.js';
import type { RequestContext } from '../types.js';

export interface Rec<T> { readonly value: T; readonly version: number; readonly key: string }

export async function getRec<T>(ctx: RequestContext, key: string): Promise<Rec<T> | undefined> {
  const kv = await ctx.store.get(key);
  return kv ? { key, value: JSON.parse(kv.value) as T, version: kv.version } : undefined;
}

export async function requireRec<T>(ctx: RequestContext, key: string, kind: string, name: string): Promise<Rec<T>> {
  const r = await getRec<T>(ctx, key);
  if (!r) throw new ApiError('NoSuchEntity', `The ${kind} with name ${name} cannot be found.`);
  return r;
}

export async function listRecs<T>(ctx: RequestContext, prefix: string): Promise<T[]> {
  return (await ctx.store.range(prefix)).kvs.map((kv) => JSON.parse(kv.value) as T);
}

export async function createRec(ctx: RequestContext, key: string, value: unknown, what: string): Promise<void> {
  const r = await ctx.store.txn({
    compare: [{ key, target: 'createRevision', op: '==', value: 0 }],
    success: [{ type: 'put', key, value: JSON.stringify(value) }],
  });
  if (!r.succeeded) throw new ApiError('EntityAlreadyExists', `${what} already exists.`);
}

/** Rewrites a record if nobody wrote it since it was read (a concurrent change fails cleanly). */
export async function updateRec<T>(ctx: RequestContext, rec: Rec<T>, next: T): Promise<void> {
  const r = await ctx.store.txn({
    compare: [{ key: rec.key, target: 'version', op: '==', value: rec.version }],
    success: [{ type: 'put', key: rec.key, value: JSON.stringify(next) }],
  });
  if (!r.succeeded) throw new ApiError('ServiceFailure', 'The entity was modified concurrently; retry the request.');
}

export async function deleteRec<T>(ctx: RequestContext, rec: Rec<T>): Promise<void> {
  const r = await ctx.store.txn({
    compare: [{ key: rec.key, target: 'version', op: '==', value: rec.version }],
    success: [{ type: 'delete', key: rec.key }],
  });
  if (!r.succeeded) throw new ApiError('ServiceFailure', 'The entity was modified concurrently; retry the request.');
}

const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
/** AWS's unique ids: a four-letter prefix (AIDA user, AROA role, AGPA group, ANPA policy) and 17 characters. */
export function uniqueId(prefix: 'AIDA' | 'AROA' | 'AGPA' | 'ANPA'): string {
  let s = prefix;
  for (let i = 0; i < 17; i++) s += B32[randomInt(B32.length)];
  return s;
}

export function checkPolicyDocument(text: string, kind: 'identity' | 'trust' = 'identity'): void {
  try {
    parsePolicy(text, kind);
  } catch (e) {
    if (e instanceof MalformedPolicyError) throw new ApiError('MalformedPolicyDocument', e.message);
    throw e;
  }
}

export function normPath(path: string | undefined): string {
  const p = path ?? '/';
  if (!p.startsWith('/') || !p.endsWith('/')) throw new ApiError('ValidationError', `The specified value for path is invalid. It must begin and end with / and contain only alphanumeric characters and/or / characters.`);
  return p;
}

export const toDate = (ms: number) => new Date(ms);

/** IAM's list paging: items sorted by name, Marker = the next item's name. */
export function page<T>(items: readonly T[], nameOf: (t: T) => string, input: { Marker?: string; MaxItems?: number }): { items: T[]; IsTruncated: boolean; Marker?: string } {
  const sorted = [...items].sort((a, b) => (nameOf(a) < nameOf(b) ? -1 : nameOf(a) > nameOf(b) ? 1 : 0));
  const start = input.Marker ? sorted.findIndex((t) => nameOf(t) >= input.Marker!) : 0;
  const from = start < 0 ? sorted.length : start;
  const max = input.MaxItems ?? 100;
  const slice = sorted.slice(from, from + max);
  const more = from + max < sorted.length;
  return { items: slice, IsTruncated: more, ...(more ? { Marker: nameOf(sorted[from + max]) } : {}) };
}

export function mergeTags(existing: readonly Tag[], added: readonly Tag[] | undefined): Tag[] {
  const out = existing.filter((t) => !added?.some((a) => a.Key === t.Key));
  out.push(...(added ?? []).map((t) => ({ Key: t.Key, Value: t.Value })));
  if (out.length > 50) throw new ApiError('LimitExceeded', 'Cannot exceed quota for TagsPerEntity: 50.');
  return out;
}

/** The name at the end of an IAM ARN (role, user, policy), or undefined when it is not one of ours. */
export function nameFromArn(ctx: RequestContext, arn: string, kind: 'role' | 'user' | 'policy'): string | undefined {
  const prefix = `arn:aws:iam::${ctx.accountId}:${kind}/`;
  if (!arn.startsWith(prefix)) return undefined;
  return arn.slice(arn.lastIndexOf('/') + 1);
}
