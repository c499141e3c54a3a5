import type { StopTaskRequest, StopTaskResponse } from '@aws-sdk/client-ecs';
import { invalidParameter } from '../../model/errors.js';
import { keys } from '../../model/ecs/keys.js';
import type { TaskRecord } from '../../model/ecs/task-records.js';
import { update } from '../../store/json.js';
import type { Handler } from '../types.js';
import { activeCluster } from './common.js';
import { findTask, taskNotFound } from './tasks-common.js';
import { taskView } from './task-view.js';
import { requestStop } from '../../model/ecs/task-state.js';

/**
 * StopTask writes the stop request only (task-state.ts requestStop: desiredStatus STOPPED, stopCode
 * UserInitiated, the reason, stoppingAt; a task already asked to stop keeps its first request).
 * The agent then sends SIGTERM, waits stopTimeout, sends SIGKILL, and reports STOPPED.
 */
export const stopTask: Handler<StopTaskRequest, StopTaskResponse> = async (input, ctx) => {
  const cluster = (await activeCluster(ctx, input.cluster)).value.clusterName;
  if (input.reason && input.reason.length > 255) throw invalidParameter('reason can be at most 255 characters.');
  const found = await findTask(ctx.store, cluster, input.task!);
  if (!found) throw taskNotFound(input.task!);
  const rec = await update<TaskRecord>(ctx.store, keys.task(cluster, found.value.id), (t) =>
    (t && requestStop(t, { code: 'UserInitiated', reason: input.reason || 'Task stopped by user', now: ctx.now.getTime() }) ? t : undefined));
  return { task: taskView(rec ?? found.value) };
};
