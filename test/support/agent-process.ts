/** Real `wharf agent` processes for end-to-end tests (each with its own state dir = its own host identity). */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { cliEntry, type TestServer } from './server.js';
import { removeContainersWithLabel } from './runtime.js';
import { endpointsTable } from '../../src/agent/task-endpoints.js';

export interface AgentProcess {
  readonly stateDir: string;
  readonly output: string[];
  process: ChildProcess;
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts the agent again on the same state dir (same host identity). */
  restart(): Promise<void>;
  cleanup(): void;
}

export interface AgentOptions {
  cluster: string;
  /** The region of the cluster to join (default: the server's). */
  region?: string;
  name?: string;
  cpu?: number;
  memory?: number;
  attributes?: Record<string, string>;
  availabilityZone?: string;
  stopTimeout?: number;
  /** Seconds before stopped containers (and task-scoped volumes) are removed; the agent's default is 600. */
  cleanupDelay?: number;
  stateDir?: string;
  /** Server endpoints to fail over between (HA, docs/ha.md); default: the one `server`. */
  servers?: readonly string[];
}

export async function startAgent(server: TestServer, o: AgentOptions): Promise<AgentProcess> {
  const stateDir = o.stateDir ?? mkdtempSync(join(tmpdir(), 'wharf-agent-'));
  const token = readFileSync(join(server.dataDir, 'join-token'), 'utf8').trim();
  const output: string[] = [];
  const args = [cliEntry, 'agent', '--server', (o.servers ?? [server.endpoint]).join(','), '--cluster', o.cluster, '--token', token, '--state-dir', stateDir, '--name', o.name ?? 'test'];
  if (o.region) args.push('--region', o.region);
  if (o.cpu !== undefined) args.push('--cpu', String(o.cpu));
  if (o.memory !== undefined) args.push('--memory', String(o.memory));
  if (o.availabilityZone) args.push('--availability-zone', o.availabilityZone);
  if (o.stopTimeout !== undefined) args.push('--stop-timeout', String(o.stopTimeout));
  if (o.cleanupDelay !== undefined) args.push('--cleanup-delay', String(o.cleanupDelay));
  for (const [k, v] of Object.entries(o.attributes ?? {})) args.push('--attribute', `${k}=${v}`);
  const launch = () => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    createInterface({ input: child.stdout! }).on('line', (l) => output.push(l));
    createInterface({ input: child.stderr! }).on('line', (l) => output.push(l));
    return child;
  };
  const a: AgentProcess = {
    stateDir, output, process: launch(),
    async kill(signal = 'SIGTERM') {
      const p = a.process;
      if (p.exitCode !== null || p.signalCode !== null) return;
      const exited = new Promise<void>((r) => p.once('exit', () => r()));
      p.kill(signal);
      await exited;
    },
    async restart() { a.process = launch(); },
    cleanup() {
      // An agent stopped with SIGKILL (as most tests end theirs) leaves its task-endpoint nftables table;
      // left there, every test's agents pay for the growing ruleset on each nft call (seen: 131 tables).
      if (a.process.exitCode !== null || a.process.signalCode !== null) {
        try {
          const { hostId } = JSON.parse(readFileSync(join(stateDir, 'identity.json'), 'utf8')) as { hostId: string };
          spawnSync('nft', ['delete', 'table', 'ip', endpointsTable(hostId)], { stdio: 'ignore' });
        } catch { /* never started far enough to have an identity or a table */ }
      }
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
  return a;
}

/** Removes every container this cluster's tasks left in the runtime (best effort; for test cleanup). */
export async function removeClusterContainers(cluster: string): Promise<void> {
  await removeContainersWithLabel('com.amazonaws.ecs.cluster', cluster);
}
