/**
 * Batched, acknowledged state reports (agent → dispatcher).
 *
 * Naive approach: send every TaskReport as it happens and forget it. That floods the socket during a
 * burst (a 50-task RunTask burst makes ~4 reports per task within a second) and loses changes made while
 * disconnected or in flight when the socket dies. Instead:
 * - coalesce: with nothing in flight a report leaves on the next event-loop turn; while a batch awaits
 *   its ack, reports wait up to `coalesceMs` (50 ms — about one container start through Podman, DESIGN
 *   §5) so a burst's starts share batches;
 * - the latest report per task wins (each report is the task's whole observed state, so older ones add
 *   nothing);
 * - each batch has a `seq` and is kept until the server acks it; on reconnect every unacked batch is
 *   folded back into the pending set (newer reports of the same task still win) and resent.
 * seq starts at the process start time in µs (Date.now() × 1000 ≈ 1.8e15 < 2^53), so it only grows, also
 * across agent restarts; the server needs it only to match acks.
 */
import type { AgentMessage, TaskReport } from '../protocol/agent-messages.js';

export interface ReporterOptions {
  /** Sends if connected; false when not (the reports stay pending). */
  send: (msg: AgentMessage) => boolean;
  coalesceMs?: number;
  /** Upper bound per batch so one message stays small (100 tasks × ~1 KiB). */
  maxTasksPerBatch?: number;
  seqStart?: number;
}

export class Reporter {
  private pending = new Map<string, TaskReport>();
  private readonly unacked = new Map<number, TaskReport[]>();
  private seq: number;
  private timer: NodeJS.Timeout | NodeJS.Immediate | null = null;
  private readonly coalesceMs: number;
  private readonly max: number;

  constructor(private readonly opts: ReporterOptions) {
    this.coalesceMs = opts.coalesceMs ?? 50;
    this.max = opts.maxTasksPerBatch ?? 100;
    this.seq = opts.seqStart ?? Date.now() * 1000;
  }

  /**
   * Adaptive batching: when nothing is in flight, a report goes out on the next turn of the event loop
   * (with whatever else this turn produced), so a lone task's RUNNING is not delayed; while a batch awaits
   * its ack, reports coalesce for up to `coalesceMs` (a burst shares batches).
   */
  push(report: TaskReport): void {
    this.pending.set(report.taskArn, report);
    if (this.timer) return;
    this.timer = this.unacked.size === 0 ? setImmediate(() => this.flush()) : setTimeout(() => this.flush(), this.coalesceMs);
  }

  ack(seq: number): void {
    this.unacked.delete(seq);
    if (this.unacked.size === 0 && this.pending.size > 0) this.flush();
  }

  /** After (re)registering: fold unacked batches back in (older first, so newer reports win) and send. */
  reconnected(): void {
    const merged = new Map<string, TaskReport>();
    for (const seq of [...this.unacked.keys()].sort((a, b) => a - b)) for (const r of this.unacked.get(seq)!) merged.set(r.taskArn, r);
    for (const [arn, r] of this.pending) merged.set(arn, r);
    this.unacked.clear();
    this.pending = merged;
    this.flush();
  }

  flush(): void {
    this.clearTimer();
    this.timer = null;
    while (this.pending.size) {
      const tasks = [...this.pending.values()].slice(0, this.max);
      const seq = ++this.seq;
      if (!this.opts.send({ type: 'report', seq, tasks })) return; // disconnected: keep pending
      this.unacked.set(seq, tasks);
      for (const t of tasks) if (this.pending.get(t.taskArn) === t) this.pending.delete(t.taskArn);
    }
  }

  get inFlight(): number {
    return this.unacked.size;
  }
  get queued(): number {
    return this.pending.size;
  }

  close(): void {
    this.clearTimer();
  }

  private clearTimer(): void {
    if (this.timer) {
      if ('hasRef' in this.timer && 'refresh' in this.timer) clearTimeout(this.timer as NodeJS.Timeout);
      else clearImmediate(this.timer as NodeJS.Immediate);
    }
    this.timer = null;
  }
}
