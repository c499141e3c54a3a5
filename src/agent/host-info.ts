/**
 * What the agent registers about its host: resources (CPU units, memory, ports in use), attributes, and a
 * stable identity. Read once per (re)connect; overridable by flags so tests can give two agents on one
 * machine fixed, different resources.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { arch, cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import type { HostResources } from '../protocol/agent-messages.js';

/** Ports ECS reserves on every container instance: ssh, the Docker daemon (2375/2376), the ECS agent's introspection (51678/51679). */
export const ECS_RESERVED_PORTS = [22, 2375, 2376, 51678, 51679];

/**
 * Memory kept back from tasks: the agent (measured ~100 MiB RSS idle, most of it the `wharf` CLI loading
 * the server's modules too), the Podman service (~40 MiB), conmon per container (~1–2 MiB) and the OS's
 * slack: 100 + 40 + 20 × 2 (a 20-task host) = 180 MiB, rounded up to 256 for headroom. ECS's own agent
 * likewise registers less than the total (plus ECS_RESERVED_MEMORY on top).
 */
export const RESERVED_MEMORY_MIB = 256;

/** TCP ports in LISTEN state (st 0A) from /proc/net/tcp{,6}. */
export function parseProcNetTcp(text: string): number[] {
  const out: number[] = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 4 || f[3] !== '0A') continue;
    const port = parseInt(f[1].split(':').pop() ?? '', 16);
    if (port) out.push(port);
  }
  return out;
}

export function listeningTcpPorts(files = ['/proc/net/tcp', '/proc/net/tcp6']): number[] {
  const ports = new Set<number>();
  for (const f of files) {
    try {
      for (const p of parseProcNetTcp(readFileSync(f, 'utf8'))) ports.add(p);
    } catch {
      // not Linux, or no IPv6: fewer known ports, placement may then hit a conflict and retry elsewhere
    }
  }
  return [...ports];
}

export function hostResources(opts: { cpu?: number; memory?: number; ownPorts?: number[]; listening?: number[] } = {}): HostResources {
  const own = new Set(opts.ownPorts ?? []);
  const ports = new Set([...ECS_RESERVED_PORTS, ...(opts.listening ?? listeningTcpPorts()).filter((p) => !own.has(p))]);
  return {
    cpu: opts.cpu ?? cpus().length * 1024,
    memory: opts.memory ?? Math.max(0, Math.floor(totalmem() / 2 ** 20) - RESERVED_MEMORY_MIB),
    reservedPorts: [...ports].sort((a, b) => a - b),
  };
}

/** Docker Engine API versions ECS capability attributes name (ECS lists 1.17 upwards). */
function dockerApiVersions(apiVersion: string): string[] {
  const [maj, min] = apiVersion.split('.').map(Number);
  const top = maj === 1 && Number.isFinite(min) ? Math.min(min, 44) : 44;
  const out: string[] = [];
  for (let m = 17; m <= top; m++) out.push(`1.${m}`);
  return out;
}

/**
 * Attributes, named as the ECS agent names them, so task definitions' requiresAttributes (computed in
 * src/model/ecs/task-definition.ts) match exactly what this agent can do. Not advertised, because not
 * supported yet: efs, env-files, docker-plugin volumes other than local, firelens, nvidia. pid-ipc-namespace-sharing
 * covers pidMode/ipcMode `host`, ipcMode `none` and both `task` modes (a pause container from the agent's
 * own pause image, src/agent/namespace-pause.ts). task-eni (awsvpc) only when the host can do it.
 */
export function hostAttributes(opts: {
  /** The agent serves the task credentials endpoint. */
  taskIamRole?: boolean;
  availabilityZone: string;
  instanceType: string;
  apiVersion: string;
  custom?: Record<string, string>;
  architecture?: string;
  /** awsvpc network mode available (src/agent/network/task-networks.ts). */
  taskEni?: boolean;
}): { name: string; value?: string }[] {
  const a = opts.architecture ?? arch();
  const attrs: { name: string; value?: string }[] = [
    { name: 'ecs.availability-zone', value: opts.availabilityZone },
    { name: 'ecs.instance-type', value: opts.instanceType },
    { name: 'ecs.os-type', value: 'linux' },
    { name: 'ecs.os-family', value: 'LINUX' },
    { name: 'ecs.cpu-architecture', value: a === 'arm64' ? 'arm64' : 'x86_64' },
    ...dockerApiVersions(opts.apiVersion).map((v) => ({ name: `com.amazonaws.ecs.capability.docker-remote-api.${v}` })),
    ...['json-file', 'awslogs', 'none'].map((d) => ({ name: `com.amazonaws.ecs.capability.logging-driver.${d}` })),
    { name: 'com.amazonaws.ecs.capability.privileged-container' },
    { name: 'com.amazonaws.ecs.capability.ecr-auth' },
    { name: 'ecs.capability.execution-role-ecr-pull' },
    { name: 'ecs.capability.execution-role-awslogs' },
    { name: 'ecs.capability.container-health-check' },
    { name: 'ecs.capability.container-ordering' },
    { name: 'ecs.capability.task-cpu-mem-limit' },
    { name: 'ecs.capability.container-restart-policy' },
    { name: 'ecs.capability.pid-ipc-namespace-sharing' },
    // Volumes with the runtime's own `local` driver (src/agent/task-volumes.ts); no other driver plugins.
    { name: 'ecs.capability.docker-plugin.local' },
    // Secrets are resolved by the control plane at task start (iam/task-start.ts) and arrive as env vars.
    { name: 'ecs.capability.secrets.asm.environment-variables' },
    { name: 'ecs.capability.secrets.ssm.environment-variables' },
    // repositoryCredentials: the control plane reads the secret, the pull uses it (iam/task-start.ts).
    { name: 'com.amazonaws.ecs.capability.private-registry-authentication.secretsmanager' },
    // Task roles need the credentials endpoint this agent serves (task-endpoints.ts).
    ...(opts.taskIamRole ? [{ name: 'com.amazonaws.ecs.capability.task-iam-role' }, { name: 'com.amazonaws.ecs.capability.task-iam-role-network-host' }] : []),
    ...(opts.taskEni ? [{ name: 'ecs.capability.task-eni' }] : []),
  ];
  for (const [name, value] of Object.entries(opts.custom ?? {})) attrs.push({ name, value });
  return attrs;
}

export interface Identity {
  /** Stable for this state dir: the dispatcher maps it to one container instance. */
  hostId: string;
  /** Per cluster, as the dispatcher returned it, sent back on reconnect. */
  containerInstanceArns: Record<string, string>;
}

/** `<stateDir>/identity.json`, created on first start. Two agents on one machine = two state dirs. */
export function loadIdentity(stateDir: string): Identity {
  mkdirSync(stateDir, { recursive: true });
  const file = join(stateDir, 'identity.json');
  try {
    const j = JSON.parse(readFileSync(file, 'utf8')) as Identity;
    if (typeof j.hostId === 'string' && j.hostId) return { hostId: j.hostId, containerInstanceArns: j.containerInstanceArns ?? {} };
  } catch {
    // first start
  }
  const id: Identity = { hostId: `wharf-${randomUUID()}`, containerInstanceArns: {} };
  saveIdentity(stateDir, id);
  return id;
}

export function saveIdentity(stateDir: string, id: Identity): void {
  const file = join(stateDir, 'identity.json');
  writeFileSync(file + '.tmp', JSON.stringify(id, null, 2) + '\n');
  renameSync(file + '.tmp', file);
}
