/**
 * `wharf agent`: joins this host to a cluster as a container instance and runs the tasks the control plane
 * places on it (src/agent/agent.ts). Chooses the adapters (Docker Engine API driver, pino) and reads the
 * environment; the agent itself only gets options.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { Option, type Command } from 'commander';
import pino from 'pino';
import { Agent } from '../agent/agent.js';
import { DockerApiDriver } from '../agent/runtime/docker-api/docker-api-driver.js';
import { discoverEndpoint } from '../agent/runtime/docker-api/endpoint.js';
import { CliError } from './client.js';

const xdgData = (env: NodeJS.ProcessEnv) => (env.XDG_DATA_HOME && isAbsolute(env.XDG_DATA_HOME) ? env.XDG_DATA_HOME : join(homedir(), '.local', 'share'));

/** The server's data dir, where `wharf server` writes `join-token` (same rule as src/server/config.ts). */
export function serverDataDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.WHARF_DATA_DIR ?? join(xdgData(env), 'wharf');
}

export function resolveToken(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (flag) return flag;
  if (env.WHARF_JOIN_TOKEN) return env.WHARF_JOIN_TOKEN;
  const file = join(serverDataDir(env), 'join-token');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  throw new CliError(
    `no join token: pass --token TOKEN (or set WHARF_JOIN_TOKEN). \`wharf server\` prints the token when it starts and keeps it in ` +
      `<server data dir>/join-token (looked for ${file}).`,
  );
}

function parseAttribute(v: string, prev: Record<string, string> = {}): Record<string, string> {
  const i = v.indexOf('=');
  if (i <= 0) throw new CliError(`--attribute ${v}: expected NAME=VALUE`);
  return { ...prev, [v.slice(0, i)]: v.slice(i + 1) };
}

export function registerAgentCommand(program: Command): void {
  program.command('agent')
    .description('join this host to a cluster as a container instance and run the tasks placed on it')
    .option('--server <url>', 'the Wharf server, or several comma-separated to fail over between (env WHARF_SERVER; docs/ha.md)', process.env.WHARF_SERVER ?? 'http://127.0.0.1:7755')
    .option('--cluster <name>', 'cluster to join', 'default')
    .option('--region <region>', 'region of the cluster to join (env WHARF_REGION; default: the server\'s region)', process.env.WHARF_REGION)
    .option('--token <token>', 'join token (env WHARF_JOIN_TOKEN; default: <server data dir>/join-token if this is the server host)')
    .option('--attribute <name=value>', 'custom attribute, repeatable', parseAttribute, {})
    .option('--name <name>', 'agent name; selects the default state dir (several agents on one host = several names)', 'default')
    .option('--state-dir <dir>', 'identity and checkpoints (default $XDG_DATA_HOME/wharf/agent/<name>)')
    .option('--cpu <units>', 'CPU units to register instead of cores × 1024', (v) => Number(v))
    .option('--memory <mib>', 'memory (MiB) to register instead of the host\'s total minus 256', (v) => Number(v))
    .option('--availability-zone <az>', 'ecs.availability-zone attribute', 'local-1a')
    .option('--instance-type <type>', 'ecs.instance-type attribute', 'wharf.local')
    .option('--stop-timeout <seconds>', 'default container stopTimeout (env ECS_CONTAINER_STOP_TIMEOUT)', (v) => Number(v))
    .option('--cleanup-delay <seconds>', 'keep stopped containers this long before removing them (default 600)', (v) => Number(v))
    .option('--host-volume-allow <dir>', 'tasks may mount host paths only under these directories (repeatable; default: any path that is not sensitive)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--allow-sensitive-host-volumes', 'let tasks mount sensitive host paths too (the runtime socket, /etc/shadow, /proc, /, …)', false)
    .addOption(new Option('--log-level <level>', 'log level').choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'))
    .action(async (opts) => {
      const env = process.env;
      const token = resolveToken(opts.token, env);
      const stateDir: string = opts.stateDir ?? join(xdgData(env), 'wharf', 'agent', opts.name);
      const log = pino({ level: opts.logLevel, base: { agent: opts.name } }, pino.destination(2));
      let endpoint;
      try {
        endpoint = discoverEndpoint(env);
      } catch (e) {
        throw new CliError((e as Error).message);
      }
      const driver = await DockerApiDriver.open({ endpoint }).catch((e: Error) => {
        throw new CliError(`container runtime not reachable: ${e.message} (run scripts/setup-runtime.sh as root to start Podman's service)`);
      });
      const stopTimeout = opts.stopTimeout ?? (env.ECS_CONTAINER_STOP_TIMEOUT ? parseFloat(env.ECS_CONTAINER_STOP_TIMEOUT) : undefined);
      const agent = new Agent({
        server: opts.server, cluster: opts.cluster, region: opts.region, token, stateDir, driver, log,
        attributes: opts.attribute, cpu: opts.cpu, memory: opts.memory,
        availabilityZone: opts.availabilityZone, instanceType: opts.instanceType,
        // ECS_ENABLE_TASK_IAM_ROLE, on by default as root (nftables and a sysctl need it).
        taskEndpoints: env.ECS_ENABLE_TASK_IAM_ROLE !== 'false' && process.getuid?.() === 0,
        ...(env.WHARF_AGENT_STATS_MS ? { statsIntervalMs: Number(env.WHARF_AGENT_STATS_MS) } : {}),
        actor: {
          ...(stopTimeout !== undefined ? { stopTimeoutSeconds: stopTimeout } : {}),
          ...(opts.cleanupDelay !== undefined ? { cleanupDelayMs: opts.cleanupDelay * 1000 } : {}),
          // The socket this agent drives and its own state are as sensitive as /etc/shadow.
          hostPaths: {
            allow: opts.hostVolumeAllow as string[], allowSensitive: opts.allowSensitiveHostVolumes as boolean,
            sensitive: [...(endpoint.kind === 'unix' ? [endpoint.socketPath] : []), stateDir],
          },
        },
        onFatal: (msg) => {
          process.stderr.write(`error: ${msg}\n`);
          void agent.close().then(() => driver.close()).finally(() => process.exit(2));
        },
      });
      await agent.start();
      process.stderr.write(`wharf agent ${opts.name}: host ${agent.hostId}, cluster ${opts.cluster}, server ${opts.server}, state ${stateDir}\n`);
      const shutdown = (signal: string) => {
        // Tasks keep running: a stopped agent is a disconnected instance, not a drained one.
        log.info({ signal }, 'agent stopping; containers keep running');
        void agent.close().then(() => driver.close()).finally(() => process.exit(0));
      };
      process.once('SIGINT', () => shutdown('SIGINT'));
      process.once('SIGTERM', () => shutdown('SIGTERM'));
    });
}
