/**
 * The RuntimeDriver port: the narrow set of container operations an agent's task actors need.
 * Adapters: `docker-api/` (any Docker Engine API endpoint — Docker or Podman's compatible socket) and
 * `fake/` (in memory, deterministic). Both pass `conformance.ts`.
 *
 * Container lifecycle as the driver observes it:
 *
 *                 createContainer            startContainer
 *   (no container) ─────────────► CREATED ─────────────────► RUNNING
 *                                    │                          │  process exits │ stopContainer
 *                                    │ start fails              │  (SIGTERM, then SIGKILL after
 *                                    ▼                          ▼   timeoutSeconds) │ OOM kill
 *                                 CREATED  ◄── error set     EXITED  {exitCode, oomKilled, finishedAt}
 *                                    │                          │
 *                                    └──── removeContainer ─────┴──────► (gone: inspect → NotFound)
 *
 * States only move forward: a container is never restarted by Wharf (a new attempt is a new container),
 * so EXITED is final until removal. Who writes what: the task actor that owns a container is the only
 * caller of create/start/stop/remove for it; every field of `ContainerState` is written by the runtime
 * and only read here. Labels (task ARN, container name, cluster) are set once at create; a restarted
 * agent finds its containers again with `listContainers(labels)` instead of starting them twice.
 */

/** What the endpoint says about itself; `apiVersion` is the one negotiated and used. */
export interface RuntimeInfo {
  /** 'podman' | 'docker' | 'fake', from the version's components. */
  engine: string;
  version: string;
  apiVersion: string;
  os: string;
  arch: string;
}

export interface RegistryAuth {
  username: string;
  password: string;
  /** Registry host, e.g. `127.0.0.1:5000`. */
  serveraddress: string;
}

export interface PullProgress {
  /** Layer id or '' for whole-image messages. */
  id: string;
  status: string;
  current?: number;
  total?: number;
}

export interface PullOptions {
  auth?: RegistryAuth;
  signal?: AbortSignal;
  onProgress?: (p: PullProgress) => void;
}

export interface PulledImage {
  ref: string;
  /** Image id (config digest). */
  id: string;
  /** Manifest digest (`sha256:…`) when the runtime knows it; ECS reports it as `imageDigest`. */
  digest: string | null;
}

/** `container:<id>` joins another container's network namespace (awsvpc: the task's pause container). */
export type NetworkMode = 'bridge' | 'host' | 'none' | `container:${string}`;
export type Protocol = 'tcp' | 'udp';

export interface PortBinding {
  containerPort: number;
  /** 0 = a dynamic port chosen by the runtime (ECS bridge mode with hostPort 0). */
  hostPort: number;
  /** Default 'tcp'. */
  protocol?: Protocol;
  /** Default '' = all interfaces. */
  hostIp?: string;
}

export interface Ulimit {
  name: string;
  soft: number;
  hard: number;
}

/** Wharf's own, runtime-neutral container spec (the task actor maps ECS container definitions to it). */
export interface ContainerSpec {
  /** Runtime container name; unique per runtime. */
  name: string;
  image: string;
  /** CMD; default: the image's. */
  command?: string[];
  /** ENTRYPOINT; default: the image's. */
  entryPoint?: string[];
  env?: Record<string, string>;
  workingDir?: string;
  user?: string;
  /** Wharf's labels (task ARN, container name, cluster); they win over `dockerLabels` on a clash. */
  labels?: Record<string, string>;
  /** The user's ECS `dockerLabels`. */
  dockerLabels?: Record<string, string>;
  /** Relative CPU weight (ECS `cpu` units); default: runtime default (1024). */
  cpuShares?: number;
  /** Hard limit; the container is OOM-killed above it. Swap is not added (swap limit = memory limit). */
  memoryMiB?: number;
  /** Soft limit (ECS `memoryReservation`). */
  memoryReservationMiB?: number;
  ulimits?: Ulimit[];
  portBindings?: PortBinding[];
  /** Default 'bridge'. */
  networkMode?: NetworkMode;
  readonlyRootfs?: boolean;
  /** Run an init process as PID 1 (ECS `initProcessEnabled`). */
  init?: boolean;
  /** Default false. */
  privileged?: boolean;
  capAdd?: string[];
  capDrop?: string[];
  /** Default true: setuid binaries cannot gain privileges (reference/reliability.md §6). */
  noNewPrivileges?: boolean;
  /** Extra `--security-opt` values. */
  securityOpt?: string[];
  /** Signal sent by stopContainer before SIGKILL; default SIGTERM. */
  stopSignal?: string;
  /** Host devices made available inside (ECS linuxParameters.devices); permissions ⊆ 'rwm', default 'rwm'. */
  devices?: DeviceMapping[];
  /** Size of /dev/shm, MiB (ECS sharedMemorySize); default: the runtime's (64 MiB). */
  shmSizeMiB?: number;
  /** tmpfs mounts (ECS linuxParameters.tmpfs). */
  tmpfs?: TmpfsMount[];
  /**
   * Swap the container may use beyond `memoryMiB`, MiB (ECS maxSwap); needs `memoryMiB`. Default 0: no
   * swap at all (swap limit = memory limit).
   */
  maxSwapMiB?: number;
  /** 0–100 (ECS swappiness); only with maxSwapMiB. */
  swappiness?: number;
  /** Default: the runtime's (the container id's first 12 characters). */
  hostname?: string;
  /** /etc/resolv.conf nameservers and search domains; default: the runtime's. */
  dns?: string[];
  dnsSearch?: string[];
  /** Extra /etc/hosts entries. */
  extraHosts?: { hostname: string; ip: string }[];
  /** Namespaced kernel parameters (ECS systemControls), e.g. `net.ipv4.tcp_keepalive_time` → `600`. */
  sysctls?: Record<string, string>;
  /** Allocate a pseudo-terminal for the main process (ECS pseudoTerminal); logs are then one stream, stdout. */
  tty?: boolean;
  /** Keep the main process's stdin open (ECS interactive): a program reading it waits instead of seeing EOF. */
  openStdin?: boolean;
  /** PID namespace: the host's, or another container's (ECS pidMode host / task). Default: its own. */
  pidMode?: 'host' | `container:${string}`;
  /** IPC namespace: 'shareable' lets others join it (ECS ipcMode task), 'none', the host's or another's. */
  ipcMode?: 'host' | 'none' | 'shareable' | 'private' | `container:${string}`;
  /** Host paths and runtime volumes mounted into the container (ECS mountPoints). */
  mounts?: Mount[];
  /** Every mount of these containers (ids), too (ECS volumesFrom); they must exist when this one is created. */
  volumesFrom?: { container: string; readOnly?: boolean }[];
}

/** A host directory (`bind`, source = absolute host path) or a runtime volume (`volume`, source = its name). */
export interface Mount {
  type: 'bind' | 'volume';
  source: string;
  target: string;
  readOnly?: boolean;
}

export interface VolumeSpec {
  name: string;
  /** Default 'local'. */
  driver?: string;
  driverOpts?: Record<string, string>;
  labels?: Record<string, string>;
}

export interface VolumeInfo {
  name: string;
  driver: string;
  labels: Record<string, string>;
  /** The driver's options as the runtime keeps them. */
  options: Record<string, string>;
}

export interface DeviceMapping {
  hostPath: string;
  /** Default: hostPath. */
  containerPath?: string;
  /** Subset of 'rwm' (read, write, mknod); default 'rwm'. */
  permissions?: string;
}

export interface TmpfsMount {
  containerPath: string;
  sizeMiB: number;
  /** mount(8) options, e.g. 'noexec', 'ro'. */
  mountOptions?: string[];
}

export interface HostPortMapping {
  containerPort: number;
  hostPort: number;
  protocol: Protocol;
  hostIp: string;
}

export type ContainerStatus = 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead';

/** Observed state, neutral across runtimes. Timestamps are null until they happen. */
export interface ContainerState {
  id: string;
  name: string;
  status: ContainerStatus;
  running: boolean;
  /** null while not yet exited. */
  exitCode: number | null;
  oomKilled: boolean;
  startedAt: Date | null;
  finishedAt: Date | null;
  /** Runtime error text (e.g. a failed start), '' → null. */
  error: string | null;
  hostPorts: HostPortMapping[];
  imageId: string;
  /** Manifest digest of the image when known. */
  imageDigest: string | null;
  labels: Record<string, string>;
  /** The container's IPv4 addresses on its networks (bridge), when the runtime reports them. */
  ipAddresses?: string[];
  /** The main process's host pid while running, else null (the fake runtime has none). */
  pid: number | null;
}

export interface ContainerSummary {
  id: string;
  name: string;
  status: ContainerStatus;
  labels: Record<string, string>;
}

export interface ExitInfo {
  exitCode: number;
  oomKilled: boolean;
  finishedAt: Date | null;
}

export interface ExecResult {
  /** null when the command timed out (its process may still run inside the container). */
  exitCode: number | null;
  timedOut: boolean;
  /** Combined stdout+stderr, truncated to the first 4 KiB (enough for a health check's log line). */
  output: string;
}

export interface LogLine {
  stream: 'stdout' | 'stderr';
  line: string;
  time: Date;
}

export interface LogOptions {
  /** Keep streaming until the container exits or `signal` aborts. Default false. */
  follow?: boolean;
  /** Only lines at or after this time. */
  since?: Date;
  signal?: AbortSignal;
}

export interface ContainerStats {
  /** Cumulative CPU time used by the container, ns. */
  cpuTotalNs: number;
  /** Cumulative host CPU time, ns (Docker's `system_cpu_usage`), for the usage ratio. */
  systemCpuNs: number;
  onlineCpus: number;
  memoryUsageBytes: number;
  memoryLimitBytes: number;
  netRxBytes: number;
  netTxBytes: number;
  blockReadBytes: number;
  blockWriteBytes: number;
  time: Date;
}

export interface CallOptions {
  signal?: AbortSignal;
}

export interface RuntimeDriver {
  /** Checks the endpoint answers; returns what it is. */
  ping(opts?: CallOptions): Promise<RuntimeInfo>;
  /** Pulls `ref`; fails with RuntimeError code 'pull-failed' (→ `CannotPullContainerError`). */
  pullImage(ref: string, opts?: PullOptions): Promise<PulledImage>;
  /** Loads an image from a `docker save` archive (the agent's own pause image); returns the names it loaded. */
  loadImage(archive: Uint8Array, opts?: CallOptions): Promise<void>;
  /** The local image, or null if absent (for "prefer cached" pull behaviour). */
  inspectImage(ref: string, opts?: CallOptions): Promise<PulledImage | null>;
  /** Returns the container id; fails with 'create-failed' (bad spec, missing image: 'image-not-found'). */
  createContainer(spec: ContainerSpec, opts?: CallOptions): Promise<string>;
  /** Fails with 'start-failed' (e.g. command not found); the container then stays CREATED or EXITED. */
  startContainer(id: string, opts?: CallOptions): Promise<void>;
  /** stopSignal (default SIGTERM), then SIGKILL after `timeoutSeconds`. A stopped container is a no-op. */
  stopContainer(id: string, opts: { timeoutSeconds: number; signal?: AbortSignal }): Promise<void>;
  /** Removes (forcibly, killing it if running). Removing a missing container is a no-op. */
  removeContainer(id: string, opts?: CallOptions): Promise<void>;
  /** Fails with 'not-found' if there is no such container. */
  inspect(id: string, opts?: CallOptions): Promise<ContainerState>;
  /** Containers (running or not) carrying every given label. */
  listContainers(labels: Record<string, string>, opts?: CallOptions): Promise<ContainerSummary[]>;
  /** Resolves as soon as the container has exited (at once if it already has). */
  waitExit(id: string, opts?: CallOptions): Promise<ExitInfo>;
  /** Runs `cmd` (argv, no shell) in the running container; for ECS `healthCheck`. */
  exec(id: string, cmd: string[], opts: { timeoutMs: number; signal?: AbortSignal }): Promise<ExecResult>;
  logs(id: string, opts?: LogOptions): AsyncIterable<LogLine>;
  stats(id: string, opts?: CallOptions): Promise<ContainerStats>;
  /** Creates a named volume; creating one that exists is a no-op (its info is returned). */
  createVolume(spec: VolumeSpec, opts?: CallOptions): Promise<VolumeInfo>;
  /** The volume, or null when there is none by that name. */
  inspectVolume(name: string, opts?: CallOptions): Promise<VolumeInfo | null>;
  /** Volumes carrying every given label. */
  listVolumes(labels: Record<string, string>, opts?: CallOptions): Promise<VolumeInfo[]>;
  /** Removes a volume no container uses; a missing one is a no-op. Fails with 'remove-failed' while in use. */
  removeVolume(name: string, opts?: CallOptions): Promise<void>;
  /** Releases watchers and connections. */
  close(): Promise<void>;
}
