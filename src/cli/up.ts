/**
 * `wharf up` / `wharf down`: a local cluster on this machine as one supervised unit.
 *
 *   wharf up      install what is missing (asks, or --yes) → start `wharf supervise` in the background
 *                 → wait until the API answers and the local agent is connected → print how to use it
 *   wharf supervise   (what `up` starts) the server in-process + one agent child on this host, restarted
 *                 with back-off if it dies; SIGTERM stops both
 *   wharf down    SIGTERM the supervisor, wait, then remove every container Wharf started on this host
 *
 * The data directory keeps everything (state, registry, logs), so `wharf up` after `wharf down` finds
 * the previous clusters, services and images; services start their tasks again.
 */
import { createSocket } from 'node:dgram';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { CreateClusterCommand, ListContainerInstancesCommand, ECSClient } from '@aws-sdk/client-ecs';
import { resolveServerConfig, DEFAULT_PORT, xdg } from '../server/config.js';
import { startServer, credentialsFile, type CliCredentials } from '../server/server.js';
import { CliError, emit } from './client.js';
import { downOptions, downProject, type DownOptions } from './deploy.js';
import { Steps } from './steps.js';
import { DockerApiDriver } from '../agent/runtime/docker-api/docker-api-driver.js';
import { DOCKER_SOCKET, PODMAN_SOCKET, describeEndpoint, discoverEndpoint, parseDockerHost, type Endpoint } from '../agent/runtime/docker-api/endpoint.js';
import { LABELS } from '../protocol/agent-messages.js';
import { HOST_ID_LABEL } from '../agent/container-spec.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const entry = join(repoRoot, 'dist', 'src', 'cli', 'main.js');

interface UpOptions { yes?: boolean; port?: number; dataDir?: string; cluster: string }

export const dataDirOf = (o: { dataDir?: string }) => o.dataDir ?? process.env.WHARF_DATA_DIR ?? join(xdg('data'), 'wharf');
const pidFile = (dataDir: string) => join(dataDir, 'run', 'supervisor.pid');
const logFile = (dataDir: string) => join(dataDir, 'logs', 'wharf.log');

function alive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch { return false; }
}

export function supervisorPid(dataDir: string): number | undefined {
  if (!existsSync(pidFile(dataDir))) return undefined;
  const pid = Number(readFileSync(pidFile(dataDir), 'utf8').trim());
  return pid > 0 && alive(pid) ? pid : undefined;
}

/**
 * The container runtime `wharf up` uses: Docker when its socket is there (or DOCKER_HOST names an
 * endpoint), Podman otherwise — Podman's socket is the one Wharf can set up itself (setup-runtime.sh).
 */
export function chooseRuntime(env: Record<string, string | undefined>, exists: (p: string) => boolean = existsSync): { kind: 'docker' | 'podman'; endpoint: Endpoint } {
  if (env.DOCKER_HOST) {
    const endpoint = parseDockerHost(env.DOCKER_HOST);
    return { kind: endpoint.kind === 'unix' && endpoint.socketPath === PODMAN_SOCKET ? 'podman' : 'docker', endpoint };
  }
  if (exists(DOCKER_SOCKET)) return { kind: 'docker', endpoint: { kind: 'unix', socketPath: DOCKER_SOCKET } };
  return { kind: 'podman', endpoint: { kind: 'unix', socketPath: PODMAN_SOCKET } };
}

/** What this machine lacks to run a local cluster: Debian packages (Podman's only when Podman is the runtime). */
export function missingPrerequisites(runtime: 'docker' | 'podman'): { packages: string[] } {
  const need: Record<string, string> = { haproxy: 'haproxy', skopeo: 'skopeo', aws: 'awscli', busybox: 'busybox-static', ...(runtime === 'podman' ? { podman: 'podman', runc: 'runc' } : {}) };
  const packages = Object.entries(need).filter(([cmd]) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status !== 0).map(([, pkg]) => pkg);
  return { packages };
}

function setupPodman(): void {
  const r = spawnSync('bash', [join(repoRoot, 'scripts', 'setup-runtime.sh')], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`scripts/setup-runtime.sh failed: ${r.stderr.trim().split('\n').slice(-3).join(' ')}`);
}

async function confirm(question: string, yes: boolean | undefined): Promise<boolean> {
  if (yes) return true;
  if (!process.stdin.isTTY) return false;
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  const a = (await rl.question(`${question} [Y/n] `)).trim().toLowerCase();
  rl.close();
  return a === '' || a === 'y' || a === 'yes';
}

function clientFor(dataDir: string): { ecs: ECSClient; creds: CliCredentials } {
  const creds = JSON.parse(readFileSync(credentialsFile(dataDir), 'utf8')) as CliCredentials;
  const endpoint = readFileSync(join(dataDir, 'endpoint'), 'utf8').trim();
  return { ecs: new ECSClient({ endpoint, region: creds.region, credentials: creds, maxAttempts: 2 }), creds: { ...creds, endpoint } };
}

async function waitFor(cond: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond().catch(() => false))) {
    if (Date.now() > deadline) throw new CliError(`${what} did not happen within ${ms / 1000} s: see the log`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function up(o: UpOptions): Promise<CliCredentials> {
  const dataDir = dataDirOf(o);
  const steps = new Steps();
  if (process.getuid?.() !== 0) {
    throw new CliError('wharf up runs containers (through Docker or Podman) as root: run it with sudo (or as root).');
  }
  const runtime = chooseRuntime(process.env);
  const runtimeName = runtime.kind === 'docker' ? 'Docker' : 'Podman';
  const missing = missingPrerequisites(runtime.kind);
  const socketMissing = runtime.kind === 'podman' && !existsSync(PODMAN_SOCKET);
  if (missing.packages.length > 0 || socketMissing) {
    const what = [missing.packages.length ? `Debian packages ${missing.packages.join(', ')}` : '', socketMissing ? "Podman's API socket" : ''].filter(Boolean).join(' and ');
    if (!(await confirm(`Wharf needs ${what}. Install and configure them now?`, o.yes))) {
      throw new CliError(`missing ${what}. Run \`wharf up --yes\` to install them, or run scripts/setup-runtime.sh and apt-get install ${missing.packages.join(' ')} yourself.`);
    }
    await steps.run(`Installing ${what}`, async () => {
      if (missing.packages.length) {
        const upd = spawnSync('apt-get', ['update', '-qq'], { stdio: 'ignore' });
        if (upd.status !== 0) throw new Error('apt-get update failed');
        const inst = spawnSync('apt-get', ['install', '-y', '-qq', ...missing.packages], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }, encoding: 'utf8' });
        if (inst.status !== 0) throw new Error(`apt-get install failed: ${inst.stderr.trim().split('\n').pop()}`);
      }
      if (runtime.kind === 'podman') setupPodman();
    });
  } else if (runtime.kind === 'podman') {
    // The socket may exist while the service is gone (after a reboot): the script checks and restarts.
    await steps.run('Checking the container runtime', async () => setupPodman());
  }
  // Say which runtime, and check that it answers before anything is started on it.
  await steps.run(`Using ${runtimeName} at ${describeEndpoint(runtime.endpoint)}`, async (update) => {
    const driver = await DockerApiDriver.open({ endpoint: runtime.endpoint }).catch((e: Error) => {
      throw new CliError(`${runtimeName} at ${describeEndpoint(runtime.endpoint)} does not answer: ${e.message}` +
        (runtime.kind === 'docker' ? ' (start dockerd, or unset DOCKER_HOST / remove the socket to use Podman)' : ''));
    });
    const info = driver.runtimeInfo;
    update(`${info?.engine ?? runtimeName} ${info?.version ?? ''} (API ${info?.apiVersion ?? '?'})`);
    await driver.close();
  });

  const running = supervisorPid(dataDir);
  if (!running) {
    await steps.run('Starting the Wharf server, registry, load balancer and a local agent', async () => {
      mkdirSync(dirname(logFile(dataDir)), { recursive: true });
      rmSync(join(dataDir, 'endpoint'), { force: true });
      const out = openSync(logFile(dataDir), 'a');
      const args = [entry, 'supervise', '--data-dir', dataDir, '--cluster', o.cluster, ...(o.port !== undefined ? ['--port', String(o.port)] : [])];
      const child = spawn(process.execPath, args, { detached: true, stdio: ['ignore', out, out] });
      child.unref();
      closeSync(out);
      await waitFor(async () => existsSync(join(dataDir, 'endpoint')) && existsSync(credentialsFile(dataDir)), 60_000, 'the server starting');
      const endpoint = readFileSync(join(dataDir, 'endpoint'), 'utf8').trim();
      await waitFor(async () => (await fetch(`${endpoint}/healthz`)).ok, 30_000, 'the API answering');
    });
  }
  const { ecs, creds } = clientFor(dataDir);
  await steps.run('Waiting for the local container instance to join', async () => {
    await waitFor(async () => ((await ecs.send(new ListContainerInstancesCommand({ cluster: o.cluster, filter: 'agentConnected == true' }))).containerInstanceArns ?? []).length > 0, 90_000, 'the local agent joining');
  });
  return creds;
}

export function upSummary(c: CliCredentials, dataDir: string, cluster: string): string {
  const e = c.endpoint;
  return [
    '',
    `Wharf is up: ${e}  (cluster "${cluster}", data in ${dataDir})`,
    '',
    'Use the AWS CLI against it:',
    `  export AWS_ACCESS_KEY_ID=${c.accessKeyId} AWS_SECRET_ACCESS_KEY=${c.secretAccessKey} AWS_DEFAULT_REGION=${c.region}`,
    `  aws --endpoint-url ${e} ecs list-container-instances --cluster ${cluster}`,
    `  aws --endpoint-url ${e} ecs list-services --cluster ${cluster}`,
    `  aws --endpoint-url ${e} ecr describe-repositories`,
    '',
    `Web console: ${e}/console  (sign in with the access key above)`,
    '',
    'Next: `wharf demo` deploys a web service of three tasks behind a load balancer;',
    '      `wharf down` stops everything (state is kept for the next `wharf up`).',
    `Logs of Wharf itself: ${logFile(dataDir)}`,
    '',
  ].join('\n');
}

export async function down(o: { dataDir?: string }): Promise<string[]> {
  const dataDir = dataDirOf(o);
  const steps = new Steps();
  const notes: string[] = [];
  const pid = supervisorPid(dataDir);
  if (pid) {
    await steps.run('Stopping the Wharf server and agent', async () => {
      process.kill(pid, 'SIGTERM');
      const deadline = Date.now() + 45_000;
      while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      if (alive(pid)) { process.kill(-pid, 'SIGKILL'); notes.push('the supervisor did not stop in 45 s and was killed'); }
    });
  } else {
    notes.push('Wharf was not running');
  }
  rmSync(pidFile(dataDir), { force: true });
  await steps.run('Removing the containers Wharf started', async () => {
    let driver: DockerApiDriver;
    try {
      driver = await DockerApiDriver.open({ endpoint: discoverEndpoint(process.env) });
    } catch {
      notes.push('no container runtime answered, so there were no containers to remove');
      return;
    }
    // Only what this installation's local agent started: other agents on the host are left alone.
    const identity = join(dataDir, 'agent', 'local', 'identity.json');
    const hostId = existsSync(identity) ? (JSON.parse(readFileSync(identity, 'utf8')) as { hostId?: string }).hostId : undefined;
    if (!hostId) { notes.push('the local agent never ran, so there were no containers to remove'); await driver.close(); return; }
    const list = await driver.listContainers({ [LABELS.managedBy]: 'true', [HOST_ID_LABEL]: hostId });
    await Promise.all(list.map(async (c) => { await driver.stopContainer(c.id, { timeoutSeconds: 5 }).catch(() => {}); await driver.removeContainer(c.id).catch(() => {}); }));
    notes.push(`removed ${list.length} container${list.length === 1 ? '' : 's'}`);
    await driver.close();
  });
  return notes;
}

/** A UDP port free on loopback now (the DNS server binds it a moment later). */
function freeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createSocket('udp4');
    s.once('error', reject);
    s.bind(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

/** The supervised unit `wharf up` starts: the server in-process and one agent child, restarted if it dies. */
async function supervise(o: { dataDir: string; port?: number; cluster: string }): Promise<void> {
  mkdirSync(dirname(pidFile(o.dataDir)), { recursive: true });
  writeFileSync(pidFile(o.dataDir), String(process.pid));
  const cfg = resolveServerConfig({ dataDir: o.dataDir, port: o.port }); // WHARF_PORT and the config file apply too
  // The DNS server, so tasks resolve Cloud Map names (services by name, `wharf deploy`'s Compose names):
  // on loopback, where the one local agent relays its tasks' queries (docs/service-discovery.md).
  if (!cfg.tuning.dnsListen) cfg.tuning.dnsListen = `127.0.0.1:${await freeUdpPort()}`;
  const server = await startServer(cfg);
  const { ecs } = clientFor(o.dataDir);
  await ecs.send(new CreateClusterCommand({ clusterName: o.cluster }));
  let agent: ChildProcess | undefined;
  let stopping = false;
  let backoff = 500;
  const startAgent = () => {
    agent = spawn(process.execPath, [entry, 'agent', '--server', server.endpoint, '--cluster', o.cluster, '--token', server.joinToken, '--name', 'local', '--state-dir', join(o.dataDir, 'agent', 'local')], {
      stdio: ['ignore', 'inherit', 'inherit'], env: process.env,
    });
    const started = Date.now();
    agent.once('exit', (code, signal) => {
      if (stopping) return;
      if (Date.now() - started > 60_000) backoff = 500;
      process.stderr.write(`wharf supervise: agent exited (${code ?? signal}); restarting in ${backoff} ms\n`);
      setTimeout(startAgent, backoff);
      backoff = Math.min(backoff * 2, 30_000);
    });
  };
  startAgent();
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`wharf supervise: ${signal}: stopping the agent and the server\n`);
    if (agent && agent.exitCode === null) {
      const exited = new Promise((r) => agent!.once('exit', r));
      agent.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
      if (agent.exitCode === null) agent.kill('SIGKILL');
    }
    await server.close();
    rmSync(pidFile(o.dataDir), { force: true });
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

export function registerUpCommands(program: Command): void {
  program.command('up')
    .description('set up this machine and start a local cluster: server, registry, load balancer and one agent')
    .option('-y, --yes', 'install missing packages without asking')
    .option('-p, --port <port>', `API port (default ${DEFAULT_PORT})`, (v) => Number(v))
    .option('--data-dir <dir>', 'where state lives (default $XDG_DATA_HOME/wharf)')
    .option('--cluster <name>', 'the cluster the local agent joins', 'default')
    .action(async (opts: UpOptions) => {
      const creds = await up(opts);
      process.stdout.write(upSummary(creds, dataDirOf(opts), opts.cluster));
    });

  downOptions(program.command('down')
    .description('stop the local cluster and remove the containers it started (state is kept); with --project, remove what `wharf deploy` created'))
    .option('--purge', 'also delete the data directory (clusters, images, logs)')
    .action(async (opts: DownOptions & { purge?: boolean; project?: string }) => {
      if (opts.project) {
        const removed = await downProject(opts);
        emit(opts, { project: opts.project, removed }, () => process.stdout.write(removed.length ? `Removed ${removed.join(', ')}.\n` : `Nothing of project ${opts.project} was found in cluster ${opts.cluster}.\n`));
        return;
      }
      const notes = await down(opts);
      if (opts.purge) {
        rmSync(dataDirOf(opts), { recursive: true, force: true });
        notes.push(`deleted ${dataDirOf(opts)}`);
      }
      process.stdout.write(`Wharf is down: ${notes.join('; ')}.\n`);
    });

  program.command('env')
    .description('print shell exports for the AWS CLI and SDKs: eval "$(wharf env)"')
    .option('--data-dir <dir>', 'where state lives (default $XDG_DATA_HOME/wharf)')
    .action((opts: { dataDir?: string }) => {
      const dataDir = dataDirOf(opts);
      if (!existsSync(credentialsFile(dataDir))) throw new CliError(`no Wharf installation in ${dataDir}: run \`wharf up\` first (or pass --data-dir)`);
      const { creds } = clientFor(dataDir);
      process.stdout.write([
        `export AWS_ACCESS_KEY_ID=${creds.accessKeyId}`,
        `export AWS_SECRET_ACCESS_KEY=${creds.secretAccessKey}`,
        `export AWS_DEFAULT_REGION=${creds.region} AWS_REGION=${creds.region}`,
        `export AWS_ENDPOINT_URL=${creds.endpoint}   # SDKs and AWS CLI ≥ 2.13; older CLIs need --endpoint-url`,
        'export AWS_EC2_METADATA_DISABLED=true AWS_PAGER=""',
        '',
      ].join('\n'));
    });

  program.command('supervise', { hidden: true })
    .description('run the server and a local agent as one unit (started by `wharf up`)')
    .requiredOption('--data-dir <dir>')
    .option('-p, --port <port>', 'API port', (v) => Number(v))
    .option('--cluster <name>', 'cluster for the local agent', 'default')
    .action(supervise);
}
