/**
 * A Compose project → the ECS and ELBv2 resources that run it. Pure: files (env_file) are read through
 * the `readFile` it is given.
 *
 *   Compose service S of project P  →  task definition family  P-S  (one container named S)
 *                                    →  ECS service            P-S  (REPLICA, or DAEMON for mode: global)
 *   each published port N → target   →  listener on port N of the project's load balancer P,
 *                                       forwarding to target group P-S-target (HTTP, instance targets)
 *
 * Why one ECS service per Compose service, not one task with every container: Compose scales, updates
 * and restarts services one by one (`deploy.replicas`, a changed image rolls only its service), which is
 * what ECS services do; containers of one task share a fate and a count. The price: Compose `depends_on`
 * cannot become container `dependsOn` (that only orders containers inside one task), so it orders the
 * deploy instead — a service is created after the services it depends on have started, or are healthy
 * for `condition: service_healthy`.
 *
 * What Wharf cannot honour is refused by name with the reason (never silently dropped): every key a
 * service may have is in KNOWN (mapped) or REFUSED (why not); anything else is refused as unknown.
 */
import type { ContainerDefinition, DeploymentConfiguration, RegisterTaskDefinitionRequest, Tag, UlimitName } from '@aws-sdk/client-ecs';
import { parseDotEnv } from './load.js';
import { containerOptions, parseMemoryMiB } from './container-options.js';

export { parseMemoryMiB };

export const PROJECT_TAG = 'wharf:compose-project';
export const SERVICE_TAG = 'wharf:compose-service';
export const HASH_TAG = 'wharf:compose-hash';

export interface PublishedPort { port: number; containerPort: number; targetGroupName: string }

export interface DesiredService {
  /** The Compose service name (also the container name). */
  name: string;
  /** ECS service name and task definition family: `P-S`. */
  ecsName: string;
  taskDefinition: RegisterTaskDefinitionRequest;
  schedulingStrategy: 'REPLICA' | 'DAEMON';
  desiredCount?: number;
  deploymentConfiguration: DeploymentConfiguration;
  published: PublishedPort[];
  dependsOn: { service: string; condition: 'service_started' | 'service_healthy' }[];
  build?: BuildSpec;
  tags: Tag[];
  /** awsvpc networking: the service is registered in the project's namespace as `name` (Cloud Map, A records). */
  discovery?: boolean;
}

export interface BuildSpec { context: string; dockerfile?: string; args: Record<string, string>; target?: string }

export interface Translation {
  project: string;
  loadBalancerName: string;
  logGroup: string;
  services: DesiredService[];
  /** "services.web.volumes: why" — non-empty means nothing may be deployed. */
  refusals: string[];
  /**
   * awsvpc networking: the project's Cloud Map private DNS namespace (`P.local`, in the default VPC) where
   * each service is registered by its Compose name, and its security group (`P`).
   */
  network?: { namespace: string; securityGroup: string };
}

export interface TranslateOptions {
  project: string;
  region: string;
  /** The image to run for a service with `build:` (what the build produced), or a placeholder. */
  builtImage?: (service: string) => string | undefined;
  readFile: (path: string) => string;
  /** Resolves a path relative to the Compose file's directory. */
  resolvePath: (path: string) => string;
  env: Record<string, string | undefined>;
  /**
   * `awsvpc` (when the cluster's instances can run awsvpc tasks): services without a network_mode get their
   * own address and reach each other by their Compose names, as on Compose's default network (the names
   * resolve through the project's Cloud Map namespace, the search domain of every task). `bridge`: each
   * task on the runtime's bridge with dynamic host ports; services reach each other only through the
   * load balancer. Default `bridge`.
   */
  network?: 'awsvpc' | 'bridge';
}

// ── what is refused, and why ───────────────────────────────────────────────────────────────────────
const WHY = {
  secrets: 'Compose secrets are files mounted at /run/secrets/NAME, and ECS has no file secrets: ECS secrets are environment variables from Secrets Manager or SSM Parameter Store, which a task definition names (`wharf task-definitions register` with containerDefinitions[].secrets)',
  configs: 'Compose configs are files mounted into containers, and ECS task definitions cannot carry files: bake the file into the image, or mount a host path (volumes: /host/path:/path:ro)',
  networks: 'wharf deploy puts every service of a project on one network (Compose\'s default); other networks are not supported: remove networks',
  awsvpc: 'awsvpc tasks need subnets and security groups, which a Compose file cannot name: register an awsvpc task definition and service with the AWS CLI',
  discovery: 'services reach each other by name only with awsvpc networking, and this cluster\'s instances cannot run awsvpc tasks (the agent must run as root with nftables and iproute2): publish the service\'s port and call it through the load balancer',
  links: 'services already reach each other by their names; link aliases have no ECS equivalent: remove links',
  volumesFrom: 'ECS volumesFrom shares volumes between containers of one task, and each Compose service is its own task: mount the same named volume in both services instead',
} as const;

const REFUSED: Record<string, string> = {
  secrets: WHY.secrets,
  configs: WHY.configs,
  volumes_from: WHY.volumesFrom,
  stop_signal: 'ECS task definitions have no stop signal: containers get SIGTERM, then SIGKILL after stop_grace_period',
  container_name: 'ECS names each task\'s containers itself (a service runs several copies); remove container_name',
  links: WHY.links,
  external_links: 'ECS tasks cannot link to containers outside their task: call them by an address or a name they are registered under',
  networks: WHY.networks,
  profiles: 'wharf deploy deploys every service of the file; remove profiles or deploy a file without the optional services',
  extends: 'extends is not supported by wharf deploy yet: inline the shared settings (YAML anchors work)',
  pull_policy: 'the agent pulls images as ECS does (ECS_IMAGE_PULL_BEHAVIOR); a per-service policy has no ECS equivalent',
  platform: 'tasks run on the agents\' own platform; ECS runtimePlatform is for Fargate',
  gpus: 'GPUs are not supported',
  runtime: 'the container runtime is the agent\'s (runc)',
  cgroup_parent: 'the agent places containers in cgroups itself',
  userns_mode: 'user namespaces are not supported',
  isolation: 'isolation is a Windows setting',
  post_start: 'ECS has no lifecycle hooks',
  pre_stop: 'ECS has no lifecycle hooks',
  develop: 'watch mode is for `docker compose watch`, not a deployment',
  attach: 'logs go to CloudWatch Logs; read them with `wharf logs SERVICE`',
  oom_kill_disable: 'ECS has no OOM-killer setting', oom_score_adj: 'ECS has no OOM score setting',
  pids_limit: 'ECS has no pids limit on EC2 containers',
  group_add: 'ECS has no supplementary groups',
  mac_address: 'containers get their address from the bridge',
  uts: 'ECS has no UTS namespace setting',
  label_file: 'label_file is not supported by wharf deploy yet: use labels',
  annotations: 'ECS has no annotations',
  credential_spec: 'credential specs are a Windows setting',
  storage_opt: 'ECS has no storage options on EC2',
  blkio_config: 'ECS has no block I/O settings', cpu_count: 'Windows only', cpu_percent: 'Windows only',
  cpu_quota: 'use deploy.resources (cpu units)', cpu_period: 'use deploy.resources (cpu units)',
  cpu_rt_period: 'ECS has no realtime scheduling', cpu_rt_runtime: 'ECS has no realtime scheduling', cpuset: 'ECS has no cpuset on EC2',
  cgroup: 'ECS has no cgroup namespace setting', device_cgroup_rules: 'ECS has no device cgroup rules',
  use_api_socket: 'tasks do not get the runtime\'s API socket', provider: 'providers are Docker Compose extensions', models: 'models are Docker Compose extensions',
  pull_refresh_after: 'ECS has no pull refresh setting',
};

const KNOWN = new Set([
  'image', 'build', 'command', 'entrypoint', 'environment', 'env_file', 'ports', 'expose', 'healthcheck', 'depends_on', 'deploy',
  'scale', 'restart', 'logging', 'labels', 'user', 'working_dir', 'read_only', 'cap_add', 'cap_drop', 'init', 'stop_grace_period',
  'ulimits', 'privileged', 'network_mode', 'mem_limit', 'mem_reservation', 'cpus', 'cpu_shares',
  // container-options.ts: each also refuses the values ECS cannot express
  'volumes', 'tmpfs', 'extra_hosts', 'sysctls', 'hostname', 'domainname', 'dns', 'dns_search', 'dns_opt', 'tty', 'stdin_open', 'shm_size',
  'security_opt', 'devices', 'ipc', 'pid', 'memswap_limit', 'mem_swappiness',
]);

const ULIMITS = new Set<string>(['core', 'cpu', 'data', 'fsize', 'locks', 'memlock', 'msgqueue', 'nice', 'nofile', 'nproc', 'rss', 'rtprio', 'rttime', 'sigpending', 'stack']);

// ── small parsers for Compose's value syntaxes ──────────────────────────────────────────────────────
/** `1m30s`, `10s`, `500ms`, `1h` → seconds (fractional). */
export function parseDuration(v: unknown): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number') return v;
  const s = String(v).trim();
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s);
  const units: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 0.001, us: 1e-6, µs: 1e-6, ns: 1e-9 };
  let total = 0;
  const re = /(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)/gy;
  let m: RegExpExecArray | null;
  let at = 0;
  while ((m = re.exec(s))) { total += Number(m[1]) * units[m[2]]; at = re.lastIndex; }
  if (at !== s.length || at === 0) throw new Error(`"${s}" is not a duration (like 30s, 1m30s, 500ms)`);
  return total;
}

/** Splits a command string into words as Compose does (POSIX shell quoting, no expansion). */
export function shellSplit(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  let has = false;
  let q: '"' | "'" | undefined;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (q === "'") { if (c === "'") q = undefined; else cur += c; continue; }
    if (q === '"') {
      if (c === '"') q = undefined;
      else if (c === '\\' && i + 1 < s.length && '"\\$`\n'.includes(s[i + 1])) cur += s[++i];
      else cur += c;
      continue;
    }
    if (c === "'" || c === '"') { q = c; has = true; continue; }
    if (c === '\\' && i + 1 < s.length) { cur += s[++i]; has = true; continue; }
    if (/\s/.test(c)) { if (has || cur) out.push(cur); cur = ''; has = false; continue; }
    cur += c;
  }
  if (q) throw new Error(`unterminated ${q} quote in "${s}"`);
  if (has || cur) out.push(cur);
  return out;
}

const words = (v: unknown): string[] | undefined =>
  v === undefined || v === null ? undefined : Array.isArray(v) ? v.map(String) : shellSplit(String(v));

/** `environment` as a list (`K=V`, or `K` taken from the environment) or a map → pairs. */
function envOf(v: unknown, env: Record<string, string | undefined>): [string, string][] {
  if (!v) return [];
  if (Array.isArray(v)) {
    return v.flatMap((x): [string, string][] => {
      const s = String(x);
      const i = s.indexOf('=');
      if (i >= 0) return [[s.slice(0, i), s.slice(i + 1)]];
      return env[s] !== undefined ? [[s, env[s]!]] : [];
    });
  }
  return Object.entries(v as Record<string, unknown>).flatMap(([k, x]): [string, string][] =>
    x === null || x === undefined ? (env[k] !== undefined ? [[k, env[k]!]] : []) : [[k, String(x)]]);
}

const labelsOf = (v: unknown): Record<string, string> => Object.fromEntries(
  Array.isArray(v) ? v.map((x) => { const s = String(x); const i = s.indexOf('='); return i < 0 ? [s, ''] : [s.slice(0, i), s.slice(i + 1)]; })
    : Object.entries((v ?? {}) as Record<string, unknown>).map(([k, x]) => [k, String(x ?? '')]),
);

interface PortSpec { target: number; published?: number; protocol: string; hostIp?: string }

/** Short (`[HOST_IP:][PUBLISHED:]TARGET[/PROTOCOL]`) and long port syntax → one spec per port. */
export function parsePort(v: unknown): PortSpec {
  if (typeof v === 'number') return { target: v, protocol: 'tcp' };
  if (v && typeof v === 'object') {
    const o = v as { target?: unknown; published?: unknown; protocol?: string; host_ip?: string; mode?: string };
    const published = o.published === undefined || o.published === '' ? undefined : String(o.published);
    if (published?.includes('-')) throw new Error(`published port ranges (${published}) are not supported: one listener per port`);
    return { target: Number(o.target), published: published === undefined ? undefined : Number(published), protocol: o.protocol ?? 'tcp', hostIp: o.host_ip };
  }
  const s = String(v);
  const [body, protocol = 'tcp'] = s.split('/');
  // IPv6 host addresses come in brackets: [::1]:8080:80
  const m = /^(?:(\[[^\]]+\]|[^:]*):)?(?:([^:]*):)?([^:]+)$/.exec(body);
  if (!m) throw new Error(`"${s}" is not a port`);
  let a: string | undefined = m[1], b: string | undefined = m[2];
  const target = m[3];
  if (a !== undefined && b === undefined) { b = a; a = undefined; }
  if (target.includes('-') || b?.includes('-')) throw new Error(`port ranges (${s}) are not supported: one listener per port`);
  const published = b === undefined || b === '' ? undefined : Number(b);
  if (!/^\d+$/.test(target) || (published !== undefined && !Number.isInteger(published))) throw new Error(`"${s}" is not a port`);
  return { target: Number(target), published, protocol, hostIp: a?.replace(/^\[|\]$/g, '') || undefined };
}

/** awsvpc and host: hostPort is the container port (what ECS echoes for awsvpc); bridge: 0, dynamic. */
const hostPortOf = (networkMode: string, port: number): { hostPort: number } => ({ hostPort: networkMode === 'bridge' ? 0 : port });

/** A name within AWS's limits (`max` characters of [A-Za-z0-9-]): long names keep a hash of the whole. */
export function awsName(base: string, max: number): string {
  const clean = base.replace(/[^A-Za-z0-9-]/g, '-').replace(/^-+|-+$/g, '').replace(/-{2,}/g, '-');
  if (clean.length <= max) return clean;
  let h = 0;
  for (const ch of base) h = (Math.imul(h, 31) + ch.codePointAt(0)!) >>> 0;
  const suffix = h.toString(36).slice(0, 6);
  return `${clean.slice(0, max - suffix.length - 1).replace(/-+$/, '')}-${suffix}`;
}

/** Stable JSON (sorted keys) for hashing and comparing requests. */
export function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v).filter((k) => (v as Record<string, unknown>)[k] !== undefined).sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

// ── the translation ─────────────────────────────────────────────────────────────────────────────────
export function translate(model: { services: Record<string, Record<string, unknown>>; [k: string]: unknown }, o: TranslateOptions): Translation {
  const refusals: string[] = [];
  const refuse = (path: string, why: string) => refusals.push(`${path}: ${why}`);
  const project = o.project;
  if (!/^[a-z0-9][a-z0-9_-]*$/.test(project)) refuse('project name', `"${project}" must start with a letter or digit and hold only lowercase letters, digits, "-" and "_"`);
  const logGroup = `/wharf/${project}`;
  const loadBalancerName = awsName(`${project}`, 32);
  const names = Object.keys(model.services);
  const awsvpc = o.network === 'awsvpc';
  const namespace = `${project}.local`;

  for (const k of Object.keys(model)) {
    if (k === 'services' || k === 'name' || k === 'version' || k.startsWith('x-')) continue;
    const v = model[k];
    if (v && typeof v === 'object' && Object.keys(v).length === 0) continue;
    if (k === 'networks' && Object.keys(v as object).every((n) => n === 'default')) continue;
    if (k === 'volumes') continue; // read where services mount them (container-options.ts)
    refuse(k, (REFUSED[k] ?? `top-level "${k}" is not supported by wharf deploy`));
  }

  const usedPorts = new Map<number, string>();
  const services: DesiredService[] = [];
  for (const name of names) {
    const s = model.services[name] ?? {};
    const at = `services.${name}`;
    const bad = (field: string, why: string) => refuse(`${at}.${field}`, why);
    if (!/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(name)) {
      refuse(at, `"${name}" cannot be an ECS service name (letters, digits, hyphens and underscores, starting with a letter or digit)`);
      continue;
    }
    const ecsName = `${project}-${name}`;
    if (ecsName.length > 255) refuse(at, `the ECS service name ${ecsName} is longer than 255 characters`);
    for (const k of Object.keys(s)) {
      if (KNOWN.has(k) || k.startsWith('x-')) continue;
      if (k === 'networks') {
        const ns = Array.isArray(s.networks) ? s.networks.map(String) : Object.keys(s.networks as object);
        if (ns.every((n) => n === 'default')) continue;
      }
      bad(k, REFUSED[k] ?? `"${k}" is not supported by wharf deploy`);
    }

    const c: ContainerDefinition = { name, essential: true };
    let build: BuildSpec | undefined;
    if (s.build !== undefined) {
      const b = typeof s.build === 'string' ? { context: s.build } : (s.build as Record<string, unknown>);
      for (const k of Object.keys(b)) if (!['context', 'dockerfile', 'args', 'target'].includes(k) && !k.startsWith('x-')) bad(`build.${k}`, `"${k}" is not supported by wharf deploy's image builds`);
      build = { context: o.resolvePath(String(b.context ?? '.')), dockerfile: b.dockerfile === undefined ? undefined : String(b.dockerfile), args: labelsOf(b.args), target: b.target === undefined ? undefined : String(b.target) };
      c.image = o.builtImage?.(name) ?? `(built from ${String(b.context ?? '.')})`;
    } else if (typeof s.image === 'string' && s.image) {
      c.image = s.image;
    } else {
      bad('image', 'every service needs an image or a build section');
    }

    try { c.command = words(s.command); } catch (e) { bad('command', (e as Error).message); }
    try { c.entryPoint = words(s.entrypoint); } catch (e) { bad('entrypoint', (e as Error).message); }

    // env_file first, environment wins (Compose's precedence).
    const env = new Map<string, string>();
    if (s.env_file !== undefined) {
      const files = (Array.isArray(s.env_file) ? s.env_file : [s.env_file]).map((f) => (typeof f === 'object' && f ? f as { path: string; required?: boolean } : { path: String(f), required: true }));
      for (const f of files) {
        try {
          for (const [k, v] of Object.entries(parseDotEnv(o.readFile(o.resolvePath(f.path))))) env.set(k, v);
        } catch (e) {
          if (f.required !== false) bad('env_file', `cannot read ${f.path}: ${(e as Error).message.split(':')[0]}`);
        }
      }
    }
    for (const [k, v] of envOf(s.environment, o.env)) env.set(k, v);
    if (env.size) c.environment = [...env].map(([k, v]) => ({ name: k, value: v }));
    for (const [k, v] of awsvpc && s.network_mode === undefined ? [] : env) {
      const other = names.find((n) => {
        const q = n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        return n !== name && new RegExp(`(//|@)${q}(:\\d+|/|$)|^${q}:\\d+$`).test(v);
      });
      if (other) bad(`environment.${k}`, `"${v}" calls service ${other} by name: ${WHY.discovery}`);
    }

    // Ports: every port maps to a dynamic host port; a published one gets a listener on the load balancer.
    const published: PublishedPort[] = [];
    const mappings: NonNullable<ContainerDefinition['portMappings']> = [];
    const networkMode = s.network_mode === undefined ? (awsvpc ? 'awsvpc' : 'bridge') : String(s.network_mode);
    if (!['bridge', 'host', 'none'].includes(networkMode) && !(networkMode === 'awsvpc' && s.network_mode === undefined)) bad('network_mode', networkMode === 'awsvpc' ? WHY.awsvpc : `"${networkMode}": tasks run with bridge, host or none networking; sharing another service's or container's network needs both in one task, which a Compose service is not`);
    for (const [i, p] of ((s.ports ?? []) as unknown[]).entries()) {
      let spec: PortSpec;
      try { spec = parsePort(p); } catch (e) { bad(`ports[${i}]`, (e as Error).message); continue; }
      if (spec.hostIp && spec.hostIp !== '127.0.0.1') bad(`ports[${i}]`, `host_ip ${spec.hostIp}: load balancer listeners bind the address the server is configured with (WHARF_LB_BIND_ADDRESS, default 127.0.0.1)`);
      if (spec.protocol !== 'tcp') bad(`ports[${i}]`, `protocol ${spec.protocol}: load balancer listeners are HTTP over TCP`);
      mappings.push({ containerPort: spec.target, ...hostPortOf(networkMode, spec.target), protocol: 'tcp' });
      if (spec.published !== undefined) {
        const owner = usedPorts.get(spec.published);
        if (owner) bad(`ports[${i}]`, `port ${spec.published} is already published by service ${owner}`);
        usedPorts.set(spec.published, name);
        published.push({ port: spec.published, containerPort: spec.target, targetGroupName: awsName(`${project}-${name}-${spec.target}`, 32) });
      }
    }
    for (const e of (s.expose ?? []) as unknown[]) {
      const port = Number(String(e).split('/')[0]);
      if (!mappings.some((m) => m.containerPort === port)) mappings.push({ containerPort: port, ...hostPortOf(networkMode, port), protocol: 'tcp' });
    }
    if (networkMode === 'none' && mappings.length) bad('ports', 'a service with network_mode none has no ports');
    if (mappings.length && networkMode !== 'none') c.portMappings = mappings;

    // Health check.
    const hc = s.healthcheck as Record<string, unknown> | undefined;
    if (hc && hc.disable !== true && hc.disable !== 'true') {
      let test = hc.test as unknown;
      if (typeof test === 'string') test = ['CMD-SHELL', test];
      const t = test as string[] | undefined;
      if (t && t[0] !== 'NONE') {
        try {
          // Only what the file sets: ECS's defaults (interval 30 s, timeout 5 s, retries 3) fill the rest.
          // Compose's default timeout (30 s) would equal the default interval, which ECS refuses.
          const interval = parseDuration(hc.interval), timeout = parseDuration(hc.timeout), startPeriod = parseDuration(hc.start_period);
          const retries = hc.retries === undefined ? undefined : Number(hc.retries);
          const within = (v: number, lo: number, hi: number, what: string) => { if (v < lo || v > hi) bad(`healthcheck.${what}`, `${v} s is outside ECS's range ${lo}–${hi} s`); return Math.round(v); };
          c.healthCheck = {
            command: t[0] === 'CMD' || t[0] === 'CMD-SHELL' ? t.map(String) : ['CMD', ...t.map(String)],
            ...(interval !== undefined ? { interval: within(interval, 5, 300, 'interval') } : {}),
            ...(timeout !== undefined ? { timeout: within(timeout, 2, 120, 'timeout') } : {}),
            ...(retries !== undefined ? { retries } : {}),
            ...(startPeriod !== undefined ? { startPeriod: within(startPeriod, 0, 300, 'start_period') } : {}),
          };
          if ((timeout ?? 5) >= (interval ?? 30)) bad('healthcheck.timeout', `${timeout ?? 5} s is not less than the interval (${interval ?? 30} s), which ECS requires`);
          if (retries !== undefined && (retries < 1 || retries > 10)) bad('healthcheck.retries', `${retries} is outside ECS's range 1–10`);
        } catch (e) { bad('healthcheck', (e as Error).message); }
        if (hc.start_interval !== undefined) bad('healthcheck.start_interval', 'ECS health checks have no start interval');
      }
    }

    // depends_on → deploy order.
    const dependsOn: DesiredService['dependsOn'] = [];
    const deps = s.depends_on;
    const depList: [string, Record<string, unknown>][] = Array.isArray(deps) ? deps.map((d) => [String(d), { condition: 'service_started' }])
      : Object.entries((deps ?? {}) as Record<string, Record<string, unknown>>);
    for (const [d, spec] of depList) {
      if (!names.includes(d)) { bad(`depends_on.${d}`, `there is no service ${d} in this file`); continue; }
      const cond = String(spec.condition ?? 'service_started');
      if (cond === 'service_completed_successfully') { bad(`depends_on.${d}`, 'condition service_completed_successfully (a one-off job before the service) is not supported: run it with `wharf tasks run` first'); continue; }
      if (cond === 'service_healthy' && !(model.services[d] ?? {}).healthcheck) bad(`depends_on.${d}`, `condition service_healthy needs a healthcheck on service ${d}`);
      if (spec.restart !== undefined) bad(`depends_on.${d}.restart`, 'ECS does not restart a service when another one restarts');
      dependsOn.push({ service: d, condition: cond as 'service_started' | 'service_healthy' });
    }

    // Resources: ECS container cpu is in units (1024 = one core); memory in MiB (hard), memoryReservation (soft).
    const deploy = (s.deploy ?? {}) as Record<string, unknown>;
    for (const k of Object.keys(deploy)) {
      if (!['mode', 'replicas', 'resources', 'restart_policy', 'update_config', 'labels'].includes(k) && !k.startsWith('x-')) bad(`deploy.${k}`, k === 'placement' ? 'placement constraints are not translated yet: use ECS placement constraints with the AWS CLI' : `deploy.${k} is not supported by wharf deploy`);
    }
    const res = (deploy.resources ?? {}) as { limits?: Record<string, unknown>; reservations?: Record<string, unknown> };
    for (const [kind, r] of [['limits', res.limits], ['reservations', res.reservations]] as const) {
      for (const k of Object.keys(r ?? {})) if (!['cpus', 'memory'].includes(k)) bad(`deploy.resources.${kind}.${k}`, `${k} has no ECS equivalent on EC2 containers`);
    }
    try {
      const cpus = res.reservations?.cpus ?? res.limits?.cpus ?? s.cpus;
      if (cpus !== undefined) c.cpu = Math.max(2, Math.round(Number(cpus) * 1024));
      if (s.cpu_shares !== undefined && cpus === undefined) c.cpu = Number(s.cpu_shares);
      const memory = parseMemoryMiB(res.limits?.memory ?? s.mem_limit);
      const reservation = parseMemoryMiB(res.reservations?.memory ?? s.mem_reservation);
      if (memory !== undefined) c.memory = memory;
      if (reservation !== undefined) c.memoryReservation = reservation;
      // ECS needs one of them to place a task; without either, reserve 128 MiB (soft: no hard limit).
      if (memory === undefined && reservation === undefined) c.memoryReservation = 128;
      if (memory !== undefined && reservation !== undefined && reservation > memory) bad('deploy.resources', `the memory reservation (${reservation} MiB) is above the limit (${memory} MiB)`);
    } catch (e) { bad('deploy.resources', (e as Error).message); }

    // Restart: an ECS service always replaces a stopped task.
    const restart = s.restart === undefined ? undefined : String(s.restart);
    if (restart !== undefined && !['always', 'unless-stopped'].includes(restart)) bad('restart', `"${restart}": a Wharf service always replaces a task that stops (restart: always); run one-off work with \`wharf tasks run\``);
    const rp = deploy.restart_policy as Record<string, unknown> | undefined;
    if (rp) {
      if (rp.condition !== undefined && rp.condition !== 'any') bad('deploy.restart_policy.condition', `"${String(rp.condition)}": a Wharf service always replaces a task that stops (condition: any)`);
      for (const k of Object.keys(rp)) if (k !== 'condition') bad(`deploy.restart_policy.${k}`, 'ECS services restart tasks with their own back-off');
    }

    const mode = deploy.mode === undefined ? 'replicated' : String(deploy.mode);
    if (!['replicated', 'global'].includes(mode)) bad('deploy.mode', `"${mode}": only replicated and global (one task per instance) services`);
    const replicas = deploy.replicas ?? s.scale;
    if (mode === 'global' && replicas !== undefined) bad('deploy.replicas', 'a global service runs one task per container instance; it has no replica count');

    const uc = (deploy.update_config ?? {}) as Record<string, unknown>;
    for (const k of Object.keys(uc)) if (!['order', 'failure_action'].includes(k)) bad(`deploy.update_config.${k}`, 'ECS rolling updates are set by minimum healthy and maximum percent; only order and failure_action translate');
    const order = uc.order === undefined ? 'start-first' : String(uc.order);
    const failure = uc.failure_action === undefined ? 'rollback' : String(uc.failure_action);
    if (!['rollback', 'pause', 'continue'].includes(failure)) bad('deploy.update_config.failure_action', `"${failure}" is not rollback, pause or continue`);
    // start-first: new tasks start and pass health checks before old ones stop (100 % / 200 %);
    // stop-first: old tasks stop first (0 % / 100 %), for services that cannot run two copies at once.
    const deploymentConfiguration: DeploymentConfiguration = mode === 'global'
      ? { minimumHealthyPercent: 0, maximumPercent: 100 }
      : order === 'stop-first' ? { minimumHealthyPercent: 0, maximumPercent: 100 } : { minimumHealthyPercent: 100, maximumPercent: 200 };
    deploymentConfiguration.deploymentCircuitBreaker = { enable: failure !== 'continue', rollback: failure === 'rollback' };

    // Logging: awslogs by default, so `wharf logs` and CloudWatch Logs see every line.
    const logging = (s.logging ?? {}) as { driver?: string; options?: Record<string, unknown> };
    const driver = logging.driver ?? 'awslogs';
    if (!['awslogs', 'json-file', 'local'].includes(driver)) bad('logging.driver', `"${driver}": tasks log with awslogs (CloudWatch Logs); other drivers are not supported`);
    const logOptions: Record<string, string> = { 'awslogs-group': logGroup, 'awslogs-region': o.region, 'awslogs-stream-prefix': name, 'awslogs-create-group': 'true' };
    if (driver === 'awslogs') for (const [k, v] of Object.entries(logging.options ?? {})) logOptions[k] = String(v);
    else if (logging.options && Object.keys(logging.options).length) bad('logging.options', `the ${driver} driver's options do not apply: logs go to CloudWatch Logs (awslogs)`);
    c.logConfiguration = { logDriver: 'awslogs', options: logOptions };

    if (s.labels) c.dockerLabels = labelsOf(s.labels);
    if (s.user !== undefined) c.user = String(s.user);
    if (s.working_dir !== undefined) c.workingDirectory = String(s.working_dir);
    if (s.read_only !== undefined) c.readonlyRootFilesystem = s.read_only === true || s.read_only === 'true';
    if (s.privileged !== undefined) c.privileged = s.privileged === true || s.privileged === 'true';
    const caps: { add?: string[]; drop?: string[] } = {};
    if (s.cap_add) caps.add = (s.cap_add as unknown[]).map((x) => String(x).replace(/^CAP_/, ''));
    if (s.cap_drop) caps.drop = (s.cap_drop as unknown[]).map((x) => String(x).replace(/^CAP_/, ''));
    const init = s.init === true || s.init === 'true';
    const opts = containerOptions(s, {
      project, topVolumes: (model.volumes ?? {}) as Record<string, unknown>, resolvePath: o.resolvePath, home: o.env.HOME,
      networkMode, memoryMiB: c.memory, bad,
    });
    const { linuxParameters: more, ...rest } = opts.container;
    Object.assign(c, rest);
    // Compose's default network: the other services by their bare names (the namespace is the search domain).
    if (networkMode === 'awsvpc') c.dnsSearchDomains = [...new Set([...(c.dnsSearchDomains ?? []), namespace])];
    if (caps.add || caps.drop || init || more) {
      c.linuxParameters = { ...(caps.add || caps.drop ? { capabilities: caps } : {}), ...(init ? { initProcessEnabled: true } : {}), ...more };
    }
    if (s.stop_grace_period !== undefined) {
      try {
        const secs = Math.round(parseDuration(s.stop_grace_period)!);
        if (secs > 120) bad('stop_grace_period', `${secs} s is above ECS's maximum stopTimeout of 120 s`);
        else c.stopTimeout = secs;
      } catch (e) { bad('stop_grace_period', (e as Error).message); }
    }
    if (s.ulimits) {
      c.ulimits = [];
      for (const [k, v] of Object.entries(s.ulimits as Record<string, unknown>)) {
        if (!ULIMITS.has(k)) { bad(`ulimits.${k}`, `ECS has no ulimit "${k}"`); continue; }
        const soft = typeof v === 'object' && v ? Number((v as { soft: unknown }).soft) : Number(v);
        const hard = typeof v === 'object' && v ? Number((v as { hard: unknown }).hard) : Number(v);
        c.ulimits.push({ name: k as UlimitName, softLimit: soft, hardLimit: hard });
      }
    }

    const tags: Tag[] = [{ key: PROJECT_TAG, value: project }, { key: SERVICE_TAG, value: name },
      ...Object.entries(labelsOf(deploy.labels)).map(([key, value]) => ({ key, value }))];
    const taskDefinition: RegisterTaskDefinitionRequest = {
      family: ecsName,
      ...(networkMode !== 'bridge' && ['host', 'none', 'awsvpc'].includes(networkMode) ? { networkMode: networkMode as 'host' | 'none' | 'awsvpc' } : {}),
      containerDefinitions: [c],
      ...(opts.volumes.length ? { volumes: opts.volumes } : {}),
      ...(opts.pidMode ? { pidMode: opts.pidMode } : {}),
      ...(opts.ipcMode ? { ipcMode: opts.ipcMode } : {}),
    };
    const desiredCount = mode === 'global' ? undefined : replicas === undefined ? 1 : Number(replicas);
    if (desiredCount !== undefined && (!Number.isInteger(desiredCount) || desiredCount < 0)) bad('deploy.replicas', `${String(replicas)} is not a count of tasks`);
    if (published.length && networkMode === 'host' && (desiredCount ?? 0) > 1 && order === 'start-first') {
      bad('network_mode', 'host networking with several replicas cannot roll start-first (each copy needs the same host port): use bridge networking, or deploy.update_config.order: stop-first');
    }
    services.push({ name, ecsName, taskDefinition, schedulingStrategy: mode === 'global' ? 'DAEMON' : 'REPLICA', desiredCount, deploymentConfiguration, published, dependsOn, build, tags,
      ...(networkMode === 'awsvpc' ? { discovery: true } : {}) });
  }

  // Cycles in depends_on cannot be ordered.
  const order = deployOrder(services);
  if (!order) refuse('depends_on', 'the services depend on each other in a cycle');
  const network = services.some((s) => s.discovery) ? { namespace, securityGroup: awsName(`${project}`, 255) } : undefined;
  return { project, loadBalancerName, logGroup, services: order ?? services, refusals, ...(network ? { network } : {}) };
}

/** Services sorted so each comes after what it depends on; undefined on a cycle. */
export function deployOrder(services: DesiredService[]): DesiredService[] | undefined {
  const byName = new Map(services.map((s) => [s.name, s]));
  const out: DesiredService[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (s: DesiredService): boolean => {
    if (state.get(s.name) === 'done') return true;
    if (state.get(s.name) === 'visiting') return false;
    state.set(s.name, 'visiting');
    for (const d of s.dependsOn) { const t = byName.get(d.service); if (t && !visit(t)) return false; }
    state.set(s.name, 'done');
    out.push(s);
    return true;
  };
  for (const s of services) if (!visit(s)) return undefined;
  return out;
}
