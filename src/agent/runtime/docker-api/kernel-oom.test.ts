import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KernelOomLog, oomKilledIds } from './kernel-oom.js';

const A = 'a'.repeat(64);
const B = '0562e2daadef7c91ab21dbdaf8576aaa1a4b7138e15e4cecce774d2c821ee22c';

describe('kernel OOM log', () => {
  it('finds the container in cgroup v1, v2/systemd and Docker oom-kill records', () => {
    // Real record (this machine, Podman 4.3 cgroupfs on v1), in /dev/kmsg's "prio,seq,usec,flags;text" form.
    assert.deepEqual(
      oomKilledIds(`6,2817,10972851790,-;oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=libpod-${B},mems_allowed=0,oom_memcg=/libpod_parent/libpod-${B},task_memcg=/libpod_parent/libpod-${B},task=tail,pid=32130,uid=0`),
      [B],
    );
    assert.deepEqual(oomKilledIds(`6,1,1,-;oom-kill:constraint=CONSTRAINT_MEMCG,oom_memcg=/machine.slice/libpod-${A}.scope,task_memcg=/machine.slice/libpod-${A}.scope/container,task=x,pid=1,uid=0`), [A]);
    assert.deepEqual(oomKilledIds(`6,1,1,-;oom-kill:constraint=CONSTRAINT_MEMCG,oom_memcg=/docker/${A},task_memcg=/docker/${A},task=x,pid=1,uid=0`), [A]);
    // A task-level limit: the OOM cgroup is the parent, the killed process's cgroup names the container.
    assert.deepEqual(oomKilledIds(`6,1,1,-;oom-kill:constraint=CONSTRAINT_MEMCG,oom_memcg=/wharf/task-1,task_memcg=/wharf/task-1/libpod-${A},task=x,pid=1,uid=0`), [A]);
    assert.deepEqual(oomKilledIds(`6,1,1,-;Memory cgroup out of memory: Killed process 32130 (tail)`), []);
    assert.deepEqual(oomKilledIds(`6,1,1,-;oom-kill:constraint=CONSTRAINT_NONE,oom_memcg=/,task_memcg=/user.slice,task=x,pid=1,uid=0`), []);
  });

  it('an unreadable log knows nothing and says so', () => {
    const log = KernelOomLog.open('/nonexistent/kmsg');
    assert.equal(log.readable, false);
    assert.equal(log.wasKilled(A), false);
  });

  it('reads records from the device it is given', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'wharf-kmsg-'));
    try {
      const f = join(dir, 'kmsg');
      await writeFile(f, `6,1,1,-;oom-kill:constraint=CONSTRAINT_MEMCG,oom_memcg=/docker/${A},task_memcg=/docker/${A},task=x,pid=1,uid=0\n`);
      const log = KernelOomLog.open(f);
      assert.equal(log.readable, true);
      assert.equal(log.wasKilled(A), true);
      assert.equal(log.wasKilled(B), false);
      log.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
