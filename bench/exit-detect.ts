/**
 * How soon the agent's runtime driver notices a container's exit (DockerApiDriver.waitExit), against the
 * engine's own POST /containers/{id}/wait on the same socket — in one run. Moved here from the runtime
 * conformance suite, where a latency bound failed whenever the machine was busy: the suite checks that
 * waitExit gives the right exit code; this measures how fast.
 *
 *   ours  = waitExit() resolves − the container's exit (it sleeps 0.3 s, then exits 3)
 *   peer  = the engine's /wait returns − the same exit (Podman's lags 0.2–0.9 s: DESIGN.md §5)
 *
 * Goal: ours p50 < 100 ms on Podman (the exit-file watcher). Run: npm run build && node dist/bench/exit-detect.js
 * [--n 10] (DOCKER_HOST picks the engine, as for the agent).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { DockerApiDriver } from '../src/agent/runtime/docker-api/docker-api-driver.js';
import { discoverEndpoint } from '../src/agent/runtime/docker-api/endpoint.js';
import { buildBusyboxImage, loadIntoRuntime } from '../test/support/images.js';

const args = process.argv.slice(2);
const N = (() => { const i = args.indexOf('--n'); return i >= 0 ? Number(args[i + 1]) : 10; })();
const pct = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(p / 100 * s.length))]; };
const work = mkdtempSync(join(tmpdir(), 'wharf-bench-exit-'));
const endpoint = discoverEndpoint(process.env);
const driver = await DockerApiDriver.open({ endpoint });
const docker = endpoint.kind === 'unix' ? new Docker({ socketPath: endpoint.socketPath }) : new Docker({ host: endpoint.host, port: endpoint.port, protocol: endpoint.protocol });
const image = await loadIntoRuntime((await buildBusyboxImage(join(work, 'img'))).layoutDir, 'wharf-bench/busybox:1');
const ours: number[] = [];
const peer: number[] = [];
try {
  for (let i = 0; i < N; i++) {
    for (const side of ['ours', 'peer'] as const) {
      const id = await driver.createContainer({ name: `wharf-bench-exit-${process.pid}-${i}-${side}`, image, command: ['sh', '-c', 'sleep 0.3; exit 3'], labels: { 'wharf.bench': '1' } });
      await driver.startContainer(id);
      const t0 = performance.now();
      if (side === 'ours') await driver.waitExit(id);
      else await docker.getContainer(id).wait();
      (side === 'ours' ? ours : peer).push(performance.now() - t0 - 300);
      await driver.removeContainer(id);
    }
  }
} finally {
  await driver.close();
  rmSync(work, { recursive: true, force: true });
}
const row = (name: string, xs: number[]) => `${name.padEnd(5)} p50 ${pct(xs, 50).toFixed(0).padStart(5)} ms   p95 ${pct(xs, 95).toFixed(0).padStart(5)} ms`;
console.log(`exit noticed after the exit, ${N} runs each, ${driver.runtimeInfo?.engine ?? '?'} at ${JSON.stringify(endpoint)}`);
console.log(row('ours', ours));
console.log(row('peer', peer));
console.log(`ratio p50 ours/peer ${(pct(ours, 50) / Math.max(1, pct(peer, 50))).toFixed(2)}`);
