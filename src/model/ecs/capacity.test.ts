import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkClusterProviders, chooseLaunch, poolRoomFor, resolvePlatformVersion, spreadOverStrategy } from './capacity.js';

const count = (xs: string[]) => Object.fromEntries([...new Set(xs)].map((x) => [x, xs.filter((y) => y === x).length]));

test('base first, then weight (worked example in capacity.ts)', () => {
  const s = [{ capacityProvider: 'A', base: 2, weight: 1 }, { capacityProvider: 'B', base: 0, weight: 3 }];
  assert.deepEqual(count(spreadOverStrategy(s, 10)), { A: 4, B: 6 });
  assert.deepEqual(spreadOverStrategy(s, 2), ['A', 'A']);
});

test("AWS's examples: 1:1 splits evenly; 1:4 puts four on B for each on A; weight 0 gets nothing", () => {
  assert.deepEqual(count(spreadOverStrategy([{ capacityProvider: 'A', base: 0, weight: 1 }, { capacityProvider: 'B', base: 0, weight: 1 }], 6)), { A: 3, B: 3 });
  assert.deepEqual(count(spreadOverStrategy([{ capacityProvider: 'A', base: 0, weight: 1 }, { capacityProvider: 'B', base: 0, weight: 4 }], 10)), { A: 2, B: 8 });
  assert.deepEqual(count(spreadOverStrategy([{ capacityProvider: 'A', base: 0, weight: 0 }, { capacityProvider: 'B', base: 0, weight: 1 }], 3)), { B: 3 });
});

test('tasks already running count toward base and ratio (a service scaling out)', () => {
  const s = [{ capacityProvider: 'A', base: 1, weight: 1 }, { capacityProvider: 'B', base: 0, weight: 1 }];
  assert.deepEqual(count(spreadOverStrategy(s, 2, new Map([['A', 1], ['B', 0]]))), { A: 1, B: 1 });
  assert.deepEqual(spreadOverStrategy(s, 1, new Map([['A', 3], ['B', 0]])), ['B']);
});

test('chooseLaunch: launch type, strategy, cluster default, and the errors ECS gives', () => {
  const cluster = { capacityProviders: ['FARGATE'], defaultCapacityProviderStrategy: [] };
  assert.deepEqual(chooseLaunch({}, cluster), { launchType: 'EC2' });
  assert.deepEqual(chooseLaunch({ launchType: 'FARGATE' }, cluster), { launchType: 'FARGATE' });
  assert.deepEqual(chooseLaunch({}, { ...cluster, defaultCapacityProviderStrategy: [{ capacityProvider: 'FARGATE', weight: 1 }] }),
    { launchType: 'FARGATE', strategy: [{ capacityProvider: 'FARGATE', base: 0, weight: 1 }] });
  assert.throws(() => chooseLaunch({ launchType: 'FARGATE', capacityProviderStrategy: [{ capacityProvider: 'FARGATE', weight: 1 }] }, cluster), /Specifying both a launch type and capacity provider strategy is not supported/);
  assert.throws(() => chooseLaunch({ capacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }] }, cluster), /not associated with the cluster/);
  assert.throws(() => chooseLaunch({ capacityProviderStrategy: [{ capacityProvider: 'FARGATE', weight: 0 }] }, cluster), /weight greater than 0/);
  assert.throws(() => chooseLaunch({ capacityProviderStrategy: [{ capacityProvider: 'nope', weight: 1 }] }, cluster), /'nope' does not exist/);
});

test('cluster providers and platform versions', () => {
  assert.throws(() => checkClusterProviders(['FARGATE', 'asg-1'], []), /'asg-1' does not exist/);
  assert.throws(() => checkClusterProviders(['FARGATE'], [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }]), /not associated/);
  assert.throws(() => checkClusterProviders(['FARGATE', 'FARGATE_SPOT'], [{ capacityProvider: 'FARGATE', base: 1, weight: 1 }, { capacityProvider: 'FARGATE_SPOT', base: 1, weight: 1 }]), /Only one capacity provider/);
  assert.equal(resolvePlatformVersion(undefined), '1.4.0');
  assert.equal(resolvePlatformVersion('LATEST'), '1.4.0');
  assert.equal(resolvePlatformVersion('1.3.0'), '1.3.0');
  assert.throws(() => resolvePlatformVersion('1.0.0'), /platform version/);
});

test('poolRoomFor: new tasks fit next to the live ones in at most maxHosts hosts (the example in the header)', () => {
  const limits = { hostCpu: 1024, hostMemory: 4096, maxHosts: 2 };
  const small = { cpu: 256, memory: 512 };
  assert.equal(poolRoomFor(limits, Array(5).fill(small), Array(10).fill(small)), 3);
  assert.equal(poolRoomFor(limits, [], Array(10).fill(small)), 8);
  assert.equal(poolRoomFor(limits, Array(8).fill(small), [small]), 0);
  // A task larger than a host gets a host of its own size; two of them fill a two-host pool.
  const big = { cpu: 4096, memory: 8192 };
  assert.equal(poolRoomFor(limits, [], [big, big, big]), 2);
  assert.equal(poolRoomFor(limits, [big], [small]), 1, 'the big task\'s host has no room left over in cpu, a second host does');
  assert.equal(poolRoomFor({ ...limits, maxHosts: 0 }, [], [small]), 0, 'no pool (another region): nothing fits');
});
