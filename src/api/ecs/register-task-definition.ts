import type { RegisterTaskDefinitionRequest, RegisterTaskDefinitionResponse } from '@aws-sdk/client-ecs';
import { taskDefinitionArn } from '../../model/arn.js';
import type { TaskDefinitionRecord } from '../../model/ecs/records.js';
import { normalizeTaskDefinition } from '../../model/ecs/task-definition.js';
import type { Handler } from '../types.js';
import { validateTags } from './common.js';
import { taskDefinitionView } from './task-definition-store.js';

/**
 * Registers a new revision of a family. The revision comes from the family's counter record, which
 * only ever grows, so a revision number is never issued twice even after revisions are deleted.
 *
 * The naive way — list the family's revisions and take max+1 — reuses a number once the newest revision
 * is deleted, and two concurrent registrations both pick the same number. Guarding each registration
 * on the counter's version fixes that but serialises a family: of 64 concurrent registrations one
 * commits per round and the rest retry, so throughput collapses and retries run out. Instead,
 * registrations of one family queue up and are committed in batches: one transaction takes the counter,
 * issues consecutive revisions to every queued registration, and writes them all, guarded on the
 * counter's version (another server racing us makes the whole batch retry with fresh numbers).
 * Validation runs before queueing, so a request that fails consumes no revision.
 */
export const registerTaskDefinition: Handler<RegisterTaskDefinitionRequest, RegisterTaskDefinitionResponse> = async (input, ctx) => {
  const def = normalizeTaskDefinition(input);
  const tags = validateTags(input.tags);
  const rec = await ctx.revisions.allocate(ctx.region, ctx.store, def.family, (revision): TaskDefinitionRecord => ({
    taskDefinitionArn: taskDefinitionArn(ctx, def.family, revision),
    revision,
    status: 'ACTIVE',
    ...def,
    tags,
    registeredAt: ctx.now.getTime(),
    registeredBy: ctx.principal.arn,
  }));
  return { taskDefinition: taskDefinitionView(rec), tags: tags.length ? tags : undefined };
};
