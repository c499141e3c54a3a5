import type { DeregisterTaskDefinitionRequest, DeregisterTaskDefinitionResponse } from '@aws-sdk/client-ecs';
import { ApiError } from '../../model/errors.js';
import { keys } from '../../model/ecs/keys.js';
import type { TaskDefinitionRecord } from '../../model/ecs/records.js';
import { update } from '../../store/json.js';
import type { Handler } from '../types.js';
import { parseRevisionRef, taskDefinitionView } from './task-definition-store.js';

/**
 * ACTIVE → INACTIVE, stamping deregisteredAt. Running tasks and services keep using it; new ones cannot.
 * Deregistering an INACTIVE (or DELETE_IN_PROGRESS) revision again changes nothing and returns it.
 */
export const deregisterTaskDefinition: Handler<DeregisterTaskDefinitionRequest, DeregisterTaskDefinitionResponse> = async (input, ctx) => {
  const ref = parseRevisionRef(input.taskDefinition);
  if ('error' in ref) throw new ApiError('ClientException', ref.error);
  const rec = await update<TaskDefinitionRecord>(ctx.store, keys.taskDefinition(ref.family, ref.revision!), (cur) => {
    if (!cur || cur.status !== 'ACTIVE') return undefined;
    return { ...cur, status: 'INACTIVE', deregisteredAt: ctx.now.getTime() };
  });
  if (!rec) throw new ApiError('ClientException', 'The specified task definition does not exist.');
  return { taskDefinition: taskDefinitionView(rec) };
};
