/**
 * Task checkpoints: what a task actor knew, written after every change so an agent killed with SIGKILL
 * resumes where it was (pull in progress, which container ids it created, restart counts, when to
 * remove stopped containers) instead of starting from nothing.
 *
 * One JSON file per task, `<stateDir>/tasks/<task id>.json`, replaced atomically (write a temp file, then
 * rename: a reader sees the old or the new file, never half of one). Writes are synchronous so that the
 * order of writes is the order of changes without a queue; each is one small file (≈1–3 KiB), well under
 * a millisecond on a local disk. No fsync: the threat is a killed agent process, whose written data the
 * kernel still has; after a power loss the agent re-adopts containers by label anyway, and the checkpoint
 * only adds knowledge (restart counts, cleanup times) that is safe to lose.
 *
 * Only the task's actor writes its checkpoint (STYLE 4).
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TaskReport, TaskSpec } from '../protocol/agent-messages.js';
import { taskId } from './container-spec.js';
import { withoutSecrets } from '../protocol/agent-messages.js';

export interface ContainerCheckpoint {
  runtimeId?: string;
  /** Ever reached RUNNING (for adoption: an exited container that had started has exited, not failed to start). */
  started: boolean;
  startedAt?: number;
  restartCount: number;
  lastRestartAt?: number;
}

export interface TaskCheckpoint {
  spec: TaskSpec;
  report: TaskReport;
  containers: Record<string, ContainerCheckpoint>;
  /** Set once STOPPED: when the stopped containers are removed. */
  removeAt?: number;
  /** Containers removed; the file stays as a tombstone (so a late `desired` cannot start the task again). */
  removed?: boolean;
  /** When this checkpoint was written (for pruning tombstones). */
  savedAt: number;
}

export interface CheckpointStore {
  save(cp: TaskCheckpoint): void;
  delete(taskArn: string): void;
  loadAll(): TaskCheckpoint[];
}

export class FileCheckpointStore implements CheckpointStore {
  private readonly dir: string;
  constructor(stateDir: string) {
    this.dir = join(stateDir, 'tasks');
    mkdirSync(this.dir, { recursive: true });
  }

  save(cp: TaskCheckpoint): void {
    const file = join(this.dir, `${taskId(cp.spec.taskArn)}.json`);
    writeFileSync(file + '.tmp', JSON.stringify({ ...cp, spec: withoutSecrets(cp.spec) }));
    renameSync(file + '.tmp', file);
  }

  delete(taskArn: string): void {
    rmSync(join(this.dir, `${taskId(taskArn)}.json`), { force: true });
  }

  loadAll(): TaskCheckpoint[] {
    const out: TaskCheckpoint[] = [];
    for (const f of readdirSync(this.dir)) {
      if (!f.endsWith('.json')) continue;
      try {
        out.push(JSON.parse(readFileSync(join(this.dir, f), 'utf8')) as TaskCheckpoint);
      } catch {
        // A file that does not parse was never renamed into place by us (or the disk lied): adoption by
        // label still finds the task's containers, so dropping it loses only bookkeeping.
        rmSync(join(this.dir, f), { force: true });
      }
    }
    return out;
  }
}

export class MemoryCheckpointStore implements CheckpointStore {
  readonly files = new Map<string, string>();
  save(cp: TaskCheckpoint): void {
    this.files.set(cp.spec.taskArn, JSON.stringify({ ...cp, spec: withoutSecrets(cp.spec) }));
  }
  delete(taskArn: string): void {
    this.files.delete(taskArn);
  }
  loadAll(): TaskCheckpoint[] {
    return [...this.files.values()].map((s) => JSON.parse(s) as TaskCheckpoint);
  }
}
