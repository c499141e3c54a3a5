/**
 * The real `wharf agent` process on real Podman, talking to a tiny in-test WebSocket server that plays
 * the dispatcher (src/protocol/agent-messages.ts): register, desired tasks, batched reports with acks,
 * a real dynamic host port answering HTTP, SIGKILL of the agent and restart with the same containers
 * adopted (no duplicates), StopTask semantics, a failed pull, an orphan removed.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import type { AgentMessage, ServerMessage, TaskReport, TaskSpec } from '../../src/protocol/agent-messages.js';
import { LABELS } from '../../src/protocol/agent-messages.js';
import { DockerApiDriver } from '../../src/agent/runtime/docker-api/docker-api-driver.js';
import { discoverEndpoint } from '../../src/agent/runtime/docker-api/endpoint.js';
import { HOST_ID_LABEL } from '../../src/agent/container-spec.js';
import { buildBusyboxImage, loadIntoRuntime } from '../support/images.js';
import { cliEntry } from '../support/server.js';

const TOKEN = 'join-token-for-test';
const CLUSTER = 'agent-e2e';

/** The dispatcher, played by the test. */
class FakeDispatcher {
  readonly wss: WebSocketServer;
  socket: WebSocket | null = null;
  registers: Extract<AgentMessage, { type: 'register' }>[] = [];
  reports = new Map<string, TaskReport>();
  batches = 0;
  rejectedAuth = 0;
  desired = new Map<string, TaskSpec>();
  private waiters: (() => void)[] = [];

  constructor() {
    this.wss = new WebSocketServer({
      port: 0, host: '127.0.0.1', path: '/agent',
      verifyClient: (info, cb) => {
        if (info.req.headers.authorization === `Bearer ${TOKEN}`) return cb(true);
        this.rejectedAuth++;
        cb(false, 401, 'bad token');
      },
    });
    this.wss.on('connection', (ws) => {
      this.socket = ws;
      ws.on('message', (data) => {
        const m = JSON.parse(data.toString()) as AgentMessage;
        if (m.type === 'register') {
          this.registers.push(m);
          this.send({ type: 'registered', containerInstanceArn: `arn:aws:ecs:us-east-1:000000000000:container-instance/${CLUSTER}/ci1`, cluster: CLUSTER });
          this.send({ type: 'desired', full: true, tasks: [...this.desired.values()] });
        } else if (m.type === 'report') {
          this.batches++;
          for (const t of m.tasks) this.reports.set(t.taskArn, t);
          this.send({ type: 'ack', seq: m.seq });
        }
        for (const w of this.waiters.splice(0)) w();
      });
    });
  }

  get url(): string {
    const a = this.wss.address() as { port: number };
    return `http://127.0.0.1:${a.port}`;
  }

  send(m: ServerMessage): void {
    this.socket?.send(JSON.stringify(m));
  }

  setDesired(spec: TaskSpec, push = true): void {
    this.desired.set(spec.taskArn, spec);
    if (push) this.send({ type: 'desired', full: false, tasks: [spec] });
  }

  async until<T>(f: () => T | undefined | false, what: string, ms = 30_000): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
      const v = f();
      if (v) return v;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; reports: ${JSON.stringify([...this.reports.values()], null, 1)}`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 100);
      });
    }
  }

  close(): Promise<void> {
    for (const c of this.wss.clients) c.terminate();
    return new Promise((r) => this.wss.close(() => r()));
  }
}

let dir = '';
let image = '';
let dispatcher: FakeDispatcher;
let agent: ChildProcess | null = null;
let driver: DockerApiDriver;
let agentLog = '';

function startAgent(token = TOKEN): ChildProcess {
  const child = spawn(process.execPath, [
    cliEntry, 'agent', '--server', dispatcher.url, '--cluster', CLUSTER, '--token', token, '--state-dir', join(dir, 'state'),
    '--name', 'e2e', '--cpu', '2048', '--memory', '1536', '--attribute', 'stack=e2e', '--log-level', 'debug', '--stop-timeout', '2',
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr!.on('data', (d: Buffer) => (agentLog += d.toString()));
  return child;
}

const exited = (c: ChildProcess) => new Promise<number | null>((r) => (c.exitCode !== null ? r(c.exitCode) : c.once('exit', (code) => r(code))));

let n = 0;
function task(containers: TaskSpec['containers'], extra: Partial<TaskSpec> = {}): TaskSpec {
  const id = `${Date.now().toString(16)}${(++n).toString(16)}`.padEnd(32, '0');
  return {
    taskArn: `arn:aws:ecs:us-east-1:000000000000:task/${CLUSTER}/${id}`, cluster: CLUSTER, family: 'agent-e2e', revision: 1,
    desiredStatus: 'RUNNING', containers, networkMode: 'bridge', volumes: [], version: 1, ...extra,
  };
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wharf-agent-e2e-'));
  const built = await buildBusyboxImage(join(dir, 'img'));
  image = await loadIntoRuntime(built.layoutDir, `wharf-agent-e2e/busybox:${built.manifestDigest.slice(7, 19)}`);
  driver = await DockerApiDriver.open({ endpoint: discoverEndpoint(process.env) });
  dispatcher = new FakeDispatcher();
  await new Promise((r) => dispatcher.wss.once('listening', r));
});

after(async () => {
  agent?.kill('SIGKILL');
  const hostIds = new Set(dispatcher?.registers.map((r) => r.hostId));
  for (const hostId of hostIds) {
    for (const c of await driver.listContainers({ [HOST_ID_LABEL]: hostId })) await driver.removeContainer(c.id).catch(() => {});
  }
  await dispatcher?.close();
  await driver?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
  if (process.env.WHARF_TEST_VERBOSE) process.stderr.write(agentLog);
});

describe('wharf agent ⇄ dispatcher, real Podman', () => {
  it('a wrong join token is fatal before the first registration, with a hint', async () => {
    const bad = startAgent('wrong');
    const code = await exited(bad);
    assert.equal(code, 2);
    assert.ok(dispatcher.rejectedAuth >= 1);
    assert.match(agentLog, /join token was rejected.*--token/);
  });

  it('bad input ends STOPPED with ECS reasons: command not found, immediate exit, OOM, dependsOn order', async () => {
    agent = startAgent();
    await dispatcher.until(() => dispatcher.socket && dispatcher.registers.length > 0, 'register');
    const notFound = task([{ name: 'a', image, command: ['/no/such/binary'], memory: 32, containerArn: 'a' }]);
    const quick = task([{ name: 'a', image, command: ['sh', '-c', 'exit 3'], memory: 32, containerArn: 'a' }]);
    const oom = task([{ name: 'a', image, command: ['tail', '/dev/zero'], memory: 8, containerArn: 'a' }]);
    const ordered = task([
      { name: 'init', image, essential: false, command: ['sh', '-c', 'sleep 1; exit 0'], memory: 16, containerArn: 'i' },
      { name: 'app', image, command: ['sleep', '60'], memory: 16, dependsOn: [{ containerName: 'init', condition: 'SUCCESS' }], containerArn: 'p' },
    ]);
    const t0 = Date.now();
    for (const t of [notFound, quick, oom, ordered]) dispatcher.setDesired(t);
    const stopped = (t: TaskSpec) => dispatcher.until(() => {
      const r = dispatcher.reports.get(t.taskArn);
      return r?.lastStatus === 'STOPPED' && r;
    }, `${t.taskArn} STOPPED`);
    const nf = await stopped(notFound);
    assert.equal(nf.stopCode, 'TaskFailedToStart');
    assert.match(nf.stoppedReason!, /^CannotStartContainerError: /);
    const q = await stopped(quick);
    assert.equal(q.stopCode, 'EssentialContainerExited');
    assert.equal(q.containers[0].exitCode, 3);
    const o = await stopped(oom);
    assert.equal(o.containers[0].reason, 'OutOfMemoryError: Container killed due to memory usage');
    assert.equal(o.containers[0].exitCode, 137);
    const running = await dispatcher.until(() => {
      const r = dispatcher.reports.get(ordered.taskArn);
      return r?.lastStatus === 'RUNNING' && r;
    }, 'ordered RUNNING');
    assert.equal(running.containers.find((c) => c.name === 'init')!.exitCode, 0);
    const [init, app] = await Promise.all(['init', 'app'].map((n) => driver.inspect(running.containers.find((c) => c.name === n)!.runtimeId!)));
    assert.ok(app.startedAt!.getTime() >= init.finishedAt!.getTime(), 'app started after init exited 0');
    process.stderr.write(`# agent e2e: bad-input tasks all STOPPED and ordered task RUNNING within ${Date.now() - t0} ms\n`);
    dispatcher.setDesired({ ...ordered, desiredStatus: 'STOPPED', version: 2 });
    await stopped(ordered);
    agent.kill('SIGTERM');
    assert.equal(await exited(agent), 0);
    dispatcher.desired.clear();
  });

  it('registers, runs a task reachable on its dynamic host port, survives SIGKILL (adopted, no duplicate), stops it', async () => {
    const web = task([{
      name: 'web', image, essential: true, command: ['httpd', '-f', '-p', '8080', '-h', '/var/www'], portMappings: [{ containerPort: 8080, hostPort: 0, protocol: 'tcp' }],
      memory: 64, cpu: 128, healthCheck: { command: ['CMD-SHELL', 'wget -q -O /dev/null http://127.0.0.1:8080/ || exit 1'], interval: 1, timeout: 2, retries: 2 },
      containerArn: 'c-web',
    }]);
    const badPull = task([{ name: 'x', image: '127.0.0.1:1/does-not-exist:1', essential: true, memory: 16, containerArn: 'c-x' }]);
    dispatcher.setDesired(web, false);
    dispatcher.setDesired(badPull, false);

    const t0 = Date.now();
    agent = startAgent();
    const reg = await dispatcher.until(() => dispatcher.registers[dispatcher.registers.length - 1], 'register');
    assert.equal(reg.cluster, CLUSTER);
    assert.match(reg.hostId, /^wharf-[0-9a-f-]{36}$/);
    assert.deepEqual({ cpu: reg.resources.cpu, memory: reg.resources.memory }, { cpu: 2048, memory: 1536 });
    for (const p of [22, 2375, 2376, 51678, 51679]) assert.ok(reg.resources.reservedPorts.includes(p), `reserves ${p}`);
    const port = Number(new URL(dispatcher.url).port);
    assert.ok(reg.resources.reservedPorts.includes(port), 'a port in use on the host (the dispatcher\'s) is reserved');
    const attr = Object.fromEntries(reg.attributes.map((a) => [a.name, a.value ?? '']));
    assert.equal(attr['ecs.os-type'], 'linux');
    assert.equal(attr['ecs.availability-zone'], 'local-1a');
    assert.equal(attr.stack, 'e2e');
    assert.ok('ecs.capability.container-health-check' in attr && 'com.amazonaws.ecs.capability.docker-remote-api.1.24' in attr);
    assert.match(reg.versionInfo.dockerVersion, /podman|docker/);

    const running = await dispatcher.until(() => {
      const r = dispatcher.reports.get(web.taskArn);
      return r?.lastStatus === 'RUNNING' && r;
    }, 'web RUNNING');
    const tRunning = Date.now() - t0;
    const c = running.containers[0];
    assert.match(c.runtimeId!, /^[0-9a-f]{64}$/);
    const binding = c.networkBindings![0];
    assert.deepEqual({ ...binding, hostPort: 0 }, { bindIP: '0.0.0.0', containerPort: 8080, hostPort: 0, protocol: 'tcp' });
    assert.ok(binding.hostPort > 0);
    const body = await (await fetch(`http://127.0.0.1:${binding.hostPort}/`)).text();
    assert.equal(body, 'wharf-test\n');

    const failed = await dispatcher.until(() => {
      const r = dispatcher.reports.get(badPull.taskArn);
      return r?.lastStatus === 'STOPPED' && r;
    }, 'bad pull STOPPED');
    assert.equal(failed.stopCode, 'TaskFailedToStart');
    assert.match(failed.stoppedReason!, /^CannotPullContainerError: /);

    const healthy = await dispatcher.until(() => dispatcher.reports.get(web.taskArn)?.healthStatus === 'HEALTHY', 'HEALTHY');
    assert.ok(healthy);

    // SIGKILL the agent: the container keeps serving; a restarted agent adopts it.
    agent.kill('SIGKILL');
    await exited(agent);
    assert.equal(await (await fetch(`http://127.0.0.1:${binding.hostPort}/`)).text(), 'wharf-test\n', 'serves while the agent is dead');
    // An orphan: a container with our host label whose task nobody knows.
    const orphanName = `wharf-orphan-${Date.now()}`;
    const orphan = await driver.createContainer({
      name: orphanName, image, command: ['sleep', '300'],
      labels: { [LABELS.managedBy]: 'true', [HOST_ID_LABEL]: reg.hostId, [LABELS.taskArn]: `arn:aws:ecs:us-east-1:000000000000:task/${CLUSTER}/orphan`, [LABELS.containerName]: 'o' },
    });
    await driver.startContainer(orphan);

    const registersBefore = dispatcher.registers.length;
    const batchesBefore = dispatcher.batches;
    const t1 = Date.now();
    agent = startAgent();
    const reg2 = await dispatcher.until(() => dispatcher.registers.length > registersBefore && dispatcher.registers[dispatcher.registers.length - 1], 're-register');
    assert.equal(reg2.hostId, reg.hostId, 'same identity from the state dir');
    assert.equal(reg2.containerInstanceArn, `arn:aws:ecs:us-east-1:000000000000:container-instance/${CLUSTER}/ci1`);
    assert.ok(!reg2.resources.reservedPorts.includes(binding.hostPort), 'its own task\'s host port is not reported as foreign');
    await dispatcher.until(() => dispatcher.batches > batchesBefore, 'reports after reconnect');
    const again = dispatcher.reports.get(web.taskArn)!;
    assert.equal(again.lastStatus, 'RUNNING');
    assert.equal(again.containers[0].runtimeId, c.runtimeId, 'same container adopted');
    const tAdopt = Date.now() - t1;
    const mine = await driver.listContainers({ [LABELS.taskArn]: web.taskArn });
    assert.equal(mine.length, 1, 'no duplicate container');
    const orphanGone = await dispatcher.until(() => orphanCheck(orphan), 'orphan removed', 45_000);
    assert.ok(orphanGone);

    // StopTask: SIGTERM (httpd as PID 1 ignores it), SIGKILL after the 2 s stop timeout.
    const tStop = Date.now();
    dispatcher.setDesired({ ...web, desiredStatus: 'STOPPED', version: 2, stopCode: 'UserInitiated', stoppedReason: 'Task stopped by user' });
    const stopped = await dispatcher.until(() => {
      const r = dispatcher.reports.get(web.taskArn);
      return r?.lastStatus === 'STOPPED' && r;
    }, 'web STOPPED');
    const stopMs = Date.now() - tStop;
    assert.ok(stopMs >= 1900 && stopMs < 8000, `stop took ${stopMs} ms`);
    assert.equal(stopped.containers[0].lastStatus, 'STOPPED');
    assert.equal(stopped.containers[0].exitCode, 137);
    assert.ok(stopped.stoppedAt && stopped.executionStoppedAt && stopped.stoppingAt);
    assert.equal(stopped.stopCode, undefined, 'the control plane keeps its own stopCode');
    await assert.rejects(fetch(`http://127.0.0.1:${binding.hostPort}/`));
    process.stderr.write(`# agent e2e: RUNNING after ${tRunning} ms from agent spawn; re-adopted and reported ${tAdopt} ms after restart; stop ${stopMs} ms (2 s timeout)\n`);
  });
});

function orphanCheck(id: string): boolean | undefined {
  // Polled synchronously by `until`; kick an async inspect and read its last result.
  void driver.inspect(id).then(() => (orphanState = 'present'), () => (orphanState = 'gone'));
  return orphanState === 'gone' || undefined;
}
let orphanState: 'present' | 'gone' | 'unknown' = 'unknown';
