/**
 * RegisterScalableTarget: registers an ECS service's desired count for scaling, or updates the min/max,
 * suspended state (and, on first registration, tags) of a registered one. Nothing changes the service
 * here: a desired count outside a new range is brought inside it by the next scaling activity.
 */
import { randomBytes } from 'node:crypto';
import type { RegisterScalableTargetRequest, RegisterScalableTargetResponse } from '@aws-sdk/client-application-auto-scaling';
import { ApiError } from '../../model/errors.js';
import type { ScalableTargetRecord } from '../../model/autoscaling/records.js';
import type { Handler } from '../types.js';
import { checkTargetId, concurrentUpdate, ecsServiceExists, getTarget, putTarget } from './common.js';
import { checkTags } from './tags.js';

const ECS_ROLE = (account: string) => `arn:aws:iam::${account}:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService`;

export const registerScalableTarget: Handler<RegisterScalableTargetRequest, RegisterScalableTargetResponse> = async (input, ctx) => {
  const id = checkTargetId(input);
  if (input.MinCapacity !== undefined && input.MinCapacity < 0) throw new ApiError('ValidationException', 'Minimum capacity cannot be less than 0');
  if (input.MaxCapacity !== undefined && input.MaxCapacity < 0) throw new ApiError('ValidationException', 'Maximum capacity cannot be less than 0');
  if (input.Tags) checkTags(input.Tags);
  if (!(await ecsServiceExists(ctx.store, id.cluster, id.service))) throw new ApiError('ValidationException', `ECS service doesn't exist: ${id.rid}`);
  for (let attempt = 0; attempt < 10; attempt++) {
    const cur = await getTarget(ctx.store, id);
    const t: ScalableTargetRecord = cur ? structuredClone(cur.value) : {
      serviceNamespace: id.ns, resourceId: id.rid, scalableDimension: id.dim, minCapacity: -1, maxCapacity: -1,
      roleArn: ECS_ROLE(ctx.accountId), suspendedState: { DynamicScalingInSuspended: false, DynamicScalingOutSuspended: false, ScheduledScalingSuspended: false },
      arn: `arn:aws:application-autoscaling:${ctx.region}:${ctx.accountId}:scalable-target/${randomBytes(18).toString('hex')}`,
      createdAt: ctx.now.getTime(), tags: { ...(input.Tags ?? {}) }, policies: [], scheduledActions: [], version: 0,
    };
    if (!cur && (input.MinCapacity === undefined || input.MaxCapacity === undefined)) {
      throw new ApiError('ValidationException', 'MinCapacity and MaxCapacity are required for registering a new scalable target.');
    }
    if (input.MinCapacity !== undefined) t.minCapacity = input.MinCapacity;
    if (input.MaxCapacity !== undefined) t.maxCapacity = input.MaxCapacity;
    if (t.minCapacity > t.maxCapacity) throw new ApiError('ValidationException', 'Minimum capacity cannot be greater than maximum capacity');
    if (input.RoleARN !== undefined) t.roleArn = input.RoleARN;
    if (input.SuspendedState) {
      for (const k of ['DynamicScalingInSuspended', 'DynamicScalingOutSuspended', 'ScheduledScalingSuspended'] as const) {
        if (input.SuspendedState[k] !== undefined) t.suspendedState[k] = input.SuspendedState[k]!;
      }
    }
    t.version += 1;
    if (await putTarget(ctx.store, t, cur?.version ?? 0)) return { ScalableTargetARN: t.arn };
  }
  throw concurrentUpdate();
};
