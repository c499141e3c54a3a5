/**
 * awsvpc on the host: each task's network namespace, held by a pause container, wired to its subnet's
 * Linux bridge, and fenced by its security groups.
 *
 *   attach(task)   pause image (loaded once) ─► pause container (network none) started ─► subnet bridge
 *                  (made if absent, the subnet's router address on it: the host routes to the subnet)
 *                  ─► veth: host end on the bridge, other end moved into the pause's namespace as eth0
 *                  with the task's address and MAC, default route via the router ─► nftables table in the
 *                  namespace from the security groups ─► the task's containers join `container:<pause>`
 *   policy(p)      every attached task's table re-rendered (rule or membership change), atomically
 *   detach(task)   host veth deleted (both ends go, the address is off the bridge at once) ─► pause stopped
 *                  (the namespace, and its nftables table, die with its last process); the pause container
 *                  is removed with the task's other containers at cleanup
 *
 * Everything is idempotent: attach on an adopted task (agent restart) finds the pause container by its
 * deterministic name and re-wires only what is missing.
 *
 * Naive alternative and why not: `ip netns add` per task and Podman's `ns:` network mode — simpler, but
 * Docker has no `ns:` mode and ECS's own agent uses a pause container; this works on both runtimes.
 */
import { execFile } from 'node:child_process';
import { access } from 'node:fs/promises';
import { promisify } from 'node:util';
import type { NetworkPolicy, TaskNetworkSpec, TaskSpec } from '../../protocol/agent-messages.js';
import type { AgentLogger } from '../clock.js';
import { containerLabels, runtimeName, taskId } from '../container-spec.js';
import { isRuntimeError } from '../runtime/runtime-error.js';
import type { RuntimeDriver } from '../runtime/driver.js';
import { ensurePauseImage, BUSYBOX } from './pause-image.js';
import { renderTaskTable } from './nft.js';

const run = promisify(execFile);

/** ECS's name for the pause container (`~internal~ecs~pause`), as a container-name label. */
export const PAUSE_CONTAINER = '~internal~ecs~pause';

/** Host-side veth name: `wv` + 13 hex of the task id (IFNAMSIZ is 16 with the NUL). */
export const vethName = (taskArn: string) => `wv${taskId(taskArn).replace(/-/g, '').slice(0, 13)}`;

export interface AttachedTask {
  taskArn: string;
  pauseId: string;
  /** Host pid of the pause process: its namespace is /proc/<pid>/ns/net. */
  pid: number;
  network: TaskNetworkSpec;
}

export interface TaskNetworksOptions {
  driver: RuntimeDriver;
  hostId: string;
  log: AgentLogger;
}

async function sh(cmd: string, args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(cmd, args, { timeout: 10_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${cmd} ${args.join(' ')}: ${(stderr || err.message).trim()}`));
      else resolve(stdout);
    });
    if (input !== undefined) child.stdin!.end(input);
  });
}

export class TaskNetworks {
  private readonly attached = new Map<string, AttachedTask>();
  private policy: NetworkPolicy = { groups: {}, members: {} };
  private pauseImage?: Promise<string>;
  private readonly bridges = new Map<string, Promise<void>>();
  /** Policy renders run one at a time, latest wins. */
  private applying: Promise<void> = Promise.resolve();

  constructor(private readonly o: TaskNetworksOptions) {}

  /** Whether this host can run awsvpc tasks (root, iproute2, nsenter, nftables, busybox for the pause image). */
  static async supported(): Promise<{ ok: boolean; why?: string }> {
    if (process.getuid?.() !== 0) return { ok: false, why: 'the agent is not running as root' };
    for (const [bin, args] of [['ip', ['-V']], ['nsenter', ['--version']], ['nft', ['--version']]] as const) {
      try { await run(bin, [...args]); } catch { return { ok: false, why: `${bin} is not installed` }; }
    }
    try { await access(BUSYBOX); } catch { return { ok: false, why: `${BUSYBOX} is missing (install busybox-static)` }; }
    return { ok: true };
  }

  /** The namespace of an attached task, for code that serves endpoints inside it (credentials, metadata). */
  namespaceOf(taskArn: string): { pid: number; netnsPath: string; address: string; gateway: string } | undefined {
    const a = this.attached.get(taskArn);
    return a ? { pid: a.pid, netnsPath: `/proc/${a.pid}/ns/net`, address: a.network.ipv4Address, gateway: a.network.gateway } : undefined;
  }

  /** Runs argv inside an attached task's network namespace (nsenter); resolves with stdout. */
  async execInTask(taskArn: string, argv: string[], input?: string): Promise<string> {
    const a = this.attached.get(taskArn);
    if (!a) throw new Error(`task ${taskArn} has no network namespace on this host`);
    return sh('nsenter', ['-t', String(a.pid), '-n', ...argv], input);
  }

  attachedTasks(): AttachedTask[] {
    return [...this.attached.values()];
  }

  /** Sets up the task's namespace; returns the network mode its containers use (`container:<pause id>`). */
  async attach(spec: TaskSpec): Promise<`container:${string}`> {
    const net = spec.network;
    if (!net) throw new Error('the task has awsvpc network mode but no network interface was assigned to it');
    const pauseId = await this.pause(spec);
    const st = await this.o.driver.inspect(pauseId);
    if (!st.running || !st.pid) throw new Error(`the pause container ${pauseId.slice(0, 12)} is not running`);
    await this.bridge(net);
    await this.wire(spec.taskArn, st.pid, net);
    const a: AttachedTask = { taskArn: spec.taskArn, pauseId, pid: st.pid, network: net };
    this.attached.set(spec.taskArn, a);
    await this.applyTable(a);
    this.o.log.info({ taskArn: spec.taskArn, address: net.ipv4Address, bridge: net.bridge, pause: pauseId.slice(0, 12) }, 'task network attached');
    return `container:${pauseId}`;
  }

  /** Tears the namespace down (veth, then the pause process). Safe to call for a task never attached. */
  async detach(spec: TaskSpec): Promise<void> {
    const a = this.attached.get(spec.taskArn);
    this.attached.delete(spec.taskArn);
    await sh('ip', ['link', 'del', vethName(spec.taskArn)]).catch(() => {}); // already gone with its namespace
    const id = a?.pauseId ?? (await this.findPause(spec))?.id;
    if (id) await this.o.driver.stopContainer(id, { timeoutSeconds: 0 }).catch((e: unknown) => this.o.log.warn({ taskArn: spec.taskArn, err: String(e) }, 'stopping the pause container failed'));
  }

  /** New security-group policy: re-render every attached task's table. */
  setPolicy(p: NetworkPolicy): Promise<void> {
    this.policy = p;
    this.applying = this.applying.then(async () => {
      for (const a of [...this.attached.values()]) {
        await this.applyTable(a).catch((e: unknown) => this.o.log.warn({ taskArn: a.taskArn, err: String(e) }, 'applying security groups failed'));
      }
    });
    return this.applying;
  }

  private async applyTable(a: AttachedTask): Promise<void> {
    await sh('nsenter', ['-t', String(a.pid), '-n', 'nft', '-f', '-'], renderTaskTable(this.policy, a.network.securityGroups));
  }

  private async findPause(spec: TaskSpec) {
    const name = runtimeName(spec, 'internalecspause');
    return (await this.o.driver.listContainers({ 'com.amazonaws.ecs.task-arn': spec.taskArn, 'com.amazonaws.ecs.container-name': PAUSE_CONTAINER }))
      .find((c) => c.name === name);
  }

  private async pause(spec: TaskSpec): Promise<string> {
    const existing = await this.findPause(spec);
    let id = existing?.id;
    if (!id) {
      this.pauseImage ??= ensurePauseImage(this.o.driver).catch((e: unknown) => { this.pauseImage = undefined; throw e; });
      const image = await this.pauseImage;
      const name = runtimeName(spec, 'internalecspause');
      try {
        id = await this.o.driver.createContainer({
          name, image, networkMode: 'none',
          labels: containerLabels(spec, { name: PAUSE_CONTAINER }, this.o.hostId),
          // ipcMode task: the containers join its IPC namespace too (src/agent/namespace-pause.ts).
          ...(spec.ipcMode === 'task' ? { ipcMode: 'shareable' as const } : {}),
          // The pause process needs nothing: no privileges, a tiny memory limit.
          memoryMiB: 16, capDrop: ['ALL'], readonlyRootfs: true,
        });
      } catch (e) {
        if (!(isRuntimeError(e, 'create-failed') && /already in use/i.test(e.message))) throw e;
        id = (await this.o.driver.inspect(name)).id;
      }
    }
    const st = await this.o.driver.inspect(id);
    if (!st.running) {
      if (st.exitCode !== null) throw new Error(`the task's pause container ${id.slice(0, 12)} has exited`);
      await this.o.driver.startContainer(id);
    }
    return id;
  }

  /** The subnet's bridge, with the router address on it. Made once per host; shared by every agent. */
  private bridge(net: TaskNetworkSpec): Promise<void> {
    let p = this.bridges.get(net.bridge);
    if (!p) {
      p = (async () => {
        const exists = await sh('ip', ['-o', 'link', 'show', 'dev', net.bridge]).then(() => true, () => false);
        if (!exists) await sh('ip', ['link', 'add', net.bridge, 'type', 'bridge']).catch((e: Error) => { if (!/File exists/.test(e.message)) throw e; });
        const addrs = await sh('ip', ['-o', '-4', 'addr', 'show']);
        const gw = `${net.gateway}/${net.prefix}`;
        const holder = addrs.split('\n').find((l) => l.includes(` inet ${net.gateway}/`));
        if (holder && !holder.includes(` ${net.bridge} `) && !holder.split(/\s+/)[1]?.startsWith(net.bridge)) {
          throw new Error(`the subnet's router address ${net.gateway} is already on ${holder.split(/\s+/)[1]}: another VPC on this host uses an overlapping CIDR (${net.subnetCidr})`);
        }
        if (!holder) await sh('ip', ['addr', 'add', gw, 'dev', net.bridge]).catch((e: Error) => { if (!/File exists/.test(e.message)) throw e; });
        await sh('ip', ['link', 'set', net.bridge, 'up']);
      })();
      this.bridges.set(net.bridge, p);
      p.catch(() => this.bridges.delete(net.bridge));
    }
    return p;
  }

  private async wire(taskArn: string, pid: number, net: TaskNetworkSpec): Promise<void> {
    const veth = vethName(taskArn);
    const inNs = (args: string[]) => sh('nsenter', ['-t', String(pid), '-n', ...args]);
    const configured = await inNs(['ip', '-o', '-4', 'addr', 'show', 'dev', 'eth0']).then((o) => o.includes(` ${net.ipv4Address}/`), () => false);
    if (configured) return;
    await sh('ip', ['link', 'del', veth]).catch(() => {}); // a half-made pair from an interrupted attach
    await sh('ip', ['link', 'add', veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', String(pid)]);
    await sh('ip', ['link', 'set', veth, 'master', net.bridge, 'up']);
    await sh('nsenter', ['-t', String(pid), '-n', 'ip', '-batch', '-'], [
      `link set eth0 address ${net.macAddress}`,
      `addr add ${net.ipv4Address}/${net.prefix} dev eth0`,
      'link set eth0 up',
      'link set lo up',
      `route add default via ${net.gateway}`,
      '',
    ].join('\n'));
  }
}
