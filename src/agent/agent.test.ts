/**
 * The whole agent in one process: fake runtime, an in-test dispatcher on a real WebSocket. Covers
 * reconciliation (full and delta sets), orphans, tombstones, reconnect with resend, and a restarted agent
 * adopting instead of duplicating.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { LABELS, type AgentMessage, type ServerMessage, type TaskReport, type TaskSpec } from '../protocol/agent-messages.js';
import { Agent } from './agent.js';
import { HOST_ID_LABEL } from './container-spec.js';
import { FakeDriver } from './runtime/fake/fake-driver.js';
import { Reporter } from './reporter.js';
import { backoffDelay, agentUrl } from './connection.js';
import { hostAttributes, hostResources, parseProcNetTcp } from './host-info.js';

const IMG = 'busybox:test';
const dirs: string[] = [];
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

class Dispatcher {
  readonly wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  socket: WebSocket | null = null;
  registers: Extract<AgentMessage, { type: 'register' }>[] = [];
  reports = new Map<string, TaskReport>();
  batches: number[] = [];
  stats: Extract<AgentMessage, { type: 'stats' }>[] = [];
  desired: TaskSpec[] = [];
  ackReports = true;
  constructor() {
    this.wss.on('connection', (ws) => {
      this.socket = ws;
      ws.on('message', (d) => {
        const m = JSON.parse(d.toString()) as AgentMessage;
        if (m.type === 'register') {
          this.registers.push(m);
          this.send({ type: 'registered', containerInstanceArn: 'arn:aws:ecs:us-east-1:000000000000:container-instance/c1/x', cluster: 'c1' });
          this.send({ type: 'desired', full: true, tasks: this.desired });
        } else if (m.type === 'stats') {
          this.stats.push(m);
        } else if (m.type === 'report') {
          this.batches.push(m.tasks.length);
          for (const t of m.tasks) this.reports.set(t.taskArn, t);
          if (this.ackReports) this.send({ type: 'ack', seq: m.seq });
        }
      });
    });
  }
  get url() {
    return `ws://127.0.0.1:${(this.wss.address() as { port: number }).port}/agent`;
  }
  send(m: ServerMessage) {
    this.socket?.send(JSON.stringify(m));
  }
  async until(f: () => boolean, what: string, ms = 5000) {
    const deadline = Date.now() + ms;
    while (!f()) {
      if (Date.now() > deadline) throw new Error(`timed out: ${what}; reports ${JSON.stringify([...this.reports.values()])}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }
  status(arn: string) {
    return this.reports.get(arn)?.lastStatus;
  }
  close() {
    for (const c of this.wss.clients) c.terminate();
    return new Promise<void>((r) => this.wss.close(() => r()));
  }
}

let n = 0;
function task(cmd: string[], extra: Partial<TaskSpec> = {}): TaskSpec {
  const id = `${(++n).toString(16)}`.padEnd(32, 'b');
  return {
    taskArn: `arn:aws:ecs:us-east-1:000000000000:task/c1/${id}`, cluster: 'c1', family: 'f', revision: 1, desiredStatus: 'RUNNING',
    containers: [{ name: 'main', image: IMG, command: cmd, containerArn: 'x' }], networkMode: 'bridge', volumes: [], version: 1, ...extra,
  };
}

async function newAgent(driver: FakeDriver, url: string, stateDir?: string) {
  const dir = stateDir ?? (await mkdtemp(join(tmpdir(), 'wharf-agent-')));
  if (!stateDir) dirs.push(dir);
  const agent = new Agent({
    server: url, cluster: 'c1', token: 't', stateDir: dir, driver, cpu: 1024, memory: 512,
    actor: { stopTimeoutSeconds: 0.1, cleanupDelayMs: 100 }, statsIntervalMs: 100,
  });
  await agent.start();
  return { agent, dir };
}

const TERMABLE = ['sh', '-c', "trap 'exit 0' TERM; sleep 60"];

describe('agent', () => {
  it('reconciles full and delta sets, removes orphans, batches reports, resends after reconnect, adopts after restart', async () => {
    const d = new Dispatcher();
    await new Promise((r) => d.wss.once('listening', r));
    const driver = new FakeDriver({ images: [IMG] });
    const t1 = task(TERMABLE);
    const t2 = task(TERMABLE);
    d.desired = [t1, t2];
    const { agent, dir } = await newAgent(driver, d.url);
    await d.until(() => d.status(t1.taskArn) === 'RUNNING' && d.status(t2.taskArn) === 'RUNNING', 'both RUNNING');
    const reg = d.registers[0];
    await d.until(() => d.stats.some((s) => s.containers.length === 2), 'stats for both tasks');
    assert.equal(d.stats[0].containers[0].containerName, 'main');
    assert.deepEqual([reg.resources.cpu, reg.resources.memory], [1024, 512]);
    assert.equal(reg.containerInstanceArn, undefined);

    // An orphan with our host label; then a full set without t2.
    const orphan = await driver.createContainer({ name: 'orphan', image: IMG, command: ['sleep', '60'], labels: { [LABELS.managedBy]: 'true', [HOST_ID_LABEL]: agent.hostId, [LABELS.taskArn]: 'arn:orphan' } });
    await driver.startContainer(orphan);
    const foreign = await driver.createContainer({ name: 'other-agent', image: IMG, command: ['sleep', '60'], labels: { [LABELS.managedBy]: 'true', [HOST_ID_LABEL]: 'someone-else', [LABELS.taskArn]: 'arn:theirs' } });
    d.send({ type: 'desired', full: true, tasks: [t1] });
    await d.until(() => d.status(t2.taskArn) === 'STOPPED', 't2 stopped (not desired)');
    await d.until(() => driver.calls.some((c) => c.op === 'remove' && c.args[0] === orphan), 'orphan removed');
    assert.ok(!driver.calls.some((c) => c.op === 'remove' && c.args[0] === foreign), 'another agent\'s container is left alone');
    assert.ok(d.batches.length < [...d.reports.values()].length * 4, 'reports are coalesced');

    // Disconnect: a change while disconnected is reported after the reconnect; nothing is stopped.
    d.ackReports = false;
    d.socket!.terminate();
    const t1id = (await driver.listContainers({ [LABELS.taskArn]: t1.taskArn }))[0].id;
    driver.exit(t1id, 5);
    d.ackReports = true;
    await d.until(() => d.registers.length === 2, 're-register', 8000);
    assert.equal(d.registers[1].hostId, reg.hostId);
    assert.equal(d.registers[1].containerInstanceArn, 'arn:aws:ecs:us-east-1:000000000000:container-instance/c1/x');
    await d.until(() => d.status(t1.taskArn) === 'STOPPED', 't1 exit reported after reconnect');
    assert.equal(d.reports.get(t1.taskArn)!.containers[0].exitCode, 5);
    assert.equal(d.reports.get(t1.taskArn)!.stopCode, 'EssentialContainerExited');

    // Tombstone: once removed, a repeated desired RUNNING does not start the task again.
    await d.until(() => agent.actors.get(t2.taskArn)?.phase === 'removed', 't2 removed after cleanup delay');
    // t3 after it is the barrier: messages on one socket are handled in order, so once t3 runs the
    // agent has seen the repeated t2 (waiting a fixed time instead would pass when nothing was handled).
    const createsOf = (arn: string) => driver.calls.filter((c) => c.op === 'create' && (c.args[0] as { labels?: Record<string, string> }).labels?.[LABELS.taskArn] === arn).length;
    const t2creates = createsOf(t2.taskArn);
    assert.equal(t2creates, 1);
    const t3 = task(TERMABLE);
    d.send({ type: 'desired', full: false, tasks: [t2] });
    d.send({ type: 'desired', full: false, tasks: [t3] });
    await d.until(() => d.status(t3.taskArn) === 'RUNNING', 't3 RUNNING');
    assert.equal(createsOf(t3.taskArn), 1);
    assert.equal(createsOf(t2.taskArn), t2creates, 'the removed t2 is not started again');

    // A restarted agent (same state dir) adopts a running task instead of starting it twice.
    await agent.close();
    d.desired = [t3];
    const before = driver.calls.filter((c) => c.op === 'create').length;
    const again = await newAgent(driver, d.url, dir);
    await d.until(() => d.registers.length === 3, 'third register');
    await d.until(() => again.agent.actors.get(t3.taskArn)?.phase === 'running', 't3 adopted');
    assert.equal(driver.calls.filter((c) => c.op === 'create').length, before, 'no duplicate');
    assert.equal((await driver.listContainers({ [LABELS.taskArn]: t3.taskArn })).length, 1);
    await again.agent.close();
    await driver.close();
    await d.close();
  });
});

describe('reporter', () => {
  it('coalesces, keeps the latest per task, resends unacked after reconnect', async () => {
    const sent: Extract<AgentMessage, { type: 'report' }>[] = [];
    let up = true;
    const r = new Reporter({ send: (m) => (up ? (sent.push(m as never), true) : false), coalesceMs: 10, seqStart: 100 });
    const rep = (arn: string, s: TaskReport['lastStatus']): TaskReport => ({ taskArn: arn, lastStatus: s, containers: [] });
    r.push(rep('a', 'PENDING'));
    r.push(rep('a', 'RUNNING'));
    r.push(rep('b', 'PENDING'));
    for (const deadline = Date.now() + 2000; sent.length === 0;) {
      assert.ok(Date.now() < deadline, 'no report batch sent within 2 s of three pushes (coalesceMs 10)');
      await new Promise((x) => setTimeout(x, 5));
    }
    assert.equal(sent.length, 1);
    assert.deepEqual(sent[0].tasks.map((t) => [t.taskArn, t.lastStatus]), [['a', 'RUNNING'], ['b', 'PENDING']]);
    assert.equal(sent[0].seq, 101);
    up = false;
    r.push(rep('b', 'RUNNING'));
    r.flush();
    assert.equal(r.queued, 1);
    up = true;
    r.reconnected();
    assert.equal(sent.length, 2);
    assert.deepEqual(sent[1].tasks.map((t) => [t.taskArn, t.lastStatus]), [['a', 'RUNNING'], ['b', 'RUNNING']], 'unacked a resent, b newest');
    assert.equal(r.inFlight, 1, 'seq 101 was folded into the new batch');
    r.ack(sent[1].seq);
    assert.equal(r.inFlight, 0);
    r.close();
  });
});

describe('host info and connection helpers', () => {
  it('reads listening ports, reserves ECS ports, excludes its own', () => {
    const text = [
      '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
      '   0: 0100007F:1E47 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1 0000000000000000 100 0 0 10 0',
      '   1: 00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2 1 0000000000000000 100 0 0 10 0',
      '   2: 0100007F:9C40 0100007F:1E47 01 00000000:00000000 00:00000000 00000000     0        0 3 1 0000000000000000 100 0 0 10 0',
    ].join('\n');
    assert.deepEqual(parseProcNetTcp(text), [7751, 8080]);
    const r = hostResources({ cpu: 4096, memory: 1000, listening: [7751, 8080], ownPorts: [8080] });
    assert.deepEqual(r, { cpu: 4096, memory: 1000, reservedPorts: [22, 2375, 2376, 7751, 51678, 51679] });
  });

  it('advertises docker-remote-api versions up to the negotiated one, and custom attributes', () => {
    const a = hostAttributes({ availabilityZone: 'z', instanceType: 't', apiVersion: '1.40', custom: { k: 'v' }, architecture: 'arm64' });
    const names = a.map((x) => x.name);
    assert.ok(names.includes('com.amazonaws.ecs.capability.docker-remote-api.1.17'));
    assert.ok(names.includes('com.amazonaws.ecs.capability.docker-remote-api.1.40'));
    assert.ok(!names.includes('com.amazonaws.ecs.capability.docker-remote-api.1.41'));
    assert.equal(a.find((x) => x.name === 'ecs.cpu-architecture')!.value, 'arm64');
    assert.equal(a.find((x) => x.name === 'k')!.value, 'v');
  });

  it('back-off grows to a 10 s cap with jitter; URLs get /agent', () => {
    assert.equal(backoffDelay(0, { random: () => 0 }), 125);
    assert.equal(backoffDelay(0, { random: () => 1 }), 250);
    assert.equal(backoffDelay(3, { random: () => 1 }), 2000);
    assert.equal(backoffDelay(30, { random: () => 0 }), 5000);
    assert.equal(backoffDelay(30, { random: () => 1 }), 10_000);
    assert.equal(agentUrl('http://h:7755'), 'ws://h:7755/agent');
    assert.equal(agentUrl('https://h/'), 'wss://h/agent');
    assert.equal(agentUrl('ws://h:1/agent'), 'ws://h:1/agent');
  });
});
