/**
 * Notices container exits within ~1 ms on Podman by watching its exit-file directory.
 *
 * The naive approach, the API's `POST /containers/{id}/wait` (or the events stream), lags an exit by
 * 0.2–0.9 s on Podman 4.3: it waits for `podman container cleanup` and network teardown, and the file
 * events backend batches at ~200 ms (reference/floors.md §2). conmon writes `<exitsDir>/<full id>` holding
 * the exit code about 1 ms after the process dies, and cleanup deletes it later. One `fs.watch` (inotify)
 * on the directory serves every container; a waiter also checks for the file at registration, so an exit
 * that happened first is not missed.
 *
 * OOM: Podman 4.3 on cgroup v1 reports `State.OOMKilled = false` even when the kernel's memory-cgroup OOM
 * killer killed the container (verified here: dmesg "Memory cgroup out of memory", exit 137, OOMKilled
 * false). The kernel log names the killed container's cgroup before the process dies (kernel-oom.ts), so
 * at exit-file time it answers without a race; the cgroup's `oom_kill` counter (v1 memory.oom_control, v2
 * memory.events) is the second witness, readable only until `podman container cleanup` deletes the cgroup
 * (CI lost that race under load). The answer is remembered. Docker reports OOMKilled itself and has no
 * exit files; there the API wait is used.
 */
import { watch, type FSWatcher } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { KernelOomLog } from './kernel-oom.js';

export interface ObservedExit {
  exitCode: number;
  oomKilled: boolean;
  at: Date;
}

export const PODMAN_EXITS_DIR = '/run/libpod/exits';

/** Where a Podman container's memory cgroup lives, for cgroup v1/v2 × cgroupfs/systemd managers. */
export function oomCounterPaths(id: string, root = '/sys/fs/cgroup'): string[] {
  return [
    join(root, 'memory', 'libpod_parent', `libpod-${id}`, 'memory.oom_control'),
    join(root, 'memory', 'machine.slice', `libpod-${id}.scope`, 'memory.oom_control'),
    join(root, 'libpod_parent', `libpod-${id}`, 'memory.events'),
    join(root, 'machine.slice', `libpod-${id}.scope`, 'memory.events'),
  ];
}

export function parseOomKill(text: string): number {
  const m = /^oom_kill (\d+)$/m.exec(text);
  return m ? Number(m[1]) : 0;
}

export class ExitWatcher {
  private watcher: FSWatcher | null = null;
  private readonly waiters = new Map<string, Set<(e: ObservedExit) => void>>();
  /** Recent exits, so inspect can correct OOMKilled; bounded (oldest dropped past `maxRemembered`). */
  private readonly seen = new Map<string, ObservedExit>();
  private readonly maxRemembered = 4096;

  private constructor(
    readonly dir: string,
    private readonly cgroupRoot: string,
    readonly kernel: KernelOomLog,
  ) {}

  /** Null when the directory cannot be watched (not Podman, or not on this host): use the API instead. */
  static async open(opts: { dir?: string; cgroupRoot?: string; kmsg?: string } = {}): Promise<ExitWatcher | null> {
    const w = new ExitWatcher(opts.dir ?? PODMAN_EXITS_DIR, opts.cgroupRoot ?? '/sys/fs/cgroup', KernelOomLog.open(opts.kmsg));
    try {
      // Podman creates it at its first container; creating it earlier is harmless (it uses MkdirAll).
      await mkdir(w.dir, { recursive: true });
      w.watcher = watch(w.dir, { persistent: false }, (_ev, file) => {
        if (file && w.waiters.has(file.toString())) void w.check(file.toString());
      });
      w.watcher.on('error', () => w.close());
      return w;
    } catch {
      return null;
    }
  }

  get active(): boolean {
    return this.watcher !== null;
  }

  observed(id: string): ObservedExit | undefined {
    return this.seen.get(id);
  }

  /** Resolves when `id` exits. The caller must pass the full 64-hex id. */
  wait(id: string, signal?: AbortSignal): Promise<ObservedExit> {
    const known = this.seen.get(id);
    if (known) return Promise.resolve(known);
    return new Promise((resolve, reject) => {
      const set = this.waiters.get(id) ?? new Set();
      this.waiters.set(id, set);
      const onAbort = () => {
        set.delete(cb);
        if (set.size === 0) this.waiters.delete(id);
        reject(signal!.reason ?? new Error('aborted'));
      };
      const cb = (e: ObservedExit) => {
        signal?.removeEventListener('abort', onAbort);
        resolve(e);
      };
      set.add(cb);
      signal?.addEventListener('abort', onAbort, { once: true });
      void this.check(id);
    });
  }

  private async check(id: string): Promise<void> {
    let text: string;
    try {
      text = await readFile(join(this.dir, id), 'utf8');
    } catch {
      return; // not exited yet, or already cleaned up (the caller's inspect covers that)
    }
    if (!/^-?\d+\s*$/.test(text)) return; // partially written; the next event will re-check
    const exit: ObservedExit = { exitCode: Number(text.trim()), oomKilled: await this.oomKilled(id), at: new Date() };
    this.remember(id, exit);
    const set = this.waiters.get(id);
    this.waiters.delete(id);
    for (const cb of set ?? []) cb(exit);
  }

  private async oomKilled(id: string): Promise<boolean> {
    if (this.kernel.wasKilled(id)) return true;
    for (const p of oomCounterPaths(id, this.cgroupRoot)) {
      try {
        return parseOomKill(await readFile(p, 'utf8')) > 0;
      } catch {
        /* try the next layout */
      }
    }
    return false;
  }

  private remember(id: string, e: ObservedExit): void {
    this.seen.delete(id);
    this.seen.set(id, e);
    if (this.seen.size > this.maxRemembered) this.seen.delete(this.seen.keys().next().value!);
  }

  /**
   * Watch `id`'s exit from now on even if nobody waits yet, so its exit (and the cgroup's OOM counter,
   * readable only until Podman cleans the cgroup up) is remembered for a later inspect/waitExit. Without
   * it, a container that dies within milliseconds of start (an OOM on its first allocation) exits before
   * anyone waits, and Podman 4.3's OOMKilled=false is all that is left.
   */
  track(id: string): void {
    if (!this.waiters.has(id)) this.waiters.set(id, new Set());
  }

  forget(id: string): void {
    this.seen.delete(id);
    if (this.waiters.get(id)?.size === 0) this.waiters.delete(id);
  }

  close(): void {
    this.watcher?.close();
    this.watcher = null;
    this.kernel.close();
  }
}
