/**
 * Placement, pure: examples from ECS's docs and fast-check properties — never oversubscribed,
 * constraints always hold, spread never worse than an optimal placement allows.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { checkPlacementSpec, place, PlacementSpecError, SERVICE_DEFAULT_STRATEGY, type InstanceView, type Strategy } from './placement.js';
import { selectForScaleIn } from './scale-in.js';

function inst(id: string, over: Partial<InstanceView> & { az?: string } = {}): InstanceView {
  return {
    arn: `arn:ci/${id}`, id, status: 'ACTIVE', agentConnected: true, remaining: { cpu: 1024, memory: 1024, ports: [], udpPorts: [] },
    attributes: [{ name: 'ecs.availability-zone', value: over.az ?? 'a' }, { name: 'ecs.instance-type', value: 't2.micro' }], groups: new Map(), ...over,
  };
}

let seed = 1;
const rnd = () => { seed = (seed * 16807) % 2147483647; return seed / 2147483647; };
const demand = (cpu = 100, memory = 100, ports: number[] = []) => ({ cpu, memory, ports, udpPorts: [], requiresAttributes: [] });

describe('placement', () => {
  it('binpack on memory fills the fullest instance that fits first', () => {
    const p = place({ demand: demand(0, 300), count: 3, group: 'g', strategies: [{ type: 'binpack', field: 'memory' }], constraints: [], random: rnd },
      [inst('a', { remaining: { cpu: 1024, memory: 1000, ports: [], udpPorts: [] } }), inst('b', { remaining: { cpu: 1024, memory: 700, ports: [], udpPorts: [] } })]);
    assert.deepEqual(p.placements, ['arn:ci/b', 'arn:ci/b', 'arn:ci/a']);
  });

  it('memberOf uses the cluster query language, including task:group affinity and anti-affinity', () => {
    const snapshot = [inst('a', { az: 'us-east-1a' }), inst('b', { az: 'us-east-1d', groups: new Map([['database', 1]]) }), inst('c', { az: 'us-east-1b' })];
    const p = place({ demand: demand(), count: 4, group: 'web', strategies: [], constraints: [{ type: 'memberOf', expression: 'attribute:ecs.instance-type =~ t2.* and attribute:ecs.availability-zone != us-east-1d' }], random: rnd }, snapshot);
    assert.ok(p.placements.every((a) => a !== 'arn:ci/b'));
    const anti = place({ demand: demand(), count: 2, group: 'web', strategies: [], constraints: [{ type: 'memberOf', expression: 'not(task:group == database)' }], random: rnd }, snapshot);
    assert.ok(anti.placements.every((a) => a !== 'arn:ci/b'));
    const aff = place({ demand: demand(), count: 2, group: 'web', strategies: [], constraints: [{ type: 'memberOf', expression: 'task:group == database' }], random: rnd }, snapshot);
    assert.deepEqual(aff.placements, ['arn:ci/b', 'arn:ci/b']);
  });

  it('requiresAttributes and ECS failure reasons', () => {
    const p = place({ demand: { ...demand(), requiresAttributes: [{ name: 'com.amazonaws.ecs.capability.docker-remote-api.1.30' }] }, count: 1, group: 'g', strategies: [], constraints: [], random: rnd }, [inst('a'), inst('b', { agentConnected: false })]);
    assert.deepEqual(p.failures, [{ arn: 'arn:ci/a', reason: 'ATTRIBUTE' }, { arn: 'arn:ci/b', reason: 'AGENT' }]);
    const ports = place({ demand: demand(1, 1, [80]), count: 2, group: 'g', strategies: [], constraints: [], random: rnd }, [inst('a')]);
    assert.equal(ports.placements.length, 1);
    assert.deepEqual(ports.failures, [{ arn: 'arn:ci/a', reason: 'RESOURCE:PORTS' }]);
  });

  it('rejects what ECS rejects: limits, fields, bad expressions', () => {
    assert.throws(() => checkPlacementSpec(Array(6).fill({ type: 'random' }), []), PlacementSpecError);
    assert.throws(() => checkPlacementSpec([], Array(11).fill({ type: 'distinctInstance' })), PlacementSpecError);
    assert.throws(() => checkPlacementSpec([{ type: 'binpack', field: 'disk' }], []), /binpack/);
    assert.throws(() => checkPlacementSpec([], [{ type: 'memberOf', expression: 'attribute:x ==' }]), /expression is not valid/);
    assert.throws(() => checkPlacementSpec([], [{ type: 'memberOf', expression: 'nosuchsubject == 1' }]), /unknown subject/);
    assert.doesNotThrow(() => checkPlacementSpec([...SERVICE_DEFAULT_STRATEGY], [{ type: 'memberOf', expression: 'agentVersion >= 1.14.5 or ec2InstanceId in [i-1, i-2]' }]));
  });

  const instancesArb = fc.array(fc.record({
    cpu: fc.integer({ min: 0, max: 4096 }), memory: fc.integer({ min: 0, max: 4096 }), az: fc.constantFrom('a', 'b', 'c'),
    port: fc.option(fc.constantFrom(80, 443), { nil: undefined }), connected: fc.boolean(), pre: fc.integer({ min: 0, max: 3 }),
  }), { minLength: 1, maxLength: 12 }).map((xs) => xs.map((x, i) => inst(`i${i}`, {
    az: x.az, agentConnected: x.connected || i === 0, remaining: { cpu: x.cpu, memory: x.memory, ports: x.port ? [x.port] : [], udpPorts: [] },
    groups: x.pre ? new Map([['g', x.pre]]) : new Map(),
  })));
  const strategyArb: fc.Arbitrary<Strategy[]> = fc.array(fc.oneof(
    fc.constant<Strategy>({ type: 'random' }), fc.constant<Strategy>({ type: 'binpack', field: 'cpu' }), fc.constant<Strategy>({ type: 'binpack', field: 'memory' }),
    fc.constant<Strategy>({ type: 'spread', field: 'instanceId' }), fc.constant<Strategy>({ type: 'spread', field: 'attribute:ecs.availability-zone' }),
  ), { maxLength: 5 });

  it('never oversubscribes an instance and every constraint holds (property)', () => {
    fc.assert(fc.property(instancesArb, strategyArb, fc.integer({ min: 1, max: 20 }), fc.integer({ min: 0, max: 1024 }), fc.integer({ min: 0, max: 1024 }), fc.boolean(), fc.boolean(), fc.integer(),
      (snapshot, strategies, count, cpu, memory, distinct, withPort, s) => {
        seed = Math.abs(s) % 2147483646 + 1;
        const constraints = [
          ...(distinct ? [{ type: 'distinctInstance' as const }] : []),
          { type: 'memberOf' as const, expression: 'attribute:ecs.availability-zone in [a, b]' },
        ];
        const d = demand(cpu, memory, withPort ? [80] : []);
        const plan = place({ demand: d, count, group: 'g', strategies, constraints, random: rnd }, snapshot);
        const used = new Map<string, number>();
        for (const arn of plan.placements) used.set(arn, (used.get(arn) ?? 0) + 1);
        for (const i of snapshot) {
          const n = used.get(i.arn) ?? 0;
          if (n === 0) continue;
          assert.ok(i.status === 'ACTIVE' && i.agentConnected);
          assert.ok(n * cpu <= i.remaining.cpu && n * memory <= i.remaining.memory, 'oversubscribed');
          if (withPort) assert.ok(n === 1 && !i.remaining.ports.includes(80), 'host port reused');
          if (distinct) assert.ok(n === 1 && !i.groups.has('g'), 'distinctInstance violated');
          const az = i.attributes.find((a) => a.name === 'ecs.availability-zone')!.value;
          assert.ok(az === 'a' || az === 'b', 'memberOf violated');
        }
        if (plan.placements.length < count) assert.ok(plan.failures.length > 0, 'a short plan says why');
      }), { numRuns: 500 });
  });

  it('spread by instanceId is never worse than optimal: per-instance counts differ by at most one (property)', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 10 }), fc.integer({ min: 1, max: 60 }), fc.integer(), (n, count, s) => {
      seed = Math.abs(s) % 2147483646 + 1;
      const snapshot = Array.from({ length: n }, (_, i) => inst(`i${i}`, { remaining: { cpu: 100_000, memory: 100_000, ports: [], udpPorts: [] } }));
      const plan = place({ demand: demand(), count, group: 'g', strategies: [{ type: 'spread', field: 'instanceId' }], constraints: [], random: rnd }, snapshot);
      const counts = snapshot.map((i) => plan.placements.filter((a) => a === i.arn).length);
      assert.ok(Math.max(...counts) - Math.min(...counts) <= 1, counts.join(','));
    }), { numRuns: 300 });
  });

  it('spread by AZ then instance (the service default) balances AZs even with uneven instance counts (property)', () => {
    fc.assert(fc.property(fc.array(fc.constantFrom('a', 'b', 'c'), { minLength: 3, maxLength: 12 }), fc.integer({ min: 1, max: 40 }), fc.integer(), (azs, count, s) => {
      seed = Math.abs(s) % 2147483646 + 1;
      const snapshot = azs.map((az, i) => inst(`i${i}`, { az, remaining: { cpu: 100_000, memory: 100_000, ports: [], udpPorts: [] } }));
      const plan = place({ demand: demand(), count, group: 'g', strategies: [...SERVICE_DEFAULT_STRATEGY], constraints: [], random: rnd }, snapshot);
      const present = [...new Set(azs)];
      const perAz = present.map((az) => plan.placements.filter((a) => snapshot.find((i) => i.arn === a)!.attributes[0].value === az).length);
      assert.ok(Math.max(...perAz) - Math.min(...perAz) <= 1, perAz.join(','));
    }), { numRuns: 300 });
  });
});

describe('scale-in selection', () => {
  const instances = [inst('a', { az: 'a' }), inst('b', { az: 'b' }), inst('c', { az: 'c' })];
  const t = (id: string, instanceId: string, prot = false) => ({ id, instanceId, protected: prot, createdAt: 0, cpu: 10, memory: 10 });

  it('takes from the most crowded AZ first and keeps protected tasks last', () => {
    const tasks = [t('a1', 'a'), t('a2', 'a'), t('a3', 'a', true), t('b1', 'b'), t('c1', 'c')];
    const picked = selectForScaleIn(tasks, 2, { instances });
    assert.deepEqual(picked.sort(), ['a1', 'a2']);
    assert.equal(selectForScaleIn(tasks, 5, { instances })[4], 'a3');
  });

  it('after scale-in the spread is as even as it can be (property)', () => {
    fc.assert(fc.property(fc.array(fc.constantFrom('a', 'b', 'c'), { minLength: 1, maxLength: 30 }), fc.integer({ min: 0, max: 30 }), (where, k) => {
      const tasks = where.map((w, i) => t(`t${i}`, w));
      const stop = Math.min(k, tasks.length);
      const picked = new Set(selectForScaleIn(tasks, stop, { instances }));
      const left = tasks.filter((x) => !picked.has(x.id));
      const count = (az: string) => left.filter((x) => x.instanceId === az).length;
      const had = (az: string) => tasks.filter((x) => x.instanceId === az).length;
      // Each AZ keeps min(had, level) for some water level: no AZ is cut below another that still has more than it.
      for (const x of ['a', 'b', 'c']) for (const y of ['a', 'b', 'c']) {
        if (count(x) < had(x)) assert.ok(count(y) <= count(x) + 1, `${x}:${count(x)} ${y}:${count(y)}`);
      }
    }), { numRuns: 300 });
  });
});
