/**
 * Target tracking on a customized metric with metric math, through the real pieces in one process:
 * the alarms target-tracking.ts makes, CloudWatch's store and evaluator (src/telemetry/metrics-store.ts)
 * and the decision (reconcile.ts) reading the alarms as the controller does (alarmView).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PutMetricAlarmInput } from '@aws-sdk/client-cloudwatch';
import { MetricsStore } from '../../telemetry/metrics-store.js';
import { trackingAlarms, TrackingConfigError } from '../../model/autoscaling/target-tracking.js';
import { emptyState, type ScalableTargetRecord } from '../../model/autoscaling/records.js';
import { alarmView } from './controller.js';
import { decide } from './reconcile.js';

const ARN = 'arn:aws:autoscaling:us-east-1:000000000000:scalingPolicy:u:resource/ecs/service/c/worker:policyName/backlog';
const timing = { periodSeconds: 10, highPoints: 2, lowPoints: 3 };
const mathConfig = {
  TargetValue: 10,
  CustomizedMetricSpecification: {
    Metrics: [
      { Id: 'm1', MetricStat: { Metric: { Namespace: 'App', MetricName: 'Backlog', Dimensions: [{ Name: 'Queue', Value: 'jobs' }] }, Stat: 'Sum' }, ReturnData: false },
      { Id: 'e1', Expression: 'm1 / 2', Label: 'backlog per task', ReturnData: true },
    ],
  },
  ScaleOutCooldown: 0,
};

describe('target tracking on metric math', () => {
  it('backlog 100 per period / 2 = 50 against a target of 10: AlarmHigh fires and 2 tasks become ceil(2 × 50 / 10) = 10, capped at max 6', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wharf-aas-math-'));
    const store = new MetricsStore(join(dir, 'metrics.db'), { region: 'us-east-1', accountId: '000000000000' });
    try {
      const alarms = trackingAlarms({ config: mathConfig, policyArn: ARN, resourceId: 'service/c/worker', target: { cluster: 'c', service: 'worker' }, timing, ids: { high: 'h', low: 'l' } });
      assert.deepEqual(alarms.map((a) => [a.AlarmName, a.ComparisonOperator, a.Threshold, a.EvaluationPeriods]), [
        ['TargetTracking-service/c/worker-AlarmHigh-h', 'GreaterThanThreshold', 10, 2], ['TargetTracking-service/c/worker-AlarmLow-l', 'LessThanThreshold', 9, 3],
      ]);
      assert.equal(alarms[0].Metrics?.[0].MetricStat?.Period, 10, 'the metric math queries take the tracking period');
      const t0 = Date.UTC(2026, 11, 3, 9, 0, 0);
      for (const a of alarms) store.putMetricAlarm(a as PutMetricAlarmInput, new Date(t0));
      for (const at of [t0 + 1000, t0 + 11_000]) {
        store.putMetricData('App', [{ MetricName: 'Backlog', Dimensions: [{ Name: 'Queue', Value: 'jobs' }], Timestamp: new Date(at), Value: 100 }], new Date(at));
      }
      store.evaluateAlarms(new Date(t0 + 20_500));
      const views = store.listAlarms().map(alarmView);
      const high = views.find((v) => v.name.includes('AlarmHigh'))!;
      assert.deepEqual([high.state, high.latest, high.actions], ['ALARM', 50, [ARN]]);
      const target: ScalableTargetRecord = {
        serviceNamespace: 'ecs', resourceId: 'service/c/worker', scalableDimension: 'ecs:service:DesiredCount', minCapacity: 1, maxCapacity: 6, roleArn: 'r',
        suspendedState: { DynamicScalingInSuspended: false, DynamicScalingOutSuspended: false, ScheduledScalingSuspended: false }, arn: 'a', createdAt: t0, tags: {},
        policies: [{ name: 'backlog', arn: ARN, type: 'TargetTrackingScaling', targetTracking: mathConfig, alarms: alarms.map((a) => ({ AlarmName: a.AlarmName, AlarmARN: 'x' })), createdAt: t0 }],
        scheduledActions: [], version: 1,
      };
      const d = decide({ target, state: emptyState(), service: { active: true, desiredCount: 2, deploying: false }, alarms: views, now: t0 + 21_000 });
      assert.equal(d.desiredCount, 6);
      assert.equal(d.activities[0].Cause, 'monitor alarm TargetTracking-service/c/worker-AlarmHigh-h in state ALARM triggered policy backlog');
    } finally {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses what AWS refuses in a customized metric specification', () => {
    const bad = (CustomizedMetricSpecification: object) => () => trackingAlarms({
      config: { TargetValue: 10, CustomizedMetricSpecification }, policyArn: ARN, resourceId: 'service/c/worker', target: { cluster: 'c', service: 'worker' }, timing, ids: { high: 'h', low: 'l' },
    });
    assert.throws(bad({ Metrics: [{ Id: 'a', Expression: '1', ReturnData: true }, { Id: 'b', Expression: '2', ReturnData: true }] }), (e: Error) => e instanceof TrackingConfigError && /Exactly one of the metrics/.test(e.message));
    assert.throws(bad({ MetricName: 'x', Namespace: 'y', Statistic: 'Sum', Metrics: [{ Id: 'a', Expression: '1' }] }), /cannot be specified together/);
    assert.throws(bad({ MetricName: 'x' }), /needs MetricName, Namespace and Statistic/);
    assert.throws(() => trackingAlarms({ config: { TargetValue: 0, PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' } }, policyArn: ARN, resourceId: 'r', target: { cluster: 'c', service: 's' }, timing, ids: { high: 'h', low: 'l' } }), /greater than 0/);
  });
});
