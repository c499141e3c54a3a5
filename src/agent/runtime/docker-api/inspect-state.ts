/**
 * Docker Engine API inspect/list JSON → the neutral ContainerState. Pure.
 * Docker and Podman write "0001-01-01T00:00:00Z" for a time that has not happened; that becomes null.
 */
import type { ContainerState, ContainerStatus, HostPortMapping, Protocol } from '../driver.js';

export interface InspectJson {
  Id: string;
  Name?: string;
  Image?: string;
  State?: {
    Status?: string;
    Running?: boolean;
    Pid?: number;
    OOMKilled?: boolean;
    ExitCode?: number;
    Error?: string;
    StartedAt?: string;
    FinishedAt?: string;
  };
  Config?: { Labels?: Record<string, string> | null };
  NetworkSettings?: { Ports?: PortsJson; IPAddress?: string; Networks?: Record<string, { IPAddress?: string }> | null };
}

const STATUSES: ReadonlySet<string> = new Set(['created', 'running', 'paused', 'restarting', 'removing', 'exited', 'dead']);

export function toStatus(s: string | undefined): ContainerStatus {
  // Podman reports "stopped"/"configured"/"initialized" in some paths; fold them onto Docker's set.
  if (s === 'stopped') return 'exited';
  // Podman 4.3 says "stopping" (Running: false, ExitCode: 0) while a stop waits out its timeout; the
  // process still runs, and reading it as exited reported exit 0 for containers later SIGKILLed (137).
  if (s === 'stopping') return 'running';
  if (s === 'configured' || s === 'initialized') return 'created';
  return s && STATUSES.has(s) ? (s as ContainerStatus) : 'dead';
}

export function toDate(s: string | undefined): Date | null {
  if (!s || s.startsWith('0001-01-01')) return null;
  const d = new Date(s);
  return Number.isNaN(d.getTime()) ? null : d;
}

type PortsJson = Record<string, { HostIp: string; HostPort: string }[] | null> | null | undefined;

export function hostPorts(ports: PortsJson): HostPortMapping[] {
  const out: HostPortMapping[] = [];
  for (const [key, bindings] of Object.entries(ports ?? {})) {
    const [port, proto] = key.split('/');
    for (const b of bindings ?? []) {
      if (!b.HostPort) continue;
      out.push({ containerPort: Number(port), hostPort: Number(b.HostPort), protocol: (proto ?? 'tcp') as Protocol, hostIp: b.HostIp ?? '' });
    }
  }
  return out.sort((a, b) => a.containerPort - b.containerPort || a.hostPort - b.hostPort);
}

export function toContainerState(j: InspectJson, imageDigest: string | null): ContainerState {
  const st = j.State ?? {};
  const status = toStatus(st.Status);
  const exited = status === 'exited' || status === 'dead';
  return {
    id: j.Id,
    name: (j.Name ?? '').replace(/^\//, ''),
    status,
    running: st.Status === 'stopping' ? true : (st.Running ?? status === 'running'),
    exitCode: exited ? (st.ExitCode ?? null) : null,
    oomKilled: st.OOMKilled ?? false,
    startedAt: toDate(st.StartedAt),
    finishedAt: exited ? toDate(st.FinishedAt) : null,
    error: st.Error ? st.Error : null,
    hostPorts: hostPorts(j.NetworkSettings?.Ports),
    imageId: j.Image ?? '',
    imageDigest,
    labels: { ...(j.Config?.Labels ?? {}) },
    ipAddresses: [...new Set([j.NetworkSettings?.IPAddress, ...Object.values(j.NetworkSettings?.Networks ?? {}).map((n) => n.IPAddress)].filter((a): a is string => !!a))],
    pid: st.Running && st.Pid ? st.Pid : null,
  };
}
