import type { DeregisterTaskDefinitionRequest, DeregisterTaskDefinitionResponse } from '@aws-sdk/client-ecs';
import { ApiError } from '../../model/errors.js';
import { keys } from '../../model/ecs/keys.js';
import type { TaskDefinitionRecord } from '../../model/ecs/records.js';
import { update } from '../../store/json.js';
import type { Handler } from '../types.js';
import { parseRevisionRef, taskDefinitionView, unableToDescribe } from './task-definition-store.js';

/**
 * ACTIVE → INACTIVE, stamping deregisteredAt. Running tasks and services keep using it; new ones cannot.
 * Deregistering an INACTIVE (or DELETE_IN_PROGRESS) revision again changes nothing and returns it.
 */
export const deregisterTaskDefinition: Handler<DeregisterTaskDefinitionRequest, DeregisterTaskDefinitionResponse> = async (input, ctx) => {
  // ECS's own three answers: `web` → "Revision is missing.", `web:x` → "Invalid revision number.
  // Number: x", an unknown `web:99` → "Unable to describe task definition." (below).
  const raw = input.taskDefinition ?? '';
  const at = raw.startsWith('arn:') ? raw.indexOf(':task-definition/') : -1;
  const rest = at < 0 ? raw : raw.slice(at + ':task-definition/'.length);
  const colon = rest.lastIndexOf(':');
  if (colon < 0) throw new ApiError('ClientException', 'Revision is missing.');
  const number = rest.slice(colon + 1);
  if (!/^[1-9][0-9]*$/.test(number)) throw new ApiError('InvalidParameterException', `Invalid revision number. Number: ${number}`);
  const ref = parseRevisionRef(raw);
  if ('error' in ref) throw new ApiError('ClientException', ref.error);
  const rec = await update<TaskDefinitionRecord>(ctx.store, keys.taskDefinition(ref.family, ref.revision!), (cur) => {
    if (!cur || cur.status !== 'ACTIVE') return undefined;
    return { ...cur, status: 'INACTIVE', deregisteredAt: ctx.now.getTime() };
  });
  if (!rec) throw unableToDescribe();
  return { taskDefinition: taskDefinitionView(rec) };
};
