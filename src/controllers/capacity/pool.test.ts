import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decidePool, DEFAULT_POOL_CONFIG, type PoolHost } from './pool.js';

const c = { ...DEFAULT_POOL_CONFIG, hostCpu: 8192, hostMemory: 32768, warm: 0, idleMs: 1000, maxHosts: 4 };
const host = (name: string, o: Partial<PoolHost> = {}): PoolHost => ({ name, ready: true, freeCpu: 8192, freeMemory: 32768, liveTasks: 0, ...o });
const tasks = (n: number, cpu = 256, memory = 512) => Array.from({ length: n }, () => ({ cpu, memory }));

test('an empty pool starts enough hosts for the waiting demand (worked example in pool.ts)', () => {
  assert.equal(decidePool({ waiting: tasks(40), hosts: [], now: 0, config: c }).start.length, 2);
  assert.equal(decidePool({ waiting: tasks(1), hosts: [], now: 0, config: c }).start.length, 1);
});

test('waiting tasks fill free room and starting hosts first', () => {
  assert.deepEqual(decidePool({ waiting: tasks(10), hosts: [host('a', { freeCpu: 4096, liveTasks: 3 })], now: 0, config: c }).start, []);
  assert.deepEqual(decidePool({ waiting: tasks(10), hosts: [host('a', { ready: false, freeCpu: 0, freeMemory: 0 })], now: 0, config: c }).start, []);
  assert.equal(decidePool({ waiting: tasks(33), hosts: [host('a', { ready: false, freeCpu: 0, freeMemory: 0 })], now: 0, config: c }).start.length, 1);
});

test('a task larger than a host gets a host of its size; the pool never exceeds maxHosts', () => {
  assert.deepEqual(decidePool({ waiting: [{ cpu: 16384, memory: 122880 }], hosts: [], now: 0, config: c }).start, [{ cpu: 16384, memory: 122880 }]);
  assert.equal(decidePool({ waiting: tasks(1000), hosts: [host('a', { freeCpu: 0, liveTasks: 32 })], now: 0, config: c }).start.length, 3);
});

test('idle hosts stop after idleMs, keeping `warm` of them; busy hosts never stop', () => {
  const hosts = [host('a', { idleSince: 0 }), host('b', { idleSince: 500 }), host('c', { liveTasks: 1 })];
  assert.deepEqual(decidePool({ waiting: [], hosts, now: 900, config: c }).stop, []);
  assert.deepEqual(decidePool({ waiting: [], hosts, now: 1600, config: c }).stop.sort(), ['a', 'b']);
  assert.deepEqual(decidePool({ waiting: [], hosts, now: 1600, config: { ...c, warm: 1 } }).stop, ['a']);
});

test('prewarm starts hosts up to `warm` empty ones', () => {
  assert.equal(decidePool({ waiting: [], hosts: [], now: 0, config: { ...c, warm: 2 }, prewarm: true }).start.length, 2);
  assert.equal(decidePool({ waiting: [], hosts: [host('a', { idleSince: 0 })], now: 0, config: { ...c, warm: 2 }, prewarm: true }).start.length, 1);
  assert.equal(decidePool({ waiting: [], hosts: [], now: 0, config: { ...c, warm: 2 }, prewarm: false }).start.length, 0);
});
