/**
 * An acknowledged write survives a power cut — shown, not assumed (issue 21 §5).
 *
 * A SIGKILL test (durability.test.ts) cannot tell synchronous=FULL from OFF: the kernel's page cache
 * keeps unsynced writes after the process dies. A power cut loses them. Here the store's file lives on
 * test/support/lazyfs.py, a FUSE file system that holds written data in memory until it is fsynced;
 * killing it drops everything unsynced, as a power cut does. (Device-mapper's `flakey` target with
 * `drop_writes` would do the same below the file system, but these machines' kernel has no
 * device-mapper: no /dev/mapper/control and no loadable modules. FUSE is there.)
 *
 *   mount lazyfs → server (state.db on it) → acknowledged writes → SIGKILL server, SIGKILL lazyfs
 *   (the power cut) → unmount → mount again over the same backing directory → restart → check
 *
 * With synchronous=FULL every acknowledged write is there; with OFF (test knob WHARF_STORE_SYNCHRONOUS)
 * the same steps lose them — so the test can fail. It is skipped, saying so loudly, only on a kernel
 * without FUSE; a missing python3-llfuse is a failure with the install hint (.ci/run installs it).
 */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { CreateClusterCommand, DescribeClustersCommand, ListTaskDefinitionsCommand, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { repoRoot, startServerProcess, type TestServer } from '../support/server.js';

const PYTHON = '/usr/bin/python3';
const LAZYFS = join(repoRoot, 'test', 'support', 'lazyfs.py');
const noFuse = existsSync('/dev/fuse') ? false : 'SKIPPED LOUDLY: this kernel has no FUSE (/dev/fuse is missing), so no power cut can be simulated here; the durability claim is NOT verified on this machine';

class LazyMount {
  private proc?: ChildProcess;
  constructor(readonly backing: string, readonly mountpoint: string) {}

  async mount(): Promise<void> {
    const probe = spawnSync(PYTHON, ['-c', 'import llfuse']);
    if (probe.status !== 0) throw new Error(`python3-llfuse is missing: apt-get install -y python3-llfuse fuse3 (.ci/run installs it)\n${probe.stderr}`);
    const p = spawn(PYTHON, [LAZYFS, this.backing, this.mountpoint], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc = p;
    const err: string[] = [];
    createInterface({ input: p.stderr! }).on('line', (l) => err.push(l));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`lazyfs did not mount in 10 s: ${err.join('\n')}`)), 10_000);
      createInterface({ input: p.stdout! }).on('line', (l) => { if (l === 'mounted') { clearTimeout(timer); resolve(); } });
      p.once('exit', (code) => { clearTimeout(timer); reject(new Error(`lazyfs exited with ${code}: ${err.join('\n')}`)); });
    });
    assert.ok(readFileSync('/proc/mounts', 'utf8').includes(` ${this.mountpoint} fuse`), 'the lazy file system is mounted');
  }

  /** The power cut: the FUSE process dies with every unsynced write in its memory. */
  async cut(): Promise<void> {
    const p = this.proc;
    if (p && p.exitCode === null && p.signalCode === null) {
      const exited = new Promise<void>((r) => p.once('exit', () => r()));
      p.kill('SIGKILL');
      await exited;
    }
    this.proc = undefined;
    spawnSync('fusermount3', ['-u', '-z', this.mountpoint]);
  }
}

interface Outcome { acknowledged: string[]; survived: string[]; clusterSurvived: boolean; walOnLazyFs: boolean }

/** Acknowledged writes, a power cut, a restart: what survived. */
async function powerCut(synchronous: 'FULL' | 'OFF'): Promise<Outcome> {
  const root = mkdtempSync(join(tmpdir(), 'wharf-powercut-'));
  const backing = join(root, 'disk'), mnt = join(root, 'mnt'), dataDir = join(root, 'data');
  for (const d of [backing, mnt, dataDir]) mkdirSync(d);
  // The store's file on the lazy file system (SQLite follows the link and keeps its WAL beside the target).
  symlinkSync(join(mnt, 'state.db'), join(dataDir, 'state.db'));
  const lazy = new LazyMount(backing, mnt);
  let server: TestServer | undefined;
  try {
    await lazy.mount();
    server = await startServerProcess({ dataDir, env: { WHARF_STORE_SYNCHRONOUS: synchronous } });
    const ecs = server.ecs();
    await ecs.send(new CreateClusterCommand({ clusterName: 'powercut' }));
    const acknowledged: string[] = [];
    for (let i = 0; i < 20; i++) {
      const r = await ecs.send(new RegisterTaskDefinitionCommand({ family: 'powercut', containerDefinitions: [{ name: 'app', image: 'busybox', memory: 32, command: ['echo', String(i)] }] }));
      acknowledged.push(r.taskDefinition!.taskDefinitionArn!);
    }
    const walOnLazyFs = readdirSync(mnt).includes('state.db-wal');
    await server.kill();
    await lazy.cut();
    server = undefined;
    await lazy.mount();
    // A store that lost everything starts empty and bootstraps a new admin key: the harness reads it.
    rmSync(join(dataDir, 'endpoint'), { force: true });
    server = await startServerProcess({ dataDir });
    const listed = await server.ecs().send(new ListTaskDefinitionsCommand({ familyPrefix: 'powercut' }));
    const clusters = await server.ecs().send(new DescribeClustersCommand({ clusters: ['powercut'] }));
    return { acknowledged, survived: listed.taskDefinitionArns ?? [], clusterSurvived: clusters.clusters?.length === 1, walOnLazyFs };
  } finally {
    if (server) { await server.stop(); server.cleanup(); }
    await lazy.cut();
    rmSync(root, { recursive: true, force: true });
  }
}

describe('an acknowledged write survives a power cut (unsynced writes dropped by a FUSE layer)', { skip: noFuse }, () => {
  after(() => { if (noFuse) console.error(noFuse); });

  it('synchronous=FULL: every acknowledged write is there after the cut', async (t) => {
    const o = await powerCut('FULL');
    t.diagnostic(`FULL: ${o.survived.length} of ${o.acknowledged.length} acknowledged task definitions survived; cluster survived: ${o.clusterSurvived}`);
    assert.ok(o.walOnLazyFs, 'the WAL lived on the lazy file system');
    assert.ok(o.clusterSurvived, 'the acknowledged cluster survived');
    assert.deepEqual(o.survived.slice().sort(), o.acknowledged.slice().sort(), 'every acknowledged task definition survived');
  });

  it('synchronous=OFF: the same steps lose acknowledged writes (the test can tell the two apart)', async (t) => {
    const o = await powerCut('OFF');
    t.diagnostic(`OFF: ${o.survived.length} of ${o.acknowledged.length} acknowledged task definitions survived; cluster survived: ${o.clusterSurvived}`);
    assert.ok(o.walOnLazyFs, 'the WAL lived on the lazy file system');
    const lost = o.acknowledged.filter((a) => !o.survived.includes(a));
    assert.ok(lost.length > 0 || !o.clusterSurvived, `with synchronous=OFF a power cut should lose acknowledged writes; all ${o.acknowledged.length} survived`);
  });
});
