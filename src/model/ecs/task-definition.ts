/**
 * RegisterTaskDefinition's meaning: validate a request the way ECS does and normalise it into what ECS
 * stores and echoes back. Pure: no clock, no store, no randomness — the handler adds the ARN, revision,
 * status and timestamps.
 *
 *   request ─► task level (family, cpu/memory strings → units/MiB, network mode, volumes, constraints)
 *           ─► each container (name, image, memory, ports, health check, logs, ulimits, mounts…)
 *           ─► cross-container rules (unique names, ≥1 essential, dependsOn targets, links, volumesFrom)
 *           ─► launch-type rules: EC2 (memory somewhere), FARGATE (awsvpc, size table, no privileged…)
 *           ─► compatibilities = every launch type whose rules pass; a requested one that fails throws
 *           ─► requiresAttributes = agent capabilities the definition needs (placement filters on them)
 *
 * The AWS model already checked JSON types, required members and enums before this runs; what is left
 * here is meaning. Every failure is a ClientException (ECS's own name for an invalid task definition)
 * whose message names the container and field at fault.
 */
import type {
  Attribute, Compatibility, ContainerDefinition, HealthCheck, LogConfiguration, PortMapping,
  RegisterTaskDefinitionRequest, TaskDefinitionPlacementConstraint, Volume,
} from '@aws-sdk/client-ecs';
import { ApiError } from '../errors.js';
import { FAMILY_NAME } from '../arn.js';
import type { TaskDefinitionRecord } from './records.js';
import { refusedField } from './field-support.js';
import { parseBool } from './parse-bool.js';

/** What registration produces; the handler adds identity (ARN, revision), status, timestamps and tags. */
export type NormalizedTaskDefinition = Omit<TaskDefinitionRecord, 'taskDefinitionArn' | 'revision' | 'status' | 'registeredAt' | 'registeredBy' | 'deregisteredAt' | 'tags'>;

const fail = (message: string): never => { throw new ApiError('ClientException', message); };

/** Container names: like family names, 1–255 letters, digits, hyphens and underscores. */
export const CONTAINER_NAME = /^[A-Za-z0-9_-]{1,255}$/;

/** ECS's per-task-definition container limit. */
export const MAX_CONTAINERS = 10;
/** Placement constraints a task definition may carry (task definition + RunTask combined ≤ 10). */
export const MAX_PLACEMENT_CONSTRAINTS = 10;
/**
 * The smallest container memory ECS accepts, in MiB. Docker 20.10+ refuses containers below 6 MiB
 * (older daemons: 4 MiB), so ECS rejects them at registration rather than at start.
 */
export const MIN_CONTAINER_MEMORY_MIB = 6;

/**
 * Fargate's valid task sizes (reference §2.4): cpu units → the memory sizes in MiB allowed with it.
 * 256: 512, 1024, 2048 · 512: 1–4 GiB · 1024: 2–8 GiB · 2048: 4–16 GiB · 4096: 8–30 GiB (1 GiB steps) ·
 * 8192: 16–60 GiB in 4 GiB steps · 16384: 32–120 GiB in 8 GiB steps.
 */
export const FARGATE_SIZES: ReadonlyMap<number, readonly number[]> = new Map([
  [256, [512, 1024, 2048]],
  [512, range(1024, 4096, 1024)],
  [1024, range(2048, 8192, 1024)],
  [2048, range(4096, 16384, 1024)],
  [4096, range(8192, 30720, 1024)],
  [8192, range(16384, 61440, 4096)],
  [16384, range(32768, 122880, 8192)],
]);

function range(from: number, to: number, step: number): number[] {
  const out: number[] = [];
  for (let v = from; v <= to; v += step) out.push(v);
  return out;
}

/** Health check defaults and limits (seconds / attempts), as ECS documents them. */
export const HEALTH_CHECK = {
  interval: { default: 30, min: 5, max: 300 },
  timeout: { default: 5, min: 2, max: 60 },
  retries: { default: 3, min: 1, max: 10 },
  startPeriod: { default: 0, min: 0, max: 300 },
} as const;

/** The awslogs driver's options (Docker's and ECS's); anything else is a typo worth rejecting. */
const AWSLOGS_OPTIONS = new Set([
  'awslogs-group', 'awslogs-region', 'awslogs-stream-prefix', 'awslogs-create-group', 'awslogs-datetime-format',
  'awslogs-multiline-pattern', 'mode', 'max-buffer-size', 'awslogs-endpoint', 'awslogs-credentials-endpoint',
  'tag', 'awslogs-force-flush-interval-seconds', 'awslogs-max-buffer-size', 'awslogs-stream', 'awslogs-format',
]);

/**
 * Task-level cpu: "256", "0.25 vCPU", "1 vCPU", "2vcpu" → CPU units as a decimal string (1 vCPU = 1024).
 * Undefined when the text is not a cpu amount.
 */
export function parseCpu(text: string): number | undefined {
  const t = text.trim();
  let m = /^(\d+)$/.exec(t);
  if (m) return Number(m[1]);
  m = /^(\d+(?:\.\d+)?|\.\d+)\s*vcpu$/i.exec(t);
  if (m) {
    const units = Number(m[1]) * 1024;
    return Number.isInteger(units) ? units : undefined;
  }
  return undefined;
}

/** Task-level memory: "512", "512 MiB", "1GB", "1 GB", "0.5 GB" → MiB (1 GB = 1024 MiB). */
export function parseMemory(text: string): number | undefined {
  const t = text.trim();
  let m = /^(\d+)\s*(?:mib|mb)?$/i.exec(t);
  if (m) return Number(m[1]);
  m = /^(\d+(?:\.\d+)?|\.\d+)\s*(?:gib|gb)$/i.exec(t);
  if (m) {
    const mib = Number(m[1]) * 1024;
    return Number.isInteger(mib) ? mib : undefined;
  }
  return undefined;
}

const isEcrImage = (image: string) => /^\d{12}\.dkr\.ecr(-fips)?\.[a-z0-9-]+\.amazonaws\.com(\.cn)?\//.test(image);

/** Launch types in the order ECS lists them in `compatibilities`. */
const COMPAT_ORDER: readonly Compatibility[] = ['EXTERNAL', 'EC2', 'FARGATE', 'MANAGED_INSTANCES'];

/**
 * Validates and normalises a RegisterTaskDefinition request. Throws ApiError('ClientException', …) on the
 * first rule broken, so a client fixes one thing at a time with a message that names it.
 */
export function normalizeTaskDefinition(input: RegisterTaskDefinitionRequest): NormalizedTaskDefinition {
  const family = input.family ?? '';
  if (!FAMILY_NAME.test(family)) {
    fail('Family contains invalid characters: up to 255 letters (uppercase and lowercase), numbers, hyphens, and underscores are allowed.');
  }
  const defs = input.containerDefinitions ?? [];
  if (defs.length === 0) fail('Container list cannot be empty.');
  if (defs.length > MAX_CONTAINERS) fail(`Too many containers: a task definition can have at most ${MAX_CONTAINERS} containers, this one has ${defs.length}.`);

  const networkMode = input.networkMode;
  const requires = [...new Set(input.requiresCompatibilities ?? [])];
  const wantsFargate = requires.includes('FARGATE');

  // Task-level size.
  let taskCpu: number | undefined;
  let taskMemory: number | undefined;
  if (input.cpu !== undefined) {
    taskCpu = parseCpu(input.cpu);
    if (taskCpu === undefined || taskCpu <= 0) fail("Invalid 'cpu' setting for task.");
  }
  if (input.memory !== undefined) {
    taskMemory = parseMemory(input.memory);
    if (taskMemory === undefined || taskMemory <= 0) fail("Invalid 'memory' setting for task.");
  }
  if (taskCpu !== undefined && !wantsFargate && (taskCpu < 128 || taskCpu > 196608)) {
    fail("Invalid 'cpu' setting for task. Task cpu must be between 128 and 196608 CPU units (0.125 to 192 vCPU).");
  }
  if (taskMemory !== undefined && taskMemory < MIN_CONTAINER_MEMORY_MIB) fail("Invalid 'memory' setting for task.");

  // Volumes.
  const volumes: Volume[] = (input.volumes ?? []).map((v) => ({ ...v }));
  const volumeNames = new Set<string>();
  for (const v of volumes) {
    if (!v.name) fail('Volume name should not be null or empty.');
    if (!CONTAINER_NAME.test(v.name!)) fail(`Invalid volume name '${v.name}': up to 255 letters (uppercase and lowercase), numbers, hyphens, and underscores are allowed.`);
    if (volumeNames.has(v.name!)) fail(`Duplicate volume name '${v.name}': volume names must be unique within a task definition.`);
    volumeNames.add(v.name!);
    if (v.host?.sourcePath !== undefined && !v.host.sourcePath.startsWith('/')) {
      fail(`Invalid host sourcePath '${v.host.sourcePath}' for volume '${v.name}': it must be an absolute path.`);
    }
    if (v.host && wantsFargate && v.host.sourcePath) fail(`Fargate does not support host volumes with a sourcePath (volume '${v.name}').`);
    const kinds = (['host', 'dockerVolumeConfiguration', 'efsVolumeConfiguration', 's3filesVolumeConfiguration', 'fsxWindowsFileServerVolumeConfiguration'] as const)
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined);
    if (kinds.length > 1) fail(`Invalid volume '${v.name}': it can have only one of ${kinds.join(', ')}.`);
    const d = v.dockerVolumeConfiguration;
    if (d?.autoprovision && d.scope !== 'shared') fail(`Invalid 'dockerVolumeConfiguration' for volume '${v.name}': autoprovision can only be set when scope is 'shared'.`);
    if (d?.driver !== undefined && !/^[A-Za-z0-9][A-Za-z0-9_.\/:-]*$/.test(d.driver)) fail(`Invalid 'dockerVolumeConfiguration' for volume '${v.name}': invalid driver name '${d.driver}'.`);
  }

  // Placement constraints: memberOf only (the model's enum already says so), at most 10, each with an expression.
  const placementConstraints: TaskDefinitionPlacementConstraint[] = (input.placementConstraints ?? []).map((c) => ({ ...c }));
  if (placementConstraints.length > MAX_PLACEMENT_CONSTRAINTS) {
    fail(`Too many placement constraints: at most ${MAX_PLACEMENT_CONSTRAINTS} are allowed, ${placementConstraints.length} were given.`);
  }
  for (const c of placementConstraints) {
    if (c.type !== 'memberOf') fail(`Invalid placement constraint type '${c.type ?? ''}': task definitions support only 'memberOf'.`);
    if (!c.expression?.trim()) fail("A 'memberOf' placement constraint requires an expression.");
  }

  // Containers, one by one.
  const names = new Set<string>();
  for (const d of defs) {
    if (!d.name) fail('Container.name should not be null or empty.');
    if (!CONTAINER_NAME.test(d.name!)) {
      fail(`Invalid container name '${d.name}': up to 255 letters (uppercase and lowercase), numbers, hyphens, and underscores are allowed.`);
    }
    if (names.has(d.name!)) fail(`Duplicate container name '${d.name}': container names must be unique within a task definition.`);
    names.add(d.name!);
  }
  const containers = defs.map((d) => normalizeContainer(d, { networkMode, volumeNames, containerNames: names }));
  if (!containers.some((c) => c.essential)) fail('Task definition does not have any essential container.');
  checkDependencies(containers);
  checkHostPorts(containers, networkMode);

  // Sizes against the task's size.
  if (taskMemory !== undefined) {
    for (const c of containers) {
      if (c.memory !== undefined && c.memory > taskMemory) {
        fail(`Invalid 'memory' setting for container '${c.name}'. Container memory (${c.memory} MiB) must not exceed the task memory (${taskMemory} MiB).`);
      }
    }
    const reserved = containers.reduce((s, c) => s + (c.memoryReservation ?? c.memory ?? 0), 0);
    if (reserved > taskMemory) {
      fail(`Invalid 'memory' settings: the containers reserve ${reserved} MiB in total, more than the task memory (${taskMemory} MiB).`);
    }
  }
  if (taskCpu !== undefined) {
    const cpuSum = containers.reduce((s, c) => s + (c.cpu ?? 0), 0);
    if (cpuSum > taskCpu) fail(`Invalid 'cpu' settings: the containers use ${cpuSum} CPU units in total, more than the task cpu (${taskCpu}).`);
  }

  // Launch-type rules. Each returns the reason it fails, or undefined.
  const ec2Problem = (): string | undefined => {
    if (taskMemory !== undefined) return undefined;
    const c = containers.find((x) => x.memory === undefined && x.memoryReservation === undefined);
    return c ? `Invalid setting for container '${c.name}'. At least one of 'memory' or 'memoryReservation' must be specified.` : undefined;
  };
  const fargateProblem = (): string | undefined => {
    if (networkMode !== 'awsvpc') return 'Fargate only supports network mode ‘awsvpc’.';
    if (input.cpu === undefined) return "Fargate requires that 'cpu' be defined at the task level.";
    if (input.memory === undefined) return "Fargate requires that 'memory' be defined at the task level.";
    const allowed = FARGATE_SIZES.get(taskCpu!);
    if (!allowed) return "Invalid 'cpu' setting for task.";
    if (!allowed.includes(taskMemory!)) {
      return `No Fargate configuration exists for given values: ${taskCpu} CPU, ${taskMemory} memory. See the Amazon ECS documentation for the valid values.`;
    }
    if (placementConstraints.length > 0) return 'Task definition placement constraints are not supported for Fargate.';
    if (volumes.some((v) => v.dockerVolumeConfiguration)) return 'Tasks using the Fargate launch type do not support dockerVolumeConfiguration.';
    if (volumes.some((v) => v.host?.sourcePath)) return 'Fargate does not support host volumes with a sourcePath.';
    for (const c of containers) {
      if (c.privileged) return `Fargate does not support privileged containers: container '${c.name}' sets privileged to true.`;
      if (c.logConfiguration?.logDriver === 'awslogs') {
        if (!input.executionRoleArn) return 'Fargate requires task definition to have execution role ARN to support log driver awslogs.';
        if (!c.logConfiguration.options?.['awslogs-stream-prefix']) {
          return `Fargate requires the 'awslogs-stream-prefix' log option for container '${c.name}' (log driver awslogs).`;
        }
      }
      if (c.image && isEcrImage(c.image) && !input.executionRoleArn) return 'Fargate requires task definition to have execution role ARN to support ECR images.';
      if (c.linuxParameters?.devices?.length) return `Fargate does not support devices: container '${c.name}' declares linuxParameters.devices.`;
      // The container options Fargate does not take (developer guide, "Task definition considerations"),
      // worded as ECS words its Fargate refusals.
      const lp = c.linuxParameters;
      const unsupported: [string, unknown][] = [
        ['dnsServers', c.dnsServers?.length], ['dnsSearchDomains', c.dnsSearchDomains?.length], ['dockerSecurityOptions', c.dockerSecurityOptions?.length],
        ['extraHosts', c.extraHosts?.length], ['systemControls', c.systemControls?.length], ['disableNetworking', c.disableNetworking],
        ['maxSwap', lp?.maxSwap !== undefined], ['swappiness', lp?.swappiness !== undefined], ['sharedMemorySize', lp?.sharedMemorySize !== undefined],
        ['tmpfs', lp?.tmpfs?.length], ['capabilities.add', lp?.capabilities?.add?.some((x) => x !== 'SYS_PTRACE')],
      ];
      const bad = unsupported.find(([, v]) => Boolean(v));
      if (bad) return `Tasks using the Fargate launch type do not support ${bad[0]}.`;
    }
    if (input.pidMode === 'host') return "Tasks using the Fargate launch type do not support pidMode 'host'. The supported value for pidMode is 'task'.";
    if (input.ipcMode !== undefined) return 'Tasks using the Fargate launch type do not support ipcMode.';
    return undefined;
  };
  const managedInstancesProblem = (): string | undefined =>
    networkMode === 'awsvpc' || networkMode === 'host' ? ec2Problem() : "Managed instances support only network modes 'awsvpc' and 'host'.";
  const externalProblem = (): string | undefined => (networkMode === 'awsvpc' ? "External instances do not support network mode 'awsvpc'." : ec2Problem());

  const problems: Record<Compatibility, () => string | undefined> = {
    EC2: ec2Problem, FARGATE: fargateProblem, EXTERNAL: externalProblem, MANAGED_INSTANCES: managedInstancesProblem,
  };
  for (const r of requires) {
    const p = problems[r]?.();
    if (p) fail(p);
  }
  if (requires.length === 0) {
    // Without a requirement the definition must still be runnable somewhere: EC2 is the default launch type.
    const p = ec2Problem();
    if (p) fail(p);
  }
  const compat = new Set<Compatibility>();
  // ECS lists EXTERNAL for every definition an external instance can run (aws-cli's register-task-definition example: ["EXTERNAL", "EC2"]).
  if (!externalProblem()) compat.add('EXTERNAL');
  if (!ec2Problem()) compat.add('EC2');
  if (!fargateProblem()) { compat.add('FARGATE'); if (!managedInstancesProblem()) compat.add('MANAGED_INSTANCES'); }
  for (const r of requires) compat.add(r);
  const compatibilities = COMPAT_ORDER.filter((c) => compat.has(c));

  const out: NormalizedTaskDefinition = {
    family,
    containerDefinitions: containers,
    taskRoleArn: input.taskRoleArn,
    executionRoleArn: input.executionRoleArn,
    networkMode,
    volumes,
    placementConstraints,
    requiresCompatibilities: input.requiresCompatibilities ? requires : undefined,
    compatibilities,
    requiresAttributes: [],
    cpu: taskCpu === undefined ? undefined : String(taskCpu),
    memory: taskMemory === undefined ? undefined : String(taskMemory),
    pidMode: input.pidMode,
    ipcMode: input.ipcMode,
    proxyConfiguration: input.proxyConfiguration,
    inferenceAccelerators: input.inferenceAccelerators,
    ephemeralStorage: input.ephemeralStorage,
    runtimePlatform: input.runtimePlatform,
    enableFaultInjection: input.enableFaultInjection,
  };
  if (input.ephemeralStorage !== undefined) {
    const g = input.ephemeralStorage.sizeInGiB ?? 0;
    if (g < 21 || g > 200) fail("Invalid 'ephemeralStorage.sizeInGiB' setting: it must be between 21 and 200 GiB.");
  }
  // Last: ECS's own checks speak first; then whatever Wharf cannot honour is refused rather than stored
  // and ignored (field-support.ts).
  const refusal = refusedField(input);
  if (refusal) fail(refusal.message);
  out.requiresAttributes = requiredAttributes(out);
  return stripUndefined(out);
}

interface ContainerContext {
  readonly networkMode: string | undefined;
  readonly volumeNames: ReadonlySet<string>;
  readonly containerNames: ReadonlySet<string>;
}

/** One container: checks, then the shape ECS echoes (defaults filled in, in ECS's member order). */
function normalizeContainer(d: ContainerDefinition, ctx: ContainerContext): ContainerDefinition {
  const name = d.name!;
  const where = `container '${name}'`;
  if (!d.image?.trim()) fail('Container.image should not be null or empty.');
  if (d.image!.length > 255 * 4) fail(`Invalid image for ${where}: the image reference is too long.`);
  if (/\s/.test(d.image!)) fail(`Invalid image '${d.image}' for ${where}: image references cannot contain whitespace.`);

  if (d.cpu !== undefined && d.cpu < 0) fail(`Invalid 'cpu' setting for ${where}: it must be 0 or more CPU units.`);
  for (const field of ['memory', 'memoryReservation'] as const) {
    const v = d[field];
    if (v !== undefined && v !== null && v < MIN_CONTAINER_MEMORY_MIB) {
      fail(`Invalid '${field}' setting for ${where}. The minimum is ${MIN_CONTAINER_MEMORY_MIB} MiB.`);
    }
  }
  if (d.memory !== undefined && d.memoryReservation !== undefined && d.memoryReservation >= d.memory) {
    fail(`Invalid 'memoryReservation' setting for ${where}. 'memoryReservation' (${d.memoryReservation} MiB) must be less than 'memory' (${d.memory} MiB).`);
  }

  const mode = ctx.networkMode ?? 'bridge';
  if (d.links?.length) {
    if (mode !== 'bridge') fail(`Links are not supported when networkMode=${mode}.`);
    for (const l of d.links) {
      const target = l.split(':')[0];
      if (!ctx.containerNames.has(target) || target === name) fail(`Invalid link '${l}' in ${where}: no other container named '${target}' in this task definition.`);
    }
  }
  if (d.hostname !== undefined && mode === 'awsvpc') fail('hostname is not supported when networkMode=awsvpc.');
  if (d.hostname !== undefined && mode === 'host') fail('hostname is not supported when networkMode=host.');

  const portMappings = (d.portMappings ?? []).map((p) => normalizePort(p, mode, where));
  if (mode === 'none' && portMappings.length > 0) fail(`Port mappings are not supported when networkMode=none (${where}).`);
  const portNames = new Set<string>();
  for (const p of portMappings) {
    if (p.name === undefined) continue;
    if (!/^[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?$/.test(p.name)) fail(`Invalid port mapping name '${p.name}' in ${where}: lowercase letters, numbers and hyphens, at most 64 characters.`);
    if (portNames.has(p.name)) fail(`Duplicate port mapping name '${p.name}' in ${where}.`);
    portNames.add(p.name);
  }

  for (const m of d.mountPoints ?? []) {
    if (!m.sourceVolume || !ctx.volumeNames.has(m.sourceVolume)) {
      fail(`Invalid 'mountPoints' setting for ${where}: the source volume '${m.sourceVolume ?? ''}' is not defined in the task definition's volumes.`);
    }
    if (!m.containerPath?.startsWith('/')) fail(`Invalid 'mountPoints' setting for ${where}: containerPath must be an absolute path.`);
  }
  for (const v of d.volumesFrom ?? []) {
    if (!v.sourceContainer || !ctx.containerNames.has(v.sourceContainer) || v.sourceContainer === name) {
      fail(`Invalid 'volumesFrom' setting for ${where}: no other container named '${v.sourceContainer ?? ''}' in this task definition.`);
    }
  }
  for (const e of d.environment ?? []) {
    if (!e.name) fail(`Invalid 'environment' setting for ${where}: every variable needs a name.`);
  }
  for (const s of d.secrets ?? []) {
    if (!s.name || !s.valueFrom) fail(`Invalid 'secrets' setting for ${where}: every secret needs a name and a valueFrom.`);
  }
  const ulimitNames = new Set<string>();
  for (const u of d.ulimits ?? []) {
    if (ulimitNames.has(u.name!)) fail(`Duplicate ulimit '${u.name}' in ${where}.`);
    ulimitNames.add(u.name!);
    if (u.softLimit! > u.hardLimit!) fail(`Invalid ulimit '${u.name}' for ${where}: softLimit (${u.softLimit}) must not exceed hardLimit (${u.hardLimit}).`);
  }
  if (d.logConfiguration) checkLogConfiguration(d.logConfiguration, where);
  const lp = d.linuxParameters;
  for (const t of lp?.tmpfs ?? []) {
    if (!t.containerPath?.startsWith('/')) fail(`Invalid 'linuxParameters.tmpfs' setting for ${where}: containerPath must be an absolute path.`);
    if (!(t.size! > 0)) fail(`Invalid 'linuxParameters.tmpfs' setting for ${where}: size must be greater than 0 (MiB).`);
  }
  if (lp?.sharedMemorySize !== undefined && lp.sharedMemorySize <= 0) fail(`Invalid 'linuxParameters.sharedMemorySize' setting for ${where}: it must be greater than 0 (MiB).`);
  if (lp?.maxSwap !== undefined && lp.maxSwap < 0) fail(`Invalid 'linuxParameters.maxSwap' setting for ${where}: it must be 0 or more (MiB).`);
  if (lp?.swappiness !== undefined && (lp.swappiness < 0 || lp.swappiness > 100)) fail(`Invalid 'linuxParameters.swappiness' setting for ${where}: it must be between 0 and 100.`);
  for (const dev of lp?.devices ?? []) {
    if (!dev.hostPath?.startsWith('/')) fail(`Invalid 'linuxParameters.devices' setting for ${where}: hostPath must be an absolute path.`);
    if (dev.containerPath !== undefined && !dev.containerPath.startsWith('/')) fail(`Invalid 'linuxParameters.devices' setting for ${where}: containerPath must be an absolute path.`);
  }
  for (const h of d.extraHosts ?? []) {
    if (!h.hostname || !h.ipAddress) fail(`Invalid 'extraHosts' setting for ${where}: every entry needs a hostname and an ipAddress.`);
  }
  for (const o of d.dockerSecurityOptions ?? []) {
    if (!/^(no-new-privileges|apparmor:.+|label:.+|credentialspec:.+)$/.test(o)) {
      fail(`Invalid 'dockerSecurityOptions' setting for ${where}: '${o}' is not one of no-new-privileges, apparmor:PROFILE, label:VALUE, credentialspec:PATH.`);
    }
  }
  if (d.startTimeout !== undefined && d.startTimeout < 0) fail(`Invalid 'startTimeout' setting for ${where}: it must be 0 or more seconds.`);
  if (d.stopTimeout !== undefined && (d.stopTimeout < 0 || d.stopTimeout > 120)) fail(`Invalid 'stopTimeout' setting for ${where}: it must be between 0 and 120 seconds.`);

  const healthCheck = d.healthCheck ? normalizeHealthCheck(d.healthCheck, where) : undefined;

  // ECS echoes these members even when the request left them out.
  const out: ContainerDefinition = {
    ...d,
    cpu: d.cpu ?? 0,
    portMappings,
    essential: d.essential ?? true,
    environment: d.environment ?? [],
    mountPoints: d.mountPoints ?? [],
    volumesFrom: d.volumesFrom ?? [],
    systemControls: d.systemControls ?? [],
  };
  if (healthCheck) out.healthCheck = healthCheck;
  return stripUndefined(out);
}

function normalizePort(p: PortMapping, mode: string, where: string): PortMapping {
  if (p.containerPortRange !== undefined) {
    const m = /^(\d+)-(\d+)$/.exec(p.containerPortRange);
    if (!m || Number(m[1]) < 1 || Number(m[2]) > 65535 || Number(m[1]) >= Number(m[2])) {
      fail(`Invalid containerPortRange '${p.containerPortRange}' for ${where}: use 'FROM-TO' with 1 ≤ FROM < TO ≤ 65535.`);
    }
    if (p.containerPort !== undefined || p.hostPort !== undefined) fail(`A port mapping in ${where} cannot set both containerPortRange and containerPort/hostPort.`);
    return stripUndefined({ ...p, protocol: p.protocol ?? 'tcp' });
  }
  if (p.containerPort === undefined) fail(`Invalid port mapping for ${where}: containerPort is required.`);
  if (p.containerPort! < 1 || p.containerPort! > 65535) fail(`Invalid 'containerPort' ${p.containerPort} for ${where}: it must be between 1 and 65535.`);
  if (p.hostPort !== undefined && (p.hostPort < 0 || p.hostPort > 65535)) fail(`Invalid 'hostPort' ${p.hostPort} for ${where}: it must be between 0 and 65535.`);
  let hostPort = p.hostPort;
  if (mode === 'awsvpc' || mode === 'host') {
    if (hostPort !== undefined && hostPort !== p.containerPort) {
      fail(`When networkMode=${mode}, the host ports and container ports in port mappings must match.`);
    }
    hostPort = p.containerPort;
  } else if (mode === 'bridge') {
    hostPort = hostPort ?? 0; // 0 = a dynamic host port, chosen at placement
  }
  if (p.appProtocol !== undefined && p.name === undefined) fail(`A port mapping in ${where} that sets appProtocol must also have a name.`);
  return stripUndefined({ containerPort: p.containerPort, hostPort, protocol: p.protocol ?? 'tcp', name: p.name, appProtocol: p.appProtocol });
}

/** Same host port and protocol twice in one task can never be placed (dynamic port 0 excepted). */
function checkHostPorts(containers: readonly ContainerDefinition[], networkMode: string | undefined): void {
  const seen = new Map<string, string>();
  for (const c of containers) {
    for (const p of c.portMappings ?? []) {
      if (!p.hostPort) continue;
      const key = `${p.hostPort}/${p.protocol ?? 'tcp'}`;
      const other = seen.get(key);
      if (other !== undefined) {
        fail(`Host port ${p.hostPort}/${p.protocol ?? 'tcp'} is mapped more than once (containers '${other}' and '${c.name}')${networkMode === 'awsvpc' ? ': in awsvpc mode every container port of a task must be unique' : ''}.`);
      }
      seen.set(key, c.name!);
    }
  }
}

function normalizeHealthCheck(h: HealthCheck, where: string): HealthCheck {
  const cmd = h.command ?? [];
  if (cmd.length === 0) fail(`Invalid 'healthCheck' setting for ${where}: command must not be empty.`);
  const form = cmd[0];
  if (form !== 'CMD' && form !== 'CMD-SHELL' && form !== 'NONE') {
    fail(`Invalid 'healthCheck' setting for ${where}: the command must start with "CMD" (exec form) or "CMD-SHELL" (shell form), e.g. ["CMD-SHELL", "curl -f http://localhost/ || exit 1"].`);
  }
  if (form !== 'NONE' && cmd.length < 2) fail(`Invalid 'healthCheck' setting for ${where}: "${form}" must be followed by the command to run.`);
  const out: HealthCheck = { command: [...cmd] };
  for (const k of ['interval', 'timeout', 'retries', 'startPeriod'] as const) {
    const spec = HEALTH_CHECK[k];
    const v = h[k];
    if (v !== undefined && (v < spec.min || v > spec.max)) {
      fail(`Invalid 'healthCheck.${k}' setting for ${where}: ${v} is outside ${spec.min}–${spec.max}.`);
    }
  }
  out.interval = h.interval ?? HEALTH_CHECK.interval.default;
  out.timeout = h.timeout ?? HEALTH_CHECK.timeout.default;
  out.retries = h.retries ?? HEALTH_CHECK.retries.default;
  if (h.startPeriod !== undefined) out.startPeriod = h.startPeriod;
  if (out.timeout >= out.interval) fail(`Invalid 'healthCheck' setting for ${where}: timeout (${out.timeout}s) must be less than interval (${out.interval}s).`);
  return out;
}

function checkLogConfiguration(l: LogConfiguration, where: string): void {
  const opts = l.options ?? {};
  if (l.logDriver === 'awslogs') {
    for (const k of Object.keys(opts)) {
      if (!AWSLOGS_OPTIONS.has(k)) fail(`Invalid log option '${k}' for log driver awslogs in ${where}. Valid options: ${[...AWSLOGS_OPTIONS].join(', ')}.`);
    }
    if (!opts['awslogs-group']) fail(`Log driver awslogs requires the option 'awslogs-group' (${where}).`);
    if (opts['awslogs-datetime-format'] !== undefined && opts['awslogs-multiline-pattern'] !== undefined) {
      fail(`Log options 'awslogs-datetime-format' and 'awslogs-multiline-pattern' cannot both be set (${where}).`);
    }
    // The awslogs driver reads it with Go's strconv.ParseBool: AWS's own examples say "True".
    if (opts['awslogs-create-group'] !== undefined && parseBool(opts['awslogs-create-group']) === undefined) {
      fail(`Invalid value '${opts['awslogs-create-group']}' for log option 'awslogs-create-group' (${where}): use one of 1, t, T, TRUE, true, True, 0, f, F, FALSE, false, False.`);
    }
    if (opts.mode !== undefined && !['blocking', 'non-blocking'].includes(opts.mode)) {
      fail(`Invalid value '${opts.mode}' for log option 'mode' (${where}): use "blocking" or "non-blocking".`);
    }
  }
  for (const s of l.secretOptions ?? []) {
    if (!s.name || !s.valueFrom) fail(`Invalid 'logConfiguration.secretOptions' for ${where}: every secret option needs a name and a valueFrom.`);
  }
}

/**
 * dependsOn: targets exist and are other containers; COMPLETE/SUCCESS only on non-essential targets
 * (an essential container that exits stops the task, so waiting for it to finish would never start the
 * dependant); HEALTHY only on targets with a health check; no cycles.
 */
function checkDependencies(containers: readonly ContainerDefinition[]): void {
  const byName = new Map(containers.map((c) => [c.name!, c]));
  for (const c of containers) {
    const seen = new Set<string>();
    for (const dep of c.dependsOn ?? []) {
      const target = byName.get(dep.containerName!);
      if (!target) fail(`Invalid 'dependsOn' setting for container '${c.name}': container '${dep.containerName}' is not in the task definition.`);
      if (dep.containerName === c.name) fail(`Invalid 'dependsOn' setting for container '${c.name}': a container cannot depend on itself.`);
      if (seen.has(dep.containerName!)) fail(`Invalid 'dependsOn' setting for container '${c.name}': container '${dep.containerName}' is listed more than once.`);
      seen.add(dep.containerName!);
      if ((dep.condition === 'COMPLETE' || dep.condition === 'SUCCESS') && target!.essential) {
        fail(`Invalid 'dependsOn' setting for container '${c.name}': dependency condition ${dep.condition} cannot be used on essential container '${dep.containerName}'.`);
      }
      if (dep.condition === 'HEALTHY' && !target!.healthCheck) {
        fail(`Invalid 'dependsOn' setting for container '${c.name}': dependency condition HEALTHY requires container '${dep.containerName}' to have a healthCheck.`);
      }
    }
  }
  // Cycle check: depth-first with colours.
  const state = new Map<string, 1 | 2>();
  const visit = (n: string, path: string[]): void => {
    if (state.get(n) === 2) return;
    if (state.get(n) === 1) fail(`Invalid 'dependsOn' settings: circular dependency ${[...path, n].join(' → ')}.`);
    state.set(n, 1);
    for (const d of byName.get(n)?.dependsOn ?? []) visit(d.containerName!, [...path, n]);
    state.set(n, 2);
  };
  for (const c of containers) visit(c.name!, []);
}

/**
 * The agent capabilities a definition needs, as ECS computes them for placement: a container instance
 * must advertise every attribute. Names are the ECS agent's capability attributes; which feature needs
 * which follows the ECS task definition docs and what ECS returns for real definitions. Sorted by name.
 */
export function requiredAttributes(def: Pick<NormalizedTaskDefinition, 'containerDefinitions' | 'networkMode' | 'taskRoleArn' | 'executionRoleArn' | 'cpu' | 'memory' | 'requiresCompatibilities' | 'pidMode' | 'ipcMode' | 'volumes'>): Attribute[] {
  const names = new Set<string>();
  const docker = (v: string) => names.add(`com.amazonaws.ecs.capability.docker-remote-api.${v}`);
  if (def.networkMode === 'awsvpc') { names.add('ecs.capability.task-eni'); docker('1.18'); }
  if (def.taskRoleArn) { names.add('com.amazonaws.ecs.capability.task-iam-role'); docker('1.19'); }
  if (def.taskRoleArn && def.networkMode === 'host') names.add('com.amazonaws.ecs.capability.task-iam-role-network-host');
  if ((def.cpu !== undefined || def.memory !== undefined) && !def.requiresCompatibilities?.includes('FARGATE')) names.add('ecs.capability.task-cpu-mem-limit');
  if (def.pidMode !== undefined || def.ipcMode !== undefined) names.add('ecs.capability.pid-ipc-namespace-sharing');
  for (const v of def.volumes ?? []) {
    if (v.efsVolumeConfiguration) {
      names.add('ecs.capability.efs');
      if (v.efsVolumeConfiguration.authorizationConfig?.iam === 'ENABLED' || v.efsVolumeConfiguration.authorizationConfig?.accessPointId) names.add('ecs.capability.efsAuth');
    }
    if (v.dockerVolumeConfiguration) { names.add(`ecs.capability.docker-plugin.${v.dockerVolumeConfiguration.driver ?? 'local'}`); docker('1.25'); }
  }
  for (const c of def.containerDefinitions) {
    const log = c.logConfiguration?.logDriver;
    if (log) {
      names.add(`com.amazonaws.ecs.capability.logging-driver.${log}`);
      docker(log === 'awslogs' ? '1.19' : '1.18');
      if (log === 'awslogs' && def.executionRoleArn) names.add('ecs.capability.execution-role-awslogs');
      if (log === 'awsfirelens') names.add('ecs.capability.firelens.fluentbit');
    }
    if (c.image && isEcrImage(c.image)) {
      names.add('com.amazonaws.ecs.capability.ecr-auth');
      if (def.executionRoleArn) names.add('ecs.capability.execution-role-ecr-pull');
    }
    if (c.repositoryCredentials) names.add('com.amazonaws.ecs.capability.private-registry-authentication.secretsmanager');
    if (c.memoryReservation !== undefined) docker('1.21');
    if (c.healthCheck) { names.add('ecs.capability.container-health-check'); docker('1.24'); }
    if (c.dependsOn?.length || c.startTimeout !== undefined) names.add('ecs.capability.container-ordering');
    if (c.privileged) names.add('com.amazonaws.ecs.capability.privileged-container');
    if (c.ulimits?.length || c.dockerLabels || c.logConfiguration) docker('1.18');
    if (c.readonlyRootFilesystem !== undefined || c.dockerSecurityOptions?.length) docker('1.17');
    if (c.linuxParameters?.initProcessEnabled) docker('1.25');
    if (c.linuxParameters?.sharedMemorySize !== undefined || c.linuxParameters?.tmpfs?.length) docker('1.22');
    if (c.systemControls?.length) docker('1.25');
    for (const s of c.secrets ?? []) {
      names.add(s.valueFrom?.includes(':secretsmanager:') ? 'ecs.capability.secrets.asm.environment-variables' : 'ecs.capability.secrets.ssm.environment-variables');
    }
    if (c.environmentFiles?.length) names.add('ecs.capability.env-files.s3');
    if (c.resourceRequirements?.some((r) => r.type === 'GPU')) names.add('ecs.capability.nvidia-driver');
  }
  return [...names].sort().map((name) => ({ name }));
}

/**
 * What placement requires of an instance: the definition's requiresAttributes plus its runtimePlatform
 * (ECS places a task only on an instance whose `ecs.os-family` and `ecs.cpu-architecture` match, and
 * otherwise fails it with reason ATTRIBUTE). The platform is not added to the echoed requiresAttributes,
 * which list agent capabilities only.
 */
export function placementAttributes(def: Pick<NormalizedTaskDefinition, 'requiresAttributes' | 'runtimePlatform'>): { name: string; value?: string }[] {
  const out = (def.requiresAttributes ?? []).map((a) => (a.value === undefined ? { name: a.name! } : { name: a.name!, value: a.value }));
  const arch = def.runtimePlatform?.cpuArchitecture;
  if (arch) out.push({ name: 'ecs.cpu-architecture', value: arch === 'ARM64' ? 'arm64' : 'x86_64' });
  const os = def.runtimePlatform?.operatingSystemFamily;
  if (os) out.push({ name: 'ecs.os-family', value: os });
  return out;
}

/** Drops undefined members so stored records and wire output carry only what is set. */
function stripUndefined<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}
