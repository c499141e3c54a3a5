/**
 * How soon the agent's runtime driver notices a container's exit (DockerApiDriver.waitExit), against the
 * engine's own POST /containers/{id}/wait on the same socket — in one run. Moved here from the runtime
 * conformance suite, where a latency bound failed whenever the machine was busy: the suite checks that
 * waitExit gives the right exit code; this measures how fast.
 *
 *   ours  = waitExit() resolves − the container's exit (it sleeps 0.3 s, then exits 3)
 *   peer  = the engine's /wait returns − the same exit (Podman's lags 0.2–0.9 s: DESIGN.md §5)
 *
 * Rounds alternate which side goes first (bench/support/harness.ts); the ratio is per round.
 * Goal: ours p50 < 100 ms on Podman (the exit-file watcher). Run: npm run build && node dist/bench/exit-detect.js
 * [--n 10] [--short] (DOCKER_HOST picks the engine, as for the agent).
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import Docker from 'dockerode';
import { DockerApiDriver } from '../src/agent/runtime/docker-api/docker-api-driver.js';
import { discoverEndpoint } from '../src/agent/runtime/docker-api/endpoint.js';
import { buildBusyboxImage, loadIntoRuntime } from '../test/support/images.js';
import { benchDir, CouldNotMeasure, fmt, interleaved, pct, ratio, runBenchmark } from './support/harness.js';

runBenchmark('Exit detection (bench/exit-detect.ts)', async () => {
  const N = Math.max(3, Number(process.argv[process.argv.indexOf('--n') + 1]) || (process.argv.includes('--short') ? 3 : 10));
  const work = benchDir('exit');
  const endpoint = discoverEndpoint(process.env);
  const driver = await DockerApiDriver.open({ endpoint });
  const docker = endpoint.kind === 'unix' ? new Docker({ socketPath: endpoint.socketPath }) : new Docker({ host: endpoint.host, port: endpoint.port, protocol: endpoint.protocol });
  try {
    const image = await loadIntoRuntime((await buildBusyboxImage(join(work, 'img'))).layoutDir, 'wharf-bench/busybox:1');
    const once = (side: 'ours' | 'peer', i: number) => async () => {
      const id = await driver.createContainer({ name: `wharf-bench-exit-${process.pid}-${i}-${side}`, image, command: ['sh', '-c', 'sleep 0.3; exit 3'], labels: { 'wharf.bench': '1' } });
      try {
        await driver.startContainer(id);
        const t0 = performance.now();
        const code = side === 'ours' ? (await driver.waitExit(id)).exitCode : ((await docker.getContainer(id).wait()) as { StatusCode: number }).StatusCode;
        const ms = performance.now() - t0 - 300;
        if (code !== 3) throw new CouldNotMeasure(`${side}: exit code ${code}, expected 3`);
        return ms;
      } finally {
        await driver.removeContainer(id);
      }
    };
    const rounds = await interleaved(N, { ours: (i) => once('ours', i)(), peer: (i) => once('peer', i)() });
    const ours = rounds.map((r) => r.ours), peer = rounds.map((r) => r.peer);
    const row = (name: string, xs: number[]) => `${name.padEnd(5)} p50 ${fmt(pct(xs, 50), 0).padStart(5)} ms   p95 ${fmt(pct(xs, 95), 0).padStart(5)} ms`;
    console.log(`exit noticed after the exit, ${N} rounds (alternating order), ${driver.runtimeInfo?.engine ?? '?'} at ${JSON.stringify(endpoint)}`);
    console.log(row('ours', ours));
    console.log(row('peer', peer));
    // Both sides are measured from the container's planned exit: a negative or zero figure would be a clock
    // artefact (the exit came before sleep 0.3 finished) — floor them at 1 ms so the ratio stays defined.
    ratio('exit noticed ours/peer (lower is better)', rounds.map((r) => Math.max(1, r.ours) / Math.max(1, r.peer)), { goal: `ours p50 < 100 ms (ours p50 ${fmt(pct(ours, 50), 0)} ms)`, digits: 3 });
  } finally {
    await driver.close();
    rmSync(work, { recursive: true, force: true });
  }
});
