/** InterruptSpotTasks (see index.ts): a FARGATE_SPOT interruption on demand, as AWS delivers one. */
import { keys } from '../../model/ecs/keys.js';
import type { TaskRecord } from '../../model/ecs/task-records.js';
import { update } from '../../store/json.js';
import { requestStop } from '../../model/ecs/task-state.js';
import type { Handler } from '../types.js';
import { activeCluster } from '../ecs/common.js';
import { findTask } from '../ecs/tasks-common.js';

export const SPOT_INTERRUPTED_REASON = 'Your Spot Task was interrupted.';
/** AWS's warning: two minutes between the SIGTERM and the stop. */
export const SPOT_GRACE_SECONDS = 120;

interface Input { cluster?: string; tasks: string[]; graceSeconds?: number }
interface Output { tasks: { taskArn: string; interruptedAt: number; stopAt: number }[]; failures: { arn: string; reason: string }[] }

export const interruptSpotTasks: Handler<Input, Output> = async (input, ctx) => {
  const cluster = (await activeCluster(ctx, input.cluster)).value.clusterName;
  const grace = input.graceSeconds ?? SPOT_GRACE_SECONDS;
  const out: Output = { tasks: [], failures: [] };
  const now = ctx.now.getTime();
  for (const ref of input.tasks) {
    const found = await findTask(ctx.store, cluster, ref);
    if (!found) { out.failures.push({ arn: ref, reason: 'MISSING' }); continue; }
    let reason: string | undefined;
    const rec = await update<TaskRecord>(ctx.store, keys.task(cluster, found.value.id), (t) => {
      reason = undefined;
      if (!t) { reason = 'MISSING'; return undefined; }
      if (t.capacityProviderName !== 'FARGATE_SPOT') { reason = 'NOT_SPOT'; return undefined; }
      if (t.lastStatus === 'STOPPED' || !requestStop(t, { code: 'TerminationNotice', reason: SPOT_INTERRUPTED_REASON, now })) { reason = 'ALREADY_STOPPING'; return undefined; }
      t.spotInterruption = { at: now, graceSeconds: grace };
      return t;
    });
    if (!rec || reason) out.failures.push({ arn: found.value.taskArn, reason: reason ?? 'MISSING' });
    else out.tasks.push({ taskArn: rec.taskArn, interruptedAt: Math.floor(now / 1000), stopAt: Math.floor(now / 1000) + grace });
  }
  return out;
};
