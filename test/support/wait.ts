/**
 * Waiting for what a test is about, instead of sleeping: `until` polls a condition and fails with the
 * thing that did not happen (and the last error, if the condition threw); `containerOutput` reads a task's
 * containers' output from the runtime by Wharf's labels.
 */
import { execFileSync } from 'node:child_process';
import { request } from 'node:http';

/**
 * Polls `fn` every `stepMs` until it returns something truthy (returned), or fails after `ms` naming `what`.
 * An attempt that never settles (a request to a peer that stopped answering) cannot hold the test past
 * the deadline: it is abandoned there and named as the last error.
 */
export async function until<T>(what: string, fn: () => Promise<T | undefined | false>, ms = 90_000, stepMs = 500): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    let timer: NodeJS.Timeout | undefined;
    const pending = Symbol('pending');
    const overdue = new Promise<typeof pending>((r) => { timer = setTimeout(() => r(pending), Math.max(deadline - Date.now(), 0) + stepMs); });
    const v = await Promise.race([fn().catch((e: unknown) => { last = e; return undefined; }), overdue]).finally(() => clearTimeout(timer));
    if (v === pending) throw new Error(`timed out after ${ms} ms: ${what} (last attempt never settled${last ? `; error before it: ${String(last)}` : ''})`);
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms: ${what}${last ? ` (last error: ${String(last)})` : ''}`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

/** GET over plain HTTP that always settles: refused, reset, stalled mid-body or past `timeoutMs` all reject. */
export function httpGet(host: string, port: number, path = '/', timeoutMs = 2000): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host, port, path, agent: false });
    const timer = setTimeout(() => req.destroy(new Error(`GET http://${host}:${port}${path}: no answer within ${timeoutMs} ms`)), timeoutMs);
    const fail = (e: Error) => { clearTimeout(timer); reject(e); };
    req.on('error', fail);
    req.on('response', (r) => {
      let body = '';
      r.setEncoding('utf8');
      r.on('data', (c: string) => { body += c; });
      r.on('error', fail);
      r.on('close', () => { if (!r.complete) fail(new Error(`GET http://${host}:${port}${path}: the answer was cut off`)); });
      r.on('end', () => { clearTimeout(timer); resolve({ status: r.statusCode ?? 0, body }); });
    });
    req.end();
  });
}

/** The output of a task's containers (`podman logs`), found by the task-arn label. */
export function containerOutput(taskArn: string): string {
  const ids = execFileSync('podman', ['ps', '-a', '--filter', `label=com.amazonaws.ecs.task-arn=${taskArn}`, '--format', '{{.ID}}'], { encoding: 'utf8' }).trim().split('\n').filter(Boolean);
  return ids.map((id) => execFileSync('podman', ['logs', id], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })).join('\n');
}
