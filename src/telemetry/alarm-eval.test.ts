import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateAlarm, type AlarmRule } from './alarm-eval.js';

const rule = (o: Partial<AlarmRule> = {}): AlarmRule => ({ comparison: 'GreaterThanThreshold', threshold: 50, evaluationPeriods: 3, ...o });

test('M of N datapoints to alarm', () => {
  assert.equal(evaluateAlarm(rule(), [60, 70, 80], 'OK').state, 'ALARM');
  assert.equal(evaluateAlarm(rule(), [60, 40, 80], 'OK').state, 'OK');
  assert.equal(evaluateAlarm(rule({ datapointsToAlarm: 2 }), [60, 40, 80], 'OK').state, 'ALARM');
  assert.equal(evaluateAlarm(rule({ comparison: 'LessThanOrEqualToThreshold' }), [50, 10, 0], 'OK').state, 'ALARM');
  assert.match(evaluateAlarm(rule(), [60, 70, 80], 'OK').reason, /Threshold Crossed: 3 out of the last 3 datapoints/);
});

test('treatMissingData', () => {
  const none = [undefined, undefined, undefined];
  assert.equal(evaluateAlarm(rule(), none, 'OK').state, 'INSUFFICIENT_DATA');
  assert.equal(evaluateAlarm(rule({ treatMissingData: 'breaching' }), none, 'OK').state, 'ALARM');
  assert.equal(evaluateAlarm(rule({ treatMissingData: 'notBreaching' }), none, 'ALARM').state, 'OK');
  assert.equal(evaluateAlarm(rule({ treatMissingData: 'ignore' }), none, 'ALARM').state, 'ALARM');
  assert.equal(evaluateAlarm(rule({ treatMissingData: 'breaching' }), [60, undefined, undefined], 'OK').state, 'ALARM');
  assert.equal(evaluateAlarm(rule({ treatMissingData: 'notBreaching' }), [60, undefined, undefined], 'OK').state, 'OK');
  assert.equal(evaluateAlarm(rule({ datapointsToAlarm: 1 }), [60, undefined, undefined], 'OK').state, 'ALARM');
});
