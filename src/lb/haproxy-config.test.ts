import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serverArgs, TRANSITION_CHECK_MS, FAST_CHECK_MS } from './haproxy-config.js';
import type { DpBackend } from '../model/elbv2/data-plane.js';

const backend = (intervalSeconds: number, enabled = true) => ({
  name: 'tg_x', servers: [], slowStartSeconds: 0,
  healthCheck: { enabled, intervalSeconds, timeoutSeconds: 2, healthyThreshold: 2, unhealthyThreshold: 3, path: '/', matcher: '200', port: 'traffic-port' },
}) as unknown as DpBackend;

test('healthy targets are checked on the interval, down and changing ones fast (new target: first check + one more)', () => {
  const args = serverArgs(backend(5), { address: '127.0.0.1', port: 8080 });
  assert.equal(args, `127.0.0.1:8080 pool-max-conn -1 pool-purge-delay 5s check inter 5s fastinter ${FAST_CHECK_MS} downinter ${TRANSITION_CHECK_MS} rise 2 fall 3`);
  assert.ok(TRANSITION_CHECK_MS + FAST_CHECK_MS <= 500, 'registration → traffic stays well under the 1 s goal with HealthyThresholdCount 2');
});

test('the fast intervals never exceed the configured interval', () => {
  const b = backend(5);
  (b.healthCheck as { intervalSeconds: number }).intervalSeconds = 0.1;
  assert.match(serverArgs(b, { address: 'a', port: 1 }), /fastinter 100 downinter 100/);
});

test('no check words when health checks are disabled', () => {
  assert.equal(serverArgs(backend(5, false), { address: '10.0.0.1', port: 80 }), '10.0.0.1:80 pool-max-conn -1 pool-purge-delay 5s');
});

test('runtime-added servers keep idle connections like servers in the file (HAProxy 2.6 zeroes pool-purge-delay for `add server`)', () => {
  assert.match(serverArgs(backend(5), { address: '127.0.0.1', port: 1 }), / pool-max-conn -1 pool-purge-delay 5s /);
});
