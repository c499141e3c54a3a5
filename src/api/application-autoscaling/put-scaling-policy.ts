/**
 * PutScalingPolicy: creates or replaces a step scaling or target tracking policy on a registered target.
 *
 * Target tracking makes its CloudWatch alarms (model/autoscaling/target-tracking.ts) and returns them;
 * replacing a policy keeps its ARN and replaces its alarms. Order, so nothing is half-made: everything
 * is checked first (the target, the service, the configuration, the alarms' definitions); then the
 * policy is committed with a version check; then the alarms are written (they cannot fail after the
 * checks) and the replaced ones deleted. Step scaling makes no alarm: an alarm of the user's whose
 * actions name the policy ARN runs it. PredictiveScaling is refused.
 */
import { randomUUID } from 'node:crypto';
import type { PutScalingPolicyRequest, PutScalingPolicyResponse, StepScalingPolicyConfiguration } from '@aws-sdk/client-application-auto-scaling';
import type { PutMetricAlarmInput } from '@aws-sdk/client-cloudwatch';
import { ApiError } from '../../model/errors.js';
import type { ScalingPolicyRecord } from '../../model/autoscaling/records.js';
import { trackingAlarms, TrackingConfigError, type TrackingAlarm } from '../../model/autoscaling/target-tracking.js';
import type { Handler } from '../types.js';
import { checkTargetId, concurrentUpdate, deleteAlarmsQuietly, ecsServiceExists, getTarget, noTarget, putTarget } from './common.js';

function checkStep(c: StepScalingPolicyConfiguration): void {
  const steps = c.StepAdjustments ?? [];
  if (!c.AdjustmentType) throw new ApiError('ValidationException', 'AdjustmentType is required for a step scaling policy.');
  if (steps.length === 0) throw new ApiError('ValidationException', 'StepAdjustments must contain at least one step adjustment.');
  if (c.MinAdjustmentMagnitude !== undefined && c.AdjustmentType !== 'PercentChangeInCapacity') {
    throw new ApiError('ValidationException', 'MinAdjustmentMagnitude is only supported with the PercentChangeInCapacity adjustment type.');
  }
  const sorted = [...steps].sort((a, b) => (a.MetricIntervalLowerBound ?? -Infinity) - (b.MetricIntervalLowerBound ?? -Infinity));
  for (const [i, s] of sorted.entries()) {
    if (s.MetricIntervalLowerBound === undefined && s.MetricIntervalUpperBound === undefined) {
      if (steps.length > 1) throw new ApiError('ValidationException', 'A step adjustment with neither bound must be the only step adjustment.');
    }
    if (s.MetricIntervalLowerBound !== undefined && s.MetricIntervalUpperBound !== undefined && s.MetricIntervalLowerBound >= s.MetricIntervalUpperBound) {
      throw new ApiError('ValidationException', 'The upper bound of a step adjustment must be greater than its lower bound.');
    }
    const next = sorted[i + 1];
    if (next && (s.MetricIntervalUpperBound ?? Infinity) > (next.MetricIntervalLowerBound ?? -Infinity)) {
      throw new ApiError('ValidationException', 'Step adjustments must not overlap.');
    }
    if (next && s.MetricIntervalUpperBound !== next.MetricIntervalLowerBound) {
      throw new ApiError('ValidationException', 'Step adjustments must not have gaps between them.');
    }
  }
  if (c.Cooldown !== undefined && c.Cooldown < 0) throw new ApiError('ValidationException', 'Cooldown must not be negative.');
}

export const putScalingPolicy: Handler<PutScalingPolicyRequest, PutScalingPolicyResponse> = async (input, ctx) => {
  const id = checkTargetId(input);
  const type = input.PolicyType ?? 'StepScaling';
  if (type === 'PredictiveScaling') {
    throw new ApiError('ValidationException', 'Wharf does not support predictive scaling policies (PolicyType PredictiveScaling): use TargetTrackingScaling or StepScaling.');
  }
  if (type === 'TargetTrackingScaling') {
    if (!input.TargetTrackingScalingPolicyConfiguration) throw new ApiError('ValidationException', 'TargetTrackingScalingPolicyConfiguration is required for a policy of type TargetTrackingScaling.');
    if (input.StepScalingPolicyConfiguration) throw new ApiError('ValidationException', 'StepScalingPolicyConfiguration cannot be specified for a policy of type TargetTrackingScaling.');
  } else {
    if (!input.StepScalingPolicyConfiguration) throw new ApiError('ValidationException', 'StepScalingPolicyConfiguration is required for a policy of type StepScaling.');
    if (input.TargetTrackingScalingPolicyConfiguration) throw new ApiError('ValidationException', 'TargetTrackingScalingPolicyConfiguration cannot be specified for a policy of type StepScaling.');
    checkStep(input.StepScalingPolicyConfiguration);
  }
  if (input.PredictiveScalingPolicyConfiguration) throw new ApiError('ValidationException', `PredictiveScalingPolicyConfiguration cannot be specified for a policy of type ${type}.`);
  for (let attempt = 0; attempt < 10; attempt++) {
    const cur = await getTarget(ctx.store, id);
    if (!cur) throw noTarget(id.ns, id.rid, id.dim);
    if (!(await ecsServiceExists(ctx.store, id.cluster, id.service))) throw new ApiError('ValidationException', `ECS service doesn't exist: ${id.rid}`);
    const t = structuredClone(cur.value);
    const prior = t.policies.find((p) => p.name === input.PolicyName);
    const arn = prior?.arn ?? `arn:aws:autoscaling:${ctx.region}:${ctx.accountId}:scalingPolicy:${randomUUID()}:resource/${id.ns}/${id.rid}:policyName/${input.PolicyName}`;
    let alarms: TrackingAlarm[] = [];
    if (type === 'TargetTrackingScaling') {
      try {
        alarms = trackingAlarms({ config: input.TargetTrackingScalingPolicyConfiguration!, policyArn: arn, resourceId: id.rid, target: id, timing: ctx.targetTrackingAlarms, ids: { high: randomUUID(), low: randomUUID() } });
      } catch (e) {
        if (e instanceof TrackingConfigError) throw new ApiError('ValidationException', e.message);
        throw e;
      }
    }
    const policy: ScalingPolicyRecord = {
      name: input.PolicyName!, arn, type,
      ...(type === 'StepScaling' ? { step: input.StepScalingPolicyConfiguration } : { targetTracking: input.TargetTrackingScalingPolicyConfiguration }),
      alarms: alarms.map((a) => ({ AlarmName: a.AlarmName, AlarmARN: `arn:aws:cloudwatch:${ctx.region}:${ctx.accountId}:alarm:${a.AlarmName}` })),
      createdAt: prior?.createdAt ?? ctx.now.getTime(),
    };
    // A replaced policy's alarm timing restarts with its new alarms (the "no data" wait counts from now).
    if (prior) policy.createdAt = ctx.now.getTime();
    t.policies = [...t.policies.filter((p) => p.name !== policy.name), policy];
    t.version += 1;
    if (!(await putTarget(ctx.store, t, cur.version))) continue;
    for (const a of alarms) ctx.metrics.putMetricAlarm(a as PutMetricAlarmInput, ctx.now);
    if (prior?.type === 'TargetTrackingScaling') deleteAlarmsQuietly(ctx.metrics, prior.alarms.map((a) => a.AlarmName));
    return { PolicyARN: arn, Alarms: policy.alarms };
  }
  throw concurrentUpdate();
};
