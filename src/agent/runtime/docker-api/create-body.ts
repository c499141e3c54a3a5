/**
 * ContainerSpec → the Docker Engine API `POST /containers/create` body. Pure.
 *
 * Choices that differ from a plain translation:
 * - MemorySwap = Memory when a hard limit is set: without it Docker allows as much swap again (2× the
 *   limit in total) and an ECS task would outlive its `memory`. With `maxSwap` it is Memory + maxSwap
 *   (Docker's MemorySwap counts memory and swap together), and `swappiness` applies only then, as ECS
 *   documents ("if maxSwap is not specified, swappiness is ignored").
 * - no-new-privileges is on unless the spec turns it off (reference/reliability.md §6: Docker's default
 *   plus no-new-privileges).
 * - Wharf's labels are applied after the user's dockerLabels so a task definition cannot forge the labels
 *   the agent adopts containers by.
 * - A dynamic host port is sent as HostPort "" (Docker and Podman both choose a free port).
 * - Ulimits: sending any replaces the runtime's whole default list, and Podman 4.3 then adds its own
 *   RLIMIT_NPROC=1048576, above the host's hard limit: start fails with "error setting rlimit type 6:
 *   operation not permitted" (seen here). So when a spec sets some ulimits, the ones it leaves out are
 *   filled from `defaultUlimits` (the containers.conf defaults scripts/setup-runtime.sh writes).
 */
import type { ContainerSpec, Ulimit } from '../driver.js';

export const DEFAULT_ULIMITS: readonly Ulimit[] = [
  { name: 'nofile', soft: 1024, hard: 1024 },
  { name: 'nproc', soft: 4096, hard: 4096 },
];

const MiB = 1024 * 1024;

export interface CreateBody {
  Image: string;
  Cmd?: string[];
  Entrypoint?: string[];
  Env: string[];
  WorkingDir?: string;
  User?: string;
  Labels: Record<string, string>;
  ExposedPorts?: Record<string, Record<string, never>>;
  StopSignal?: string;
  Hostname?: string;
  Tty?: boolean;
  OpenStdin?: boolean;
  HostConfig: {
    NetworkMode: string;
    CpuShares?: number;
    Memory?: number;
    MemorySwap?: number;
    MemoryReservation?: number;
    Ulimits?: { Name: string; Soft: number; Hard: number }[];
    PortBindings?: Record<string, { HostIp: string; HostPort: string }[]>;
    ReadonlyRootfs: boolean;
    Init?: boolean;
    Privileged: boolean;
    CapAdd?: string[];
    CapDrop?: string[];
    SecurityOpt: string[];
    Devices?: { PathOnHost: string; PathInContainer: string; CgroupPermissions: string }[];
    ShmSize?: number;
    Tmpfs?: Record<string, string>;
    MemorySwappiness?: number;
    Dns?: string[];
    DnsSearch?: string[];
    ExtraHosts?: string[];
    Sysctls?: Record<string, string>;
    PidMode?: string;
    IpcMode?: string;
    Binds?: string[];
    VolumesFrom?: string[];
  };
}

export function createBody(spec: ContainerSpec, opts: { defaultUlimits?: readonly Ulimit[] } = {}): CreateBody {
  const networkMode = spec.networkMode ?? 'bridge';
  const body: CreateBody = {
    Image: spec.image,
    Env: Object.entries(spec.env ?? {}).map(([k, v]) => `${k}=${v}`),
    Labels: { ...(spec.dockerLabels ?? {}), ...(spec.labels ?? {}) },
    HostConfig: {
      NetworkMode: networkMode,
      ReadonlyRootfs: spec.readonlyRootfs ?? false,
      Privileged: spec.privileged ?? false,
      SecurityOpt: [...((spec.noNewPrivileges ?? true) ? ['no-new-privileges'] : []), ...(spec.securityOpt ?? [])],
    },
  };
  if (spec.command) body.Cmd = spec.command;
  if (spec.entryPoint) body.Entrypoint = spec.entryPoint;
  if (spec.workingDir) body.WorkingDir = spec.workingDir;
  if (spec.user) body.User = spec.user;
  if (spec.stopSignal) body.StopSignal = spec.stopSignal;
  const hc = body.HostConfig;
  if (spec.cpuShares !== undefined) hc.CpuShares = spec.cpuShares;
  if (spec.memoryMiB !== undefined) {
    hc.Memory = spec.memoryMiB * MiB;
    hc.MemorySwap = hc.Memory + (spec.maxSwapMiB ?? 0) * MiB;
    if (spec.maxSwapMiB !== undefined && spec.swappiness !== undefined) hc.MemorySwappiness = spec.swappiness;
  }
  if (spec.memoryReservationMiB !== undefined) hc.MemoryReservation = spec.memoryReservationMiB * MiB;
  if (spec.ulimits?.length) {
    const given = new Set(spec.ulimits.map((u) => u.name));
    const all = [...spec.ulimits, ...(opts.defaultUlimits ?? DEFAULT_ULIMITS).filter((u) => !given.has(u.name))];
    hc.Ulimits = all.map((u) => ({ Name: u.name, Soft: u.soft, Hard: u.hard }));
  }
  if (spec.init !== undefined) hc.Init = spec.init;
  if (spec.capAdd?.length) hc.CapAdd = spec.capAdd;
  if (spec.capDrop?.length) hc.CapDrop = spec.capDrop;
  if (spec.hostname) body.Hostname = spec.hostname;
  if (spec.tty) body.Tty = true;
  if (spec.openStdin) body.OpenStdin = true;
  if (spec.devices?.length) {
    hc.Devices = spec.devices.map((d) => ({ PathOnHost: d.hostPath, PathInContainer: d.containerPath ?? d.hostPath, CgroupPermissions: d.permissions || 'rwm' }));
  }
  if (spec.shmSizeMiB !== undefined) hc.ShmSize = spec.shmSizeMiB * MiB;
  if (spec.tmpfs?.length) {
    hc.Tmpfs = Object.fromEntries(spec.tmpfs.map((t) => [t.containerPath, [`size=${t.sizeMiB}m`, ...(t.mountOptions ?? [])].join(',')]));
  }
  if (spec.dns?.length) hc.Dns = spec.dns;
  if (spec.dnsSearch?.length) hc.DnsSearch = spec.dnsSearch;
  if (spec.extraHosts?.length) hc.ExtraHosts = spec.extraHosts.map((h) => `${h.hostname}:${h.ip}`);
  if (spec.sysctls && Object.keys(spec.sysctls).length) hc.Sysctls = spec.sysctls;
  if (spec.mounts?.length) {
    // Binds, not Mounts: both engines take them the same way (the agent has already checked that a host
    // path exists and may be mounted, and created the volumes).
    hc.Binds = spec.mounts.map((m) => `${m.source}:${m.target}${m.readOnly ? ':ro' : ''}`);
  }
  if (spec.volumesFrom?.length) hc.VolumesFrom = spec.volumesFrom.map((v) => `${v.container}${v.readOnly ? ':ro' : ''}`);
  if (spec.pidMode) hc.PidMode = spec.pidMode;
  if (spec.ipcMode) hc.IpcMode = spec.ipcMode;
  if (spec.portBindings?.length) {
    if (networkMode !== 'bridge') throw new Error(`portBindings need networkMode bridge, not ${networkMode}`);
    body.ExposedPorts = {};
    hc.PortBindings = {};
    for (const p of spec.portBindings) {
      const key = `${p.containerPort}/${p.protocol ?? 'tcp'}`;
      body.ExposedPorts[key] = {};
      (hc.PortBindings[key] ??= []).push({ HostIp: p.hostIp ?? '', HostPort: p.hostPort ? String(p.hostPort) : '' });
    }
  }
  return body;
}
