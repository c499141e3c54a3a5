import type { ListTaskDefinitionsRequest, ListTaskDefinitionsResponse } from '@aws-sdk/client-ecs';
import { keys } from '../../model/ecs/keys.js';
import { FAMILY_NAME } from '../../model/arn.js';
import type { TaskDefinitionRecord } from '../../model/ecs/records.js';
import { invalidParameter } from '../../model/errors.js';
import type { Handler } from '../types.js';
import { decodeToken, encodeToken } from './common.js';

/**
 * Every revision of every family (or of the one family named by `familyPrefix` — despite its name ECS
 * matches the whole family: `--family-prefix web` lists web's revisions, not webapp's; only
 * ListTaskDefinitionFamilies matches a prefix) in one status (ACTIVE by
 * default), sorted by family then revision, ascending by default. The page token is the store key of the
 * last revision returned, so revisions registered meanwhile neither repeat nor shift the next page.
 */
export const listTaskDefinitions: Handler<ListTaskDefinitionsRequest, ListTaskDefinitionsResponse> = async (input, ctx) => {
  const status = input.status ?? 'ACTIVE';
  const desc = input.sort === 'DESC';
  if (input.maxResults !== undefined && (input.maxResults < 1 || input.maxResults > 100)) throw invalidParameter('maxResults must be between 1 and 100.');
  const family = input.familyPrefix;
  // An empty or impossible family lists nothing (it cannot name a family); FAMILY_NAME has no '/'.
  if (family !== undefined && !FAMILY_NAME.test(family)) return { taskDefinitionArns: [] };
  const { kvs } = await ctx.store.range(keys.taskDefinitions(family));
  const items = kvs
    .map((kv) => ({ key: kv.key, rec: JSON.parse(kv.value) as Pick<TaskDefinitionRecord, 'family' | 'status' | 'taskDefinitionArn'> }))
    .filter((x) => x.rec.status === status);
  if (desc) items.reverse();
  const after = decodeToken(input.nextToken);
  const start = after === undefined ? 0 : items.findIndex((x) => (desc ? x.key < after : x.key > after));
  const from = start < 0 ? items.length : start;
  const max = input.maxResults ?? 100;
  const page = items.slice(from, from + max);
  const more = from + max < items.length;
  return {
    taskDefinitionArns: page.map((x) => x.rec.taskDefinitionArn),
    nextToken: more && page.length ? encodeToken(page[page.length - 1].key) : undefined,
  };
};
