/**
 * Server configuration. Precedence (12-factor): flags > WHARF_* environment > config file > defaults.
 *
 *   port         7755   (WHARF_PORT)        7755 is unused by common tools (LocalStack 4566, registry 5000,
 *                                           etcd 2379, Consul 8500, Nomad 4646, Prometheus 9090)
 *   host         127.0.0.1 (WHARF_HOST)     listen on loopback unless told otherwise
 *   dataDir      $XDG_DATA_HOME/wharf (~/.local/share/wharf)   (WHARF_DATA_DIR)
 *   region       us-east-1 (WHARF_REGION)
 *   accountId    000000000000 (WHARF_ACCOUNT_ID)
 *   defaultVpcCidr 172.31.0.0/16 (WHARF_DEFAULT_VPC_CIDR)  the default VPC, as AWS's; another /16 for a
 *                                           second installation on the same machine (tests do)
 *   store        sqlite (WHARF_STORE)       the state store: `sqlite` (state.db in the data directory, one
 *                                           server) or `etcd://host:port[,host:port…]` (several servers, one
 *                                           leader running the controllers: docs/ha.md)
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
  /** Knobs read from the environment only (no flag, no file key): intervals and test switches. */
  tuning: ServerTuning;
  /** The default VPC's CIDR block (made on first start). */
  defaultVpcCidr?: string;
  /** `sqlite` or `etcd://host:port[,host:port…]` (docs/ha.md). */
  store: string;
}

/**
 * Environment-only settings. Every process.env read of the server is here (or in the CLI's entry points):
 * the rest of the server gets values passed in (scripts/lint-source.mjs keeps it so).
 */
export interface ServerTuning {
  /** WHARF_STORE_SYNCHRONOUS=OFF: a test knob that shows what FULL protects (never for real use). */
  storeSynchronous: 'FULL' | 'OFF';
  /** WHARF_TEST_FAULT=<point>: the server SIGKILLs itself there (fault tests). */
  testFault?: string;
  /** WHARF_SERVICE_LOST_AFTER_MS, WHARF_SERVICE_THROTTLE_BASE_MS: the services controller's grace and back-off. */
  serviceLostAfterMs?: number;
  serviceThrottleBaseMs?: number;
  /** WHARF_HAPROXY (binary), WHARF_LB_NBTHREAD, WHARF_LB_BIND_ADDRESS (listeners' host address, default loopback). */
  haproxyBinary?: string;
  lbNbthread?: number;
  lbBindAddress: string;
  /** WHARF_DNS_LISTEN (host:port; unset: no DNS server), WHARF_DNS_UPSTREAM (host[:port]; default /etc/resolv.conf's first nameserver). */
  dnsListen?: string;
  dnsUpstream?: string;
  /** WHARF_ALARM_EVAL_MS (10 s), WHARF_METRICS_PUBLISH_MS (60 s), WHARF_USAGE_PUBLISH_MS (60 s), WHARF_LOGS_RETENTION_MS (60 s). */
  alarmEvalMs: number;
  metricsPublishMs: number;
  usagePublishMs: number;
  logsRetentionMs: number;
  /** The managed Fargate pool (docs/fargate.md): WHARF_FARGATE_AGENT_ARGS (space-separated), _HOST_CPU, _HOST_MEMORY, _WARM_HOSTS, _IDLE_MS, _MAX_HOSTS. */
  fargateAgentArgs?: string[];
  fargateHostCpu?: number;
  fargateHostMemory?: number;
  fargateWarmHosts?: number;
  fargateIdleMs?: number;
  fargateMaxHosts?: number;
  /** Application Auto Scaling (docs/autoscaling.md): WHARF_AUTOSCALING_TICK_MS (10 s), how often targets are looked at. */
  autoscalingTickMs: number;
  /**
   * WHARF_TASK_CREDENTIALS_SECONDS (6 h): how long a task role's session lasts. Fresh credentials reach
   * the task when less than min(1 h, half of it) is left (docs/iam.md). Tests shorten it.
   */
  taskCredentialsSeconds: number;
  /**
   * WHARF_TARGET_TRACKING_ALARMS=<period s>/<high datapoints>/<low datapoints> (AWS's: 60/3/15): the
   * timing of the alarms target tracking policies make. Tests shorten it so a scale-out takes seconds.
   */
  targetTrackingAlarms: { periodSeconds: number; highPoints: number; lowPoints: number };
  /**
   * WHARF_TEST_CLOCK_FILE=<file>: a test knob. The file holds a number of milliseconds added to the
   * autoscaling controller's clock (read on every look), so a test can move scheduled actions' time
   * without waiting for it. Absent or empty: real time. Never for real use.
   */
  testClockFile?: string;
}

export function resolveTuning(env: Record<string, string | undefined>): ServerTuning {
  const num = (name: string) => (env[name] ? Number(env[name]) : undefined);
  return {
    storeSynchronous: env.WHARF_STORE_SYNCHRONOUS === 'OFF' ? 'OFF' : 'FULL',
    testFault: env.WHARF_TEST_FAULT,
    serviceLostAfterMs: num('WHARF_SERVICE_LOST_AFTER_MS'),
    serviceThrottleBaseMs: num('WHARF_SERVICE_THROTTLE_BASE_MS'),
    haproxyBinary: env.WHARF_HAPROXY,
    lbNbthread: num('WHARF_LB_NBTHREAD'),
    lbBindAddress: env.WHARF_LB_BIND_ADDRESS ?? '127.0.0.1',
    dnsListen: env.WHARF_DNS_LISTEN,
    dnsUpstream: env.WHARF_DNS_UPSTREAM,
    alarmEvalMs: num('WHARF_ALARM_EVAL_MS') ?? 10_000,
    metricsPublishMs: num('WHARF_METRICS_PUBLISH_MS') ?? 60_000,
    usagePublishMs: num('WHARF_USAGE_PUBLISH_MS') ?? 60_000,
    logsRetentionMs: num('WHARF_LOGS_RETENTION_MS') ?? 60_000,
    fargateAgentArgs: env.WHARF_FARGATE_AGENT_ARGS?.split(' ').filter(Boolean),
    fargateHostCpu: num('WHARF_FARGATE_HOST_CPU'),
    fargateHostMemory: num('WHARF_FARGATE_HOST_MEMORY'),
    fargateWarmHosts: num('WHARF_FARGATE_WARM_HOSTS'),
    fargateIdleMs: num('WHARF_FARGATE_IDLE_MS'),
    fargateMaxHosts: num('WHARF_FARGATE_MAX_HOSTS'),
    autoscalingTickMs: num('WHARF_AUTOSCALING_TICK_MS') ?? 10_000,
    taskCredentialsSeconds: num('WHARF_TASK_CREDENTIALS_SECONDS') ?? 6 * 3600,
    targetTrackingAlarms: trackingTiming(env.WHARF_TARGET_TRACKING_ALARMS),
    testClockFile: env.WHARF_TEST_CLOCK_FILE,
  };
}

function trackingTiming(v: string | undefined): ServerTuning['targetTrackingAlarms'] {
  if (!v) return { periodSeconds: 60, highPoints: 3, lowPoints: 15 };
  const m = /^(\d+)\/(\d+)\/(\d+)$/.exec(v);
  const [period, high, low] = m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [NaN, NaN, NaN];
  if (!m || !([10, 30].includes(period) || (period > 0 && period % 60 === 0)) || high < 1 || low < 1) {
    throw new Error(`invalid WHARF_TARGET_TRACKING_ALARMS ${v}: give <period seconds: 10, 30 or a multiple of 60>/<high datapoints>/<low datapoints>, e.g. 60/3/15`);
  }
  return { periodSeconds: period, highPoints: high, lowPoints: low };
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
    defaultVpcCidr: env.WHARF_DEFAULT_VPC_CIDR,
    store: env.WHARF_STORE,
  };
  const pick = <K extends Exclude<keyof ServerConfig, 'tuning'>>(k: K): ServerConfig[K] | undefined => flags[k] ?? fromEnv[k] ?? fromFile[k];
  const cfg: ServerConfig = {
    port: pick('port') ?? DEFAULT_PORT,
    host: pick('host') ?? '127.0.0.1',
    dataDir: pick('dataDir') ?? join(xdg('data', env), 'wharf'),
    region: pick('region') ?? 'us-east-1',
    accountId: pick('accountId') ?? '000000000000',
    publicEndpoint: pick('publicEndpoint'),
    logLevel: pick('logLevel') ?? 'info',
    tuning: resolveTuning(env),
    defaultVpcCidr: pick('defaultVpcCidr'),
    store: pick('store') ?? 'sqlite',
  };
  if (!Number.isInteger(cfg.port) || cfg.port < 0 || cfg.port > 65535) throw new Error(`invalid port ${cfg.port}: give a number from 0 to 65535`);
  if (!/^\d{12}$/.test(cfg.accountId)) throw new Error(`invalid account id ${cfg.accountId}: it must be 12 digits`);
  if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(cfg.region)) throw new Error(`invalid region ${cfg.region}: use a region name such as us-east-1`);
  if (cfg.store !== 'sqlite' && !/^etcd:\/\/[^,\s]+(,[^,\s]+)*$/.test(cfg.store)) {
    throw new Error(`invalid store ${cfg.store}: use sqlite or etcd://host:port[,host:port…]`);
  }
  return cfg;
}
