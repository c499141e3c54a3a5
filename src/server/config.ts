/**
 * Server configuration. Precedence (12-factor): flags > WHARF_* environment > config file > defaults.
 *
 *   port         7755   (WHARF_PORT)        7755 is unused by common tools (LocalStack 4566, registry 5000,
 *                                           etcd 2379, Consul 8500, Nomad 4646, Prometheus 9090)
 *   host         127.0.0.1 (WHARF_HOST)     listen on loopback unless told otherwise
 *   dataDir      $XDG_DATA_HOME/wharf (~/.local/share/wharf)   (WHARF_DATA_DIR)
 *   region       us-east-1 (WHARF_REGION)
 *   accountId    000000000000 (WHARF_ACCOUNT_ID)
 *   config file  $XDG_CONFIG_HOME/wharf/server.yaml, or --config FILE (WHARF_CONFIG)
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { parse as parseYaml } from 'yaml';

export interface ServerConfig {
  port: number;
  host: string;
  dataDir: string;
  region: string;
  accountId: string;
  /** The address clients are told to use; defaults to http://<host or 127.0.0.1>:<port>. */
  publicEndpoint?: string;
  logLevel: string;
}

export const DEFAULT_PORT = 7755;

/** XDG base directories; relative values are ignored, as the spec requires. */
export function xdg(kind: 'data' | 'config' | 'state', env = process.env): string {
  const v = { data: env.XDG_DATA_HOME, config: env.XDG_CONFIG_HOME, state: env.XDG_STATE_HOME }[kind];
  if (v && isAbsolute(v)) return v;
  return join(homedir(), { data: '.local/share', config: '.config', state: '.local/state' }[kind]);
}

export function resolveServerConfig(flags: Partial<ServerConfig> & { config?: string }, env = process.env): ServerConfig {
  const file = flags.config ?? env.WHARF_CONFIG ?? join(xdg('config', env), 'wharf', 'server.yaml');
  let fromFile: Partial<ServerConfig> = {};
  if (existsSync(file)) {
    const parsed = parseYaml(readFileSync(file, 'utf8')) as Partial<ServerConfig> | null;
    fromFile = parsed ?? {};
  } else if (flags.config ?? env.WHARF_CONFIG) {
    throw new Error(`config file ${file} does not exist`);
  }
  const fromEnv: Partial<ServerConfig> = {
    port: env.WHARF_PORT ? Number(env.WHARF_PORT) : undefined,
    host: env.WHARF_HOST,
    dataDir: env.WHARF_DATA_DIR,
    region: env.WHARF_REGION,
    accountId: env.WHARF_ACCOUNT_ID,
    publicEndpoint: env.WHARF_PUBLIC_ENDPOINT,
    logLevel: env.WHARF_LOG_LEVEL,
  };
  const pick = <K extends keyof ServerConfig>(k: K): ServerConfig[K] | undefined => flags[k] ?? fromEnv[k] ?? fromFile[k];
  const cfg: ServerConfig = {
    port: pick('port') ?? DEFAULT_PORT,
    host: pick('host') ?? '127.0.0.1',
    dataDir: pick('dataDir') ?? join(xdg('data', env), 'wharf'),
    region: pick('region') ?? 'us-east-1',
    accountId: pick('accountId') ?? '000000000000',
    publicEndpoint: pick('publicEndpoint'),
    logLevel: pick('logLevel') ?? 'info',
  };
  if (!Number.isInteger(cfg.port) || cfg.port < 0 || cfg.port > 65535) throw new Error(`invalid port ${cfg.port}: give a number from 0 to 65535`);
  if (!/^\d{12}$/.test(cfg.accountId)) throw new Error(`invalid account id ${cfg.accountId}: it must be 12 digits`);
  if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(cfg.region)) throw new Error(`invalid region ${cfg.region}: use a region name such as us-east-1`);
  return cfg;
}
