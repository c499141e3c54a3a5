/**
 * What Application Auto Scaling does to one scalable target at one instant — pure: the target, the
 * controller's memory of it, its ECS service, the alarms and the time go in; the new desired count,
 * min/max, activities and memory come out. The controller (controller.ts) commits them in one
 * transaction guarded on every version it read.
 *
 * One pass, in order:
 *   1. the ECS service is gone (or not ACTIVE)       → the target goes too (AWS deregisters it with the
 *                                                      service), with its policies' alarms
 *   2. scheduled actions (unless ScheduledScalingSuspended): the latest fire time since the last check
 *      sets min/max ("Setting min capacity to 2 and max capacity to 5", cause "scheduled action name N
 *      was triggered"), then a desired count outside the new range is brought inside it ("Setting
 *      desired count to 2.", cause "minimum capacity was set to 2")
 *   3. dynamic policies: every alarm whose actions for its current state name a policy ARN runs that
 *      policy — at most once per alarm period, as CloudWatch repeats an Auto Scaling action each
 *      period while the alarm stays in the state. Scale-outs are looked at before scale-ins and at
 *      most one change is made per pass (the next pass sees the new count).
 *
 *      target tracking   new = ceil(current × metric / target)   (the proportional rule)
 *                        scale-out: at least current + 1, at most max; scale-in: at most current − 1,
 *                        at least min. Worked example: 2 tasks at 180 % CPU, target 50 % →
 *                        ceil(2 × 180 / 50) = ceil(7.2) = 8, capped by max 4 → 4.
 *      step scaling      breach = metric − threshold; the step whose [lower, upper) holds it gives
 *                        the adjustment (ChangeInCapacity, ExactCapacity, PercentChangeInCapacity with
 *                        MinAdjustmentMagnitude); no datapoint (a SetAlarmState) counts as breach 0
 *
 *      gates             DynamicScalingOut/InSuspended; scale-out cooldown since this policy's last
 *                        scale-out; scale-in cooldown since its last scale-in or scale-out (a scale-out
 *                        in a scale-in cooldown proceeds at once); step Cooldown since its last change;
 *                        no scale-in while the service deploys (ECS's rule); never below min or above max
 *
 *      not scaled        already at max (scale-out) or min (scale-in): one activity with NotScaledReasons
 *                        (AlreadyAtMaxCapacity / AlreadyAtMinCapacity), shown with
 *                        IncludeNotScaledActivities, once per stay of the alarm in ALARM
 *   4. a target tracking policy whose alarms never got a datapoint for as long as AlarmHigh needs
 *      (periods × period after the policy was made): one Failed activity saying which metric is
 *      missing; the policy stays and works once data arrives
 */
import type { ScalableTargetRecord, ScalingActivityRecord, ScalingPolicyRecord, ScalingStateRecord, PolicyState } from '../../model/autoscaling/records.js';
import { latestFire, parseSchedule } from '../../model/autoscaling/schedule.js';
import { ECS_DEFAULT_COOLDOWN_S } from '../../model/autoscaling/target-tracking.js';

export type AlarmState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

/** What the decision needs of a CloudWatch alarm. */
export interface AlarmView {
  name: string;
  state: AlarmState;
  actionsEnabled: boolean;
  /** Actions for the current state (AlarmActions in ALARM, OKActions in OK, InsufficientDataActions otherwise). */
  actions: readonly string[];
  comparison: string;
  threshold: number;
  periodSeconds: number;
  evaluationPeriods: number;
  /** The most recent datapoint the last evaluation saw, if any. */
  latest?: number;
  /** What the alarm watches, for messages ("AWS/ECS CPUUtilization (ClusterName=c, ServiceName=s)"). */
  metric: string;
}

export interface ServiceView {
  active: boolean;
  desiredCount: number;
  deploying: boolean;
}

export type NewActivity = Omit<ScalingActivityRecord, 'ActivityId' | 'ServiceNamespace' | 'ResourceId' | 'ScalableDimension'>;

export interface Decision {
  /** The target (and its state and alarms) is to be removed: its service is gone. */
  remove?: { alarms: string[] };
  desiredCount?: number;
  limits?: { minCapacity: number; maxCapacity: number };
  activities: NewActivity[];
  state: ScalingStateRecord;
}

export interface DecideInput {
  target: ScalableTargetRecord;
  state: ScalingStateRecord;
  service: ServiceView;
  /** Every alarm of the region (filtered here by the policy ARNs they name). */
  alarms: readonly AlarmView[];
  now: number;
}

const succeeded = (now: number, n: number, cause: string): NewActivity => ({
  Description: `Setting desired count to ${n}.`, Cause: cause, StartTime: now, EndTime: now, StatusCode: 'Successful',
  StatusMessage: `Successfully set desired count to ${n}. Change successfully fulfilled by ecs.`,
});

function limitsText(min: number | undefined, max: number | undefined): string {
  if (min !== undefined && max !== undefined) return `min capacity to ${min} and max capacity to ${max}`;
  return min !== undefined ? `min capacity to ${min}` : `max capacity to ${max}`;
}

export function decide(input: DecideInput): Decision {
  const { target, service, now } = input;
  const state: ScalingStateRecord = structuredClone(input.state);
  const activities: NewActivity[] = [];
  if (!service.active) {
    return { remove: { alarms: target.policies.flatMap((p) => (p.type === 'TargetTrackingScaling' ? p.alarms.map((a) => a.AlarmName) : [])) }, activities, state };
  }
  let min = target.minCapacity;
  let max = target.maxCapacity;
  let limitsChanged = false;
  let desired = service.desiredCount;

  // 2. Scheduled actions.
  for (const a of target.scheduledActions) {
    const checked = state.scheduleCheckedAt[a.name] ?? a.createdAt;
    state.scheduleCheckedAt[a.name] = now;
    if (target.suspendedState.ScheduledScalingSuspended) continue;
    let fire: number | undefined;
    try {
      fire = latestFire(parseSchedule(a.schedule, a.timezone), { start: a.startTime, end: a.endTime, createdAt: a.createdAt }, checked, now);
    } catch { fire = undefined; }
    if (fire === undefined || (a.minCapacity === undefined && a.maxCapacity === undefined)) continue;
    min = a.minCapacity ?? min;
    max = a.maxCapacity ?? max;
    if (min > max) { if (a.minCapacity !== undefined) max = min; else min = max; }
    limitsChanged = true;
    const text = limitsText(a.minCapacity, a.maxCapacity);
    activities.push({ Description: `Setting ${text}`, Cause: `scheduled action name ${a.name} was triggered`, StartTime: now, EndTime: now, StatusCode: 'Successful', StatusMessage: `Successfully set ${text}` });
    if (desired < min) {
      desired = min;
      activities.push(succeeded(now, desired, `minimum capacity was set to ${min}`));
    } else if (desired > max) {
      desired = max;
      activities.push(succeeded(now, desired, `maximum capacity was set to ${max}`));
    }
  }
  for (const name of Object.keys(state.scheduleCheckedAt)) if (!target.scheduledActions.some((a) => a.name === name)) delete state.scheduleCheckedAt[name];

  // 3. Dynamic policies.
  const byArn = new Map(target.policies.map((p) => [p.arn, p]));
  interface Trigger { policy: ScalingPolicyRecord; alarm: AlarmView; proposed: number; out: boolean }
  const triggers: Trigger[] = [];
  const ps = (name: string): PolicyState => (state.policies[name] ??= {});
  for (const alarm of input.alarms) {
    for (const arn of alarm.actions) {
      const policy = byArn.get(arn);
      if (!policy) continue;
      const p = ps(policy.name);
      if (alarm.state !== 'ALARM' && p.notScaled?.startsWith(alarm.name + '|')) delete p.notScaled;
      if (!alarm.actionsEnabled) continue;
      const t = proposal(policy, alarm, desired);
      if (t) triggers.push({ policy, alarm, ...t });
    }
  }
  triggers.sort((a, b) => Number(b.out) - Number(a.out));
  let changed = false;
  for (const t of triggers) {
    if (changed) break;
    const p = ps(t.policy.name);
    const last = p.invokedAt?.[t.alarm.name];
    if (last !== undefined && now - last < t.alarm.periodSeconds * 1000) continue;
    const tt = t.policy.targetTracking;
    const cause = `monitor alarm ${t.alarm.name} in state ${t.alarm.state} triggered policy ${t.policy.name}`;
    if (t.out ? target.suspendedState.DynamicScalingOutSuspended : target.suspendedState.DynamicScalingInSuspended) continue;
    if (!t.out && service.deploying) continue;
    if (tt) {
      const outCool = (tt.ScaleOutCooldown ?? ECS_DEFAULT_COOLDOWN_S) * 1000;
      const inCool = (tt.ScaleInCooldown ?? ECS_DEFAULT_COOLDOWN_S) * 1000;
      if (t.out && p.lastScaleOutAt !== undefined && now - p.lastScaleOutAt < outCool) continue;
      if (!t.out && Math.max(p.lastScaleInAt ?? -Infinity, p.lastScaleOutAt ?? -Infinity) > now - inCool) continue;
    } else {
      const cool = (t.policy.step?.Cooldown ?? 0) * 1000;
      if (Math.max(p.lastScaleInAt ?? -Infinity, p.lastScaleOutAt ?? -Infinity) > now - cool) continue;
    }
    (p.invokedAt ??= {})[t.alarm.name] = now;
    const bounded = Math.min(max, Math.max(min, t.proposed));
    if (bounded === desired || (t.out && bounded < desired) || (!t.out && bounded > desired)) {
      const code = t.out ? 'AlreadyAtMaxCapacity' : 'AlreadyAtMinCapacity';
      const key = `${t.alarm.name}|${code}`;
      if (p.notScaled === key) continue;
      p.notScaled = key;
      activities.push({
        Description: `Attempting to set desired count to ${t.proposed}.`, Cause: cause, StartTime: now, EndTime: now, StatusCode: 'Failed',
        StatusMessage: `Failed to set desired count to ${t.proposed}. The desired count is already at the ${t.out ? 'maximum' : 'minimum'} capacity (${t.out ? max : min}).`,
        NotScaledReasons: [{ Code: code, ...(t.out ? { MaxCapacity: max } : { MinCapacity: min }), CurrentCapacity: desired }],
      });
      continue;
    }
    desired = bounded;
    changed = true;
    delete p.notScaled;
    if (t.out) p.lastScaleOutAt = now; else p.lastScaleInAt = now;
    activities.push(succeeded(now, desired, cause));
  }

  // 4. Target tracking without data.
  for (const policy of target.policies) {
    if (policy.type !== 'TargetTrackingScaling') continue;
    const mine = input.alarms.filter((a) => policy.alarms.some((r) => r.AlarmName === a.name));
    const p = ps(policy.name);
    if (mine.some((a) => a.state !== 'INSUFFICIENT_DATA')) { delete p.noDataReported; continue; }
    const high = mine.find((a) => a.comparison.startsWith('Greater'));
    if (!high || p.noDataReported) continue;
    const waited = now - policy.createdAt;
    // AlarmHigh needs `EvaluationPeriods` periods of data; one more period of slack for the first publish.
    const needed = (high.periodSeconds * 1000) * (high.evaluationPeriods + 1);
    if (waited < needed) continue;
    p.noDataReported = true;
    activities.push({
      Description: `Unable to track the target of policy ${policy.name}: its metric has no data.`,
      Cause: `monitor alarm ${high.name} in state INSUFFICIENT_DATA: no datapoints for ${high.metric}`,
      StartTime: now, EndTime: now, StatusCode: 'Failed',
      StatusMessage: `No datapoints were published for ${high.metric}. The policy stays in place and scales once the metric has data.`,
    });
  }
  for (const name of Object.keys(state.policies)) if (!target.policies.some((p) => p.name === name)) delete state.policies[name];

  const out: Decision = { activities, state };
  if (desired !== service.desiredCount) out.desiredCount = desired;
  if (limitsChanged && (min !== target.minCapacity || max !== target.maxCapacity)) out.limits = { minCapacity: min, maxCapacity: max };
  return out;
}

/** The count a policy asks for when `alarm` runs it, and whether that is a scale-out; undefined when it asks nothing. */
export function proposal(policy: ScalingPolicyRecord, alarm: AlarmView, current: number): { proposed: number; out: boolean } | undefined {
  if (policy.type === 'TargetTrackingScaling') {
    const tt = policy.targetTracking!;
    const v = alarm.latest;
    if (v === undefined || alarm.state !== 'ALARM') return undefined;
    const out = alarm.comparison.startsWith('Greater');
    const target = tt.TargetValue!;
    if (out) return { out, proposed: current === 0 ? 1 : Math.max(current + 1, Math.ceil((current * v) / target - 1e-9)) };
    return { out, proposed: Math.min(current - 1, Math.ceil((current * v) / target - 1e-9)) };
  }
  const step = policy.step;
  if (!step?.StepAdjustments?.length) return undefined;
  const breach = (alarm.latest ?? alarm.threshold) - alarm.threshold;
  // AWS: above the threshold a step's lower bound is inclusive and its upper bound exclusive; below
  // the threshold it is the other way round.
  const s = step.StepAdjustments.find((x) => {
    const lo = x.MetricIntervalLowerBound ?? -Infinity;
    const hi = x.MetricIntervalUpperBound ?? Infinity;
    return breach >= 0 ? lo <= breach && breach < hi : lo < breach && breach <= hi;
  });
  if (!s) return undefined;
  const n = s.ScalingAdjustment ?? 0;
  let proposed: number;
  switch (step.AdjustmentType) {
    case 'ExactCapacity': proposed = n; break;
    case 'PercentChangeInCapacity': {
      // AWS: a change between 0 and 1 in magnitude becomes 1; larger ones are rounded toward zero;
      // MinAdjustmentMagnitude is the least change.
      const raw = (current * n) / 100;
      let d = Math.abs(raw) < 1 ? Math.sign(raw) : Math.trunc(raw);
      if (step.MinAdjustmentMagnitude !== undefined && Math.abs(d) < step.MinAdjustmentMagnitude) d = Math.sign(n) * step.MinAdjustmentMagnitude;
      proposed = current + d;
      break;
    }
    default: proposed = current + n;
  }
  if (proposed === current) return undefined;
  return { proposed, out: proposed > current };
}
