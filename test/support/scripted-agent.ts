/**
 * A scripted agent: speaks the agent protocol over a real WebSocket without running containers. It
 * registers, records every desired task set, and — in `auto` mode — plays a well-behaved agent: a
 * task it is told to run reports RUNNING after `startMs`, a task it is told to stop reports STOPPED
 * after `stopMs`. `behaviour(spec)` lets a test script failures per task (an image that never pulls,
 * a container that exits, a health check that fails).
 */
import WebSocket from 'ws';
import type { ServerMessage, TaskSpec, TaskReport } from '../../src/protocol/agent-messages.js';

export type Behaviour =
  | { kind: 'run'; health?: 'HEALTHY' | 'UNHEALTHY' }
  | { kind: 'fail-start'; reason: string }
  | { kind: 'exit'; exitCode: number; afterMs: number };

export interface ScriptedAgentOptions {
  resources?: { cpu: number; memory: number; reservedPorts: number[] };
  az?: string;
  attributes?: { name: string; value?: string }[];
  /** Play a live agent (report RUNNING/STOPPED by itself). Default false. */
  auto?: boolean;
  startMs?: number;
  stopMs?: number;
  behaviour?: (spec: TaskSpec) => Behaviour;
  /** Reconnect (with this join token) whenever the connection drops, like a real agent. */
  reconnectToken?: string;
}

export class ScriptedAgent {
  ws!: WebSocket;
  arn = '';
  desired = new Map<string, TaskSpec>();
  fullSets = 0;
  /** What this agent considers running now (reported RUNNING, not yet STOPPED). */
  running = new Set<string>();
  /** Tasks this agent reported STOPPED. */
  stopped = new Set<string>();
  private seq = 0;
  private waiters: (() => void)[] = [];
  private timers = new Set<NodeJS.Timeout>();
  private handled = new Map<string, string>();
  closed = false;

  constructor(readonly endpoint: string, readonly hostId: string, readonly cluster: string, readonly o: ScriptedAgentOptions = {}) {}

  get resources() { return this.o.resources ?? { cpu: 4096, memory: 2048, reservedPorts: [22] }; }

  async connect(token: string): Promise<void> {
    this.closed = false;
    this.arn = '';
    this.handled.clear();
    this.ws = new WebSocket(this.endpoint.replace('http', 'ws') + '/agent', { headers: { authorization: `Bearer ${token}` } });
    this.ws.on('message', (d) => {
      const m = JSON.parse(String(d)) as ServerMessage;
      if (m.type === 'registered') this.arn = m.containerInstanceArn;
      if (m.type === 'desired') {
        if (m.full) this.fullSets++;
        for (const t of m.tasks) { this.desired.set(t.taskArn, t); if (this.o.auto) this.play(t); }
      }
      this.waiters.splice(0).forEach((w) => w());
    });
    const ws = this.ws;
    ws.on('close', () => {
      if (this.closed || !this.o.reconnectToken || ws !== this.ws) return;
      const retry = () => { if (!this.closed) this.connect(this.o.reconnectToken!).catch(() => setTimeout(retry, 200)); };
      setTimeout(retry, 200);
    });
    ws.on('error', () => { /* close follows */ });
    await new Promise<void>((res, rej) => { this.ws.once('open', () => res()); this.ws.once('error', rej); this.ws.once('unexpected-response', (_q, r) => rej(new Error(`HTTP ${r.statusCode}`))); });
    this.ws.send(JSON.stringify({
      type: 'register', protocol: 1, cluster: this.cluster, hostId: this.hostId, resources: this.resources,
      attributes: [{ name: 'ecs.availability-zone', value: this.o.az ?? 'local-1a' }, { name: 'ecs.os-type', value: 'linux' }, ...(this.o.attributes ?? [])],
      versionInfo: { agentVersion: '0.1.0', dockerVersion: 'scripted' },
    }));
    await this.until(() => this.arn !== '');
  }

  private later(ms: number, fn: () => void): void {
    const t = setTimeout(() => { this.timers.delete(t); if (!this.closed) fn(); }, ms);
    this.timers.add(t);
  }

  private play(t: TaskSpec): void {
    const state = `${t.desiredStatus}`;
    if (this.handled.get(t.taskArn) === state) return;
    this.handled.set(t.taskArn, state);
    const names = t.containers.map((c) => c.name!);
    if (this.stopped.has(t.taskArn)) {
      // Told again about a task that already stopped here: the report was lost (say, the server died
      // before committing it). Say it again, as a real agent resends until acked.
      const last = this.lastStop.get(t.taskArn);
      if (last) this.later(0, () => this.report([last]));
      return;
    }
    if (t.desiredStatus === 'STOPPED') {
      this.later(this.o.stopMs ?? 20, () => this.reportStopped(t.taskArn, names, 143));
      return;
    }
    const b = this.o.behaviour?.(t) ?? { kind: 'run' };
    if (b.kind === 'fail-start') {
      this.later(this.o.startMs ?? 20, () => {
        this.stopped.add(t.taskArn);
        this.report([{ taskArn: t.taskArn, lastStatus: 'STOPPED', stopCode: 'TaskFailedToStart', stoppedReason: b.reason, stoppedAt: Date.now(), containers: names.map((name) => ({ name, lastStatus: 'STOPPED', reason: b.reason })) }]);
      });
      return;
    }
    this.later(this.o.startMs ?? 20, () => {
      if (this.stopped.has(t.taskArn) || this.desired.get(t.taskArn)?.desiredStatus === 'STOPPED') return;
      this.running.add(t.taskArn);
      const health = b.kind === 'run' ? b.health : undefined;
      this.report([{ taskArn: t.taskArn, lastStatus: 'RUNNING', startedAt: Date.now(), healthStatus: health, containers: names.map((name) => ({ name, lastStatus: 'RUNNING', runtimeId: `rt-${name}`, healthStatus: health })) }]);
      if (b.kind === 'exit') this.later(b.afterMs, () => this.exitTask(t.taskArn, b.exitCode));
    });
  }

  /** The task's essential container exits on its own (a crash, or a test killing it). */
  exitTask(taskArn: string, exitCode = 137): void {
    const t = this.desired.get(taskArn);
    if (!t || this.stopped.has(taskArn)) return;
    this.stopped.add(taskArn);
    this.running.delete(taskArn);
    this.report([{ taskArn, lastStatus: 'STOPPED', stopCode: 'EssentialContainerExited', stoppedReason: 'Essential container in task exited', stoppedAt: Date.now(), executionStoppedAt: Date.now(), containers: t.containers.map((c) => ({ name: c.name!, lastStatus: 'STOPPED', exitCode })) }]);
  }

  setHealth(taskArn: string, health: 'HEALTHY' | 'UNHEALTHY'): void {
    const t = this.desired.get(taskArn)!;
    this.report([{ taskArn, lastStatus: 'RUNNING', healthStatus: health, containers: t.containers.map((c) => ({ name: c.name!, lastStatus: 'RUNNING', healthStatus: health })) }]);
  }

  private reportStopped(taskArn: string, names: string[], exitCode: number): void {
    if (this.stopped.has(taskArn)) return;
    this.stopped.add(taskArn);
    this.running.delete(taskArn);
    this.report([{ taskArn, lastStatus: 'STOPPED', stoppedAt: Date.now(), executionStoppedAt: Date.now(), containers: names.map((name) => ({ name, lastStatus: 'STOPPED', exitCode })) }]);
  }

  async until(cond: () => boolean, ms = 5000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!cond()) {
      if (Date.now() > deadline) throw new Error('timed out waiting for the server');
      await new Promise<void>((r) => { this.waiters.push(r); setTimeout(r, 50); });
    }
  }

  private lastStop = new Map<string, TaskReport>();

  report(tasks: TaskReport[]): void {
    for (const t of tasks) if (t.lastStatus === 'STOPPED') this.lastStop.set(t.taskArn, t);
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(JSON.stringify({ type: 'report', seq: ++this.seq, tasks }));
  }

  /** Tasks the server wants running here that this agent has not stopped. */
  liveDesired(): TaskSpec[] {
    return [...this.desired.values()].filter((t) => t.desiredStatus !== 'STOPPED' && !this.stopped.has(t.taskArn));
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.ws.close();
  }
}
