import type { GetTaskProtectionRequest, GetTaskProtectionResponse, ProtectedTask, Failure } from '@aws-sdk/client-ecs';
import { invalidParameter } from '../../model/errors.js';
import { taskArn } from '../../model/arn.js';
import type { TaskRecord } from '../../model/ecs/task-records.js';
import type { Handler } from '../types.js';
import { activeCluster, toDate } from './common.js';
import { findTask } from './tasks-common.js';

export function protectionView(t: TaskRecord, now: number): ProtectedTask {
  const on = t.protectedUntil !== undefined && t.protectedUntil > now;
  return { taskArn: t.taskArn, protectionEnabled: on, expirationDate: on ? toDate(t.protectedUntil) : undefined };
}

export const getTaskProtection: Handler<GetTaskProtectionRequest, GetTaskProtectionResponse> = async (input, ctx) => {
  const cluster = (await activeCluster(ctx, input.cluster)).value.clusterName;
  const refs = input.tasks ?? [];
  if (refs.length === 0 || refs.length > 100) throw invalidParameter('tasks must name between 1 and 100 tasks.');
  const protectedTasks: ProtectedTask[] = [];
  const failures: Failure[] = [];
  for (const ref of refs) {
    const found = await findTask(ctx.store, cluster, ref);
    if (found) protectedTasks.push(protectionView(found.value, ctx.now.getTime()));
    else failures.push({ arn: ref.startsWith('arn:') ? ref : taskArn(ctx, cluster, ref), reason: 'MISSING' });
  }
  return { protectedTasks, failures };
};
