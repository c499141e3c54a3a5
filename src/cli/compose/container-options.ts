/**
 * The Compose service keys that become ECS container-definition options the agent applies (volumes and
 * mounts, linuxParameters, /etc/hosts and DNS, sysctls, terminals, namespaces, swap). Pure. Mapped the
 * way ECS's own Compose tools did (amazon-ecs-cli's compose adapter with ecs-params `docker_volumes`, and
 * the Docker Compose ECS integration):
 *
 *   volumes: NAME:/path         → task volume P_NAME, dockerVolumeConfiguration scope shared, autoprovision
 *                                  (a Compose named volume outlives its containers: a shared ECS volume
 *                                  outlives the task, on each instance); `external: true` → autoprovision
 *                                  false (it must exist); driver_opts, labels → driverOpts, labels
 *   volumes: /path               → an anonymous volume: dockerVolumeConfiguration scope task (gone with the task)
 *   volumes: ./dir:/path         → a host volume with sourcePath (absolute; it must exist on the instance)
 *   :ro / read_only: true        → mountPoints readOnly
 *   tmpfs, type: tmpfs           → linuxParameters.tmpfs (ECS needs a size: `size=64m`, as ecs-cli required)
 *   extra_hosts                  → extraHosts          sysctls     → systemControls
 *   hostname                     → hostname            dns, dns_search → dnsServers, dnsSearchDomains
 *   tty, stdin_open              → pseudoTerminal, interactive
 *   shm_size                     → linuxParameters.sharedMemorySize (MiB)
 *   security_opt                 → dockerSecurityOptions (no-new-privileges, apparmor:P, label:V)
 *   devices                      → linuxParameters.devices (r/w/m → read/write/mknod)
 *   ipc: host|none, pid: host    → ipcMode, pidMode (task level)
 *   memswap_limit, mem_swappiness → linuxParameters.maxSwap (memswap − memory), swappiness
 */
import type { ContainerDefinition, Device, DeviceCgroupPermission, HostEntry, IpcMode, MountPoint, PidMode, Tmpfs, Volume } from '@aws-sdk/client-ecs';

/** `512m`, `1g`, `1024k`, `1073741824` (bytes) → MiB, rounded up. */
export function parseMemoryMiB(v: unknown): number | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  const m = /^(\d+(?:\.\d+)?)\s*([bkmgt]?)i?b?$/i.exec(String(v).trim());
  if (!m) throw new Error(`"${String(v)}" is not a memory size (like 512m or 1g)`);
  const mult: Record<string, number> = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };
  return Math.ceil((Number(m[1]) * mult[m[2].toLowerCase()]) / 1024 ** 2);
}

export interface OptionsContext {
  project: string;
  /** The Compose file's top-level `volumes`. */
  topVolumes: Record<string, unknown>;
  /** Resolves a path relative to the Compose file's directory. */
  resolvePath: (path: string) => string;
  home?: string;
  networkMode: string;
  /** The container's hard memory limit in MiB, if any (memswap_limit counts from it). */
  memoryMiB?: number;
  bad: (field: string, why: string) => void;
}

export interface ContainerOptions {
  container: Partial<ContainerDefinition>;
  volumes: Volume[];
  pidMode?: PidMode;
  ipcMode?: IpcMode;
}

const truthy = (v: unknown) => v === true || v === 'true';
const list = (v: unknown): string[] => (v === undefined || v === null ? [] : Array.isArray(v) ? v.map(String) : [String(v)]);
/** `K=V` list or map → pairs (Compose's "list or dict"). */
const pairs = (v: unknown, sep = '='): [string, string][] => Array.isArray(v)
  ? v.map((x) => { const s = String(x); const i = s.indexOf(sep); return i < 0 ? [s, ''] as [string, string] : [s.slice(0, i), s.slice(i + 1)] as [string, string]; })
  : Object.entries((v ?? {}) as Record<string, unknown>).map(([k, x]) => [k, x === null || x === undefined ? '' : String(x)]);

/** ECS volume names: up to 255 letters, digits, hyphens and underscores. */
const VOLUME_NAME = /^[A-Za-z0-9_-]{1,255}$/;

interface MountSpec { type: string; source?: string; target: string; readOnly: boolean; at: string; raw: Record<string, unknown> }

/** Short syntax `[SOURCE:]TARGET[:MODE]` or the long syntax → one mount. */
function parseMount(v: unknown, at: string, bad: OptionsContext['bad']): MountSpec | undefined {
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    const type = String(o.type ?? 'volume');
    if (typeof o.target !== 'string' || !o.target) { bad(at, 'a mount needs a target path'); return undefined; }
    return { type, source: o.source === undefined ? undefined : String(o.source), target: o.target, readOnly: truthy(o.read_only), at, raw: o };
  }
  const parts = String(v).split(':');
  let source: string | undefined, target: string, mode: string | undefined;
  if (parts.length === 1) target = parts[0];
  else if (parts.length === 2) {
    // `/path:ro` is an anonymous volume with a mode; `src:/path` a source and a target.
    if (parts[1].startsWith('/')) [source, target] = parts; else [target, mode] = parts;
  } else if (parts.length === 3) [source, target, mode] = parts;
  else { bad(at, `"${String(v)}" is not [SOURCE:]TARGET[:MODE]`); return undefined; }
  const modes = (mode ?? '').split(',').filter(Boolean);
  for (const m of modes) {
    if (m === 'z' || m === 'Z') bad(at, `mode ${m}: ECS cannot relabel mounts for SELinux; remove ":${m}" (or label the host directory yourself)`);
    else if (m === 'nocopy') bad(at, 'mode nocopy: ECS volumes always start with the image\'s content at that path; remove ":nocopy"');
    else if (!['ro', 'rw'].includes(m)) bad(at, `mode "${m}" is not ro or rw (ECS mountPoints are read-only or read-write)`);
  }
  const type = source === undefined ? 'volume' : /^[./~]/.test(source) ? 'bind' : 'volume';
  return { type, source, target, readOnly: modes.includes('ro'), at, raw: {} };
}

/** A tmpfs `PATH[:OPTIONS]` (docker --tmpfs syntax) → ECS Tmpfs; ECS needs a size. */
function tmpfsOf(path: string, options: string[], at: string, bad: OptionsContext['bad']): Tmpfs | undefined {
  let size: number | undefined;
  const mountOptions: string[] = [];
  for (const o of options) {
    if (o.startsWith('size=')) {
      try { size = parseMemoryMiB(o.slice(5)); } catch (e) { bad(at, (e as Error).message); return undefined; }
    } else mountOptions.push(o);
  }
  if (!path.startsWith('/')) { bad(at, `"${path}" is not an absolute path`); return undefined; }
  if (!size) { bad(at, `ECS tmpfs mounts need a size: write "${path}:size=64m" (or tmpfs.size in the long syntax); Docker's default (half the host's memory) has no ECS equivalent`); return undefined; }
  return { containerPath: path, size, ...(mountOptions.length ? { mountOptions } : {}) };
}

export function containerOptions(s: Record<string, unknown>, x: OptionsContext): ContainerOptions {
  const { bad } = x;
  const c: Partial<ContainerDefinition> = {};
  const lp: NonNullable<ContainerDefinition['linuxParameters']> = {};
  const volumes: Volume[] = [];
  const mountPoints: MountPoint[] = [];
  const tmpfs: Tmpfs[] = [];

  // ── volumes ──
  const addVolume = (v: Volume) => { if (!volumes.some((w) => w.name === v.name)) volumes.push(v); return v.name!; };
  for (const [i, v] of ((s.volumes ?? []) as unknown[]).entries()) {
    const at = `volumes[${i}]`;
    const m = parseMount(v, at, bad);
    if (!m) continue;
    if (!m.target.startsWith('/')) { bad(at, `"${m.target}" is not an absolute container path`); continue; }
    for (const k of Object.keys(m.raw)) {
      if (['type', 'source', 'target', 'read_only', 'consistency', 'volume', 'bind', 'tmpfs'].includes(k) || k.startsWith('x-')) continue;
      bad(`${at}.${k}`, `"${k}" has no ECS mount equivalent`);
    }
    const sub = (k: string) => (m.raw[k] ?? {}) as Record<string, unknown>;
    if (m.type === 'tmpfs') {
      const t = sub('tmpfs');
      for (const k of Object.keys(t)) if (!['size', 'mode'].includes(k)) bad(`${at}.tmpfs.${k}`, `"${k}" has no ECS tmpfs equivalent`);
      const opts = [...(t.size !== undefined ? [`size=${String(t.size)}`] : []), ...(t.mode !== undefined ? [`mode=${(Number(t.mode)).toString(8)}`] : []), ...(m.readOnly ? ['ro'] : [])];
      const tf = tmpfsOf(m.target, opts, at, bad);
      if (tf) tmpfs.push(tf);
      continue;
    }
    if (m.type === 'bind') {
      for (const k of Object.keys(sub('bind'))) {
        if (k === 'create_host_path') continue; // the agent never creates host paths; the docs say so
        bad(`${at}.bind.${k}`, k === 'propagation' ? 'ECS mounts have no propagation setting' : k === 'selinux' ? 'ECS cannot relabel mounts for SELinux' : `"${k}" has no ECS equivalent`);
      }
      if (!m.source) { bad(at, 'a bind mount needs a source path'); continue; }
      const src = m.source.startsWith('~') ? `${x.home ?? '~'}${m.source.slice(1)}` : x.resolvePath(m.source);
      // One host volume per source path, named after its position among the service's host paths.
      const existing = volumes.find((w) => w.host?.sourcePath === src);
      const name = existing?.name ?? addVolume({ name: `host-${volumes.filter((w) => w.host).length}`, host: { sourcePath: src } });
      mountPoints.push({ sourceVolume: name, containerPath: m.target, readOnly: m.readOnly });
      continue;
    }
    if (m.type !== 'volume') {
      bad(at, `mount type ${m.type}: ECS tasks mount volumes, host paths and tmpfs only${m.type === 'image' ? ' (build the files into the image instead)' : ''}`);
      continue;
    }
    const vo = sub('volume');
    for (const k of Object.keys(vo)) {
      if (k === 'nocopy' && !truthy(vo.nocopy)) continue;
      bad(`${at}.volume.${k}`, k === 'nocopy' ? 'ECS volumes always start with the image\'s content at that path' : k === 'subpath' ? 'ECS mounts a whole volume; mount it at a parent path instead' : `"${k}" has no ECS equivalent`);
    }
    if (!m.source) {
      // Anonymous: a volume for this task alone.
      const name = addVolume({ name: `anon-${volumes.filter((w) => w.dockerVolumeConfiguration?.scope === 'task').length}`, dockerVolumeConfiguration: { scope: 'task', driver: 'local' } });
      mountPoints.push({ sourceVolume: name, containerPath: m.target, readOnly: m.readOnly });
      continue;
    }
    if (!Object.hasOwn(x.topVolumes, m.source)) { bad(at, `volume ${m.source} is not declared in the top-level volumes section`); continue; }
    const top = (x.topVolumes[m.source] ?? {}) as Record<string, unknown>;
    const external = top.external === true || top.external === 'true' || (typeof top.external === 'object' && top.external !== null);
    const externalName = typeof top.external === 'object' && top.external ? (top.external as { name?: unknown }).name : undefined;
    const runtimeName = String(top.name ?? externalName ?? (external ? m.source : `${x.project}_${m.source}`));
    if (!VOLUME_NAME.test(runtimeName)) { bad(at, `volume name "${runtimeName}" is not an ECS volume name (up to 255 letters, digits, hyphens and underscores): set the volume's name: to one`); continue; }
    const driver = top.driver === undefined ? 'local' : String(top.driver);
    if (driver !== 'local') { bad(at, `volume ${m.source}: driver ${driver} — Wharf's agents run the local volume driver only (an ECS task needing another driver would never be placed)`); continue; }
    const driverOpts = Object.fromEntries(pairs(top.driver_opts));
    const labels = Object.fromEntries(pairs(top.labels));
    const name = addVolume({ name: runtimeName, dockerVolumeConfiguration: {
      scope: 'shared', autoprovision: !external, driver: 'local',
      ...(Object.keys(driverOpts).length ? { driverOpts } : {}), ...(Object.keys(labels).length ? { labels } : {}),
    } });
    mountPoints.push({ sourceVolume: name, containerPath: m.target, readOnly: m.readOnly });
  }
  if (mountPoints.length) c.mountPoints = mountPoints;

  // ── tmpfs (service key) ──
  for (const [i, t] of list(s.tmpfs).entries()) {
    const at = Array.isArray(s.tmpfs) ? `tmpfs[${i}]` : 'tmpfs';
    const j = t.indexOf(':');
    const tf = tmpfsOf(j < 0 ? t : t.slice(0, j), j < 0 ? [] : t.slice(j + 1).split(',').filter(Boolean), at, bad);
    if (tf) tmpfs.push(tf);
  }
  if (tmpfs.length) lp.tmpfs = tmpfs;

  // ── /etc/hosts, DNS, hostname ──
  const awsvpc = 'with awsvpc networking (wharf deploy\'s default where the cluster can run it, so that services reach each other by name) ECS';
  const useBridge = 'set network_mode: bridge on this service, or deploy with --network bridge';
  if (s.extra_hosts !== undefined && x.networkMode === 'awsvpc') bad('extra_hosts', `${awsvpc} adds no /etc/hosts entries: ${useBridge}`);
  else if (s.extra_hosts !== undefined) {
    const entries: HostEntry[] = [];
    const raw: [string, string][] = Array.isArray(s.extra_hosts)
      ? s.extra_hosts.map((e) => { const v = String(e); const i = v.includes('=') ? v.indexOf('=') : v.indexOf(':'); return i < 0 ? [v, ''] : [v.slice(0, i), v.slice(i + 1)]; })
      : Object.entries(s.extra_hosts as Record<string, unknown>).flatMap(([h, ip]) => list(ip).map((a): [string, string] => [h, a]));
    for (const [hostname, ip0] of raw) {
      const ip = ip0.replace(/^\[|\]$/g, '');
      if (!hostname || !ip) bad('extra_hosts', `"${hostname}${ip0 ? `:${ip0}` : ''}" is not HOST:IP`);
      else if (ip === 'host-gateway') bad('extra_hosts', `${hostname}: host-gateway is a Docker Engine alias ECS extraHosts do not take; give the address (the bridge's gateway), or use host.containers.internal, which Podman writes into every container`);
      else entries.push({ hostname, ipAddress: ip });
    }
    if (entries.length) c.extraHosts = entries;
  }
  if (s.hostname !== undefined) {
    if (x.networkMode === 'host') bad('hostname', 'ECS does not set a hostname with host networking (the container has the host\'s)');
    else if (x.networkMode === 'awsvpc') bad('hostname', `${awsvpc} sets no hostname: ${useBridge}`);
    else c.hostname = String(s.hostname);
  }
  if (s.domainname !== undefined) bad('domainname', 'ECS containers have no domain name setting: put the full name in hostname');
  if (s.dns !== undefined) c.dnsServers = list(s.dns);
  if (s.dns_search !== undefined) c.dnsSearchDomains = list(s.dns_search);
  if (s.dns_opt !== undefined) bad('dns_opt', 'ECS containers have no DNS resolver options (only dnsServers and dnsSearchDomains)');

  // ── kernel and runtime options ──
  if (s.sysctls !== undefined) c.systemControls = pairs(s.sysctls).map(([namespace, value]) => ({ namespace, value }));
  if (s.tty !== undefined) c.pseudoTerminal = truthy(s.tty);
  if (s.stdin_open !== undefined) c.interactive = truthy(s.stdin_open);
  if (s.shm_size !== undefined) {
    try { lp.sharedMemorySize = parseMemoryMiB(s.shm_size); } catch (e) { bad('shm_size', (e as Error).message); }
  }
  if (s.security_opt !== undefined) {
    const opts: string[] = [];
    for (const o of list(s.security_opt)) {
      const [k, v = ''] = o.split(/[:=](.*)/s);
      if (k === 'no-new-privileges') {
        if (v === '' || v === 'true') opts.push('no-new-privileges');
        else if (v === 'false') bad('security_opt', 'no-new-privileges:false — Wharf\'s agent always sets no-new-privileges (except for privileged containers), and ECS has no option to turn it off');
        else bad('security_opt', `"${o}" is not no-new-privileges:true|false`);
      } else if ((k === 'apparmor' || k === 'label') && v) opts.push(`${k}:${v}`);
      else if (k === 'seccomp') bad('security_opt', `"${o}": ECS task definitions cannot set a seccomp profile (containers get the runtime's default); remove it, or drop/add capabilities instead`);
      else bad('security_opt', `"${o}": ECS dockerSecurityOptions are no-new-privileges, apparmor:PROFILE and label:VALUE`);
    }
    if (opts.length) c.dockerSecurityOptions = opts;
  }
  if (s.devices !== undefined) {
    const devices: Device[] = [];
    for (const [i, d] of ((s.devices ?? []) as unknown[]).entries()) {
      const o = d && typeof d === 'object' ? d as Record<string, unknown> : undefined;
      const parts = o ? [String(o.source ?? ''), String(o.target ?? o.source ?? ''), String(o.permissions ?? '')] : String(d).split(':');
      const [hostPath, containerPath = hostPath, perms = ''] = parts;
      if (!hostPath.startsWith('/')) { bad(`devices[${i}]`, `"${hostPath}": ECS passes host device paths (/dev/…); CDI device names have no ECS equivalent`); continue; }
      if (parts.length > 3 || !/^[rwm]*$/.test(perms)) { bad(`devices[${i}]`, `"${String(d)}" is not HOST[:CONTAINER[:rwm]]`); continue; }
      const permissions = [...new Set(perms.split(''))].map((p) => ({ r: 'read', w: 'write', m: 'mknod' })[p]! as DeviceCgroupPermission);
      devices.push({ hostPath, containerPath: containerPath || hostPath, ...(permissions.length ? { permissions } : {}) });
    }
    if (devices.length) lp.devices = devices;
  }

  // ── swap ──
  if (s.memswap_limit !== undefined) {
    try {
      const raw = String(s.memswap_limit);
      if (raw === '-1') bad('memswap_limit', 'unlimited swap (-1) has no ECS equivalent: give memory + swap as a size (ECS maxSwap is the swap part)');
      else {
        const total = parseMemoryMiB(s.memswap_limit)!;
        if (x.memoryMiB === undefined) bad('memswap_limit', 'memswap_limit counts from a memory limit: set deploy.resources.limits.memory (or mem_limit) too');
        else if (total < x.memoryMiB) bad('memswap_limit', `${total} MiB is below the memory limit (${x.memoryMiB} MiB); it is memory + swap`);
        else lp.maxSwap = total - x.memoryMiB;
      }
    } catch (e) { bad('memswap_limit', (e as Error).message); }
  }
  if (s.mem_swappiness !== undefined) {
    const v = Number(s.mem_swappiness);
    if (lp.maxSwap === undefined) bad('mem_swappiness', 'ECS applies swappiness only together with maxSwap: set memswap_limit too');
    else if (!Number.isInteger(v) || v < 0 || v > 100) bad('mem_swappiness', `${String(s.mem_swappiness)} is not 0–100`);
    else lp.swappiness = v;
  }

  // ── namespaces (task-level in ECS; one container per task here) ──
  let pidMode: PidMode | undefined, ipcMode: IpcMode | undefined;
  if (s.pid !== undefined && s.pid !== null) {
    if (String(s.pid) === 'host') pidMode = 'host';
    else bad('pid', `"${String(s.pid)}": ECS shares the host's PID namespace (pid: host) or a task's; another service's or container's needs both in one task, which a Compose service is not`);
  }
  if (s.ipc !== undefined && s.ipc !== null) {
    const ipc = String(s.ipc);
    if (ipc === 'host' || ipc === 'none') ipcMode = ipc;
    else if (ipc !== 'private' && ipc !== 'shareable') bad('ipc', `"${ipc}": ECS shares the host's IPC namespace (ipc: host) or none; another service's or container's needs both in one task, which a Compose service is not`);
    // private and shareable: the runtime's own namespace, which is what a task without ipcMode gets.
  }

  if (Object.keys(lp).length) c.linuxParameters = lp;
  return { container: c, volumes, pidMode, ipcMode };
}
