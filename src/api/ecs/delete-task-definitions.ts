import type { DeleteTaskDefinitionsRequest, DeleteTaskDefinitionsResponse, Failure, TaskDefinition } from '@aws-sdk/client-ecs';
import { invalidParameter } from '../../model/errors.js';
import { taskDefinitionArn } from '../../model/arn.js';
import { keys } from '../../model/ecs/keys.js';
import type { TaskDefinitionRecord } from '../../model/ecs/records.js';
import { update } from '../../store/json.js';
import type { Handler } from '../types.js';
import { parseRevisionRef, taskDefinitionView } from './task-definition-store.js';

/** ECS deletes at most 10 revisions per call. */
const MAX_DELETE = 10;

/**
 * INACTIVE → DELETE_IN_PROGRESS for up to 10 revisions; anything else is reported in failures[] and the
 * rest still proceed. A DELETE_IN_PROGRESS revision stays describable until no task or service uses it
 * (then a controller removes it); its number is never reused because the family counter remembers it.
 */
export const deleteTaskDefinitions: Handler<DeleteTaskDefinitionsRequest, DeleteTaskDefinitionsResponse> = async (input, ctx) => {
  // Not in the AWS CLI 2.9 model, so nothing validated the shape before us.
  const refs = input.taskDefinitions;
  if (!Array.isArray(refs) || refs.length === 0) throw invalidParameter('taskDefinitions must list between 1 and 10 task definitions (family:revision or ARN).');
  if (refs.length > MAX_DELETE) throw invalidParameter(`Too many task definitions: DeleteTaskDefinitions takes at most ${MAX_DELETE}.`);
  const taskDefinitions: TaskDefinition[] = [];
  const failures: Failure[] = [];
  for (const raw of refs) {
    const ref = typeof raw === 'string' ? parseRevisionRef(raw) : { error: 'The task definition must be a string.' };
    if ('error' in ref) { failures.push({ arn: String(raw), reason: 'TASK_DEFINITION_INVALID', detail: ref.error }); continue; }
    const arn = taskDefinitionArn(ctx, ref.family, ref.revision!);
    let found: TaskDefinitionRecord | undefined;
    const rec = await update<TaskDefinitionRecord>(ctx.store, keys.taskDefinition(ref.family, ref.revision!), (cur) => {
      found = cur;
      if (!cur || cur.status !== 'INACTIVE') return undefined;
      return { ...cur, status: 'DELETE_IN_PROGRESS', deleteRequestedAt: ctx.now.getTime() };
    });
    if (!found || !rec) { failures.push({ arn, reason: 'TASK_DEFINITION_NOT_FOUND', detail: 'The specified task definition does not exist.' }); continue; }
    if (rec.status === 'ACTIVE') {
      failures.push({ arn, reason: 'TASK_DEFINITION_ACTIVE', detail: 'The specified task definition is still in ACTIVE status. Please deregister the target and try again.' });
      continue;
    }
    taskDefinitions.push(taskDefinitionView(rec));
  }
  return { taskDefinitions, failures };
};
