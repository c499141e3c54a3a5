/**
 * Helpers every ECS handler shares: resolving identifiers the way ECS does (short name or ARN, cluster
 * defaults to `default`), ECS's not-found errors, paging, and tag rules.
 */
import type { Tag } from '@aws-sdk/client-ecs';
import { ApiError, invalidParameter } from '../../model/errors.js';
import { clusterNameOf } from '../../model/arn.js';
import { keys } from '../../model/ecs/keys.js';
import { getJson, type Versioned } from '../../store/json.js';
import type { ClusterRecord } from '../../model/ecs/records.js';
import type { RequestContext } from '../types.js';

export function clusterName(value: string | undefined): string {
  const name = clusterNameOf(value);
  if (!name) throw new ApiError('ClusterNotFoundException', 'Cluster not found.');
  return name;
}

/** The ACTIVE cluster a request names, or ClusterNotFoundException. */
export async function activeCluster(ctx: RequestContext, value: string | undefined): Promise<Versioned<ClusterRecord>> {
  const name = clusterName(value);
  const rec = await getJson<ClusterRecord>(ctx.store, keys.cluster(name));
  if (!rec || rec.value.status !== 'ACTIVE') throw new ApiError('ClusterNotFoundException', 'Cluster not found.');
  return rec;
}

/** Opaque paging tokens: the sort key of the last item returned. */
export function encodeToken(lastKey: string): string {
  return Buffer.from(JSON.stringify({ k: lastKey }), 'utf8').toString('base64url');
}

export function decodeToken(token: string | undefined): string | undefined {
  if (token === undefined || token === '') return undefined;
  try {
    const v = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { k?: unknown };
    if (typeof v.k === 'string') return v.k;
  } catch { /* fall through */ }
  throw invalidParameter('Invalid nextToken: pass the nextToken of the previous page unchanged.');
}

export interface Page<T> {
  readonly items: T[];
  readonly nextToken?: string;
}

/**
 * One page of `items` (already sorted by `keyOf`). maxResults is 1–100 where ECS pages (ECS's own
 * default when omitted: `defaultMax`, 100 for most List* calls, 10 for ListServices).
 */
export function paginate<T>(items: readonly T[], keyOf: (t: T) => string, maxResults: number | undefined, nextToken: string | undefined, defaultMax = 100): Page<T> {
  if (maxResults !== undefined && (maxResults < 1 || maxResults > 100)) {
    throw invalidParameter('maxResults must be between 1 and 100.');
  }
  const after = decodeToken(nextToken);
  const start = after === undefined ? 0 : items.findIndex((t) => keyOf(t) > after);
  const from = start < 0 ? items.length : start;
  const max = maxResults ?? defaultMax;
  const page = items.slice(from, from + max);
  const more = from + max < items.length;
  return { items: page, nextToken: more && page.length > 0 ? encodeToken(keyOf(page[page.length - 1])) : undefined };
}

/** ECS's tag rules: ≤ 50 tags, keys 1–128, values ≤ 256, no `aws:` prefix, unique keys. */
export function validateTags(tags: readonly Tag[] | undefined): Tag[] {
  if (!tags) return [];
  if (tags.length > 50) throw invalidParameter('The specified tags exceed the limit of 50 tags per resource.');
  const seen = new Set<string>();
  for (const t of tags) {
    if (!t.key || t.key.length > 128) throw invalidParameter('Tag keys must be between 1 and 128 characters.');
    if ((t.value ?? '').length > 256) throw invalidParameter('Tag values must be at most 256 characters.');
    if (t.key.toLowerCase().startsWith('aws:')) throw invalidParameter("Tag keys with the prefix 'aws:' are reserved for AWS use.");
    if (seen.has(t.key)) throw invalidParameter(`Duplicate tag key: ${t.key}`);
    seen.add(t.key);
  }
  return tags.map((t) => ({ key: t.key, value: t.value ?? '' }));
}

/** Merges `add` into `existing` (same key replaces the value), keeping at most 50. */
export function mergeTags(existing: readonly Tag[], add: readonly Tag[]): Tag[] {
  const m = new Map(existing.map((t) => [t.key!, t.value ?? '']));
  for (const t of add) m.set(t.key!, t.value ?? '');
  if (m.size > 50) throw invalidParameter('The specified tags exceed the limit of 50 tags per resource.');
  return [...m].map(([key, value]) => ({ key, value }));
}

export const toDate = (ms: number | undefined): Date | undefined => (ms === undefined ? undefined : new Date(ms));
