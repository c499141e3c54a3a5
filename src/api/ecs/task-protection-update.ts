/**
 * UpdateTaskProtection: scale-in protection for tasks (default 2 hours, at most 48). The services
 * controller never stops a protected task to scale in or to finish a deployment; protection ends by
 * itself at expirationDate.
 */
import type { UpdateTaskProtectionRequest, UpdateTaskProtectionResponse, ProtectedTask, Failure } from '@aws-sdk/client-ecs';
import { invalidParameter } from '../../model/errors.js';
import { keys } from '../../model/ecs/keys.js';
import { taskArn } from '../../model/arn.js';
import type { TaskRecord } from '../../model/ecs/task-records.js';
import { update } from '../../store/json.js';
import type { Handler } from '../types.js';
import { activeCluster } from './common.js';
import { findTask } from './tasks-common.js';
import { protectionView } from './task-protection-get.js';

export const updateTaskProtection: Handler<UpdateTaskProtectionRequest, UpdateTaskProtectionResponse> = async (input, ctx) => {
  const cluster = (await activeCluster(ctx, input.cluster)).value.clusterName;
  const refs = input.tasks ?? [];
  if (refs.length === 0 || refs.length > 10) throw invalidParameter('tasks must name between 1 and 10 tasks.');
  const minutes = input.expiresInMinutes ?? 120;
  if (input.protectionEnabled && (minutes < 1 || minutes > 2880)) throw invalidParameter('expiresInMinutes must be between 1 and 2880 (48 hours).');
  const protectedTasks: ProtectedTask[] = [];
  const failures: Failure[] = [];
  for (const ref of refs) {
    const found = await findTask(ctx.store, cluster, ref);
    const arn = ref.startsWith('arn:') ? ref : taskArn(ctx, cluster, ref);
    if (!found) { failures.push({ arn, reason: 'MISSING' }); continue; }
    if (found.value.lastStatus === 'STOPPED' || found.value.desiredStatus === 'STOPPED') { failures.push({ arn, reason: 'TASK_NOT_VALID', detail: 'The task is stopped or stopping.' }); continue; }
    const rec = await update<TaskRecord>(ctx.store, keys.task(cluster, found.value.id), (t) => {
      if (!t) return undefined;
      if (input.protectionEnabled) t.protectedUntil = ctx.now.getTime() + minutes * 60_000;
      else delete t.protectedUntil;
      return t;
    });
    protectedTasks.push(protectionView(rec!, ctx.now.getTime()));
  }
  return { protectedTasks, failures };
};
