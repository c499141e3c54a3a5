/**
 * Where each container's log shipping stands: the last line the control plane acknowledged. One small
 * JSON file per runtime container under <stateDir>/awslogs/, replaced atomically (write + rename), so a
 * crash leaves the old position or the new one, never a torn file. An old position is safe (the server
 * skips line numbers it already has); only a lost file costs a re-read from the container's first line.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface LogPosition {
  /** Number of the last acknowledged line (the container's first line is 0). */
  seq: number;
  /** Its runtime timestamp (epoch ms) … */
  ts: number;
  /** … and how many numbered lines share that millisecond up to and including it. */
  nAtTs: number;
  /** The container exited and everything it wrote is shipped. */
  done?: boolean;
}

export interface LogCheckpoints {
  load(source: string): LogPosition | undefined;
  save(source: string, pos: LogPosition): void;
  delete(source: string): void;
}

export class FileLogCheckpoints implements LogCheckpoints {
  private readonly dir: string;
  constructor(stateDir: string) {
    this.dir = join(stateDir, 'awslogs');
    mkdirSync(this.dir, { recursive: true });
  }
  private file(source: string): string {
    return join(this.dir, `${source.replace(/[^A-Za-z0-9_.-]/g, '_')}.json`);
  }
  load(source: string): LogPosition | undefined {
    try {
      return JSON.parse(readFileSync(this.file(source), 'utf8')) as LogPosition;
    } catch {
      return undefined;
    }
  }
  save(source: string, pos: LogPosition): void {
    const f = this.file(source);
    writeFileSync(f + '.tmp', JSON.stringify(pos));
    renameSync(f + '.tmp', f);
  }
  delete(source: string): void {
    rmSync(this.file(source), { force: true });
  }
}

export class MemoryLogCheckpoints implements LogCheckpoints {
  readonly m = new Map<string, LogPosition>();
  load(source: string) { return this.m.get(source); }
  save(source: string, pos: LogPosition) { this.m.set(source, { ...pos }); }
  delete(source: string) { this.m.delete(source); }
}
