/**
 * Waiting for what a test is about, instead of sleeping: `until` polls a condition and fails with the
 * thing that did not happen (and the last error, if the condition threw); `containerOutput` reads a task's
 * containers' output from the runtime by Wharf's labels.
 */
import { execFileSync } from 'node:child_process';

/** Polls `fn` every `stepMs` until it returns something truthy (returned), or fails after `ms` naming `what`. */
export async function until<T>(what: string, fn: () => Promise<T | undefined | false>, ms = 90_000, stepMs = 500): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) { last = e; }
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms: ${what}${last ? ` (last error: ${String(last)})` : ''}`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

/** The output of a task's containers (`podman logs`), found by the task-arn label. */
export function containerOutput(taskArn: string): string {
  const ids = execFileSync('podman', ['ps', '-a', '--filter', `label=com.amazonaws.ecs.task-arn=${taskArn}`, '--format', '{{.ID}}'], { encoding: 'utf8' }).trim().split('\n').filter(Boolean);
  return ids.map((id) => execFileSync('podman', ['logs', id], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })).join('\n');
}
