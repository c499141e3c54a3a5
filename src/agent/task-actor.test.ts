/**
 * The task actor against the fake runtime (in memory, deterministic): ECS task semantics without Podman.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ContainerDefinition } from '@aws-sdk/client-ecs';
import { LABELS, statusRank, containerStatusRank, type TaskReport, type TaskSpec } from '../protocol/agent-messages.js';
import { FakeDriver } from './runtime/fake/fake-driver.js';
import type { ContainerSpec } from './runtime/driver.js';
import { MemoryCheckpointStore } from './checkpoint.js';
import { HOST_ID_LABEL, runtimeName } from './container-spec.js';
import { TaskActor, shouldRestart, type TaskActorOptions } from './task-actor.js';

const IMG = 'busybox:test';
let n = 0;

function taskSpec(containers: ContainerDefinition[], extra: Partial<TaskSpec> = {}): TaskSpec {
  const id = (++n).toString(16).padEnd(32, 'a');
  return {
    taskArn: `arn:aws:ecs:us-east-1:000000000000:task/c1/${id}`, cluster: 'c1', family: 'fam', revision: 3, desiredStatus: 'RUNNING',
    containers: containers.map((c) => ({ image: IMG, ...c, containerArn: `arn:aws:ecs:us-east-1:000000000000:container/c1/${id}/${c.name}` })),
    networkMode: 'bridge', volumes: [], version: 1, ...extra,
  };
}

function harness(spec: TaskSpec, opts: Partial<TaskActorOptions> & { driver?: FakeDriver; checkpoints?: MemoryCheckpointStore } = {}, resume = {}) {
  const driver = opts.driver ?? new FakeDriver({ images: [IMG] });
  const reports: TaskReport[] = [];
  const waiters: (() => void)[] = [];
  const checkpoints = opts.checkpoints ?? new MemoryCheckpointStore();
  const actor = new TaskActor(spec, {
    hostId: 'host-1', stopTimeoutSeconds: 0.2, cleanupDelayMs: 60_000, ...opts, driver, checkpoints,
    onReport: (r) => {
      reports.push(r);
      for (const w of waiters.splice(0)) w();
    },
  }, resume);
  const last = () => actor.report();
  const until = async (pred: (r: TaskReport) => boolean, ms = 3000): Promise<TaskReport> => {
    const deadline = Date.now() + ms;
    while (!(last() && pred(last()))) {
      if (Date.now() > deadline) assert.fail(`timed out; last report: ${JSON.stringify(last())}`);
      await new Promise<void>((r) => {
        waiters.push(r);
        setTimeout(r, 20);
      });
    }
    return last();
  };
  const ids = () => Object.fromEntries(last().containers.map((c) => [c.name, c.runtimeId]));
  return { driver, reports, actor, last, until, ids, checkpoints };
}

/** STYLE 5: no report moves a task or container status backwards. */
function assertForwardOnly(reports: TaskReport[]) {
  for (let i = 1; i < reports.length; i++) {
    assert.ok(statusRank(reports[i].lastStatus) >= statusRank(reports[i - 1].lastStatus), `task status went back at ${i}`);
    for (const c of reports[i].containers) {
      const prev = reports[i - 1].containers.find((x) => x.name === c.name)!;
      assert.ok(containerStatusRank(c.lastStatus) >= containerStatusRank(prev.lastStatus), `container ${c.name} went back at ${i}`);
    }
  }
}

const starts = (d: FakeDriver) => d.calls.filter((c) => c.op === 'start').map((c) => c.args[0] as string);
const stops = (d: FakeDriver) => d.calls.filter((c) => c.op === 'stop').map((c) => c.args[0] as string);

describe('task actor', () => {
  it('runs a task: PENDING → RUNNING with a dynamic host port, labels, limits; StopTask → STOPPED', async () => {
    const spec = taskSpec([{
      name: 'web', command: ['sh', '-c', "trap 'exit 0' TERM; httpd"], portMappings: [{ containerPort: 80 }], cpu: 1, memory: 64, memoryReservation: 32,
      environment: [{ name: 'A', value: '1' }], dockerLabels: { team: 'x' }, ulimits: [{ name: 'nofile', softLimit: 100, hardLimit: 200 }],
      linuxParameters: { initProcessEnabled: true, capabilities: { add: ['NET_ADMIN'], drop: ['MKNOD'] } }, readonlyRootFilesystem: true,
    }]);
    const h = harness(spec);
    void h.actor.start();
    const running = await h.until((r) => r.lastStatus === 'RUNNING');
    assert.equal(h.reports[0].lastStatus, 'PENDING');
    assert.ok(running.pullStartedAt && running.pullStoppedAt && running.startedAt);
    const web = running.containers[0];
    assert.equal(web.lastStatus, 'RUNNING');
    assert.deepEqual(web.networkBindings, [{ bindIP: '0.0.0.0', containerPort: 80, hostPort: 32768, protocol: 'tcp' }]);
    assert.match(web.imageDigest!, /^sha256:/);
    const created = h.driver.calls.find((c) => c.op === 'create')!.args[0] as Record<string, unknown>;
    assert.equal(created.name, runtimeName(spec, 'web'));
    assert.match(created.name as string, /^ecs-fam-3-web-[0-9a-f]{20}$/);
    assert.deepEqual(
      { cpu: created.cpuShares, mem: created.memoryMiB, res: created.memoryReservationMiB, init: created.init, ro: created.readonlyRootfs, priv: created.privileged, capAdd: created.capAdd, capDrop: created.capDrop, env: created.env, ul: created.ulimits },
      { cpu: 2, mem: 64, res: 32, init: true, ro: true, priv: false, capAdd: ['NET_ADMIN'], capDrop: ['MKNOD'], env: { A: '1' }, ul: [{ name: 'nofile', soft: 100, hard: 200 }] },
    );
    const labels = created.labels as Record<string, string>;
    assert.equal(labels[LABELS.taskArn], spec.taskArn);
    assert.equal(labels[LABELS.containerName], 'web');
    assert.equal(labels[HOST_ID_LABEL], 'host-1');
    assert.equal(h.driver.calls.filter((c) => c.op === 'pull').length, 0, 'image present locally: no pull');

    h.actor.update({ ...spec, desiredStatus: 'STOPPED', version: 2 });
    const stopped = await h.until((r) => r.lastStatus === 'STOPPED');
    assert.equal(stopped.containers[0].exitCode, 0);
    assert.equal(stopped.stopCode, undefined, 'a control-plane stop keeps its own stopCode');
    assert.ok(stopped.stoppingAt && stopped.executionStoppedAt && stopped.stoppedAt);
    assert.ok(h.reports.some((r) => r.lastStatus === 'STOPPING'));
    assertForwardOnly(h.reports);
  });

  it('uses task-level memory when a container sets none; host mode reports hostPort = containerPort', async () => {
    const spec = taskSpec([{ name: 'a', command: ['httpd'], portMappings: [{ containerPort: 8080 }] }], { memory: 128, networkMode: 'host' });
    const h = harness(spec);
    void h.actor.start();
    const r = await h.until((x) => x.lastStatus === 'RUNNING');
    const created = h.driver.calls.find((c) => c.op === 'create')!.args[0] as Record<string, unknown>;
    assert.equal(created.memoryMiB, 128);
    assert.equal(created.networkMode, 'host');
    assert.equal(created.portBindings, undefined);
    assert.deepEqual(r.containers[0].networkBindings, [{ bindIP: '0.0.0.0', containerPort: 8080, hostPort: 8080, protocol: 'tcp' }]);
    h.actor.update({ ...spec, desiredStatus: 'STOPPED', version: 2 });
    await h.until((x) => x.lastStatus === 'STOPPED');
  });

  it('honours dependsOn: SUCCESS, START and HEALTHY, and stops in reverse dependency order', async () => {
    const spec = taskSpec([
      { name: 'sidecar', essential: false, command: ['sleep', '30'], dependsOn: [{ containerName: 'app', condition: 'HEALTHY' }] },
      { name: 'app', command: ['sleep', '30'], dependsOn: [{ containerName: 'init', condition: 'SUCCESS' }, { containerName: 'db', condition: 'START' }],
        healthCheck: { command: ['CMD-SHELL', 'true'], interval: 0.05, timeout: 1, retries: 1 } },
      { name: 'init', essential: false, command: ['sh', '-c', 'echo migrated; exit 0'] },
      { name: 'db', command: ['sleep', '30'] },
    ]);
    const h = harness(spec);
    void h.actor.start();
    await h.until((r) => r.containers.every((c) => c.lastStatus !== 'PENDING') && r.containers.find((c) => c.name === 'sidecar')!.lastStatus === 'RUNNING');
    const id = h.ids();
    const order = starts(h.driver);
    assert.ok(order.indexOf(id.app!) > order.indexOf(id.init!), 'app after init succeeded');
    assert.ok(order.indexOf(id.app!) > order.indexOf(id.db!), 'app after db started');
    assert.ok(order.indexOf(id.sidecar!) > order.indexOf(id.app!), 'sidecar after app healthy');
    const r = h.last();
    assert.equal(r.containers.find((c) => c.name === 'init')!.exitCode, 0);
    assert.equal(r.containers.find((c) => c.name === 'app')!.healthStatus, 'HEALTHY');
    assert.equal(r.healthStatus, 'HEALTHY');
    assert.equal(r.lastStatus, 'RUNNING');

    h.actor.update({ ...spec, desiredStatus: 'STOPPED', version: 2 });
    await h.until((x) => x.lastStatus === 'STOPPED');
    const s = stops(h.driver);
    assert.ok(s.indexOf(id.sidecar!) < s.indexOf(id.app!), 'sidecar stopped before app');
    assert.ok(s.indexOf(id.app!) < s.indexOf(id.db!), 'app stopped before db');
    assertForwardOnly(h.reports);
  });

  it('a dependency that can never be met stops the task (TaskFailedToStart), never stuck PENDING', async () => {
    const spec = taskSpec([
      { name: 'init', essential: false, command: ['sh', '-c', 'exit 2'] },
      { name: 'app', command: ['sleep', '30'], dependsOn: [{ containerName: 'init', condition: 'SUCCESS' }] },
    ]);
    const h = harness(spec);
    void h.actor.start();
    const r = await h.until((x) => x.lastStatus === 'STOPPED');
    assert.equal(r.stopCode, 'TaskFailedToStart');
    assert.match(r.containers.find((c) => c.name === 'app')!.reason!, /dependency init did not meet condition SUCCESS: it exited with 2/);
  });

  it('an essential container exiting stops the others: EssentialContainerExited', async () => {
    const spec = taskSpec([
      { name: 'main', command: ['sleep', '30'] },
      { name: 'side', essential: false, command: ['sh', '-c', "trap 'exit 0' TERM; sleep 30"] },
    ]);
    const h = harness(spec);
    void h.actor.start();
    await h.until((r) => r.lastStatus === 'RUNNING');
    h.driver.exit(h.ids().main!, 3);
    const r = await h.until((x) => x.lastStatus === 'STOPPED');
    assert.equal(r.stopCode, 'EssentialContainerExited');
    assert.equal(r.stoppedReason, 'Essential container in task exited');
    assert.equal(r.containers.find((c) => c.name === 'main')!.exitCode, 3);
    assert.equal(r.containers.find((c) => c.name === 'side')!.exitCode, 0);
    assertForwardOnly(h.reports);
  });

  it('a non-essential exit leaves the task running', async () => {
    const spec = taskSpec([{ name: 'main', command: ['sleep', '30'] }, { name: 'job', essential: false, command: ['sh', '-c', 'exit 1'] }]);
    const h = harness(spec);
    void h.actor.start();
    const r = await h.until((x) => x.containers.find((c) => c.name === 'job')!.lastStatus === 'STOPPED');
    assert.equal(r.lastStatus, 'RUNNING');
    assert.equal(r.containers.find((c) => c.name === 'job')!.exitCode, 1);
    h.actor.requestStop();
    await h.until((x) => x.lastStatus === 'STOPPED');
  });

  it('OOM kill: OutOfMemoryError reason', async () => {
    const h = harness(taskSpec([{ name: 'hog', command: ['tail', '/dev/zero'], memory: 8 }]));
    void h.actor.start();
    const r = await h.until((x) => x.lastStatus === 'STOPPED');
    assert.equal(r.containers[0].reason, 'OutOfMemoryError: Container killed due to memory usage');
    assert.equal(r.containers[0].exitCode, 137);
    assert.equal(r.stopCode, 'EssentialContainerExited');
  });

  it('health check failing `retries` times ⇒ container and task UNHEALTHY (CMD form; startPeriod failures do not count)', async () => {
    const spec = taskSpec([{ name: 'app', command: ['sleep', '30'], healthCheck: { command: ['CMD', 'false'], interval: 0.03, timeout: 1, retries: 2, startPeriod: 0.1 } }]);
    const h = harness(spec);
    const t0 = Date.now();
    void h.actor.start();
    const r = await h.until((x) => x.healthStatus === 'UNHEALTHY');
    assert.ok(Date.now() - t0 >= 100, 'not before startPeriod + retries');
    assert.equal(r.containers[0].healthStatus, 'UNHEALTHY');
    const execs = h.driver.calls.filter((c) => c.op === 'exec');
    assert.deepEqual(execs[0].args[1], ['false']);
    assert.ok(execs.length >= 3);
    assert.equal(r.lastStatus, 'RUNNING', 'an unhealthy standalone task keeps running (the service scheduler replaces it)');
    h.actor.requestStop();
    await h.until((x) => x.lastStatus === 'STOPPED');
  });

  it('stopTimeout: SIGTERM ignored ⇒ SIGKILL after the container stopTimeout', async () => {
    const spec = taskSpec([{ name: 'stubborn', command: ['sh', '-c', "trap '' TERM; sleep 30"], stopTimeout: 0.3 }]);
    const h = harness(spec);
    void h.actor.start();
    await h.until((r) => r.lastStatus === 'RUNNING');
    const t0 = Date.now();
    h.actor.update({ ...spec, desiredStatus: 'STOPPED', version: 2 });
    const r = await h.until((x) => x.lastStatus === 'STOPPED');
    const took = Date.now() - t0;
    assert.ok(took >= 280 && took < 1500, `took ${took} ms`);
    assert.equal(r.containers[0].exitCode, 137);
    assert.equal(h.driver.calls.find((c) => c.op === 'stop')!.args[1], 0.3);
  });

  it('restartPolicy: restarts in place (stays RUNNING, new runtime id); ignored exit code stops the task', async () => {
    const spec = taskSpec([{ name: 'app', command: ['sleep', '30'], restartPolicy: { enabled: true, ignoredExitCodes: [0], restartAttemptPeriod: 0 } }]);
    const h = harness(spec);
    void h.actor.start();
    await h.until((r) => r.lastStatus === 'RUNNING');
    const first = h.ids().app!;
    h.driver.exit(first, 1);
    const r = await h.until((x) => x.containers[0].runtimeId !== first && x.containers[0].runtimeId !== undefined);
    assert.equal(r.lastStatus, 'RUNNING');
    assert.equal(r.containers[0].lastStatus, 'RUNNING');
    h.driver.exit(r.containers[0].runtimeId!, 0);
    const s = await h.until((x) => x.lastStatus === 'STOPPED');
    assert.equal(s.stopCode, 'EssentialContainerExited');
    assert.equal(s.containers[0].exitCode, 0);
    assertForwardOnly(h.reports);
  });

  it('restartPolicy decision follows ECS (attempt period from start or last restart)', () => {
    const p = { enabled: true, ignoredExitCodes: [0], restartAttemptPeriod: 60 };
    assert.equal(shouldRestart(p, { exitCode: 1, startedAt: 0 }, 59_999), false, 'ran too briefly');
    assert.equal(shouldRestart(p, { exitCode: 1, startedAt: 0 }, 60_000), true);
    assert.equal(shouldRestart(p, { exitCode: 0, startedAt: 0 }, 600_000), false, 'ignored code');
    assert.equal(shouldRestart(p, { exitCode: 1, startedAt: 0, lastRestartAt: 100_000 }, 150_000), false);
    assert.equal(shouldRestart({ enabled: false }, { exitCode: 1, startedAt: 0 }, 1e9), false);
    assert.equal(shouldRestart({ enabled: true }, { exitCode: 1, startedAt: 0 }, 299_999), false, 'default period 300 s');
  });

  it('pull failure ⇒ STOPPED, TaskFailedToStart, CannotPullContainerError; registry auth by host', async () => {
    const driver = new FakeDriver();
    const spec = taskSpec([{ name: 'a', image: '127.0.0.1:5999/nope:1' }], {
      registryAuth: [{ serveraddress: '127.0.0.1:5999', username: 'AWS', password: 'secret' }],
    });
    const h = harness(spec, { driver, pullAttempts: 1 });
    void h.actor.start();
    const r = await h.until((x) => x.lastStatus === 'STOPPED');
    assert.equal(r.stopCode, 'TaskFailedToStart');
    assert.match(r.stoppedReason!, /^CannotPullContainerError: .*manifest unknown/);
    assert.equal(r.containers[0].reason, r.stoppedReason);
    assert.equal(r.containers[0].lastStatus, 'STOPPED');
    const pull = driver.calls.find((c) => c.op === 'pull')!;
    assert.deepEqual(pull.args[1], { serveraddress: '127.0.0.1:5999', username: 'AWS', password: '***' });
  });

  it('pulls an absent image, then runs it', async () => {
    const driver = new FakeDriver();
    driver.addRegistryImage('127.0.0.1:5999/app:1');
    const h = harness(taskSpec([{ name: 'a', image: '127.0.0.1:5999/app:1', command: ['sleep', '30'] }]), { driver });
    void h.actor.start();
    const r = await h.until((x) => x.lastStatus === 'RUNNING');
    assert.match(r.containers[0].imageDigest!, /^sha256:/);
    h.actor.requestStop();
    await h.until((x) => x.lastStatus === 'STOPPED');
  });

  it('command not found / image missing at create ⇒ STOPPED with ECS reasons, not PENDING', async () => {
    const h = harness(taskSpec([{ name: 'a', command: ['/nonexistent'] }]));
    void h.actor.start();
    const r = await h.until((x) => x.lastStatus === 'STOPPED');
    assert.equal(r.stopCode, 'TaskFailedToStart');
    assert.match(r.stoppedReason!, /^CannotStartContainerError: .*no such file or directory/);

    const h2 = harness(taskSpec([{ name: 'a', command: ['sleep', '1'] }]));
    h2.driver.failNext('create', 'boom');
    void h2.actor.start();
    const r2 = await h2.until((x) => x.lastStatus === 'STOPPED');
    assert.match(r2.stoppedReason!, /^CannotCreateContainerError: .*boom/);
  });

  it('desired STOPPED before it ever started ⇒ STOPPED without creating anything', async () => {
    const h = harness(taskSpec([{ name: 'a', command: ['sleep', '30'] }], { desiredStatus: 'STOPPED' }));
    void h.actor.start();
    const r = await h.until((x) => x.lastStatus === 'STOPPED');
    assert.equal(r.containers[0].lastStatus, 'STOPPED');
    assert.equal(h.driver.calls.filter((c) => c.op === 'create').length, 0);
  });

  it('adopts its running containers after a restart (checkpoint, or labels alone): no second create', async () => {
    const spec = taskSpec([{ name: 'a', command: ['sh', '-c', "trap 'exit 0' TERM; sleep 30"], portMappings: [{ containerPort: 80 }] }]);
    const h = harness(spec);
    void h.actor.start();
    const before = await h.until((x) => x.lastStatus === 'RUNNING');
    h.actor.close(); // the agent dies; the container keeps running
    const creates = h.driver.calls.filter((c) => c.op === 'create').length;

    for (const withCheckpoint of [true, false]) {
      const existing = await h.driver.listContainers({ [LABELS.taskArn]: spec.taskArn });
      const checkpoint = withCheckpoint ? h.checkpoints.loadAll()[0] : undefined;
      const h2 = harness(spec, { driver: h.driver }, { checkpoint, existing });
      void h2.actor.start();
      const r = await h2.until((x) => x.lastStatus === 'RUNNING' && x.containers[0].lastStatus === 'RUNNING');
      assert.equal(r.containers[0].runtimeId, before.containers[0].runtimeId);
      assert.deepEqual(r.containers[0].networkBindings, before.containers[0].networkBindings);
      assert.equal(h.driver.calls.filter((c) => c.op === 'create').length, creates, 'no duplicate container');
      if (withCheckpoint) {
        assert.equal(r.startedAt, before.startedAt);
        h2.actor.close();
      } else {
        h2.actor.update({ ...spec, desiredStatus: 'STOPPED', version: 2 });
        const s = await h2.until((x) => x.lastStatus === 'STOPPED');
        assert.equal(s.containers[0].exitCode, 0);
      }
    }
  });

  it('a container that exited while the agent was down is noticed on adoption', async () => {
    const spec = taskSpec([{ name: 'a', command: ['sleep', '30'] }]);
    const h = harness(spec);
    void h.actor.start();
    await h.until((x) => x.lastStatus === 'RUNNING');
    h.actor.close();
    h.driver.exit(h.ids().a!, 9);
    const h2 = harness(spec, { driver: h.driver }, { checkpoint: h.checkpoints.loadAll()[0], existing: await h.driver.listContainers({ [LABELS.taskArn]: spec.taskArn }) });
    void h2.actor.start();
    const r = await h2.until((x) => x.lastStatus === 'STOPPED');
    assert.equal(r.stopCode, 'EssentialContainerExited');
    assert.equal(r.containers[0].exitCode, 9);
  });

  it('pidMode/ipcMode task: a namespace pause container first, the containers join it, it stops and is removed last', async () => {
    const spec = taskSpec([{ name: 'a', command: ['sleep', '30'] }, { name: 'b', command: ['sleep', '30'] }], { pidMode: 'task', ipcMode: 'task' });
    const h = harness(spec, { cleanupDelayMs: 50 });
    const done = h.actor.start();
    await h.until((x) => x.lastStatus === 'RUNNING');
    const creates = h.driver.calls.filter((c) => c.op === 'create').map((c) => c.args[0] as ContainerSpec);
    assert.equal(creates.length, 3);
    const [pause, ...ctrs] = creates;
    assert.equal(pause.labels?.[LABELS.containerName], '~internal~ecs~pause~namespace');
    assert.equal(pause.labels?.[LABELS.taskArn], spec.taskArn);
    assert.equal(pause.ipcMode, 'shareable');
    const pauseId = (await h.driver.inspect(pause.name)).id;
    for (const c of ctrs) assert.deepEqual([c.pidMode, c.ipcMode], [`container:${pauseId}`, `container:${pauseId}`], c.name);
    assert.deepEqual(h.last().containers.map((c) => c.name), ['a', 'b'], 'the pause container is not a container of the task');

    // An agent restart adopts the task: no second pause container.
    h.actor.close();
    const h2 = harness(spec, { driver: h.driver, cleanupDelayMs: 50 }, { checkpoint: h.checkpoints.loadAll()[0], existing: await h.driver.listContainers({ [LABELS.taskArn]: spec.taskArn }) });
    const done2 = h2.actor.start();
    await h2.until((x) => x.lastStatus === 'RUNNING' && x.containers.every((c) => c.lastStatus === 'RUNNING'));
    assert.equal(h.driver.calls.filter((c) => c.op === 'create').length, 3);
    h2.actor.update({ ...spec, desiredStatus: 'STOPPED', version: 2 });
    await h2.until((x) => x.lastStatus === 'STOPPED');
    const stopped = stops(h.driver);
    assert.equal(stopped.at(-1), pauseId, 'the pause container stops after the task\'s containers');
    await Promise.all([done, done2]);
    const removed = h.driver.calls.filter((c) => c.op === 'remove').map((c) => c.args[0]);
    assert.equal(removed.at(-1), pauseId, 'and is removed last');
    assert.deepEqual(await h.driver.listContainers({ [LABELS.taskArn]: spec.taskArn }), []);
  });

  it('pidMode/ipcMode host, or none at all: no pause container', async () => {
    const h = harness(taskSpec([{ name: 'a', command: ['sleep', '30'] }], { pidMode: 'host', ipcMode: 'none' }));
    void h.actor.start();
    await h.until((x) => x.lastStatus === 'RUNNING');
    const creates = h.driver.calls.filter((c) => c.op === 'create').map((c) => c.args[0] as ContainerSpec);
    assert.deepEqual(creates.map((c) => [c.pidMode, c.ipcMode]), [['host', 'none']]);
    h.actor.close();
  });

  it('removes stopped containers after the cleanup delay', async () => {
    const h = harness(taskSpec([{ name: 'a', command: ['sh', '-c', 'exit 0'] }]), { cleanupDelayMs: 50 });
    const done = h.actor.start();
    await h.until((x) => x.lastStatus === 'STOPPED');
    const id = h.ids().a!;
    await done;
    assert.equal(h.actor.phase, 'removed');
    assert.ok(h.driver.calls.some((c) => c.op === 'remove' && c.args[0] === id));
    assert.equal(h.checkpoints.loadAll()[0].removed, true, 'tombstone kept');
  });
});
