/**
 * The RuntimeDriver conformance suite: every adapter (docker-api on a real Podman/Docker, and the fake)
 * passes it unchanged. Call `runtimeConformance(name, harness)` from the adapter's own test file.
 *
 * Programs are busybox shell one-liners. The fake interprets the same subset (fake/fake-shell.ts), so a
 * scenario that passes on the fake means what it means on Podman.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ContainerSpec, RuntimeDriver } from './driver.js';
import { ecsReason, isRuntimeError } from './runtime-error.js';

export interface RuntimeHarness {
  open(): Promise<RuntimeDriver>;
  /** A busybox image (test/support/images.ts) present in the runtime. */
  image: string;
  /** A registry image to pull, and a reference in the same registry that does not exist. */
  /** A pullable image and a missing one, in a registry the harness provides (the fake keeps one in memory). */
  pull: { ref: string; missingRef: string };
  /** Container processes really listen on their ports (false for the fake). */
  servesNetwork: boolean;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

async function collect<T>(it: AsyncIterable<T>, limit = Infinity): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) {
    out.push(x);
    if (out.length >= limit) break;
  }
  return out;
}

export function runtimeConformance(name: string, h: RuntimeHarness): void {
  describe(`RuntimeDriver conformance: ${name}`, () => {
    let rt: RuntimeDriver;
    const run = `wharf-conf-${process.pid}-${Date.now().toString(36)}`;
    const created: string[] = [];
    let n = 0;
    const spec = (s: Partial<ContainerSpec>): ContainerSpec => ({
      name: `${run}-${++n}`,
      image: h.image,
      networkMode: 'none',
      labels: { 'wharf.test-run': run },
      ...s,
    });
    const createStarted = async (s: Partial<ContainerSpec>) => {
      const id = await rt.createContainer(spec(s));
      created.push(id);
      await rt.startContainer(id);
      return id;
    };

    before(async () => {
      rt = await h.open();
    });
    after(async () => {
      for (const id of created) await rt.removeContainer(id).catch(() => {});
      // Volumes a failed case left behind (every one this run makes carries the run's label).
      for (const v of await rt.listVolumes({ 'wharf.test-run': run }).catch(() => [])) await rt.removeVolume(v.name).catch(() => {});
      await rt.close();
    });

    it('ping names the engine and the API version in use', async () => {
      const info = await rt.ping();
      assert.ok(info.engine.length > 0);
      assert.match(info.apiVersion, /^\d+\.\d+/);
    });

    it('create+start runs the command; inspect reports running, labels (ours win), no exit yet', async () => {
      const id = await createStarted({
        command: ['sh', '-c', 'echo hi; sleep 30'],
        dockerLabels: { 'wharf.test-run': 'forged', user: 'label' },
      });
      const s = await rt.inspect(id);
      assert.equal(s.id, id);
      assert.equal(s.status, 'running');
      assert.equal(s.running, true);
      assert.equal(s.exitCode, null);
      assert.equal(s.finishedAt, null);
      assert.ok(s.startedAt instanceof Date);
      assert.equal(s.labels['wharf.test-run'], run);
      assert.equal(s.labels.user, 'label');
      const listed = await rt.listContainers({ 'wharf.test-run': run });
      assert.ok(listed.some((c) => c.id === id && c.status === 'running'));
      assert.deepEqual(await rt.listContainers({ 'wharf.test-run': run, user: 'nobody-has-this' }), []);
    });

    it('logs: stdout and stderr lines with times; follow streams until aborted', async () => {
      const id = await createStarted({ command: ['sh', '-c', 'echo hi; echo oops >&2; sleep 30'] });
      const ac = new AbortController();
      const got = await collect(rt.logs(id, { follow: true, signal: ac.signal }), 2);
      ac.abort();
      assert.deepEqual(got.map((l) => [l.stream, l.line]).sort(), [['stderr', 'oops'], ['stdout', 'hi']]);
      assert.ok(got.every((l) => l.time instanceof Date && !Number.isNaN(l.time.getTime())));
      const all = await collect(rt.logs(id, { follow: false }));
      assert.equal(all.length, 2);
    });

    it('environment, working directory and user reach the process', async () => {
      const id = await createStarted({
        command: ['sh', '-c', 'echo "v=$WHARF_V"; pwd; id -u; sleep 30'],
        env: { WHARF_V: 'x y' },
        workingDir: '/tmp',
        user: '65534',
      });
      let out: string[] = [];
      for (const deadline = Date.now() + 10_000; out.length < 3;) {
        assert.ok(Date.now() < deadline, `the three lines did not appear in the logs within 10 s: ${JSON.stringify(out)}`);
        await new Promise((r) => setTimeout(r, 20));
        out = (await collect(rt.logs(id))).map((l) => l.line);
      }
      assert.deepEqual(out, ['v=x y', '/tmp', '65534']);
    });

    // How soon (< 100 ms on Podman with the exit-file watcher) is measured by bench/exit-detect.ts: a
    // latency bound here failed whenever the machine was busy.
    it('waitExit resolves with the exit code of a container that exits later', async () => {
      const id = await rt.createContainer(spec({ command: ['sh', '-c', 'sleep 0.3; exit 3'] }));
      created.push(id);
      await rt.startContainer(id);
      const e = await rt.waitExit(id);
      assert.equal(e.exitCode, 3);
      assert.equal(e.oomKilled, false);
      const s = await rt.inspect(id);
      assert.equal(s.status, 'exited');
      assert.equal(s.running, false);
      assert.equal(s.exitCode, 3);
      assert.ok(s.finishedAt instanceof Date);
      const again = await rt.waitExit(id);
      assert.equal(again.exitCode, 3, 'waitExit on an exited container answers at once');
    });

    it('stop sends SIGTERM; a process that traps it exits cleanly and fast', async () => {
      const id = await createStarted({ command: ['sh', '-c', 'trap "echo bye; exit 0" TERM; sleep 30 & wait'] });
      await new Promise((r) => setTimeout(r, 200)); // let the shell install its trap
      const t0 = performance.now();
      await rt.stopContainer(id, { timeoutSeconds: 10 });
      assert.ok(performance.now() - t0 < 3000);
      const s = await rt.inspect(id);
      assert.equal(s.exitCode, 0);
      assert.ok((await collect(rt.logs(id))).some((l) => l.line === 'bye'));
      await rt.stopContainer(id, { timeoutSeconds: 1 }); // stopping a stopped container is a no-op
    });

    it('stop escalates to SIGKILL after the timeout when SIGTERM is ignored', async () => {
      const id = await createStarted({ command: ['sh', '-c', 'trap "" TERM; sleep 30 & wait'] });
      await new Promise((r) => setTimeout(r, 200));
      const t0 = performance.now();
      await rt.stopContainer(id, { timeoutSeconds: 1 });
      const ms = performance.now() - t0;
      assert.ok(ms >= 900 && ms < 5000, `stop took ${ms.toFixed(0)} ms`);
      assert.equal((await rt.inspect(id)).exitCode, 137);
    });

    it('while a stop waits out its timeout the container still runs: no early exit code', async () => {
      // Podman 4.3 inspects a container it is stopping as "stopping", ExitCode 0; read as exited, that
      // reported exit 0 for a container SIGKILLed a moment later (seen through the agent's health checks).
      const id = await createStarted({ command: ['sh', '-c', 'trap "" TERM; sleep 30 & wait'] });
      await new Promise((r) => setTimeout(r, 200));
      const stop = rt.stopContainer(id, { timeoutSeconds: 1 });
      await new Promise((r) => setTimeout(r, 300));
      const mid = await rt.inspect(id);
      assert.deepEqual([mid.running, mid.exitCode], [true, null]);
      assert.equal((await rt.waitExit(id)).exitCode, 137);
      await stop;
    });

    it('stopSignal replaces SIGTERM', async () => {
      const id = await createStarted({ command: ['sh', '-c', 'trap "exit 7" USR1; sleep 30 & wait'], stopSignal: 'SIGUSR1' });
      await new Promise((r) => setTimeout(r, 200));
      await rt.stopContainer(id, { timeoutSeconds: 10 });
      assert.equal((await rt.inspect(id)).exitCode, 7);
    });

    it('a container over its memory limit is reported OOM-killed', async () => {
      const id = await createStarted({ command: ['tail', '/dev/zero'], memoryMiB: 16 });
      const e = await rt.waitExit(id, { signal: AbortSignal.timeout(15_000) });
      assert.equal(e.oomKilled, true, 'waitExit.oomKilled');
      assert.equal(e.exitCode, 137);
      assert.equal((await rt.inspect(id)).oomKilled, true, 'inspect.oomKilled');
    });

    it('a command that does not exist fails start with CannotStartContainerError', async () => {
      const id = await rt.createContainer(spec({ command: ['/no/such/binary'] }));
      created.push(id);
      await assert.rejects(rt.startContainer(id), (e: unknown) => {
        assert.ok(isRuntimeError(e, 'start-failed'), String(e));
        assert.match(ecsReason(e), /^CannotStartContainerError: .*\/no\/such\/binary/);
        return true;
      });
      const s = await rt.inspect(id);
      assert.equal(s.running, false);
    });

    it('a missing image fails create with image-not-found; unknown ids are not-found or no-ops', async () => {
      await assert.rejects(rt.createContainer(spec({ image: 'localhost/wharf-no-such-image:1' })), (e: unknown) => {
        assert.ok(isRuntimeError(e, 'image-not-found'), String(e));
        assert.match(ecsReason(e), /^CannotCreateContainerError: .*wharf-no-such-image/);
        return true;
      });
      await assert.rejects(rt.inspect('wharf-no-such-container'), (e: unknown) => isRuntimeError(e, 'not-found'));
      await rt.removeContainer('wharf-no-such-container');
    });

    it('exec returns the exit code, output, and times out', async () => {
      const id = await createStarted({ command: ['sh', '-c', 'sleep 30'] });
      assert.equal((await rt.exec(id, ['true'], { timeoutMs: 5000 })).exitCode, 0);
      const r = await rt.exec(id, ['sh', '-c', 'echo unhealthy; exit 4'], { timeoutMs: 5000 });
      assert.equal(r.exitCode, 4);
      assert.equal(r.timedOut, false);
      assert.equal(r.output.trim(), 'unhealthy');
      const t = await rt.exec(id, ['sleep', '5'], { timeoutMs: 300 });
      assert.equal(t.timedOut, true);
      assert.equal(t.exitCode, null);
    });

    it('ulimits and a read-only root filesystem are applied', async () => {
      const id = await createStarted({ command: ['sleep', '30'], ulimits: [{ name: 'nofile', soft: 512, hard: 512 }], readonlyRootfs: true });
      assert.equal((await rt.exec(id, ['sh', '-c', 'ulimit -n'], { timeoutMs: 5000 })).output.trim(), '512');
      assert.notEqual((await rt.exec(id, ['touch', '/x'], { timeoutMs: 5000 })).exitCode, 0);
    });

    const cat = async (id: string, path: string) => {
      const r = await rt.exec(id, ['cat', path], { timeoutMs: 5000 });
      assert.equal(r.exitCode, 0, `cat ${path}: ${r.output}`);
      return r.output;
    };

    it('linux parameters reach the kernel: capabilities, devices, tmpfs, /dev/shm size, sysctls', async () => {
      const id = await createStarted({
        command: ['sleep', '30'],
        capAdd: ['NET_ADMIN'], capDrop: ['CHOWN'],
        devices: [{ hostPath: '/dev/null', containerPath: '/dev/wharf-null', permissions: 'rw' }],
        tmpfs: [{ containerPath: '/scratch', sizeMiB: 1, mountOptions: ['noexec'] }],
        shmSizeMiB: 32,
        sysctls: { 'net.ipv4.tcp_keepalive_time': '600' },
      });
      const capEff = BigInt(`0x${/CapEff:\s*([0-9a-f]+)/.exec(await cat(id, '/proc/self/status'))?.[1] ?? '0'}`);
      assert.equal((capEff >> 12n) & 1n, 1n, 'NET_ADMIN (12) added');
      assert.equal(capEff & 1n, 0n, 'CHOWN (0) dropped');
      assert.equal(await cat(id, '/dev/wharf-null'), '', 'the device is there and reads like /dev/null');
      const mounts = await cat(id, '/proc/mounts');
      assert.match(mounts, /^tmpfs \/scratch tmpfs \S*noexec\S*size=1024k/m);
      assert.match(mounts, /^\S+ \/dev\/shm tmpfs \S*size=32768k/m);
      assert.equal((await cat(id, '/proc/sys/net/ipv4/tcp_keepalive_time')).trim(), '600');
    });

    it('hostname, DNS servers and search domains, extra hosts', async () => {
      const id = await createStarted({
        // A network of its own: with networkMode none the runtime writes no resolv.conf.
        networkMode: 'bridge', command: ['sleep', '30'], hostname: 'wharf-host', dns: ['10.9.8.7'], dnsSearch: ['a.example'],
        extraHosts: [{ hostname: 'db.internal', ip: '10.1.2.3' }],
      });
      assert.equal((await rt.exec(id, ['hostname'], { timeoutMs: 5000 })).output.trim(), 'wharf-host');
      assert.match(await cat(id, '/etc/hosts'), /^10\.1\.2\.3\s+db\.internal$/m);
      const resolv = await cat(id, '/etc/resolv.conf');
      assert.match(resolv, /^nameserver 10\.9\.8\.7$/m);
      assert.match(resolv, /^search a\.example$/m);
    });

    it('maxSwap adds swap to the memory limit, with its swappiness (cgroup v1; v2 has swap.max)', async () => {
      const id = await createStarted({ command: ['sleep', '30'], memoryMiB: 64, maxSwapMiB: 32, swappiness: 10 });
      const v1 = await rt.exec(id, ['cat', '/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes'], { timeoutMs: 5000 });
      if (v1.exitCode === 0) {
        assert.equal(v1.output.trim(), String(96 * 1024 * 1024));
        assert.equal((await cat(id, '/sys/fs/cgroup/memory/memory.swappiness')).trim(), '10');
      } else {
        assert.equal((await cat(id, '/sys/fs/cgroup/memory.swap.max')).trim(), String(32 * 1024 * 1024));
      }
    });

    it('a pseudo-terminal: the process has a tty and its output is logged (as stdout)', async () => {
      const id = await createStarted({ command: ['sh', '-c', 'tty; echo to-err >&2; sleep 30'], tty: true });
      let out: { stream: string; line: string }[] = [];
      for (const deadline = Date.now() + 10_000; out.length < 2;) {
        assert.ok(Date.now() < deadline, `two lines did not appear in the logs within 10 s: ${JSON.stringify(out)}`);
        await new Promise((r) => setTimeout(r, 50));
        out = (await collect(rt.logs(id))).map((l) => ({ stream: l.stream, line: l.line }));
      }
      assert.match(out[0].line, /^\/dev\/pts\/\d+$/);
      assert.deepEqual(out.map((l) => l.stream), ['stdout', 'stdout']);
      assert.equal(out[1].line, 'to-err');
    });

    it('interactive: stdin stays open (cat waits); without it cat reads EOF and exits', async () => {
      const closed = await createStarted({ command: ['cat'] });
      assert.equal((await rt.waitExit(closed, { signal: AbortSignal.timeout(10_000) })).exitCode, 0);
      const open = await createStarted({ command: ['cat'], openStdin: true });
      await new Promise((r) => setTimeout(r, 500));
      assert.equal((await rt.inspect(open)).running, true, 'cat with an open stdin still waits');
    });

    it('init as PID 1 forwards SIGTERM: sh -c "sleep 3600" stops at once with it, only at the timeout without', async () => {
      const bare = await createStarted({ command: ['sh', '-c', 'sleep 3600'] });
      const withInit = await createStarted({ command: ['sh', '-c', 'sleep 3600'], init: true });
      await new Promise((r) => setTimeout(r, 300));
      let t0 = performance.now();
      await rt.stopContainer(withInit, { timeoutSeconds: 10 });
      const initMs = performance.now() - t0;
      assert.ok(initMs < 3000, `with init the stop took ${initMs.toFixed(0)} ms`);
      assert.equal((await rt.inspect(withInit)).exitCode, 143, 'SIGTERM reached the shell (128 + 15)');
      t0 = performance.now();
      await rt.stopContainer(bare, { timeoutSeconds: 2 });
      const bareMs = performance.now() - t0;
      assert.ok(bareMs >= 1800, `without init PID 1 ignores SIGTERM: the stop should wait out its 2 s timeout, took ${bareMs.toFixed(0)} ms`);
      assert.equal((await rt.inspect(bare)).exitCode, 137);
    });

    it('pidMode host sees the host\'s processes; ipcMode none and host are accepted', async () => {
      const own = await createStarted({ command: ['sleep', '30'] });
      const host = await createStarted({ command: ['sleep', '30'], pidMode: 'host', ipcMode: 'host' });
      const none = await createStarted({ command: ['sleep', '30'], ipcMode: 'none' });
      assert.ok((await rt.inspect(none)).running);
      const ownInit = await rt.exec(own, ['cat', '/proc/1/cmdline'], { timeoutMs: 5000 });
      const hostInit = await rt.exec(host, ['cat', '/proc/1/cmdline'], { timeoutMs: 5000 });
      assert.notEqual(hostInit.output, ownInit.output, 'PID 1 is the host\'s, not the container\'s sleep');
    });

    it('pidMode and ipcMode container:<id> join a shareable container\'s namespaces (ECS pidMode/ipcMode task)', async () => {
      const holder = await createStarted({ command: ['sleep', '31'], ipcMode: 'shareable' });
      const joined = await createStarted({ command: ['sleep', '32'], pidMode: `container:${holder}`, ipcMode: `container:${holder}` });
      try {
        const own = await createStarted({ command: ['sleep', '33'] });
        const pid1 = async (id: string) => (await rt.exec(id, ['cat', '/proc/1/cmdline'], { timeoutMs: 5000 })).output;
        const holderInit = await pid1(holder);
        assert.match(holderInit, /sleep.31/);
        assert.equal(await pid1(joined), holderInit, 'PID 1 of the joined container is the holder\'s sleep');
        assert.notEqual(await pid1(own), holderInit, 'a container of its own has its own PID 1');
        assert.ok((await rt.inspect(joined)).running);
      } finally {
        // The joined one first: Podman keeps a container others joined until they are gone.
        await rt.removeContainer(joined);
        await rt.removeContainer(holder);
      }
    });

    it('volumes: create (labels, driver options) is idempotent, list by label, remove only when unused', async () => {
      const name = `${run}-vol`;
      const labels = { 'wharf.test-run': run, purpose: 'conformance' };
      const v = await rt.createVolume({ name, driver: 'local', driverOpts: { type: 'tmpfs', device: 'tmpfs', o: 'nodev' }, labels });
      assert.equal(v.name, name);
      assert.equal(v.driver, 'local');
      assert.deepEqual(v.labels, labels);
      assert.equal((await rt.inspectVolume(name))?.options.type, 'tmpfs');
      assert.equal((await rt.createVolume({ name, labels })).name, name, 'creating it again is a no-op');
      assert.deepEqual((await rt.listVolumes({ 'wharf.test-run': run })).map((x) => x.name), [name]);
      assert.deepEqual(await rt.listVolumes({ 'wharf.test-run': run, purpose: 'nothing' }), []);
      const id = await createStarted({ command: ['sleep', '30'], mounts: [{ type: 'volume', source: name, target: '/data' }] });
      await assert.rejects(rt.removeVolume(name), (e: unknown) => isRuntimeError(e, 'volume-remove-failed'));
      await rt.removeContainer(id);
      await rt.removeVolume(name);
      assert.equal(await rt.inspectVolume(name), null);
      await rt.removeVolume(name); // a missing volume is a no-op
    });

    it('mounts: a volume read-write, a volume and a host directory read-only, and volumesFrom (read-only)', async () => {
      const host = mkdtempSync(join(tmpdir(), 'wharf-conf-bind-'));
      const rw = `${run}-rw`;
      const ro = `${run}-ro`;
      try {
        for (const v of [rw, ro]) await rt.createVolume({ name: v, labels: { 'wharf.test-run': run } });
        const mountsOf = async (id: string) => {
          const text = await cat(id, '/proc/mounts');
          const opt = (target: string) => new RegExp(`^\\S+ ${target} \\S+ (r[ow])[,\\s]`, 'm').exec(text)?.[1];
          return { data: opt('/data'), ro: opt('/ro'), host: opt('/host') };
        };
        const a = await createStarted({
          command: ['sleep', '30'],
          mounts: [{ type: 'volume', source: rw, target: '/data' }, { type: 'volume', source: ro, target: '/ro', readOnly: true }, { type: 'bind', source: host, target: '/host', readOnly: true }],
        });
        assert.deepEqual(await mountsOf(a), { data: 'rw', ro: 'ro', host: 'ro' });
        const b = await createStarted({ command: ['sleep', '30'], volumesFrom: [{ container: a, readOnly: true }] });
        assert.deepEqual(await mountsOf(b), { data: 'ro', ro: 'ro', host: 'ro' });
        for (const id of [a, b]) await rt.removeContainer(id);
      } finally {
        for (const v of [rw, ro]) await rt.removeVolume(v).catch(() => {});
        rmSync(host, { recursive: true, force: true });
      }
    });

    it('bridge ports: hostPort 0 gets a dynamic port, a fixed one is kept, and it serves', async () => {
      const fixed = await freePort();
      const id = await createStarted({
        networkMode: 'bridge',
        command: ['httpd', '-f', '-p', '8080', '-h', '/var/www'],
        portBindings: [
          { containerPort: 8080, hostPort: 0, hostIp: '127.0.0.1' },
          { containerPort: 8081, hostPort: fixed, hostIp: '127.0.0.1' },
        ],
      });
      const s = await rt.inspect(id);
      const dyn = s.hostPorts.find((p) => p.containerPort === 8080);
      assert.ok(dyn && dyn.hostPort > 0 && dyn.protocol === 'tcp', JSON.stringify(s.hostPorts));
      assert.equal(s.hostPorts.find((p) => p.containerPort === 8081)?.hostPort, fixed);
      if (h.servesNetwork) {
        let body = '';
        for (let i = 0; i < 50 && !body; i++) {
          body = await fetch(`http://127.0.0.1:${dyn!.hostPort}/`).then((r) => r.text(), () => '');
          if (!body) await new Promise((r) => setTimeout(r, 20));
        }
        assert.equal(body, 'wharf-test\n');
      }
    });

    it('stats report memory limit and CPU use', async () => {
      const id = await createStarted({ command: ['sleep', '30'], memoryMiB: 64 });
      const st = await rt.stats(id);
      assert.equal(st.memoryLimitBytes, 64 * 1024 * 1024);
      assert.ok(st.cpuTotalNs > 0);
      assert.ok(st.onlineCpus >= 1);
      assert.ok(st.memoryUsageBytes > 0);
    });

    it('pull: success gives the manifest digest; a missing image gives CannotPullContainerError', async () => {
      const progress: string[] = [];
      const img = await rt.pullImage(h.pull.ref, { onProgress: (p) => progress.push(p.status) });
      assert.match(img.digest ?? '', /^sha256:[0-9a-f]{64}$/);
      assert.deepEqual(await rt.inspectImage(h.pull.ref), img);
      assert.ok(progress.length > 0);
      await assert.rejects(rt.pullImage(h.pull.missingRef), (e: unknown) => {
        assert.ok(isRuntimeError(e, 'pull-failed'), String(e));
        assert.ok(ecsReason(e).startsWith('CannotPullContainerError: '), ecsReason(e));
        assert.ok(ecsReason(e).includes(h.pull.missingRef), ecsReason(e));
        return true;
      });
      assert.equal(await rt.inspectImage('localhost/wharf-no-such-image:1'), null);
    });

    it('removeContainer removes running containers; inspect then says not-found', async () => {
      const id = await createStarted({ command: ['sleep', '30'] });
      await rt.removeContainer(id);
      await assert.rejects(rt.inspect(id), (e: unknown) => isRuntimeError(e, 'not-found'));
    });

    it('create+start latency (informational, median of 10, network none)', async (t) => {
      const ms: number[] = [];
      for (let i = 0; i < 10; i++) {
        const t0 = performance.now();
        const id = await rt.createContainer(spec({ command: ['sleep', '30'] }));
        await rt.startContainer(id);
        ms.push(performance.now() - t0);
        created.push(id);
        await rt.removeContainer(id);
      }
      t.diagnostic(`${name}: create+start median ${median(ms).toFixed(1)} ms (min ${Math.min(...ms).toFixed(1)}, max ${Math.max(...ms).toFixed(1)})`);
    });
  });
}
