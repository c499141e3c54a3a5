import type { DescribeTaskDefinitionRequest, DescribeTaskDefinitionResponse } from '@aws-sdk/client-ecs';
import type { Handler } from '../types.js';
import { findTaskDefinition, frozenRecord, taskDefinitionView, unableToDescribe } from './task-definition-store.js';

/** `family` → the latest ACTIVE revision; `family:revision` or an ARN → that revision in any status. */
export const describeTaskDefinition: Handler<DescribeTaskDefinitionRequest, DescribeTaskDefinitionResponse> = async (input, ctx) => {
  // Only rendered, never changed: the shared parsed record of its stored text (frozenRecord).
  const rec = await findTaskDefinition(ctx.store, input.taskDefinition, frozenRecord);
  if (!rec) throw unableToDescribe();
  const withTags = input.include?.includes('TAGS') ?? false;
  // Without include=TAGS ECS still answers the member, empty (describe-task-definition's example).
  return { taskDefinition: taskDefinitionView(rec.value), tags: withTags ? rec.value.tags : [] };
};
