import type { ListTaskDefinitionFamiliesRequest, ListTaskDefinitionFamiliesResponse } from '@aws-sdk/client-ecs';
import { keys } from '../../model/ecs/keys.js';
import type { TaskDefinitionRecord } from '../../model/ecs/records.js';
import type { Handler } from '../types.js';
import { paginate } from './common.js';

/**
 * Family names. A family is ACTIVE while it has at least one ACTIVE revision and INACTIVE when it has
 * revisions but none ACTIVE. With no status ECS lists both (same as ALL). A family whose revisions are
 * all gone from the store is not listed, although its counter keeps its revision numbers.
 */
export const listTaskDefinitionFamilies: Handler<ListTaskDefinitionFamiliesRequest, ListTaskDefinitionFamiliesResponse> = async (input, ctx) => {
  const { kvs } = await ctx.store.range(keys.taskDefinitions());
  const active = new Map<string, boolean>();
  for (const kv of kvs) {
    const r = JSON.parse(kv.value) as Pick<TaskDefinitionRecord, 'family' | 'status'>;
    if (input.familyPrefix !== undefined && !r.family.startsWith(input.familyPrefix)) continue;
    active.set(r.family, (active.get(r.family) ?? false) || r.status === 'ACTIVE');
  }
  const want = input.status ?? 'ALL';
  const families = [...active].filter(([, a]) => want === 'ALL' || (want === 'ACTIVE') === a).map(([f]) => f).sort();
  const page = paginate(families, (f) => f, input.maxResults, input.nextToken);
  return { families: page.items, nextToken: page.nextToken };
};
