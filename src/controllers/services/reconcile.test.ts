/**
 * The reconcile function, tested pure: single decisions in tables, and whole deployments driven
 * through a recording harness (a tiny in-memory world that applies each plan the way the applier and
 * a well-behaved agent would) so the bounds can be checked at every step (STYLE.md 7).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { DeploymentRecord, ServiceRecord } from '../../model/ecs/records.js';
import type { TaskRecord } from '../../model/ecs/task-records.js';
import { circuitBreakerThreshold, reconcile, type Plan, type ServiceInstance } from './reconcile.js';

const DEF1 = 'arn:aws:ecs:us-east-1:000000000000:task-definition/web:1';
const DEF2 = 'arn:aws:ecs:us-east-1:000000000000:task-definition/web:2';

function deployment(id: string, def: string, over: Partial<DeploymentRecord> = {}): DeploymentRecord {
  return { id, status: 'PRIMARY', taskDefinition: def, desiredCount: 0, pendingCount: 0, runningCount: 0, failedTasks: 0, failedTaskIds: [], createdAt: 0, updatedAt: 0, rolloutState: 'IN_PROGRESS', rolloutStateReason: '', ...over };
}

function service(over: Partial<ServiceRecord> = {}): ServiceRecord {
  return {
    serviceArn: 'arn:aws:ecs:us-east-1:000000000000:service/c/web', serviceName: 'web', cluster: 'c', clusterArn: 'arn:aws:ecs:us-east-1:000000000000:cluster/c',
    status: 'ACTIVE', desiredCount: 4, taskDefinition: DEF1, launchType: 'EC2', schedulingStrategy: 'REPLICA', deploymentController: 'ECS',
    deploymentConfiguration: { minimumHealthyPercent: 100, maximumPercent: 200, deploymentCircuitBreaker: { enable: false, rollback: false } },
    placementConstraints: [], placementStrategy: [], healthCheckGracePeriodSeconds: 0, loadBalancers: [], serviceRegistries: [],
    enableECSManagedTags: false, propagateTags: 'NONE', enableExecuteCommand: false, tags: [], createdAt: 0, createdBy: 'me',
    deployments: [deployment('ecs-svc/1', DEF1)], history: [], events: [], steady: false, seq: 0, version: 1, ...over,
  };
}

let nextId = 0;
function task(dep: string, over: Partial<TaskRecord> = {}): TaskRecord {
  const id = `t${String(nextId++).padStart(4, '0')}`;
  return {
    taskArn: `arn:aws:ecs:us-east-1:000000000000:task/c/${id}`, id, cluster: 'c', clusterArn: '', taskDefinitionArn: DEF1, family: 'web', revision: 1,
    containerInstanceId: 'i1', containers: [], overrides: {}, lastStatus: 'RUNNING', desiredStatus: 'RUNNING', healthStatus: 'UNKNOWN', launchType: 'EC2',
    reserved: { cpu: 0, memory: 0, ports: [], udpPorts: [] }, group: 'service:web', startedBy: dep, tags: [], enableExecuteCommand: false,
    createdAt: 0, startedAt: 0, version: 1, serviceName: 'web', ...over,
  };
}

function instance(id: string, az = 'a', over: Partial<ServiceInstance> = {}): ServiceInstance {
  return { arn: `arn:i/${id}`, id, status: 'ACTIVE', agentConnected: true, remaining: { cpu: 4096, memory: 4096, ports: [], udpPorts: [] }, attributes: [{ name: 'ecs.availability-zone', value: az }], groups: new Map(), ...over };
}

const INSTANCES = [instance('i1', 'a'), instance('i2', 'b'), instance('i3', 'c')];
const run = (s: ServiceRecord, tasks: TaskRecord[], now = 1000, instances = INSTANCES) => reconcile({ service: s, tasks, instances, now, nextDeploymentId: 'ecs-svc/99', options: { lostAfterMs: 60_000, throttleBaseMs: 5000, throttleMaxMs: 900_000 } });
const started = (p: Plan) => p.starts.reduce((n, a) => n + a.count, 0);

/**
 * The recording harness: applies plans like the applier (starts → PENDING tasks, stops → desired
 * STOPPED) and plays the agent one step behind (PENDING → RUNNING, desired STOPPED → STOPPED), and
 * checks the bounds after every pass.
 */
function simulate(s0: ServiceRecord, tasks0: TaskRecord[], opts: { steps?: number; fail?: (def: string) => boolean } = {}) {
  let s = s0;
  let tasks = tasks0.map((t) => ({ ...t }));
  const { minimumHealthyPercent: min, maximumPercent: max } = s.deploymentConfiguration;
  const minHealthy = Math.ceil((s.desiredCount * min) / 100);
  const maxTotal = Math.floor((s.desiredCount * max) / 100);
  let lowestRunning = Infinity;
  let highestTotal = 0;
  let now = 1000;
  for (let step = 0; step < (opts.steps ?? 50); step++) {
    now += 1000;
    const plan = run(s, tasks, now);
    if (plan.service) s = plan.service;
    for (const st of plan.stops) tasks = tasks.map((t) => (t.id === st.taskId ? { ...t, desiredStatus: 'STOPPED', stopCode: 'ServiceSchedulerInitiated', stoppedReason: st.reason } : t));
    for (const a of plan.starts) for (let i = 0; i < a.count; i++) tasks.push(task(a.deploymentId, { lastStatus: 'PENDING', startedAt: undefined, taskDefinitionArn: a.taskDefinition, containerInstanceId: INSTANCES[i % 3].id, createdAt: now }));
    const occupying = tasks.filter((t) => t.lastStatus !== 'STOPPED');
    highestTotal = Math.max(highestTotal, occupying.length);
    lowestRunning = Math.min(lowestRunning, tasks.filter((t) => t.lastStatus === 'RUNNING' && t.desiredStatus === 'RUNNING').length);
    // The agent, one step later.
    tasks = tasks.map((t) => {
      if (t.lastStatus === 'STOPPED') return t;
      if (t.desiredStatus === 'STOPPED') return { ...t, lastStatus: 'STOPPED', stoppedAt: now };
      if (t.lastStatus === 'PENDING') {
        const def = s.deployments.concat(s.history).find((d) => d.id === t.startedBy)?.taskDefinition ?? '';
        return opts.fail?.(def) ? { ...t, lastStatus: 'STOPPED', desiredStatus: 'STOPPED', stopCode: 'TaskFailedToStart', stoppedReason: 'CannotPullContainerError: not found', stoppedAt: now } : { ...t, lastStatus: 'RUNNING', startedAt: now };
      }
      return t;
    });
    if (s.deployments.length === 1 && s.deployments[0].rolloutState !== 'IN_PROGRESS' && s.steady) break;
  }
  return { s, tasks, lowestRunning, highestTotal, minHealthy, maxTotal };
}

describe('reconcile: single decisions', () => {
  it('a new service with desired 4 starts 4 tasks of the PRIMARY deployment', () => {
    const p = run(service(), []);
    assert.deepEqual(p.starts, [{ deploymentId: 'ecs-svc/1', taskDefinition: DEF1, count: 4 }]);
    assert.deepEqual(p.stops, []);
  });

  // The worked example in reconcile.ts, pass by pass (desired 4, revision 1 → 2).
  const old = () => Array.from({ length: 4 }, () => task('ecs-svc/1'));
  const rolling = () => service({ deployments: [deployment('ecs-svc/2', DEF2, { createdAt: 10 }), deployment('ecs-svc/1', DEF1, { status: 'ACTIVE', rolloutState: 'COMPLETED' })] });
  const table: { name: string; svc: ServiceRecord; tasks: TaskRecord[]; starts: number; stops: number }[] = [
    { name: '100/200 pass 1: start 4, stop none', svc: rolling(), tasks: old(), starts: 4, stops: 0 },
    { name: '100/200 pass 2: new RUNNING → stop the 4 old', svc: rolling(), tasks: [...old(), ...Array.from({ length: 4 }, () => task('ecs-svc/2'))], starts: 0, stops: 4 },
    { name: '100/200 with new still PENDING: wait', svc: rolling(), tasks: [...old(), ...Array.from({ length: 4 }, () => task('ecs-svc/2', { lastStatus: 'PENDING' }))], starts: 0, stops: 0 },
    { name: '50/100 pass 1: no room, stop 2 old', svc: { ...rolling(), deploymentConfiguration: { minimumHealthyPercent: 50, maximumPercent: 100, deploymentCircuitBreaker: { enable: false, rollback: false } } }, tasks: old(), starts: 0, stops: 2 },
    { name: '50/100 pass 2: two stopped → start 2', svc: { ...rolling(), deploymentConfiguration: { minimumHealthyPercent: 50, maximumPercent: 100, deploymentCircuitBreaker: { enable: false, rollback: false } } }, tasks: [...old().slice(0, 2), ...old().slice(0, 2).map((t) => ({ ...t, lastStatus: 'STOPPED' as const, desiredStatus: 'STOPPED' as const }))], starts: 2, stops: 0 },
    { name: '100/125 with desired 3: stuck (floor(3.75) = 3)', svc: { ...rolling(), desiredCount: 3, deploymentConfiguration: { minimumHealthyPercent: 100, maximumPercent: 125, deploymentCircuitBreaker: { enable: false, rollback: false } } }, tasks: old().slice(0, 3), starts: 0, stops: 0 },
    { name: 'scale-in 4 → 2 stops 2', svc: service({ desiredCount: 2, deployments: [deployment('ecs-svc/1', DEF1, { rolloutState: 'COMPLETED' })] }), tasks: old(), starts: 0, stops: 2 },
    { name: 'a stopped task is replaced', svc: service({ deployments: [deployment('ecs-svc/1', DEF1, { rolloutState: 'COMPLETED' })] }), tasks: [...old().slice(0, 3), task('ecs-svc/1', { lastStatus: 'STOPPED', desiredStatus: 'STOPPED', stopCode: 'EssentialContainerExited' })], starts: 1, stops: 0 },
    { name: 'DRAINING service (DeleteService) stops everything', svc: service({ status: 'DRAINING', desiredCount: 0 }), tasks: old(), starts: 0, stops: 4 },
  ];
  for (const row of table) {
    it(row.name, () => {
      const p = run(row.svc, row.tasks);
      assert.equal(started(p), row.starts, 'starts');
      assert.equal(p.stops.length, row.stops, 'stops');
    });
  }

  it('the stuck deployment says so once, in ECS\'s words', () => {
    const s = service({ desiredCount: 3, deploymentConfiguration: { minimumHealthyPercent: 100, maximumPercent: 125, deploymentCircuitBreaker: { enable: false, rollback: false } }, deployments: [deployment('ecs-svc/2', DEF2), deployment('ecs-svc/1', DEF1, { status: 'ACTIVE' })] });
    const tasks = Array.from({ length: 3 }, () => task('ecs-svc/1'));
    const p1 = run(s, tasks);
    assert.match(p1.service!.events[0].message, /was unable to stop or start tasks during a deployment because of the service deployment configuration/);
    const p2 = run(p1.service!, tasks, 2000);
    assert.equal(p2.service?.events.length ?? 1, 1, 'duplicate suppressed');
  });

  it('old tasks stop with ServiceSchedulerInitiated reasons naming their deployment', () => {
    const s = service({ deployments: [deployment('ecs-svc/2', DEF2), deployment('ecs-svc/1', DEF1, { status: 'ACTIVE' })] });
    const p = run(s, [...Array.from({ length: 4 }, () => task('ecs-svc/1')), ...Array.from({ length: 4 }, () => task('ecs-svc/2'))]);
    assert.equal(p.stops[0].reason, 'Scaling activity initiated by (deployment ecs-svc/1)');
    assert.match(p.service!.events[0].message, /^\(service web\) has stopped 4 running tasks: (\(task t\d+\) ?){4}\.$/);
  });

  it('new tasks whose essential container has a health check count toward minimumHealthyPercent only once HEALTHY', () => {
    const s = service({ deployments: [deployment('ecs-svc/2', DEF2), deployment('ecs-svc/1', DEF1, { status: 'ACTIVE' })] });
    const checked = (health: 'UNKNOWN' | 'HEALTHY') => ({ containers: [{ containerArn: 'c', name: 'web', image: 'i', lastStatus: 'RUNNING' as const, networkBindings: [], essential: true, healthStatus: health }], healthStatus: health });
    const old = Array.from({ length: 4 }, () => task('ecs-svc/1', checked('HEALTHY')));
    assert.equal(run(s, [...old, ...Array.from({ length: 4 }, () => task('ecs-svc/2', checked('UNKNOWN')))]).stops.length, 0, 'RUNNING but not yet HEALTHY: the old tasks stay');
    assert.equal(run(s, [...old, ...Array.from({ length: 4 }, () => task('ecs-svc/2', checked('HEALTHY')))]).stops.length, 4, 'HEALTHY: the old tasks stop');
  });

  it('unhealthy: ignored during the grace period, then replaced first (maximumPercent allows), then stopped', () => {
    const s = service({ healthCheckGracePeriodSeconds: 30, deployments: [deployment('ecs-svc/1', DEF1, { rolloutState: 'COMPLETED' })] });
    const sick = task('ecs-svc/1', { healthStatus: 'UNHEALTHY', startedAt: 0 });
    const rest = Array.from({ length: 3 }, () => task('ecs-svc/1'));
    const inGrace = run(s, [sick, ...rest], 10_000);
    assert.equal(started(inGrace), 0);
    assert.equal(inGrace.wakeAt, 30_000);
    const after = run(s, [sick, ...rest], 31_000);
    assert.equal(started(after), 1, 'replacement first');
    assert.equal(after.stops.length, 0);
    const replaced = run(s, [sick, ...rest, task('ecs-svc/1')], 32_000);
    assert.deepEqual(replaced.stops, [{ taskId: sick.id, reason: 'Task failed container health checks' }]);
  });

  it('a disconnected instance: nothing within the grace period, then its tasks are stopped and replaced', () => {
    const s = service({ desiredCount: 2, deployments: [deployment('ecs-svc/1', DEF1, { rolloutState: 'COMPLETED' })] });
    const inst = [instance('i1', 'a', { agentConnected: false, lastDisconnectedAt: 0 }), instance('i2', 'b')];
    const tasks = [task('ecs-svc/1', { containerInstanceId: 'i1' }), task('ecs-svc/1', { containerInstanceId: 'i2' })];
    const early = run(s, tasks, 30_000, inst);
    assert.equal(started(early) + early.stops.length, 0);
    assert.equal(early.wakeAt, 60_000);
    const late = run(s, tasks, 61_000, inst);
    assert.equal(late.stops.length, 1);
    assert.match(late.stops[0].reason, /disconnected for more than 60 seconds/);
    assert.equal(started(late), 1, 'replaced at once: the lost task does not count against maximumPercent');
  });

  it('protected tasks are not scaled in', () => {
    const s = service({ desiredCount: 1, deployments: [deployment('ecs-svc/1', DEF1, { rolloutState: 'COMPLETED' })] });
    const prot = task('ecs-svc/1', { protectedUntil: 10_000, containerInstanceId: 'i1' });
    const p = run(s, [prot, task('ecs-svc/1', { containerInstanceId: 'i2' }), task('ecs-svc/1', { containerInstanceId: 'i3' })]);
    assert.equal(p.stops.length, 2);
    assert.ok(!p.stops.some((x) => x.taskId === prot.id));
  });

  it('throttle: the third consecutive start failure delays the next launch', () => {
    const s = service({ desiredCount: 1 });
    const failed = (at: number) => task('ecs-svc/1', { lastStatus: 'STOPPED', desiredStatus: 'STOPPED', stopCode: 'TaskFailedToStart', startedAt: undefined, stoppedAt: at });
    const two = run(s, [failed(900), failed(950)], 1000);
    assert.equal(started(two), 1, 'two failures retry at once');
    const three = run(s, [failed(900), failed(950), failed(1000)], 1000);
    assert.equal(started(three), 0);
    assert.equal(three.wakeAt, 6000);
    assert.ok(three.service!.events.some((e) => e.message === '(service web) is unable to consistently start tasks successfully.'));
  });
});

describe('reconcile: whole deployments through the recording harness', () => {
  it('the worked example converges with 4 always running and at most 8 at once', () => {
    const s = service({ deployments: [deployment('ecs-svc/2', DEF2, { createdAt: 10 }), deployment('ecs-svc/1', DEF1, { status: 'ACTIVE', rolloutState: 'COMPLETED' })] });
    const r = simulate(s, Array.from({ length: 4 }, () => task('ecs-svc/1')));
    assert.equal(r.s.deployments.length, 1);
    assert.equal(r.s.deployments[0].rolloutState, 'COMPLETED');
    assert.ok(r.lowestRunning >= 4);
    assert.ok(r.highestTotal <= 8);
    assert.ok(r.s.events.some((e) => e.message === '(service web) (deployment ecs-svc/2) deployment completed.'));
    assert.equal(r.s.events[0].message, '(service web) has reached a steady state.');
    assert.equal(r.s.history[0].id, 'ecs-svc/1');
  });

  it('any desired/min/max that allows progress converges within the bounds (property)', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 0, max: 100 }), fc.integer({ min: 100, max: 200 }), (desired, min, max) => {
      const minHealthy = Math.ceil((desired * min) / 100);
      const maxTotal = Math.floor((desired * max) / 100);
      fc.pre(maxTotal > desired || minHealthy < desired); // otherwise progress is impossible (tested above)
      const s = service({ desiredCount: desired, deploymentConfiguration: { minimumHealthyPercent: min, maximumPercent: max, deploymentCircuitBreaker: { enable: false, rollback: false } }, deployments: [deployment('ecs-svc/2', DEF2, { createdAt: 10 }), deployment('ecs-svc/1', DEF1, { status: 'ACTIVE', rolloutState: 'COMPLETED' })] });
      const r = simulate(s, Array.from({ length: desired }, () => task('ecs-svc/1')), { steps: 100 });
      assert.equal(r.s.deployments.length, 1, JSON.stringify(r.s.deployments));
      assert.equal(r.s.deployments[0].rolloutState, 'COMPLETED');
      assert.ok(r.lowestRunning >= minHealthy, `running dipped to ${r.lowestRunning} < ${minHealthy}`);
      assert.ok(r.highestTotal <= Math.max(maxTotal, desired), `total ${r.highestTotal} > ${maxTotal}`);
    }), { numRuns: 200 });
  });

  it('circuit breaker: threshold clamp(ceil(0.5 × desired), 3, 200) and rollback to the last COMPLETED deployment', () => {
    assert.deepEqual([1, 6, 25, 400, 1000].map(circuitBreakerThreshold), [3, 3, 13, 200, 200]);
    const s = service({
      desiredCount: 4,
      deploymentConfiguration: { minimumHealthyPercent: 100, maximumPercent: 200, deploymentCircuitBreaker: { enable: true, rollback: true } },
      lastCompleted: { id: 'ecs-svc/1', taskDefinition: DEF1 },
      deployments: [deployment('ecs-svc/2', DEF2, { createdAt: 10 }), deployment('ecs-svc/1', DEF1, { status: 'ACTIVE', rolloutState: 'COMPLETED' })],
    });
    const r = simulate(s, Array.from({ length: 4 }, () => task('ecs-svc/1')), { fail: (def) => def === DEF2 });
    assert.equal(r.s.taskDefinition, DEF1);
    assert.equal(r.s.deployments.length, 1);
    assert.equal(r.s.deployments[0].id, 'ecs-svc/99');
    assert.equal(r.s.deployments[0].rolloutState, 'COMPLETED');
    const failed = r.s.history.find((d) => d.id === 'ecs-svc/2')!;
    assert.equal(failed.rolloutState, 'FAILED');
    assert.equal(failed.rolloutStateReason, 'ECS deployment circuit breaker: task failed to start.');
    assert.equal(failed.finalStatus, 'ROLLBACK_SUCCESSFUL');
    assert.ok(failed.failedTasks >= 3);
    assert.ok(r.lowestRunning >= 4, 'the old tasks kept serving throughout');
  });

  it('circuit breaker without rollback: FAILED, nothing new launched, the old tasks within minimumHealthyPercent stay', () => {
    const s = service({
      deploymentConfiguration: { minimumHealthyPercent: 50, maximumPercent: 200, deploymentCircuitBreaker: { enable: true, rollback: false } },
      deployments: [deployment('ecs-svc/2', DEF2, { createdAt: 10 }), deployment('ecs-svc/1', DEF1, { status: 'ACTIVE', rolloutState: 'COMPLETED' })],
    });
    const r = simulate(s, Array.from({ length: 4 }, () => task('ecs-svc/1')), { fail: (def) => def === DEF2, steps: 20 });
    assert.equal(r.s.deployments[0].rolloutState, 'FAILED');
    // minimumHealthyPercent 50 let two old tasks go while the new ones started; the other two stay.
    assert.equal(r.tasks.filter((t) => t.startedBy === 'ecs-svc/1' && t.lastStatus === 'RUNNING').length, 2);
    const again = run(r.s, r.tasks, 1e9);
    assert.equal(started(again) + again.stops.length, 0, 'a FAILED deployment launches nothing new');
  });

  it('is idempotent: reconciling the state a plan left behind twice gives the same decision', () => {
    const s = service({ deployments: [deployment('ecs-svc/2', DEF2), deployment('ecs-svc/1', DEF1, { status: 'ACTIVE' })] });
    const tasks = [...Array.from({ length: 4 }, () => task('ecs-svc/1')), ...Array.from({ length: 2 }, () => task('ecs-svc/2'))];
    const a = run(s, tasks);
    const b = run(s, tasks);
    assert.deepEqual(a.starts, b.starts);
    assert.deepEqual(a.stops, b.stops);
  });
});
