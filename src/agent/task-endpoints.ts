/**
 * ECS's link-local endpoints, served by the agent: task-role credentials
 * (169.254.170.2$AWS_CONTAINER_CREDENTIALS_RELATIVE_URI) and task metadata v4
 * ($ECS_CONTAINER_METADATA_URI_V4: /, /task, /stats, /task/stats).
 *
 *   container ─► 169.254.170.2:80 ─► nftables DNAT (table ip wharf_agent_<host>) ─► 127.0.0.1:<port> ─► here
 *
 * Naive approach (the ECS agent's): DNAT every packet for 169.254.170.2:80 to the agent's fixed port
 * 51679. Two agents on one machine (Wharf's tests and small setups run several) would then take each
 * other's traffic, and any local process could reach the endpoint. Instead the DNAT rule matches only
 * source addresses in this agent's set — the addresses of its running task containers, added when a
 * container starts and removed when its task stops — and the listener is on an ephemeral port.
 * `net.ipv4.conf.all.route_localnet=1` lets the kernel route the DNAT'd packet to 127.0.0.1, as the
 * ECS agent's setup does.
 *
 * Isolation: the credentials id in the URI is the task's unguessable endpoint id, and the request's
 * source address must belong to that very task (so a neighbour that learned the URI still gets 400).
 * The metadata id is derived from it per container (container-spec.ts).
 *
 * awsvpc tasks reach the same DNAT from their own namespace through their default route (the subnet
 * bridge's router address on this host); the agent admits the task's interface address once the namespace
 * is up (agent.ts), and the task's security groups never block 169.254.170.2:80 (network/nft.ts), as in ECS.
 *
 * Host-mode tasks share the host's network, so no source address tells them apart and a host-wide DNAT
 * would hand one agent's traffic to another. Their containers get the endpoint's own address instead:
 * AWS_CONTAINER_CREDENTIALS_FULL_URI=http://127.0.0.1:<port>/v2/credentials/<id> (every AWS SDK accepts a
 * loopback full URI) and metadata URIs on 127.0.0.1:<port>. A request from loopback is answered for a
 * host-mode task's id only — the unguessable id is the guard, as in ECS's host mode. The port is kept in
 * the agent's state directory so a restarted agent listens where its running containers were told.
 *
 * Not yet: credential refresh before the 6 h session ends.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { TaskSpec } from '../protocol/agent-messages.js';
import { containerMetadataId, TASK_ENDPOINT_ADDRESS, VPC_RESOLVER_ADDRESS } from './container-spec.js';
import type { AgentLogger } from './clock.js';

const run = promisify(execFile);

/** What the endpoints need to know about a task this agent runs. */
export interface EndpointTask {
  readonly spec: TaskSpec;
  /** Task-level fields for /task (statuses, timestamps). */
  readonly knownStatus: string;
  readonly containers: readonly { name: string; runtimeId?: string; status: string; exitCode?: number; startedAt?: number; image?: string; imageDigest?: string }[];
  readonly pullStartedAt?: number;
  readonly pullStoppedAt?: number;
}

export interface TaskEndpointsOptions {
  /** Short unique name for the nft table (this agent's host id). */
  readonly hostId: string;
  readonly tasks: () => Iterable<EndpointTask>;
  readonly stats?: (runtimeId: string) => Promise<unknown>;
  readonly availabilityZone?: string;
  readonly log?: AgentLogger;
  /** Where the listening port is kept across restarts (host-mode containers were told it). */
  readonly stateDir?: string;
}

export class TaskEndpoints {
  private server?: Server;
  port = 0;
  private readonly table: string;
  /** runtime id → (task ARN, addresses) */
  private readonly addresses = new Map<string, { taskArn: string; ips: string[] }>();
  private nft = false;

  /** The nameserver bridge containers get (bridgeResolverAddress), relayed like 169.254.169.253. */
  readonly bridgeResolver: string;

  constructor(private readonly o: TaskEndpointsOptions) {
    this.table = endpointsTable(o.hostId);
    this.bridgeResolver = bridgeResolverAddress(o.hostId);
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res).catch(() => send(res, 500, { code: 'InternalServerError', message: 'internal error' })));
    const portFile = this.o.stateDir ? join(this.o.stateDir, 'endpoints-port') : undefined;
    const previous = portFile ? Number(await readFile(portFile, 'utf8').catch(() => '0')) || 0 : 0;
    const listen = (port: number) => new Promise<void>((resolve, reject) => {
      const onError = (e: Error) => reject(e);
      this.server!.once('error', onError);
      this.server!.listen(port, '127.0.0.1', () => { this.server!.off('error', onError); resolve(); });
    });
    // The same port as before a restart when it is still free (host-mode containers use it directly).
    await listen(previous).catch((e: Error) => {
      this.o.log?.warn({ port: previous, err: e.message }, 'task endpoints: the previous port is taken; host-mode tasks started before must be restarted to reach the new one');
      return listen(0);
    });
    this.port = (this.server.address() as { port: number }).port;
    if (portFile) await writeFile(portFile, `${this.port}\n`).catch(() => undefined);
    try {
      await writeFile('/proc/sys/net/ipv4/conf/all/route_localnet', '1');
      await this.nftScript(`table ip ${this.table}\ndelete table ip ${this.table}\n${hostRules(this.table, this.port, this.bridgeResolver)}`);
      this.nft = true;
    } catch (e) {
      this.o.log?.warn({ err: String(e) }, 'task endpoints: nftables setup failed; containers cannot reach 169.254.170.2');
    }
  }

  /** Admits (or, with no addresses, forgets) a running container's addresses. */
  setAddresses(taskArn: string, runtimeId: string, ips: readonly string[]): void {
    const v4 = ips.filter((ip) => /^\d+\.\d+\.\d+\.\d+$/.test(ip));
    if (v4.length === 0) { this.removeContainer(runtimeId); return; }
    this.addresses.set(runtimeId, { taskArn, ips: v4 });
    if (this.nft) void this.nftScript(`add element ip ${this.table} tasks { ${v4.join(', ')} }\n`).catch((e: unknown) => this.o.log?.warn({ err: String(e) }, 'task endpoints: adding an address failed'));
  }

  /**
   * Sends the tasks' DNS queries to 169.254.169.253:53 on to the VPC resolver (Wharf's DNS server) at
   * `to`. Returns whether tasks can use it (false without nftables). Re-callable: the chain is replaced.
   */
  async setResolver(to: { host: string; port: number }): Promise<boolean> {
    if (!this.nft || !/^\d+\.\d+\.\d+\.\d+$/.test(to.host)) return false;
    const target = `${to.host}:${to.port}`;
    try {
      await this.nftScript(`flush chain ip ${this.table} resolver\nadd rule ip ${this.table} resolver udp dport 53 dnat to ${target}\nadd rule ip ${this.table} resolver tcp dport 53 dnat to ${target}\n`);
      return true;
    } catch (e) {
      this.o.log?.warn({ err: String(e) }, 'task endpoints: the resolver rule failed; tasks keep the host\'s nameservers');
      return false;
    }
  }

  /** Forgets every container of a task (called when it stops). */
  forgetTask(taskArn: string): void {
    for (const [id, a] of this.addresses) if (a.taskArn === taskArn) this.removeContainer(id);
  }

  private removeContainer(runtimeId: string): void {
    const a = this.addresses.get(runtimeId);
    this.addresses.delete(runtimeId);
    if (!a || !this.nft) return;
    const still = new Set([...this.addresses.values()].flatMap((x) => x.ips));
    const gone = a.ips.filter((ip) => !still.has(ip));
    if (gone.length) void this.nftScript(`delete element ip ${this.table} tasks { ${gone.join(', ')} }\n`).catch(() => undefined);
  }

  private async nftScript(script: string): Promise<void> {
    const child = execFile('nft', ['-f', '-']);
    const done = new Promise<void>((resolve, reject) => {
      let err = '';
      child.stderr?.on('data', (d: Buffer) => { err += d.toString(); });
      child.once('error', reject);
      child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`nft: ${err.trim()}`))));
    });
    child.stdin?.end(script);
    await done;
  }

  async close(): Promise<void> {
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
    if (this.nft) await run('nft', ['delete', 'table', 'ip', this.table]).catch(() => undefined);
  }

  private taskOfAddress(ip: string): string | undefined {
    for (const a of this.addresses.values()) if (a.ips.includes(ip)) return a.taskArn;
    return undefined;
  }

  /** Whether a request from `source` may act for `task`: from the task's own address, or from loopback for a host-mode task. */
  private fromTask(source: string, task: EndpointTask): boolean {
    if (this.taskOfAddress(source) === task.spec.taskArn) return true;
    return task.spec.networkMode === 'host' && /^127\./.test(source);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    const source = (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
    const path = url.pathname.replace(/\/+$/, '');
    // Credentials: /v2/credentials/<id>, and the legacy /v1/credentials?id=<id>.
    if (path.startsWith('/v2/credentials') || path === '/v1/credentials') {
      const id = path === '/v1/credentials' ? url.searchParams.get('id') ?? '' : path.slice('/v2/credentials'.length).replace(/^\//, '');
      if (!id) return send(res, 400, { code: 'NoIdInRequest', message: 'CredentialsV2Request: No Credential ID in the request' });
      const task = [...this.o.tasks()].find((t) => t.spec.endpointId === id && t.spec.taskRoleCredentials);
      // A task may read only its own credentials: the id must match and the request come from it.
      if (!task || !this.fromTask(source, task)) {
        return send(res, 400, { code: 'InvalidIdInRequest', message: 'CredentialsV2Request: Credentials not found' });
      }
      const c = task.spec.taskRoleCredentials!;
      return send(res, 200, { RoleArn: c.roleArn, AccessKeyId: c.accessKeyId, SecretAccessKey: c.secretAccessKey, Token: c.token, Expiration: new Date(c.expiration).toISOString() });
    }
    const m = /^\/v4\/([0-9a-f-]{36})(\/task|\/stats|\/task\/stats|\/taskWithTags)?$/.exec(path);
    if (!m) return send(res, 404, 'V4 container metadata handler: unable to get container ID');
    const found = this.findContainer(m[1]);
    if (!found || !this.fromTask(source, found.task)) return send(res, 404, `V4 container metadata handler: unable to get container ID from request`);
    const { task, name } = found;
    switch (m[2]) {
      case undefined: return send(res, 200, this.containerView(task, name));
      case '/task': case '/taskWithTags': return send(res, 200, this.taskView(task));
      case '/stats': {
        const c = task.containers.find((x) => x.name === name);
        return send(res, 200, c?.runtimeId && this.o.stats ? await this.o.stats(c.runtimeId) : {});
      }
      default: {
        const out: Record<string, unknown> = {};
        for (const c of task.containers) if (c.runtimeId) out[c.runtimeId] = this.o.stats ? await this.o.stats(c.runtimeId) : {};
        return send(res, 200, out);
      }
    }
  }

  private findContainer(metaId: string): { task: EndpointTask; name: string } | undefined {
    for (const t of this.o.tasks()) {
      if (!t.spec.endpointId) continue;
      for (const c of t.spec.containers) if (containerMetadataId(t.spec.endpointId, c.name ?? '') === metaId) return { task: t, name: c.name ?? '' };
    }
    return undefined;
  }

  private containerView(t: EndpointTask, name: string): Record<string, unknown> {
    const def = t.spec.containers.find((c) => c.name === name)!;
    const c = t.containers.find((x) => x.name === name);
    const ips = c?.runtimeId ? this.addresses.get(c.runtimeId)?.ips ?? [] : [];
    const iso = (ms?: number) => (ms === undefined ? undefined : new Date(ms).toISOString());
    return strip({
      DockerId: c?.runtimeId ?? '', Name: name, DockerName: c?.runtimeId ? undefined : undefined, Image: def.image, ImageID: c?.imageDigest ?? '',
      Labels: { 'com.amazonaws.ecs.cluster': t.spec.cluster, 'com.amazonaws.ecs.container-name': name, 'com.amazonaws.ecs.task-arn': t.spec.taskArn,
        'com.amazonaws.ecs.task-definition-family': t.spec.family, 'com.amazonaws.ecs.task-definition-version': String(t.spec.revision) },
      DesiredStatus: t.spec.desiredStatus, KnownStatus: c?.status ?? 'PENDING', ExitCode: c?.exitCode,
      Limits: { CPU: def.cpu ?? 0, Memory: def.memory ?? 0 }, StartedAt: iso(c?.startedAt), Type: 'NORMAL',
      ContainerARN: def.containerArn, LogDriver: def.logConfiguration?.logDriver, LogOptions: def.logConfiguration?.options,
      Networks: [networkView(t.spec, ips)],
    });
  }

  private taskView(t: EndpointTask): Record<string, unknown> {
    const iso = (ms?: number) => (ms === undefined ? undefined : new Date(ms).toISOString());
    return strip({
      Cluster: t.spec.cluster, TaskARN: t.spec.taskArn, Family: t.spec.family, Revision: String(t.spec.revision),
      DesiredStatus: t.spec.desiredStatus, KnownStatus: t.knownStatus,
      Limits: { CPU: t.spec.cpu !== undefined ? t.spec.cpu / 1024 : undefined, Memory: t.spec.memory },
      PullStartedAt: iso(t.pullStartedAt), PullStoppedAt: iso(t.pullStoppedAt),
      AvailabilityZone: this.o.availabilityZone, LaunchType: 'EC2', FaultInjectionEnabled: false,
      Containers: t.spec.containers.map((c) => this.containerView(t, c.name ?? '')),
    });
  }
}

/**
 * The nameserver this agent gives bridge containers: a link-local address of its own in 169.254.172.0/22,
 * derived from its host id, so two agents on one host never take each other's queries.
 */
export function bridgeResolverAddress(hostId: string): string {
  let h = 0x811c9dc5;
  for (const ch of hostId) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return `169.254.${172 + ((h >>> 8) & 3)}.${1 + (h % 254)}`;
}

/** The agent's nftables table (ip family): one per host id, so a restarted agent replaces its own. */
export function endpointsTable(hostId: string): string {
  return `wharf_agent_${hostId.replace(/[^A-Za-z0-9]/g, '').slice(0, 16)}`;
}

/**
 * The host's rules: 169.254.170.2:80 from admitted task addresses → the agent's listener; DNS → the
 * `resolver` chain (filled by setResolver once the server says where its DNS is), for 169.254.169.253
 * from admitted addresses (awsvpc tasks: admitted when their namespace is wired, before any container
 * runs) and for this agent's own bridge resolver address from anywhere. Bridge containers cannot use the
 * admitted set (they ask at once, before the agent has learned their address), and a shared address
 * would let another agent on the same host answer them: each agent's is its own (bridgeResolverAddress).
 */
export function hostRules(table: string, port: number, bridgeResolver: string): string {
  return [
    `table ip ${table} {`,
    '  set tasks { type ipv4_addr; }',
    '  chain prerouting {',
    '    type nat hook prerouting priority dstnat - 5; policy accept;',
    `    ip saddr @tasks ip daddr ${TASK_ENDPOINT_ADDRESS} tcp dport 80 dnat to 127.0.0.1:${port}`,
    `    ip saddr @tasks ip daddr ${VPC_RESOLVER_ADDRESS} jump resolver`,
    `    ip daddr ${bridgeResolver} jump resolver`,
    '  }',
    '  chain resolver {',
    '  }',
    '}',
    '',
  ].join('\n');
}

/** A container's `Networks[0]` (TMDS v4): an awsvpc task's containers share its interface, described as ECS does. */
function networkView(spec: TaskSpec, containerIps: string[]): Record<string, unknown> {
  const n = spec.network;
  if (spec.networkMode !== 'awsvpc' || !n) return { NetworkMode: spec.networkMode, IPv4Addresses: containerIps };
  return {
    NetworkMode: 'awsvpc', IPv4Addresses: [n.ipv4Address], AttachmentIndex: 0, MACAddress: n.macAddress,
    IPv4SubnetCIDRBlock: n.subnetCidr, PrivateDNSName: n.privateDnsName, SubnetGatewayIpv4Address: `${n.gateway}/${n.prefix}`,
  };
}

function strip<T extends Record<string, unknown>>(o: T): T {
  for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
  return o;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': typeof body === 'string' ? 'text/plain' : 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}
