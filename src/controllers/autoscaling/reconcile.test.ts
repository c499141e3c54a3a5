import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decide, type AlarmView, type DecideInput } from './reconcile.js';
import { emptyState, type ScalableTargetRecord, type ScalingPolicyRecord } from '../../model/autoscaling/records.js';

const T0 = Date.UTC(2026, 11, 3, 9, 0, 0);
const TT_ARN = 'arn:aws:autoscaling:us-east-1:000000000000:scalingPolicy:u1:resource/ecs/service/c/web:policyName/cpu50';
const STEP_ARN = 'arn:aws:autoscaling:us-east-1:000000000000:scalingPolicy:u2:resource/ecs/service/c/web:policyName/step';

const tracking = (over: Partial<ScalingPolicyRecord['targetTracking']> = {}): ScalingPolicyRecord => ({
  name: 'cpu50', arn: TT_ARN, type: 'TargetTrackingScaling', createdAt: T0 - 3_600_000,
  targetTracking: { TargetValue: 50, PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' }, ScaleOutCooldown: 60, ScaleInCooldown: 120, ...over },
  alarms: [{ AlarmName: 'hi', AlarmARN: 'a:hi' }, { AlarmName: 'lo', AlarmARN: 'a:lo' }],
});

function target(over: Partial<ScalableTargetRecord> = {}): ScalableTargetRecord {
  return {
    serviceNamespace: 'ecs', resourceId: 'service/c/web', scalableDimension: 'ecs:service:DesiredCount', minCapacity: 1, maxCapacity: 4,
    roleArn: 'r', suspendedState: { DynamicScalingInSuspended: false, DynamicScalingOutSuspended: false, ScheduledScalingSuspended: false },
    arn: 'arn:t', createdAt: T0 - 7_200_000, tags: {}, policies: [tracking()], scheduledActions: [], version: 1, ...over,
  };
}

const alarm = (name: 'hi' | 'lo', state: AlarmView['state'], latest?: number, over: Partial<AlarmView> = {}): AlarmView => ({
  name, state, actionsEnabled: true, actions: state === 'ALARM' ? [TT_ARN] : [], comparison: name === 'hi' ? 'GreaterThanThreshold' : 'LessThanThreshold',
  threshold: name === 'hi' ? 50 : 45, periodSeconds: 60, evaluationPeriods: name === 'hi' ? 3 : 15, metric: 'AWS/ECS CPUUtilization (ClusterName=c, ServiceName=web)',
  ...(latest !== undefined ? { latest } : {}), ...over,
});

const input = (over: Partial<DecideInput> = {}): DecideInput => ({
  target: target(), state: emptyState(), service: { active: true, desiredCount: 2, deploying: false }, alarms: [alarm('hi', 'OK', 40), alarm('lo', 'OK', 40)], now: T0, ...over,
});

describe('autoscaling decide: target tracking', () => {
  it('scales out proportionally: 2 tasks at 180 % against 50 % → ceil(7.2) = 8, capped at max 4', () => {
    const d = decide(input({ alarms: [alarm('hi', 'ALARM', 180), alarm('lo', 'OK', 180)] }));
    assert.equal(d.desiredCount, 4);
    assert.deepEqual(d.activities.map((a) => [a.Description, a.Cause, a.StatusCode, a.StatusMessage]), [[
      'Setting desired count to 4.', 'monitor alarm hi in state ALARM triggered policy cpu50', 'Successful',
      'Successfully set desired count to 4. Change successfully fulfilled by ecs.',
    ]]);
    assert.equal(d.state.policies.cpu50.lastScaleOutAt, T0);
  });

  it('scale-out is at least one task: 2 tasks at 55 % against 50 % → 3', () => {
    assert.equal(decide(input({ alarms: [alarm('hi', 'ALARM', 55)] })).desiredCount, 3);
  });

  it('scale-out waits for its cooldown, and the alarm runs the policy once per period', () => {
    const state = { ...emptyState(), policies: { cpu50: { lastScaleOutAt: T0 - 30_000 } } };
    assert.equal(decide(input({ state, alarms: [alarm('hi', 'ALARM', 90)] })).desiredCount, undefined, 'inside the 60 s scale-out cooldown');
    const later = { ...emptyState(), policies: { cpu50: { lastScaleOutAt: T0 - 61_000, invokedAt: { hi: T0 - 10_000 } } } };
    assert.equal(decide(input({ state: later, alarms: [alarm('hi', 'ALARM', 90)] })).desiredCount, undefined, 'ran 10 s ago: next in the next period');
    const ok = { ...emptyState(), policies: { cpu50: { lastScaleOutAt: T0 - 61_000, invokedAt: { hi: T0 - 61_000 } } } };
    assert.equal(decide(input({ state: ok, alarms: [alarm('hi', 'ALARM', 90)] })).desiredCount, 4);
  });

  it('scales in to what the load needs, never below min: 3 tasks at 10 % → ceil(0.6) = 1', () => {
    const d = decide(input({ service: { active: true, desiredCount: 3, deploying: false }, alarms: [alarm('hi', 'OK', 10), alarm('lo', 'ALARM', 10)] }));
    assert.equal(d.desiredCount, 1);
    const floor = decide(input({ target: target({ minCapacity: 2 }), service: { active: true, desiredCount: 3, deploying: false }, alarms: [alarm('lo', 'ALARM', 0)] }));
    assert.equal(floor.desiredCount, 2);
  });

  it('scale-in waits for the scale-in cooldown after a scale-out or a scale-in; a scale-out does not wait for it', () => {
    const afterOut = { ...emptyState(), policies: { cpu50: { lastScaleOutAt: T0 - 90_000 } } };
    assert.equal(decide(input({ state: afterOut, service: { active: true, desiredCount: 3, deploying: false }, alarms: [alarm('lo', 'ALARM', 5)] })).desiredCount, undefined);
    const afterIn = { ...emptyState(), policies: { cpu50: { lastScaleInAt: T0 - 10_000 } } };
    assert.equal(decide(input({ state: afterIn, service: { active: true, desiredCount: 3, deploying: false }, alarms: [alarm('hi', 'ALARM', 200)] })).desiredCount, 4);
  });

  it('no scale-in during a deployment; scale-out continues', () => {
    assert.equal(decide(input({ service: { active: true, desiredCount: 3, deploying: true }, alarms: [alarm('lo', 'ALARM', 5)] })).desiredCount, undefined);
    assert.equal(decide(input({ service: { active: true, desiredCount: 3, deploying: true }, alarms: [alarm('hi', 'ALARM', 200)] })).desiredCount, 4);
  });

  it('suspended dynamic scaling does nothing', () => {
    const t = target({ suspendedState: { DynamicScalingInSuspended: true, DynamicScalingOutSuspended: true, ScheduledScalingSuspended: false } });
    assert.equal(decide(input({ target: t, alarms: [alarm('hi', 'ALARM', 200)] })).desiredCount, undefined);
    assert.equal(decide(input({ target: t, service: { active: true, desiredCount: 3, deploying: false }, alarms: [alarm('lo', 'ALARM', 1)] })).desiredCount, undefined);
  });

  it('at max: one not-scaled activity (AlreadyAtMaxCapacity), not repeated while the alarm stays in ALARM', () => {
    const d = decide(input({ service: { active: true, desiredCount: 4, deploying: false }, alarms: [alarm('hi', 'ALARM', 90)] }));
    assert.equal(d.desiredCount, undefined);
    assert.deepEqual(d.activities[0].NotScaledReasons, [{ Code: 'AlreadyAtMaxCapacity', MaxCapacity: 4, CurrentCapacity: 4 }]);
    const again = decide(input({ state: d.state, now: T0 + 61_000, service: { active: true, desiredCount: 4, deploying: false }, alarms: [alarm('hi', 'ALARM', 90)] }));
    assert.equal(again.activities.length, 0);
  });

  it('a metric that never gets data: the policy stays, one Failed activity names the metric', () => {
    const fresh = target({ policies: [{ ...tracking(), createdAt: T0 - 100_000 }] });
    const none = [alarm('hi', 'INSUFFICIENT_DATA'), alarm('lo', 'INSUFFICIENT_DATA')];
    assert.equal(decide(input({ target: fresh, alarms: none })).activities.length, 0, '100 s < (3 + 1) × 60 s: too early to say');
    const d = decide(input({ target: fresh, alarms: none, now: T0 + 200_000 }));
    assert.equal(d.activities.length, 1);
    assert.equal(d.activities[0].StatusCode, 'Failed');
    assert.match(d.activities[0].StatusMessage!, /No datapoints were published for AWS\/ECS CPUUtilization \(ClusterName=c, ServiceName=web\)/);
    assert.equal(decide(input({ target: fresh, alarms: none, now: T0 + 300_000, state: d.state })).activities.length, 0, 'said once');
  });

  it('the service is gone: the target goes with its alarms', () => {
    const d = decide(input({ service: { active: false, desiredCount: 0, deploying: false } }));
    assert.deepEqual(d.remove, { alarms: ['hi', 'lo'] });
  });
});

describe('autoscaling decide: step scaling', () => {
  const step = (cfg: NonNullable<ScalingPolicyRecord['step']>): ScalingPolicyRecord => ({ name: 'step', arn: STEP_ARN, type: 'StepScaling', step: cfg, alarms: [], createdAt: T0 - 3_600_000 });
  const userAlarm = (latest: number | undefined, threshold = 75): AlarmView => ({
    name: 'web-cpu-gt-75', state: 'ALARM', actionsEnabled: true, actions: [STEP_ARN], comparison: 'GreaterThanThreshold', threshold, periodSeconds: 60, evaluationPeriods: 1, metric: 'm',
    ...(latest !== undefined ? { latest } : {}),
  });
  const t = (cfg: NonNullable<ScalingPolicyRecord['step']>) => target({ maxCapacity: 10, policies: [step(cfg)] });

  it('PercentChangeInCapacity 200 % (the AWS CLI example): 2 → 6', () => {
    const d = decide(input({ target: t({ AdjustmentType: 'PercentChangeInCapacity', StepAdjustments: [{ MetricIntervalLowerBound: 0, ScalingAdjustment: 200 }], Cooldown: 60 }), alarms: [userAlarm(90)] }));
    assert.equal(d.desiredCount, 6);
    assert.equal(d.activities[0].Cause, 'monitor alarm web-cpu-gt-75 in state ALARM triggered policy step');
  });

  it('the step that holds the breach applies: breach 30 → the [20, ∞) step', () => {
    const cfg = { AdjustmentType: 'ChangeInCapacity' as const, StepAdjustments: [{ MetricIntervalLowerBound: 0, MetricIntervalUpperBound: 20, ScalingAdjustment: 1 }, { MetricIntervalLowerBound: 20, ScalingAdjustment: 3 }] };
    assert.equal(decide(input({ target: t(cfg), alarms: [userAlarm(105)] })).desiredCount, 5);
    assert.equal(decide(input({ target: t(cfg), alarms: [userAlarm(80)] })).desiredCount, 3);
    assert.equal(decide(input({ target: t(cfg), alarms: [userAlarm(undefined)] })).desiredCount, 3, 'no datapoint (SetAlarmState): breach 0');
  });

  it('ExactCapacity and a scale-in step below the threshold; Cooldown holds the next change', () => {
    const cfg = { AdjustmentType: 'ExactCapacity' as const, StepAdjustments: [{ MetricIntervalUpperBound: 0, ScalingAdjustment: 1 }], Cooldown: 300 };
    const low: AlarmView = { ...userAlarm(10, 25), comparison: 'LessThanThreshold' };
    const d = decide(input({ target: t(cfg), service: { active: true, desiredCount: 5, deploying: false }, alarms: [low] }));
    assert.equal(d.desiredCount, 1);
    const again = decide(input({ target: t(cfg), state: { ...d.state, policies: { step: { lastScaleInAt: T0 - 100_000 } } }, service: { active: true, desiredCount: 5, deploying: false }, alarms: [low] }));
    assert.equal(again.desiredCount, undefined);
  });

  it('an alarm with its actions disabled runs nothing', () => {
    const cfg = { AdjustmentType: 'ChangeInCapacity' as const, StepAdjustments: [{ MetricIntervalLowerBound: 0, ScalingAdjustment: 1 }] };
    assert.equal(decide(input({ target: t(cfg), alarms: [{ ...userAlarm(90), actionsEnabled: false }] })).desiredCount, undefined);
  });
});

describe('autoscaling decide: scheduled actions', () => {
  const at = (name: string, schedule: string, min?: number, max?: number, tz?: string) => ({ name, arn: `a:${name}`, schedule, ...(tz ? { timezone: tz } : {}), createdAt: T0 - 60_000, ...(min !== undefined ? { minCapacity: min } : {}), ...(max !== undefined ? { maxCapacity: max } : {}) });

  it('cron in a time zone: 04:01 in New York is 09:01 UTC; min/max change and the count follows the new min', () => {
    const t = target({ policies: [], scheduledActions: [at('morning', 'cron(1 4 * * ? *)', 3, 6, 'America/New_York')] });
    const before = decide(input({ target: t, now: T0 + 59_000 }));
    assert.equal(before.limits, undefined);
    const d = decide(input({ target: t, state: before.state, now: T0 + 61_000 }));
    assert.deepEqual(d.limits, { minCapacity: 3, maxCapacity: 6 });
    assert.equal(d.desiredCount, 3);
    assert.deepEqual(d.activities.map((a) => [a.Description, a.Cause, a.StatusMessage]), [
      ['Setting min capacity to 3 and max capacity to 6', 'scheduled action name morning was triggered', 'Successfully set min capacity to 3 and max capacity to 6'],
      ['Setting desired count to 3.', 'minimum capacity was set to 3', 'Successfully set desired count to 3. Change successfully fulfilled by ecs.'],
    ]);
    const next = decide(input({ target: { ...t, minCapacity: 3, maxCapacity: 6 }, state: d.state, now: T0 + 120_000, service: { active: true, desiredCount: 3, deploying: false } }));
    assert.equal(next.activities.length, 0, 'runs once per fire time');
  });

  it('a lower max brings the count down ("maximum capacity was set to 1"); ScheduledScalingSuspended holds it', () => {
    const t = target({ policies: [], scheduledActions: [at('night', 'at(2026-12-03T09:00:30)', undefined, 1)] });
    const d = decide(input({ target: t, now: T0 + 31_000 }));
    assert.deepEqual(d.limits, { minCapacity: 1, maxCapacity: 1 });
    assert.equal(d.activities[1].Cause, 'maximum capacity was set to 1');
    const held = decide(input({ target: { ...t, suspendedState: { ...t.suspendedState, ScheduledScalingSuspended: true } }, now: T0 + 31_000 }));
    assert.equal(held.limits, undefined);
  });
});
