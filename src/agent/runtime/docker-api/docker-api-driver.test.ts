/**
 * The docker-api adapter against a real engine: DOCKER_HOST if set, else Docker's socket, else Podman's
 * (CI runs it against both: .ci/run). No skipping: without a runtime this fails and says how to get one.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runtimeConformance } from '../conformance.js';
import { DockerApiDriver, isLoopbackRegistry, pickDigest, registryHost, repository } from './docker-api-driver.js';
import { discoverEndpoint } from './endpoint.js';
import { buildBusyboxImage, loadIntoRuntime, pushToRegistry } from '../../../../test/support/images.js';

const SETUP_HINT = 'no container runtime: run `sudo scripts/setup-runtime.sh` (starts Podman\'s Docker-compatible service on /run/podman/podman.sock) or `sudo scripts/setup-docker.sh` (dockerd)';

describe('docker-api reference parsing', () => {
  it('finds registry hosts and repositories', () => {
    assert.equal(registryHost('127.0.0.1:5000/a/b:1'), '127.0.0.1:5000');
    assert.equal(registryHost('library/busybox:1'), null);
    assert.equal(registryHost('busybox'), null);
    assert.equal(isLoopbackRegistry('localhost:5000/x'), true);
    assert.equal(isLoopbackRegistry('127.9.0.1/x:1'), true);
    assert.equal(isLoopbackRegistry('example.com/x:1'), false);
    assert.equal(repository('127.0.0.1:5000/a/b:1'), '127.0.0.1:5000/a/b');
    assert.equal(repository('127.0.0.1:5000/a/b@sha256:00'), '127.0.0.1:5000/a/b');
    assert.equal(pickDigest('h:1/r:t', ['x/r@sha256:aa', 'h:1/r@sha256:bb']), 'sha256:bb');
    assert.equal(pickDigest('h:1/r@sha256:cc', []), 'sha256:cc');
  });
});

// A reference registry (Debian's docker-registry) for the pull tests, on a free loopback port.
let registry: ChildProcess | null = null;
let workDir = '';
let registryPort = 0;
let image = '';

async function startRegistry(dir: string): Promise<number> {
  const port = 20000 + Math.floor(Math.random() * 20000);
  await writeFile(join(dir, 'registry.yml'), `version: 0.1\nlog: {level: error}\nstorage: {filesystem: {rootdirectory: ${dir}/registry}}\nhttp: {addr: 127.0.0.1:${port}}\n`);
  registry = spawn('docker-registry', ['serve', join(dir, 'registry.yml')], { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    if (await fetch(`http://127.0.0.1:${port}/v2/`).then((r) => r.ok, () => false)) return port;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('docker-registry did not start');
}

before(async () => {
  let endpoint;
  try {
    endpoint = discoverEndpoint(process.env);
  } catch (e) {
    throw new Error(`${SETUP_HINT}\n${(e as Error).message}`);
  }
  const probe = await DockerApiDriver.open({ endpoint }).catch((e: Error) => {
    throw new Error(`${SETUP_HINT}\n${e.message}`);
  });
  await probe.close();
  workDir = await mkdtemp(join(tmpdir(), 'wharf-rt-'));
  const built = await buildBusyboxImage(join(workDir, 'bb'));
  image = await loadIntoRuntime(built.layoutDir, `wharf-conformance/busybox:${built.manifestDigest.slice(7, 19)}`);
  // The pull case needs a real registry: Debian's reference one (.ci/run installs it).
  if (!existsSync('/usr/bin/docker-registry')) throw new Error('docker-registry is not installed: apt-get install docker-registry (bash .ci/run installs it)');
  registryPort = await startRegistry(workDir);
  await pushToRegistry(built.layoutDir, `127.0.0.1:${registryPort}/conformance/bb:1`);
});

after(async () => {
  if (registryPort) {
    // The pulled tag names a port that dies with this run; drop it so runs do not pile up tags.
    const d = await DockerApiDriver.open({ endpoint: discoverEndpoint(process.env) });
    await d.docker.getImage(`127.0.0.1:${registryPort}/conformance/bb:1`).remove().catch(() => {});
    await d.close();
  }
  registry?.kill();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

runtimeConformance(`docker-api (${process.env.DOCKER_HOST ?? 'the default socket'})`, {
  open: () => DockerApiDriver.open({ endpoint: discoverEndpoint(process.env) }),
  get image() {
    return image;
  },
  get pull() {
    return { ref: `127.0.0.1:${registryPort}/conformance/bb:1`, missingRef: `127.0.0.1:${registryPort}/conformance/bb:missing` };
  },
  servesNetwork: true,
});

describe('OOM kills survive the engine cleaning up', () => {
  it('a driver opened after the exit (an agent restart), once the cgroup is gone, still says OOM-killed', async () => {
    const first = await DockerApiDriver.open({ endpoint: discoverEndpoint(process.env) });
    const id = await first.createContainer({ name: `wharf-oomlate-${process.pid}`, image, command: ['tail', '/dev/zero'], memoryMiB: 8, networkMode: 'none' });
    try {
      await first.startContainer(id);
      assert.equal((await first.waitExit(id, { signal: AbortSignal.timeout(15_000) })).exitCode, 137);
      await first.close();
      // Podman deletes the container's cgroup (and with it the oom_kill counter) in `podman container
      // cleanup`, moments after the exit; wait until it is gone so only the kernel log can answer.
      const { oomCounterPaths } = await import('./exit-watcher.js');
      const deadline = Date.now() + 15_000;
      while (oomCounterPaths(id).some((p) => existsSync(p))) {
        assert.ok(Date.now() < deadline, `the cgroup of ${id.slice(0, 12)} was not cleaned up within 15 s`);
        await new Promise((r) => setTimeout(r, 50));
      }
      const later = await DockerApiDriver.open({ endpoint: discoverEndpoint(process.env) });
      try {
        const s = await later.inspect(id);
        assert.equal(s.exitCode, 137);
        assert.equal(s.oomKilled, true, 'inspect.oomKilled from a driver that never saw the exit');
        assert.equal((await later.waitExit(id)).oomKilled, true, 'waitExit.oomKilled');
      } finally {
        await later.removeContainer(id);
        await later.close();
      }
    } catch (e) {
      const d = await DockerApiDriver.open({ endpoint: discoverEndpoint(process.env) });
      await d.removeContainer(id).catch(() => {});
      await d.close();
      throw e;
    }
  });
});
