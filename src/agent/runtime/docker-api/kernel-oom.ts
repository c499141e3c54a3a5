/**
 * Which containers the kernel's OOM killer killed, read from the kernel log (`/dev/kmsg`).
 *
 * Why: Podman 4.3 reports `State.OOMKilled = false` for memory-cgroup OOM kills (conmon writes its `oom`
 * marker into the service's working directory, not the container's bundle), and the cgroup's own
 * `oom_kill` counter disappears when `podman container cleanup` deletes the cgroup — a race the exit
 * watcher loses on a loaded host. The kernel logs every kill before the process dies, naming the memory
 * cgroups involved:
 *
 *   oom-kill:constraint=CONSTRAINT_MEMCG,...,oom_memcg=/libpod_parent/libpod-<id>,task_memcg=/libpod_parent/libpod-<id>,task=tail,pid=…
 *
 * so by the time a container's exit file exists, its record is in the log. cAdvisor detects OOM kills the
 * same way (utils/oomparser). The device is opened non-blocking and drained on demand: each read(2)
 * returns one record, EAGAIN means "no more", EPIPE means older records were overwritten (skip on).
 * Reading it needs CAP_SYSLOG (the agent runs as root); without it this log stays empty and the caller
 * falls back to the engine's answer.
 */
import { closeSync, constants, openSync, readSync } from 'node:fs';

/** The container ids (64 hex) a kernel-log record says the OOM killer acted on, if it is an oom-kill record. */
export function oomKilledIds(record: string): string[] {
  const i = record.indexOf('oom-kill:');
  if (i < 0) return [];
  const ids = new Set<string>();
  for (const key of ['oom_memcg=', 'task_memcg=']) {
    const m = new RegExp(`${key}([^,]*)`).exec(record.slice(i));
    const id = m && /([0-9a-f]{64})(?:\.scope)?\/?$/.exec(m[1]!);
    if (id) ids.add(id[1]!);
  }
  return [...ids];
}

export class KernelOomLog {
  private fd: number | null;
  private readonly killed = new Set<string>();
  private readonly buf = Buffer.alloc(16 * 1024);

  private constructor(fd: number | null, private readonly max: number) {
    this.fd = fd;
  }

  /** Opens the kernel log; an unreadable one (no CAP_SYSLOG, no device) gives a log that knows nothing. */
  static open(path = '/dev/kmsg', max = 4096): KernelOomLog {
    let fd: number | null = null;
    try {
      fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    } catch {
      fd = null;
    }
    const log = new KernelOomLog(fd, max);
    log.drain();
    return log;
  }

  get readable(): boolean {
    return this.fd !== null;
  }

  /** True when the kernel has logged an OOM kill in container `id`'s memory cgroup (full 64-hex id). */
  wasKilled(id: string): boolean {
    this.drain();
    return this.killed.has(id);
  }

  private drain(): void {
    if (this.fd === null) return;
    for (;;) {
      let n: number;
      try {
        n = readSync(this.fd, this.buf, 0, this.buf.length, null);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EPIPE') continue; // records we had not read yet were overwritten; carry on from the oldest left
        if (code !== 'EAGAIN') this.close(); // anything else: stop reading, answer from what we have
        return;
      }
      if (n === 0) return;
      for (const id of oomKilledIds(this.buf.toString('utf8', 0, n))) this.remember(id);
    }
  }

  private remember(id: string): void {
    this.killed.delete(id);
    this.killed.add(id);
    if (this.killed.size > this.max) this.killed.delete(this.killed.values().next().value!);
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}
