/**
 * Test harness: a real etcd (Debian's etcd-server, /usr/bin/etcd) started by the test itself, one member
 * or a three-member cluster, on free 127.0.0.1 ports with its own temporary data directories.
 *
 *   const etcd = await startEtcd();            // one member
 *   const cluster = await startEtcd({ members: 3 });
 *   cluster.endpoints                          // ['http://127.0.0.1:P1', …] for clients
 *   cluster.storeUrl                           // 'etcd://127.0.0.1:P1,127.0.0.1:P2,…' for `wharf server --store`
 *   await cluster.stopMember(1); await cluster.startMember(1);   // a member lost and back
 *   await etcd.stop();                         // kills every member and removes the data directories
 *
 * Ports: each member needs a client and a peer port. They are taken by binding port 0 and releasing it
 * just before etcd binds it (a short race with other processes, retried once on "address in use").
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const ETCD_BINARY = process.env.WHARF_TEST_ETCD ?? '/usr/bin/etcd';

export interface EtcdCluster {
  /** Client URLs, one per member (http://127.0.0.1:port). */
  readonly endpoints: readonly string[];
  /** The `--store` value for `wharf server`: etcd://host:port,host:port. */
  readonly storeUrl: string;
  /** Each member's log lines (stderr), for failure messages. */
  readonly output: readonly string[][];
  /** SIGKILLs member i (its data directory stays, so startMember brings it back with its data). */
  stopMember(i: number): Promise<void>;
  startMember(i: number): Promise<void>;
  /** SIGSTOP / SIGCONT member i (a member that stops answering without closing its connections). */
  pauseMember(i: number): void;
  resumeMember(i: number): void;
  /** Kills every member and removes every data directory. */
  stop(): Promise<void>;
}

export interface EtcdOptions {
  /** 1 (default) or 3. */
  readonly members?: number;
  /** Extra flags for every member (e.g. --auto-compaction-retention). */
  readonly extraArgs?: readonly string[];
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

interface Member { name: string; dir: string; client: number; peer: number; proc?: ChildProcess; exited?: Promise<void>; output: string[] }

export async function startEtcd(opts: EtcdOptions = {}): Promise<EtcdCluster> {
  const n = opts.members ?? 1;
  const root = mkdtempSync(join(tmpdir(), 'wharf-etcd-'));
  const members: Member[] = [];
  for (let i = 0; i < n; i++) members.push({ name: `m${i}`, dir: join(root, `m${i}`), client: await freePort(), peer: await freePort(), output: [] });
  const initialCluster = members.map((m) => `${m.name}=http://127.0.0.1:${m.peer}`).join(',');
  const token = `wharf-test-${process.pid}-${Date.now()}`;

  const launch = (m: Member, state: 'new' | 'existing') => {
    const args = [
      '--name', m.name, '--data-dir', m.dir,
      '--listen-client-urls', `http://127.0.0.1:${m.client}`, '--advertise-client-urls', `http://127.0.0.1:${m.client}`,
      '--listen-peer-urls', `http://127.0.0.1:${m.peer}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${m.peer}`,
      '--initial-cluster', initialCluster, '--initial-cluster-state', state, '--initial-cluster-token', token,
      // Wharf writes a task and its placement together; etcd's default of 128 operations per transaction
      // is below what a large RunTask count or a cluster deletion writes (docs/ha.md).
      '--max-txn-ops', '10000',
      // Tests want a fast election when a member goes (defaults: 100 ms heartbeat, 1 s election).
      '--heartbeat-interval', '50', '--election-timeout', '500',
      ...(opts.extraArgs ?? []),
    ];
    const proc = spawn(ETCD_BINARY, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    m.proc = proc;
    m.exited = new Promise((r) => proc.once('exit', () => r()));
    let buf = '';
    proc.stderr!.setEncoding('utf8');
    proc.stderr!.on('data', (c: string) => {
      buf += c;
      const lines = buf.split('\n');
      buf = lines.pop()!;
      m.output.push(...lines);
      if (m.output.length > 2000) m.output.splice(0, m.output.length - 2000);
    });
  };

  const healthy = async (m: Member, ms = 20_000): Promise<void> => {
    const deadline = Date.now() + ms;
    let last = '';
    for (;;) {
      if (m.proc?.exitCode !== null && m.proc?.exitCode !== undefined) throw new Error(`etcd ${m.name} exited with ${m.proc.exitCode}:\n${m.output.slice(-30).join('\n')}`);
      try {
        const r = await fetch(`http://127.0.0.1:${m.client}/health`, { signal: AbortSignal.timeout(1000) });
        const body = await r.text();
        if (r.ok && body.includes('"health":"true"')) return;
        last = body;
      } catch (e) { last = String(e); }
      if (Date.now() > deadline) throw new Error(`etcd ${m.name} not healthy within ${ms} ms (${last}):\n${m.output.slice(-30).join('\n')}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  for (const m of members) launch(m, 'new');
  try {
    await Promise.all(members.map((m) => healthy(m)));
  } catch (err) {
    for (const m of members) m.proc?.kill('SIGKILL');
    await Promise.all(members.map((m) => m.exited));
    rmSync(root, { recursive: true, force: true });
    throw err;
  }

  const kill = async (m: Member) => {
    if (m.proc && m.proc.exitCode === null && m.proc.signalCode === null) {
      m.proc.kill('SIGCONT');
      m.proc.kill('SIGKILL');
      await m.exited;
    }
  };
  return {
    endpoints: members.map((m) => `http://127.0.0.1:${m.client}`),
    storeUrl: 'etcd://' + members.map((m) => `127.0.0.1:${m.client}`).join(','),
    output: members.map((m) => m.output),
    async stopMember(i) { await kill(members[i]!); },
    async startMember(i) {
      const m = members[i]!;
      await kill(m);
      launch(m, 'existing');
      await healthy(m);
    },
    pauseMember(i) { members[i]!.proc?.kill('SIGSTOP'); },
    resumeMember(i) { members[i]!.proc?.kill('SIGCONT'); },
    async stop() {
      await Promise.all(members.map(kill));
      rmSync(root, { recursive: true, force: true });
    },
  };
}
