/**
 * A task's volumes on this host: what each task definition volume becomes, and the host-path policy.
 *
 *   volume                                        on this host
 *   host.sourcePath                          ─►   bind mount of that directory (must exist; policy below)
 *   host {} / neither host nor Docker config ─►   a task-scoped local volume (empty, removed with the task)
 *   dockerVolumeConfiguration scope task     ─►   a volume made for this task (driver, driverOpts, labels),
 *                                                  removed when the task's containers are
 *   dockerVolumeConfiguration scope shared   ─►   the volume named like the task definition volume; made if
 *                                                  missing and autoprovision is true, else the task fails;
 *                                                  it outlives the task
 *
 * Task-scoped volumes are named `ecs-<family>-<revision>-<volume>-<20 hex of the task id>` (like the
 * task's containers: deterministic, so an agent restart finds them again) and labelled with the task ARN,
 * the agent's host id and `wharf.volume-scope=task`, which is how cleanup finds them.
 *
 * Host paths: mounting a host directory into a task gives the task whatever is in it, so the agent
 * refuses paths that would hand a task the host: the runtime's socket (root on the host), /etc/shadow and
 * friends, and any directory that contains one of them (mounting /etc or / exposes /etc/shadow), unless
 * the instance opts in (`wharf agent --allow-sensitive-host-volumes`). An instance may also restrict host
 * volumes to an allow-list of directories (`--host-volume-allow DIR`, repeatable). Paths are compared
 * after resolving symlinks, so a link cannot smuggle a denied path in.
 */
import { realpathSync } from 'node:fs';
import type { Volume } from '@aws-sdk/client-ecs';
import { LABELS, type TaskSpec } from '../protocol/agent-messages.js';
import { HOST_ID_LABEL, taskId } from './container-spec.js';
import type { Mount, VolumeSpec } from './runtime/driver.js';

export const VOLUME_SCOPE_LABEL = 'wharf.volume-scope';

/** Paths no task may mount unless the instance opts in; the agent adds its runtime socket and state dir. */
export const SENSITIVE_HOST_PATHS: readonly string[] = [
  '/etc/shadow', '/etc/gshadow', '/etc/sudoers', '/etc/sudoers.d', '/etc/ssh', '/root/.ssh',
  '/run/podman/podman.sock', '/var/run/docker.sock', '/run/docker.sock', '/run/containerd/containerd.sock',
  '/var/lib/containers', '/var/lib/docker', '/proc', '/sys', '/boot',
];

export interface HostPathPolicy {
  /** Directories (and what is under them) tasks may mount; undefined or empty = any path that is not sensitive. */
  allow?: readonly string[];
  /** Mount sensitive paths too. Default false. */
  allowSensitive?: boolean;
  /** Sensitive paths beyond SENSITIVE_HOST_PATHS (the agent's runtime socket, its state directory). */
  sensitive?: readonly string[];
}

/** What a task definition volume is on this host. */
export type PlannedVolume =
  | { name: string; kind: 'bind'; hostPath: string }
  | { name: string; kind: 'volume'; volume: VolumeSpec; scope: 'task' | 'shared'; autoprovision: boolean };

export class VolumeError extends Error {}

const inside = (path: string, dir: string) => path === dir || path.startsWith(dir.endsWith('/') ? dir : `${dir}/`);
const safe = (s: string) => s.replace(/[^a-zA-Z0-9_.-]/g, '-');

/** The task-scoped volume name for `volume` of this task. */
export function taskVolumeName(spec: Pick<TaskSpec, 'taskArn' | 'family' | 'revision'>, volume: string): string {
  return `ecs-${safe(spec.family)}-${spec.revision}-${safe(volume)}-${taskId(spec.taskArn).replace(/-/g, '').slice(0, 20)}`;
}

/** Why this host path may not be mounted, or undefined when it may. `real` is the path with symlinks resolved. */
export function hostPathRefusal(path: string, real: string, policy: HostPathPolicy): string | undefined {
  if (!policy.allowSensitive) {
    for (const s of [...SENSITIVE_HOST_PATHS, ...(policy.sensitive ?? [])]) {
      for (const p of new Set([path, real])) {
        if (inside(p, s)) return `it is (or is inside) ${s}, which would give the task control of the host`;
        if (inside(s, p)) return `it contains ${s}, which would give the task control of the host`;
      }
    }
  }
  if (policy.allow?.length && !policy.allow.some((a) => inside(real, a))) {
    return `this container instance allows host volumes only under ${policy.allow.join(', ')}`;
  }
  return undefined;
}

/**
 * The task's volumes as this host will provide them. Throws VolumeError (whose message is the stop
 * reason) for a host path that is missing or refused; touches nothing in the runtime.
 */
export function planVolumes(spec: TaskSpec, opts: { hostId: string; policy: HostPathPolicy; realpath?: (p: string) => string }): PlannedVolume[] {
  const realpath = opts.realpath ?? ((p: string) => realpathSync(p));
  return spec.volumes.map((v: Volume): PlannedVolume => {
    const name = v.name ?? '';
    const source = v.host?.sourcePath;
    if (source) {
      let real: string;
      try {
        real = realpath(source);
      } catch {
        // Docker's own words for a bind source that is not there.
        throw new VolumeError(`CannotCreateContainerError: Error response from daemon: invalid mount config for type "bind": bind source path does not exist: ${source}`);
      }
      const why = hostPathRefusal(source, real, opts.policy);
      if (why) throw new VolumeError(`CannotCreateContainerError: host path ${source} (volume '${name}') may not be mounted on this container instance: ${why}`);
      return { name, kind: 'bind', hostPath: real };
    }
    const d = v.dockerVolumeConfiguration;
    const scope = d?.scope === 'shared' ? 'shared' : 'task';
    const taskLabels = { [LABELS.taskArn]: spec.taskArn, [HOST_ID_LABEL]: opts.hostId, [VOLUME_SCOPE_LABEL]: 'task' };
    return {
      name, kind: 'volume', scope, autoprovision: d?.autoprovision ?? false,
      volume: {
        name: scope === 'shared' ? name : taskVolumeName(spec, name),
        driver: d?.driver ?? 'local',
        ...(d?.driverOpts ? { driverOpts: { ...d.driverOpts } } : {}),
        labels: { ...(d?.labels ?? {}), ...(scope === 'task' ? taskLabels : {}) },
      },
    };
  });
}

/** A container's mountPoints as runtime mounts, given where each volume ended up. */
export function containerMounts(mountPoints: readonly { sourceVolume?: string; containerPath?: string; readOnly?: boolean }[] | undefined, planned: readonly PlannedVolume[]): Mount[] {
  return (mountPoints ?? []).map((m) => {
    const v = planned.find((p) => p.name === m.sourceVolume);
    if (!v) throw new VolumeError(`CannotCreateContainerError: mount point ${m.containerPath ?? ''} names volume '${m.sourceVolume ?? ''}', which the task does not have`);
    return v.kind === 'bind'
      ? { type: 'bind', source: v.hostPath, target: m.containerPath ?? '', readOnly: m.readOnly ?? false }
      : { type: 'volume', source: v.volume.name, target: m.containerPath ?? '', readOnly: m.readOnly ?? false };
  });
}
