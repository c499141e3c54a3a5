import type { DeleteScheduledActionRequest, DeleteScheduledActionResponse } from '@aws-sdk/client-application-auto-scaling';
import { ApiError } from '../../model/errors.js';
import type { Handler } from '../types.js';
import { checkTargetId, concurrentUpdate, getTarget, putTarget } from './common.js';

export const deleteScheduledAction: Handler<DeleteScheduledActionRequest, DeleteScheduledActionResponse> = async (input, ctx) => {
  const id = checkTargetId(input);
  for (let attempt = 0; attempt < 10; attempt++) {
    const cur = await getTarget(ctx.store, id);
    if (!cur?.value.scheduledActions.some((a) => a.name === input.ScheduledActionName)) {
      throw new ApiError('ObjectNotFoundException',
        `No scheduled action found for service namespace: ${id.ns}, resource ID: ${id.rid}, scalable dimension: ${id.dim}, scheduled action name: ${input.ScheduledActionName}`);
    }
    const t = structuredClone(cur.value);
    t.scheduledActions = t.scheduledActions.filter((a) => a.name !== input.ScheduledActionName);
    t.version += 1;
    if (await putTarget(ctx.store, t, cur.version)) return {};
  }
  throw concurrentUpdate();
};
