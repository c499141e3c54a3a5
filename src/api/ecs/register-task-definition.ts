import type { RegisterTaskDefinitionRequest, RegisterTaskDefinitionResponse } from '@aws-sdk/client-ecs';
import { ApiError } from '../../model/errors.js';
import { taskDefinitionArn } from '../../model/arn.js';
import { keys } from '../../model/ecs/keys.js';
import type { FamilyRecord, TaskDefinitionRecord } from '../../model/ecs/records.js';
import { normalizeTaskDefinition } from '../../model/ecs/task-definition.js';
import { getJson } from '../../store/json.js';
import type { Handler } from '../types.js';
import { validateTags } from './common.js';
import { taskDefinitionView } from './task-definition-store.js';

/**
 * Registers a new revision of a family. The revision comes from the family's counter record, which
 * only ever grows, so a revision number is never issued twice even after revisions are deleted.
 *
 * The naive way — list the family's revisions and take max+1 — reuses a number once the newest revision
 * is deleted, and two concurrent registrations both pick the same number. Instead the counter and the new
 * revision are written in one transaction guarded on the counter's version: of two racing registrations
 * one commits, the other re-reads the counter and takes the next number. Validation runs before any
 * read, so a request that fails consumes no revision.
 */
export const registerTaskDefinition: Handler<RegisterTaskDefinitionRequest, RegisterTaskDefinitionResponse> = async (input, ctx) => {
  const def = normalizeTaskDefinition(input);
  const tags = validateTags(input.tags);
  for (let attempt = 0; attempt < 20; attempt++) {
    const counter = await getJson<FamilyRecord>(ctx.store, keys.family(def.family));
    const revision = (counter?.value.lastRevision ?? 0) + 1;
    const rec: TaskDefinitionRecord = {
      taskDefinitionArn: taskDefinitionArn(ctx, def.family, revision),
      revision,
      status: 'ACTIVE',
      ...def,
      tags,
      registeredAt: ctx.now.getTime(),
      registeredBy: ctx.principal.arn,
    };
    const key = keys.taskDefinition(def.family, revision);
    const r = await ctx.store.txn({
      compare: [
        { key: keys.family(def.family), target: 'version', op: '==', value: counter?.version ?? 0 },
        { key, target: 'createRevision', op: '==', value: 0 },
      ],
      success: [
        { type: 'put', key: keys.family(def.family), value: JSON.stringify({ family: def.family, lastRevision: revision } satisfies FamilyRecord) },
        { type: 'put', key, value: JSON.stringify(rec) },
      ],
    });
    if (r.succeeded) return { taskDefinition: taskDefinitionView(rec), tags: tags.length ? tags : undefined };
  }
  throw new ApiError('ServerException', `Too many concurrent registrations in family '${def.family}'. Retry the request.`);
};
