import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cost, taskUsage, US_EAST_1_PRICES } from './metering.js';

const t = { cpu: '256', memory: '512', lastStatus: 'STOPPED' };

test('per second, rounded up, from pull start to stop (worked example in metering.ts)', () => {
  const u = taskUsage({ ...t, pullStartedAt: 400, stoppedAt: 90_100 }, 0);
  assert.deepEqual(u, { billedSeconds: 90, vcpuSeconds: 22.5, gbSeconds: 45, storageGbSeconds: 0 });
  assert.ok(Math.abs(cost(u, US_EAST_1_PRICES) - 0.000309) < 5e-7);
});

test('one-minute minimum; nothing before the pull; running tasks bill up to now', () => {
  assert.equal(taskUsage({ ...t, pullStartedAt: 0, stoppedAt: 10_000 }, 0).billedSeconds, 60);
  assert.equal(taskUsage({ ...t, lastStatus: 'PROVISIONING' }, 99_000).billedSeconds, 0);
  assert.equal(taskUsage({ ...t, lastStatus: 'RUNNING', pullStartedAt: 0 }, 125_001).billedSeconds, 126);
});

test('ephemeral storage above 20 GB is billed; Spot at the configured fraction', () => {
  const u = taskUsage({ ...t, ephemeralStorageGiB: 50, pullStartedAt: 0, stoppedAt: 100_000 }, 0);
  assert.equal(u.storageGbSeconds, 3000);
  assert.equal(cost(u, US_EAST_1_PRICES, true), cost(u, US_EAST_1_PRICES) * 0.3);
});
