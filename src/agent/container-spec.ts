/**
 * ECS container definition (+ task-level fields) → the runtime-neutral ContainerSpec. Pure.
 *
 * Choices that differ from a literal translation (each is what the ECS agent does on Linux/EC2 unless noted):
 * - cpu: ECS `cpu` units become CPU shares; the kernel's minimum is 2, so 1 → 2. Absent or 0 leaves the
 *   runtime default (1024), as ECS passes 0 and Docker turns it into 1024.
 * - memory: container `memory` is the hard limit. A container with no `memory` in a task with task-level
 *   `memory` gets the task's memory as its own hard limit. (ECS puts the whole task in one cgroup with that
 *   limit; through the Docker API we can only limit containers one by one, so a task's containers could
 *   together use up to n × task memory. Documented in docs/agent.md; a task cgroup parent is the fix.)
 * - portMappings: bridge → runtime port bindings (hostPort 0/absent = dynamic); host → no bindings (the
 *   container binds host ports itself; we report hostPort = containerPort); none → no ports at all;
 *   awsvpc → the task's own namespace (`container:<pause>`), no bindings.
 * - pidMode/ipcMode task → `container:<pause>` (src/agent/namespace-pause.ts); host/none as given.
 * - privileged is false unless asked; no-new-privileges stays the driver's default (on), except for
 *   privileged containers, where it would be meaningless.
 * - Wharf's labels go in `labels` (the driver lets them win over the user's `dockerLabels`).
 */
import type { ContainerDefinition } from '@aws-sdk/client-ecs';
import { LABELS, type TaskSpec } from '../protocol/agent-messages.js';
import type { ContainerSpec, NetworkMode, PortBinding } from './runtime/driver.js';

/** Extra label (not in protocol LABELS' ECS set): which agent identity owns the container, so two agents
 * sharing one runtime socket never adopt or remove each other's containers. */
export const HOST_ID_LABEL = 'wharf.host-id';

export type EcsContainer = ContainerDefinition & { containerArn?: string };

export function taskId(taskArn: string): string {
  return taskArn.split('/').pop() ?? taskArn;
}

/** Docker names allow [a-zA-Z0-9][a-zA-Z0-9_.-]*; ECS family and container names allow [A-Za-z0-9_-]. */
const safe = (s: string) => s.replace(/[^a-zA-Z0-9_.-]/g, '-');

/**
 * `ecs-<family>-<rev>-<container>-<first 20 hex of the task id>`, as ECS names them (ECS uses random hex
 * at the end; ours is derived from the task id so the name is deterministic: a create that raced a crash
 * fails with "name already in use" instead of making a second container for the same task).
 */
export function runtimeName(spec: Pick<TaskSpec, 'taskArn' | 'family' | 'revision'>, container: string): string {
  return `ecs-${safe(spec.family)}-${spec.revision}-${safe(container)}-${taskId(spec.taskArn).replace(/-/g, '').slice(0, 20)}`;
}

export function networkModeOf(spec: Pick<TaskSpec, 'networkMode'>): NetworkMode {
  return spec.networkMode === 'host' ? 'host' : spec.networkMode === 'none' ? 'none' : 'bridge';
}

export function containerLabels(spec: TaskSpec, c: EcsContainer, hostId: string): Record<string, string> {
  return {
    [LABELS.taskArn]: spec.taskArn,
    [LABELS.containerName]: c.name ?? '',
    [LABELS.cluster]: spec.cluster,
    [LABELS.family]: spec.family,
    [LABELS.revision]: String(spec.revision),
    [LABELS.managedBy]: 'true',
    [HOST_ID_LABEL]: hostId,
  };
}

export function toContainerSpec(
  spec: TaskSpec, c: EcsContainer,
  opts: {
    hostId: string; image?: string; networkMode?: NetworkMode; endpointsPort?: number;
    /** Bridge containers without dnsServers of their own ask this resolver (the agent's bridge resolver address). */ resolver?: string;
    /** awsvpc: the task's resolv.conf on the host (taskResolvConf), mounted at /etc/resolv.conf. */ resolvConf?: string;
    /** pidMode/ipcMode task: the pause container holding them. */ namespacePause?: string;
  },
): ContainerSpec {
  // awsvpc: every container joins the task's pause container (`container:<id>`); ports need no binding
  // there (the task has its own address, hostPort = containerPort).
  const networkMode = opts.networkMode ?? networkModeOf(spec);
  const out: ContainerSpec = {
    name: runtimeName(spec, c.name ?? ''),
    image: opts.image ?? c.image ?? '',
    labels: containerLabels(spec, c, opts.hostId),
    networkMode,
    privileged: c.privileged ?? false,
    readonlyRootfs: c.readonlyRootFilesystem ?? false,
  };
  if (c.command?.length) out.command = [...c.command];
  if (c.entryPoint?.length) out.entryPoint = [...c.entryPoint];
  if (c.environment?.length) out.env = Object.fromEntries(c.environment.filter((e) => e.name).map((e) => [e.name!, e.value ?? '']));
  const ecsEnv = endpointEnvironment(spec, c.name ?? '', opts.endpointsPort);
  const secrets = spec.secretEnvironment?.[c.name ?? ''];
  if (ecsEnv || secrets) out.env = { ...ecsEnv, ...out.env, ...secrets };
  if (c.workingDirectory) out.workingDir = c.workingDirectory;
  if (c.user) out.user = c.user;
  if (c.dockerLabels && Object.keys(c.dockerLabels).length) out.dockerLabels = { ...c.dockerLabels };
  if (c.cpu) out.cpuShares = Math.max(2, c.cpu);
  const memory = c.memory ?? spec.memory;
  if (memory) out.memoryMiB = memory;
  if (c.memoryReservation) out.memoryReservationMiB = c.memoryReservation;
  if (c.ulimits?.length) out.ulimits = c.ulimits.map((u) => ({ name: String(u.name), soft: u.softLimit ?? 0, hard: u.hardLimit ?? 0 }));
  if (c.linuxParameters?.initProcessEnabled) out.init = true;
  const caps = c.linuxParameters?.capabilities;
  if (caps?.add?.length) out.capAdd = [...caps.add];
  if (caps?.drop?.length) out.capDrop = [...caps.drop];
  if (out.privileged) out.noNewPrivileges = false;
  Object.assign(out, linuxOptions(c));
  if (c.dockerSecurityOptions?.length) {
    // ECS writes `apparmor:PROFILE` and `label:VALUE`; the Engine API takes `=` (the `:` form is deprecated).
    const opts = c.dockerSecurityOptions.map((o) => o.replace(/^(apparmor|label|seccomp):/, '$1='));
    const extra = opts.filter((o) => o !== 'no-new-privileges');
    if (extra.length) out.securityOpt = extra;
  }
  if (spec.pidMode === 'host') out.pidMode = 'host';
  if (spec.ipcMode === 'host' || spec.ipcMode === 'none') out.ipcMode = spec.ipcMode;
  // task: every container joins the task's pause container (src/agent/namespace-pause.ts).
  if (spec.pidMode === 'task' && opts.namespacePause) out.pidMode = `container:${opts.namespacePause}`;
  if (spec.ipcMode === 'task' && opts.namespacePause) out.ipcMode = `container:${opts.namespacePause}`;
  if (c.disableNetworking) {
    // No network at all, whatever the task's mode (ECS: Docker's NetworkDisabled).
    out.networkMode = 'none';
    return out;
  }
  if (networkMode === 'bridge' && !out.dns && opts.resolver) out.dns = [opts.resolver];
  if (networkMode.startsWith('container:')) {
    // The runtime refuses DNS options on a container that joins another's namespace: the task's file instead.
    delete out.dns;
    delete out.dnsSearch;
    if (opts.resolvConf) out.mounts = [{ type: 'bind', source: opts.resolvConf, target: '/etc/resolv.conf' }];
  }
  if (networkMode === 'bridge') {
    const ports: PortBinding[] = (c.portMappings ?? [])
      .filter((p) => p.containerPort !== undefined)
      .map((p) => ({ containerPort: p.containerPort!, hostPort: p.hostPort ?? 0, protocol: p.protocol === 'udp' ? 'udp' : 'tcp' }));
    if (ports.length) out.portBindings = ports;
  }
  return out;
}

/**
 * linuxParameters and the other per-container kernel and runtime options, as the ECS agent passes them
 * to Docker. maxSwap 0 = no swap; swappiness defaults to 60 (ECS's documented default) and only
 * applies with maxSwap, as ECS documents.
 */
function linuxOptions(c: EcsContainer): Partial<ContainerSpec> {
  const lp = c.linuxParameters;
  const out: Partial<ContainerSpec> = {};
  if (lp?.devices?.length) {
    out.devices = lp.devices.map((d) => ({
      hostPath: d.hostPath ?? '', containerPath: d.containerPath || d.hostPath,
      permissions: d.permissions?.length ? d.permissions.map((p) => p[0]).join('') : 'rwm',
    }));
  }
  if (lp?.sharedMemorySize !== undefined) out.shmSizeMiB = lp.sharedMemorySize;
  if (lp?.tmpfs?.length) out.tmpfs = lp.tmpfs.map((t) => ({ containerPath: t.containerPath ?? '', sizeMiB: t.size ?? 0, ...(t.mountOptions?.length ? { mountOptions: [...t.mountOptions] } : {}) }));
  if (lp?.maxSwap !== undefined) {
    out.maxSwapMiB = lp.maxSwap;
    out.swappiness = lp.swappiness ?? 60;
  }
  if (c.hostname) out.hostname = c.hostname;
  if (c.dnsServers?.length) out.dns = [...c.dnsServers];
  if (c.dnsSearchDomains?.length) out.dnsSearch = [...c.dnsSearchDomains];
  if (c.extraHosts?.length) out.extraHosts = c.extraHosts.map((h) => ({ hostname: h.hostname ?? '', ip: h.ipAddress ?? '' }));
  if (c.systemControls?.length) out.sysctls = Object.fromEntries(c.systemControls.map((s) => [s.namespace ?? '', s.value ?? '']));
  if (c.pseudoTerminal) out.tty = true;
  if (c.interactive) out.openStdin = true;
  return out;
}

/** ECS healthCheck.command → argv for exec: `CMD a b` runs a b; `CMD-SHELL s` runs /bin/sh -c s. */
export function healthCheckArgv(command: string[]): string[] | null {
  const [kind, ...rest] = command;
  if (kind === 'CMD') return rest.length ? rest : null;
  if (kind === 'CMD-SHELL') return rest.length ? ['/bin/sh', '-c', rest.join(' ')] : null;
  // ECS accepts a bare command (treated as CMD-SHELL by Docker when it is one string).
  return command.length ? ['/bin/sh', '-c', command.join(' ')] : null;
}


/** 169.254.170.2: ECS's link-local address for the credentials and task metadata endpoints. */
export const TASK_ENDPOINT_ADDRESS = '169.254.170.2';

/**
 * 169.254.169.253: the Amazon-provided DNS server's link-local address (the VPC's Route 53 Resolver, also
 * at the VPC's base + 2). Tasks send their queries there; the agent's nftables DNAT hands them to Wharf's
 * DNS server (task-endpoints.ts), which answers Cloud Map's private namespaces and relays the rest.
 */
export const VPC_RESOLVER_ADDRESS = '169.254.169.253';

/**
 * An awsvpc task's /etc/resolv.conf (every container of the task gets the same file, as they share one
 * network namespace): the containers' own dnsServers and dnsSearchDomains first (Docker cannot set them on
 * a container that joins another's namespace, so ECS refuses them for awsvpc; Wharf honours them here),
 * then the VPC resolver when the server runs one, else the host's nameservers that a namespace can reach.
 */
export function taskResolvConf(spec: TaskSpec, vpcResolver: boolean, hostResolvConf: string): string {
  const uniq = (xs: string[]) => [...new Set(xs)];
  const own = uniq(spec.containers.flatMap((c) => c.dnsServers ?? []));
  const host = [...hostResolvConf.matchAll(/^\s*nameserver\s+(\S+)/gm)].map((m) => m[1]!).filter((a) => !/^(127\.|::1$)/.test(a));
  const servers = uniq([...own, ...(vpcResolver ? [VPC_RESOLVER_ADDRESS] : host)]).slice(0, 3);
  const search = uniq(spec.containers.flatMap((c) => c.dnsSearchDomains ?? []));
  return [...servers.map((s) => `nameserver ${s}`), ...(search.length ? [`search ${search.join(' ')}`] : [])].join('\n') + '\n';
}

/** A container's metadata id: derived from the task's unguessable endpoint id, so stable across agent restarts. */
export function containerMetadataId(endpointId: string, containerName: string): string {
  // FNV-1a over the pair, four rounds, shaped as a UUID: unguessable because endpointId is.
  const hex: string[] = [];
  for (let round = 0; round < 4; round++) {
    let h = 0x811c9dc5 ^ round;
    for (const ch of `${endpointId}/${containerName}/${round}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
    hex.push(h.toString(16).padStart(8, '0'));
  }
  const x = hex.join('');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}

/**
 * The variables ECS sets in every container (agent ≥ 1.39): the metadata URIs, the execution
 * environment, and the credentials URI when the task has a role. Host-mode containers cannot be told
 * apart by address at 169.254.170.2, so they get the endpoint's loopback address (`hostModePort`) and the
 * credentials as a full URI (task-endpoints.ts).
 */
export function endpointEnvironment(spec: TaskSpec, containerName: string, hostModePort?: number): Record<string, string> | undefined {
  if (!spec.endpointId) return undefined;
  const id = containerMetadataId(spec.endpointId, containerName);
  const hostMode = spec.networkMode === 'host' && hostModePort !== undefined && hostModePort > 0;
  const base = hostMode ? `http://127.0.0.1:${hostModePort}` : `http://${TASK_ENDPOINT_ADDRESS}`;
  const credentials: Record<string, string> = !spec.taskRoleCredentials ? {}
    : hostMode ? { AWS_CONTAINER_CREDENTIALS_FULL_URI: `${base}/v2/credentials/${spec.endpointId}` }
      : { AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: `/v2/credentials/${spec.endpointId}` };
  return {
    ECS_CONTAINER_METADATA_URI_V4: `${base}/v4/${id}`,
    ECS_CONTAINER_METADATA_URI: `${base}/v3/${id}`,
    ECS_AGENT_URI: `${base}/api/${id}`,
    AWS_EXECUTION_ENV: 'AWS_ECS_EC2',
    ...credentials,
  };
}

