/**
 * The managed Fargate pool's sizing decision (pure; the controller applies it).
 *
 * A pool host is one Wharf agent the server starts and supervises itself (HostProvider), registered into
 * the cluster with a fixed virtual size (default 8 vCPU / 32 GiB). FARGATE tasks are placed only on pool
 * hosts; a task that finds no room stays PROVISIONING while the pool grows, as Fargate tasks wait for
 * capacity.
 *
 * How many hosts. The naive rule — one host per waiting task — starts a Node process per task: a
 * 100-task burst would start 100 agents on two cores. Instead hosts are bins: the waiting demand
 * (cpu units and MiB of PROVISIONING tasks) is packed into free room first, and the rest needs
 * ceil(max(cpu / hostCpu, memory / hostMemory)) new hosts, minus hosts already starting. Example: host
 * 8192/32768, 40 waiting tasks of 256/512 → 10240 units, 20480 MiB → ceil(max(1.25, 0.625)) = 2 hosts.
 * A task larger than a host gets a host of its own size (Fargate's largest is 16 vCPU / 120 GiB).
 *
 * A cluster with a Fargate provider associated (or Fargate tasks) keeps `warm` empty hosts started.
 *
 * When to stop one. A host with no live task for `idleMs` (default 5 min) stops, unless that would
 * leave fewer than `warm` idle hosts (WHARF_FARGATE_WARM_HOSTS keeps a warm pool for fast starts).
 * Hosts with tasks are never stopped (no managed termination, nothing to drain).
 */

export interface PoolConfig {
  hostCpu: number;
  hostMemory: number;
  /** Idle hosts kept running. */
  warm: number;
  idleMs: number;
  maxHosts: number;
}

export const DEFAULT_POOL_CONFIG: PoolConfig = { hostCpu: 8192, hostMemory: 32768, warm: 0, idleMs: 300_000, maxHosts: 16 };

export interface PoolHost {
  name: string;
  /** Registered and connected: it can take tasks now. */
  ready: boolean;
  /** Free room (registered minus reserved); zero while starting. */
  freeCpu: number;
  freeMemory: number;
  liveTasks: number;
  /** Since when it has had no live task (epoch ms), if idle. */
  idleSince?: number;
}

export interface PoolDecision {
  /** New hosts to start, each with its registered size. */
  start: { cpu: number; memory: number }[];
  /** Hosts to stop (idle past idleMs). */
  stop: string[];
}

export function decidePool(input: { waiting: readonly { cpu: number; memory: number }[]; hosts: readonly PoolHost[]; now: number; config: PoolConfig; prewarm?: boolean }): PoolDecision {
  const { config: c } = input;
  // Pack waiting tasks into the room the pool has or will have (starting hosts count at full size).
  const room = input.hosts.map((h) => (h.ready ? { cpu: h.freeCpu, memory: h.freeMemory } : { cpu: c.hostCpu, memory: c.hostMemory }));
  const unfit: { cpu: number; memory: number }[] = [];
  for (const t of [...input.waiting].sort((a, b) => b.memory - a.memory || b.cpu - a.cpu)) {
    const r = room.find((x) => x.cpu >= t.cpu && x.memory >= t.memory);
    if (r) { r.cpu -= t.cpu; r.memory -= t.memory; } else unfit.push(t);
  }
  const start: { cpu: number; memory: number }[] = [];
  const bins: { cpu: number; memory: number }[] = [];
  for (const t of unfit) {
    let b = bins.find((x) => x.cpu >= t.cpu && x.memory >= t.memory);
    if (!b) {
      if (input.hosts.length + start.length >= c.maxHosts) break;
      const size = { cpu: Math.max(c.hostCpu, t.cpu), memory: Math.max(c.hostMemory, t.memory) };
      start.push(size);
      b = { ...size };
      bins.push(b);
    }
    b.cpu -= t.cpu;
    b.memory -= t.memory;
  }
  if (input.prewarm && input.waiting.length === 0) {
    // A cluster that uses Fargate keeps `warm` empty hosts up, so a task starts without waiting for one.
    const empty = input.hosts.filter((h) => h.liveTasks === 0).length;
    for (let i = empty; i < c.warm && input.hosts.length + start.length < c.maxHosts; i++) start.push({ cpu: c.hostCpu, memory: c.hostMemory });
  }
  const stop: string[] = [];
  if (input.waiting.length === 0) {
    const idle = input.hosts.filter((h) => h.ready && h.liveTasks === 0 && h.idleSince !== undefined);
    let keep = Math.min(c.warm, idle.length);
    for (const h of [...idle].sort((a, b) => b.idleSince! - a.idleSince!)) {
      if (keep > 0) { keep--; continue; }
      if (input.now - h.idleSince! >= c.idleMs) stop.push(h.name);
    }
  }
  return { start, stop };
}
