/**
 * The agent gateway (the dispatcher): one WebSocket per agent at /agent.
 *
 *   register  → find or create the container instance (by ARN, else by host id), mark it connected,
 *               reply `registered`, then push the instance's whole desired task set
 *   store     → a watch on the tasks prefix pushes deltas (new tasks, desiredStatus changes) to the
 *               agent that owns each task; observation-only writes are not echoed back
 *   report    → each task report is merged into the task's observed fields (statuses move forward
 *               only); this is the only writer of those fields (task-records.ts TASK_FIELD_WRITERS).
 *               A STOPPED task stops holding resources because the instance's remaining resources
 *               are derived from its tasks (task-state.ts remainingOf): nothing to release here.
 *               A change of lastStatus also puts ECS's "ECS Task State Change" event in the default
 *               event bus's outbox, in the same transaction (model/events/ecs-events.ts)
 *   close     → agentConnected: false (tasks keep running on the host; they reconcile on reconnect)
 *
 * Nothing here decides placement or desired state: it translates between store and agents.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Logger } from 'pino';
import type { Store, Op } from '../store/store.js';
import { getJson } from '../store/json.js';
import { keys } from '../model/ecs/keys.js';
import { containerInstanceArn, type Scope } from '../model/arn.js';
import type { ClusterRecord, TaskDefinitionRecord } from '../model/ecs/records.js';
import type { ContainerInstanceRecord, TaskRecord } from '../model/ecs/task-records.js';
import { effectiveContainers } from '../model/ecs/task-factory.js';
import { agentDesiredStatus, customAttributesOf, stopOf } from '../model/ecs/task-state.js';
import { advance, advanceContainer, statusRank } from '../model/ecs/status.js';
import type { AgentMessage, ServerMessage, TaskReport, TaskSpec, RegistryCredentials } from '../protocol/agent-messages.js';
import { AGENT_PROTOCOL_VERSION } from '../protocol/agent-messages.js';
import { bridgeName, ec2Keys, leaseKey, type NetworkInterfaceRecord, type SecurityGroupRecord } from '../model/ec2/records.js';
import { compilePolicy, type NetworkPolicy } from '../model/ec2/security-policy.js';
import { taskStateChangeOutbox } from '../model/events/ecs-events.js';
import { formatIpv4, gatewayOf, parseCidr } from '../model/ec2/cidr.js';

export interface GatewayOptions {
  store: Store;
  scope: Scope;
  log: Logger;
  clock: () => Date;
  /** Returns true when the bearer token may join agents. */
  verifyToken: (token: string) => Promise<boolean>;
  /**
   * Returns true for the pool token: the agents of Wharf's managed Fargate pool (started by the server
   * itself) join with it, and only they become pool hosts (`fargatePool`), so a user's agent cannot.
   */
  verifyPoolToken?: (token: string) => Promise<boolean>;
  /** Credentials the agent needs to pull these images (Wharf's own registry), if any. */
  registryAuth?: (images: string[]) => Promise<RegistryCredentials[]>;
  /**
   * Task IAM for a task about to run: endpoint id, task-role credentials, resolved secrets, or the
   * reason it cannot start (iam/task-start.ts, chosen by the server's entry point).
   */
  taskStart?: (t: { taskArn: string; taskRoleArn?: string; executionRoleArn?: string; containers: TaskSpec['containers'] }) =>
    Promise<Pick<TaskSpec, 'endpointId' | 'taskRoleCredentials' | 'secretEnvironment' | 'initError'> & { repositoryAuth?: RegistryCredentials[] }>;
  /** Agent stats (fire-and-forget) go here: CloudWatch metrics and Prometheus (src/telemetry). */
  onStats?: (cluster: string, msg: Extract<AgentMessage, { type: 'stats' }>) => void;
  /**
   * Task role credentials are resent this long before they expire (the task-start resolver reissues
   * them then); checked every `credentialsCheckMs` (default: a tenth of it, at most a minute).
   */
  credentialsRefreshBelowMs?: number;
  /** The VPC resolver (Wharf's DNS server) agents point their tasks at, when the server runs one. */
  resolver?: { host: string; port: number };
  credentialsCheckMs?: number;
  /** Heartbeat: ping every `pingMs`; a connection silent for `deadMs` is closed. */
  pingMs?: number;
  deadMs?: number;
}

interface Session {
  ws: WebSocket;
  cluster: string;
  instanceId: string;
  /** Per task: the desired fingerprint last sent, so observation writes are not echoed back. */
  sent: Map<string, string>;
  /** Per task with a role: when the credentials last sent expire. */
  credentialsUntil: Map<string, number>;
  alive: boolean;
}

const JOIN_TOKEN_KEY = '/agent/join-token';
const POOL_TOKEN_KEY = '/agent/pool-token';

async function ensureToken(store: Store, key: string, prefix: string): Promise<string> {
  const cur = await store.get(key);
  if (cur) return cur.value;
  const token = `${prefix}${randomBytes(24).toString('base64url')}`;
  const r = await store.txn({ compare: [{ key, target: 'createRevision', op: '==', value: 0 }], success: [{ type: 'put', key, value: token }] });
  return r.succeeded ? token : (await store.get(key))!.value;
}

/** Ensures a join token exists; returns it. */
export const ensureJoinToken = (store: Store): Promise<string> => ensureToken(store, JOIN_TOKEN_KEY, 'wharf-join-');
/** The token the managed Fargate pool's agents join with (never printed or written to the data dir). */
export const ensurePoolToken = (store: Store): Promise<string> => ensureToken(store, POOL_TOKEN_KEY, 'wharf-pool-');
export const poolTokenVerifier = (store: Store) => tokenVerifier(store, POOL_TOKEN_KEY);

export function joinTokenVerifier(store: Store): (token: string) => Promise<boolean> {
  return tokenVerifier(store, JOIN_TOKEN_KEY);
}

function tokenVerifier(store: Store, key: string): (token: string) => Promise<boolean> {
  return async (token) => {
    const cur = await store.get(key);
    if (!cur) return false;
    const a = Buffer.from(cur.value), b = Buffer.from(token);
    return a.length === b.length && timingSafeEqual(a, b);
  };
}

const fingerprint = (t: TaskRecord) => `${agentDesiredStatus(t)}|${t.containerInstanceId ?? ''}`;
const needsAgent = (t: TaskRecord) => t.lastStatus !== 'STOPPED' && t.lastStatus !== 'DELETED';

export class AgentGateway {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 16 * 1024 * 1024 });
  private readonly sessions = new Map<string, Session>(); // key: cluster/instanceId
  private readonly abort = new AbortController();
  private readonly defs = new Map<string, TaskDefinitionRecord>();
  private timer?: NodeJS.Timeout;
  private credentialsTimer?: NodeJS.Timeout;
  /** The compiled security-group policy last sent to agents, as JSON. */
  private policyJson = '';
  private policyTimer?: NodeJS.Timeout;
  private policyRunning: Promise<void> = Promise.resolve();

  constructor(private readonly o: GatewayOptions) {
    this.o.store.watch(keys.tasks(), (events) => {
      // One desired message per agent per batch of store events (a RunTask of 10 is one message, not 10).
      const perSession = new Map<Session, TaskRecord[]>();
      for (const e of events) {
        if (e.type !== 'put') continue;
        const t = JSON.parse(e.kv.value) as TaskRecord;
        if (!t.containerInstanceId) continue;
        const s = this.sessions.get(`${t.cluster}/${t.containerInstanceId}`);
        if (s && s.sent.get(t.taskArn) !== fingerprint(t) && needsAgent(t)) perSession.set(s, [...(perSession.get(s) ?? []), t]);
      }
      for (const [s, tasks] of perSession) void this.push(s, tasks, false);
    }, { signal: this.abort.signal });
    // Security groups and their members: recompile on any change and push to every agent. A short
    // coalescing delay turns a burst (a RunTask of 10) into one message; rules reach tasks well within
    // a second of the API call.
    const onNetwork = () => {
      if (this.policyTimer) return;
      this.policyTimer = setTimeout(() => {
        this.policyTimer = undefined;
        this.policyRunning = this.policyRunning.then(() => this.refreshPolicy()).catch((err) => this.o.log.error({ err }, 'security group policy refresh failed'));
      }, 20);
    };
    this.o.store.watch(ec2Keys.securityGroups(), onNetwork, { signal: this.abort.signal });
    this.o.store.watch(ec2Keys.networkInterfaces(), onNetwork, { signal: this.abort.signal });
    const ping = this.o.pingMs ?? 10_000;
    this.timer = setInterval(() => {
      for (const s of this.sessions.values()) {
        if (!s.alive) { s.ws.terminate(); continue; }
        s.alive = false;
        s.ws.ping();
      }
    }, ping);
    this.timer.unref();
    // Task role credentials: resend a running task's spec (with fresh ones) before they expire.
    const below = this.o.credentialsRefreshBelowMs ?? 3600_000;
    this.credentialsTimer = setInterval(() => void this.refreshCredentials(below).catch((err) => this.o.log.warn({ err }, 'credentials refresh failed')),
      this.o.credentialsCheckMs ?? Math.min(60_000, Math.max(1000, below / 10)));
    this.credentialsTimer.unref();
  }

  private async refreshCredentials(belowMs: number): Promise<void> {
    const now = this.o.clock().getTime();
    for (const s of this.sessions.values()) {
      const due: TaskRecord[] = [];
      for (const [arn, until] of s.credentialsUntil) {
        if (until - now >= belowMs) continue;
        const id = arn.slice(arn.lastIndexOf('/') + 1);
        const t = (await getJson<TaskRecord>(this.o.store, keys.task(s.cluster, id)))?.value;
        if (t && needsAgent(t) && agentDesiredStatus(t) !== 'STOPPED') due.push(t);
        else s.credentialsUntil.delete(arn);
      }
      if (due.length > 0) await this.push(s, due, false);
    }
  }

  /** Hooks the gateway into an HTTP server's upgrade path for `/agent`. */
  attach(server: Server): void {
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      const path = (req.url ?? '').split('?')[0];
      if (path === '/agent') this.handleUpgrade(req, socket, head);
    });
  }

  /** Takes one `/agent` upgrade request (the server routes each to its region's gateway). */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const auth = req.headers.authorization ?? '';
    const token = auth.startsWith('Bearer ') ? auth.slice(7) : '';
    void (async () => {
      const pool = (await this.o.verifyPoolToken?.(token)) ?? false;
      return { ok: pool || (await this.o.verifyToken(token)), pool };
    })().then(({ ok, pool }) => {
      if (!ok) {
        socket.end('HTTP/1.1 401 Unauthorized\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\ninvalid join token: pass the token `wharf server` printed (or its data directory file join-token) with --token\n');
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, pool));
    }, () => socket.destroy());
  }


  connectedInstances(): string[] {
    return [...this.sessions.keys()];
  }

  private async compilePolicy(): Promise<NetworkPolicy> {
    const [groups, enis] = await Promise.all([
      this.o.store.range(ec2Keys.securityGroups()), this.o.store.range(ec2Keys.networkInterfaces()),
    ]);
    return compilePolicy(groups.kvs.map((kv) => JSON.parse(kv.value) as SecurityGroupRecord), enis.kvs.map((kv) => JSON.parse(kv.value) as NetworkInterfaceRecord));
  }

  private async refreshPolicy(): Promise<void> {
    const policy = await this.compilePolicy();
    const json = JSON.stringify(policy);
    if (json === this.policyJson) return;
    this.policyJson = json;
    for (const s of this.sessions.values()) this.send(s.ws, { type: 'policy', policy });
  }

  async close(): Promise<void> {
    this.abort.abort();
    clearInterval(this.timer);
    clearInterval(this.credentialsTimer);
    clearTimeout(this.policyTimer);
    for (const s of this.sessions.values()) s.ws.close(1001, 'server shutting down');
    this.wss.close();
  }

  private accept(ws: WebSocket, pool: boolean): void {
    let session: Session | undefined;
    // Messages are handled strictly in order: a report must not overtake the register it follows.
    let chain = Promise.resolve();
    ws.on('pong', () => { if (session) session.alive = true; });
    ws.on('message', (data) => {
      chain = chain.then(async () => {
        let msg: AgentMessage;
        try {
          msg = JSON.parse(String(data)) as AgentMessage;
        } catch {
          return this.send(ws, { type: 'error', code: 'BadMessage', message: 'message is not JSON', fatal: false });
        }
        try {
          if (msg.type === 'register') session = await this.register(ws, msg, session, pool);
          else if (!session) this.send(ws, { type: 'error', code: 'NotRegistered', message: 'send register first', fatal: true });
          else if (msg.type === 'report') {
            for (const r of msg.tasks) await this.applyReport(session, r);
            this.send(ws, { type: 'ack', seq: msg.seq });
          } else if (msg.type === 'stats') this.o.onStats?.(session.cluster, msg);
        } catch (err) {
          this.o.log.error({ err }, 'agent message failed');
          this.send(ws, { type: 'error', code: 'ServerError', message: (err as Error).message, fatal: false });
        }
      });
    });
    ws.on('close', () => {
      chain = chain.then(async () => {
        if (!session) return;
        const key = `${session.cluster}/${session.instanceId}`;
        if (this.sessions.get(key) !== session) return; // replaced by a newer connection
        this.sessions.delete(key);
        await this.setConnected(session.cluster, session.instanceId, false);
        this.o.log.info({ cluster: session.cluster, instance: session.instanceId }, 'agent disconnected');
      }).catch((err) => this.o.log.error({ err }, 'agent close handling failed'));
    });
  }

  private send(ws: WebSocket, m: ServerMessage): void {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(m));
  }

  private async register(ws: WebSocket, m: Extract<AgentMessage, { type: 'register' }>, prior: Session | undefined, pool: boolean): Promise<Session | undefined> {
    if (m.protocol !== AGENT_PROTOCOL_VERSION) {
      this.send(ws, { type: 'error', code: 'ProtocolMismatch', message: `server speaks agent protocol ${AGENT_PROTOCOL_VERSION}, agent ${m.protocol}: upgrade the agent`, fatal: true });
      return prior;
    }
    const cluster = await getJson<ClusterRecord>(this.o.store, keys.cluster(m.cluster));
    if (!cluster || cluster.value.status !== 'ACTIVE') {
      this.send(ws, { type: 'error', code: 'ClusterNotFoundException', message: `cluster ${m.cluster} not found: create it first (aws ecs create-cluster --cluster-name ${m.cluster})`, fatal: true });
      return prior;
    }
    const now = this.o.clock().getTime();
    const instances = (await this.o.store.range(keys.containerInstances(m.cluster))).kvs.map((kv) => JSON.parse(kv.value) as ContainerInstanceRecord);
    const byArn = m.containerInstanceArn ? instances.find((i) => i.containerInstanceArn === m.containerInstanceArn && i.status !== 'INACTIVE') : undefined;
    const existing = byArn ?? instances.find((i) => i.ec2InstanceId === m.hostId && i.status !== 'INACTIVE');
    const id = existing?.id ?? randomBytes(16).toString('hex');

    for (let attempt = 0; ; attempt++) {
      const cur = await getJson<ContainerInstanceRecord>(this.o.store, keys.containerInstance(m.cluster, id));
      const registeredResources: ContainerInstanceRecord['registeredResources'] = [
        { name: 'CPU', type: 'INTEGER', integerValue: m.resources.cpu, doubleValue: 0, longValue: 0 },
        { name: 'MEMORY', type: 'INTEGER', integerValue: m.resources.memory, doubleValue: 0, longValue: 0 },
        { name: 'PORTS', type: 'STRINGSET', stringSetValue: m.resources.reservedPorts.map(String), doubleValue: 0, longValue: 0, integerValue: 0 },
        { name: 'PORTS_UDP', type: 'STRINGSET', stringSetValue: [], doubleValue: 0, longValue: 0, integerValue: 0 },
      ];
      // A record from before custom attributes had their own field keeps them in `attributes` (this
      // module's field) until PutAttributes/DeleteAttributes moves them (task-state.ts customAttributesOf).
      const legacyCustom = cur && cur.value.customAttributes === undefined ? customAttributesOf(cur.value).filter((c) => !m.attributes.some((a) => a.name === c.name)) : [];
      // Re-registration rewrites only what registration owns: the status, tags and custom attributes
      // are the API's, the task records hold what runs here.
      const rec: ContainerInstanceRecord = cur
        ? {
          ...cur.value, ec2InstanceId: m.hostId, agentConnected: true, registeredResources, attributes: [...m.attributes, ...legacyCustom],
          versionInfo: m.versionInfo, version: cur.value.version + 1, lastConnectedAt: now,
        }
        : {
          containerInstanceArn: containerInstanceArn(this.o.scope, m.cluster, id),
          id,
          cluster: m.cluster,
          ec2InstanceId: m.hostId,
          status: 'ACTIVE',
          agentConnected: true,
          registeredResources,
          attributes: m.attributes,
          customAttributes: [],
          versionInfo: m.versionInfo,
          registeredAt: now,
          tags: [],
          version: 1,
          lastConnectedAt: now,
          ...(pool ? { fargatePool: true } : {}),
        };
      const r = await this.o.store.txn({
        compare: [{ key: keys.containerInstance(m.cluster, id), target: 'version', op: '==', value: cur?.version ?? 0 }],
        success: [{ type: 'put', key: keys.containerInstance(m.cluster, id), value: JSON.stringify(rec) }],
      });
      if (r.succeeded) break;
      if (attempt > 20) throw new Error('could not register the container instance: too many concurrent changes');
    }

    const session: Session = { ws, cluster: m.cluster, instanceId: id, sent: new Map(), credentialsUntil: new Map(), alive: true };
    const key = `${m.cluster}/${id}`;
    const old = this.sessions.get(key);
    this.sessions.set(key, session);
    if (old && old.ws !== ws) old.ws.close(4000, 'replaced by a newer connection from the same instance');
    this.send(ws, { type: 'registered', containerInstanceArn: containerInstanceArn(this.o.scope, m.cluster, id), cluster: m.cluster, ...(this.o.resolver ? { resolver: this.o.resolver } : {}) });
    this.o.log.info({ cluster: m.cluster, instance: id, hostId: m.hostId, reused: Boolean(existing) }, 'agent registered');
    // The policy before the tasks, so an awsvpc task is never wired without its security groups.
    const policy = await this.compilePolicy();
    this.policyJson = JSON.stringify(policy);
    this.send(ws, { type: 'policy', policy });
    const current = (await this.o.store.range(keys.tasks(m.cluster))).kvs.map((kv) => JSON.parse(kv.value) as TaskRecord)
      .filter((t) => t.containerInstanceId === id && needsAgent(t));
    await this.push(session, current, true);
    return session;
  }

  private async push(s: Session, tasks: TaskRecord[], full: boolean): Promise<void> {
    const specs: TaskSpec[] = [];
    for (const t of tasks) {
      const spec = await this.spec(t);
      if (spec) specs.push(spec);
      s.sent.set(t.taskArn, fingerprint(t));
      if (spec?.taskRoleCredentials && spec.desiredStatus !== 'STOPPED') s.credentialsUntil.set(t.taskArn, spec.taskRoleCredentials.expiration);
      else s.credentialsUntil.delete(t.taskArn);
    }
    if (specs.length > 0 || full) this.send(s.ws, { type: 'desired', full, tasks: specs });
  }

  private async spec(t: TaskRecord): Promise<TaskSpec | undefined> {
    let def = this.defs.get(t.taskDefinitionArn);
    if (!def) {
      def = (await getJson<TaskDefinitionRecord>(this.o.store, keys.taskDefinition(t.family, t.revision)))?.value;
      if (!def) return undefined;
      this.defs.set(t.taskDefinitionArn, def);
    }
    const containers = effectiveContainers(def, t.overrides).map((c) => ({ ...c, containerArn: t.containers.find((x) => x.name === c.name)?.containerArn ?? '' }));
    const num = (v: string | undefined) => (v && /^\d+$/.test(v) ? Number(v) : undefined);
    const running = agentDesiredStatus(t) !== 'STOPPED';
    const { repositoryAuth, ...iam } = running && this.o.taskStart
      ? await this.o.taskStart({ taskArn: t.taskArn, taskRoleArn: t.overrides?.taskRoleArn ?? def.taskRoleArn, executionRoleArn: t.overrides?.executionRoleArn ?? def.executionRoleArn, containers })
      : { repositoryAuth: undefined };
    // Wharf's own registry (the server's pull token) first, then containers' repositoryCredentials.
    const ownAuth = this.o.registryAuth ? await this.o.registryAuth(containers.map((c) => c.image!)) : undefined;
    const registryAuth = ownAuth || repositoryAuth ? [...(ownAuth ?? []), ...(repositoryAuth ?? [])] : undefined;
    return {
      taskArn: t.taskArn,
      cluster: t.cluster,
      family: t.family,
      revision: t.revision,
      desiredStatus: agentDesiredStatus(t),
      containers,
      networkMode: (def.networkMode ?? 'bridge') as TaskSpec['networkMode'],
      volumes: def.volumes ?? [],
      pidMode: def.pidMode,
      ipcMode: def.ipcMode,
      cpu: num(t.cpu),
      memory: num(t.memory),
      overrides: t.overrides,
      registryAuth,
      stopCode: agentDesiredStatus(t) === 'STOPPED' ? stopOf(t).stopCode : undefined,
      stoppedReason: agentDesiredStatus(t) === 'STOPPED' ? stopOf(t).stoppedReason : undefined,
      stopGraceSeconds: agentDesiredStatus(t) === 'STOPPED' ? t.spotInterruption?.graceSeconds : undefined,
      version: t.version,
      network: networkSpec(t),
      // Last: credentials and resolved secrets (never part of the task record). Their keys do not
      // overlap the ones above.
      ...iam,
    };
  }

  private async setConnected(cluster: string, id: string, connected: boolean): Promise<void> {
    for (let attempt = 0; attempt < 20; attempt++) {
      const cur = await getJson<ContainerInstanceRecord>(this.o.store, keys.containerInstance(cluster, id));
      if (!cur || cur.value.agentConnected === connected) return;
      const next = { ...cur.value, agentConnected: connected, version: cur.value.version + 1, [connected ? 'lastConnectedAt' : 'lastDisconnectedAt']: this.o.clock().getTime() };
      const r = await this.o.store.txn({ compare: [{ key: keys.containerInstance(cluster, id), target: 'version', op: '==', value: cur.version }], success: [{ type: 'put', key: keys.containerInstance(cluster, id), value: JSON.stringify(next) }] });
      if (r.succeeded) return;
    }
  }

  /** Merges one agent report into the task's observed fields (the only writer of them). */
  private async applyReport(s: Session, r: TaskReport): Promise<void> {
    const id = r.taskArn.split('/').pop()!;
    const taskKey = keys.task(s.cluster, id);
    for (let attempt = 0; attempt < 50; attempt++) {
      const cur = await getJson<TaskRecord>(this.o.store, taskKey);
      if (!cur || cur.value.containerInstanceId !== s.instanceId) return; // not this agent's task (or gone)
      const t = structuredClone(cur.value);
      const before = JSON.stringify(t);
      t.lastStatus = advance(t.lastStatus, r.lastStatus);
      for (const c of r.containers) {
        const rc = t.containers.find((x) => x.name === c.name);
        if (!rc) continue;
        rc.lastStatus = advanceContainer(rc.lastStatus, c.lastStatus);
        if (c.runtimeId) rc.runtimeId = c.runtimeId;
        if (c.imageDigest) rc.imageDigest = c.imageDigest;
        if (c.exitCode !== undefined) rc.exitCode = c.exitCode;
        if (c.reason) rc.reason = c.reason;
        if (c.networkBindings) rc.networkBindings = c.networkBindings;
        if (c.healthStatus) rc.healthStatus = c.healthStatus;
      }
      if (r.healthStatus) t.healthStatus = r.healthStatus;
      t.pullStartedAt ??= r.pullStartedAt;
      t.pullStoppedAt ??= r.pullStoppedAt;
      if (statusRank(t.lastStatus) >= statusRank('RUNNING')) t.startedAt ??= r.startedAt;
      t.executionStoppedAt ??= r.executionStoppedAt;
      if (t.lastStatus === 'STOPPED') {
        t.stoppedAt ??= r.stoppedAt ?? this.o.clock().getTime();
        // The agent's own reason (essential exit, failed start); a stop request's reason is shown first.
        t.agentStopCode ??= r.stopCode;
        t.agentStoppedReason ??= r.stoppedReason;
      }
      if (JSON.stringify(t) === before) return;
      // ECS's counter counts the task's state changes (its events), not every report: a task that
      // went PENDING → RUNNING is at version 2 (describe-tasks' example).
      if (t.lastStatus !== cur.value.lastStatus) t.version += 1;
      const ops: Op[] = [{ type: 'put', key: taskKey, value: JSON.stringify(t) }];
      // ECS's "ECS Task State Change" event on the default bus, in the same transaction as the change it
      // reports: both are committed or neither (docs/events.md).
      if (t.version !== cur.value.version) ops.push({ type: 'put', ...taskStateChangeOutbox(t, this.o.scope, randomUUID(), this.o.clock().getTime()) });
      // awsvpc: the address lease ends with the task, in the same transaction.
      if (t.lastStatus === 'STOPPED' && cur.value.lastStatus !== 'STOPPED' && t.network?.eni) ops.push({ type: 'delete', key: leaseKey(t.network.eni) });
      // Observation writes do not change the desired fingerprint, so the watch will not echo them back.
      const ok = await this.o.store.txn({ compare: [{ key: taskKey, target: 'version', op: '==', value: cur.version }], success: ops });
      if (ok.succeeded) return;
    }
    throw new Error(`could not apply the report for ${r.taskArn}: too many concurrent changes`);
  }
}

/** The agent's view of an awsvpc task's interface. */
export function networkSpec(t: TaskRecord): TaskSpec['network'] {
  const eni = t.network?.eni;
  if (!eni) return undefined;
  const cidr = parseCidr(eni.subnetCidr)!;
  return {
    subnetId: eni.subnetId, subnetCidr: eni.subnetCidr, bridge: bridgeName(eni.subnetId), gateway: formatIpv4(gatewayOf(cidr)),
    ipv4Address: eni.privateIpv4Address, prefix: cidr.prefix, macAddress: eni.macAddress, privateDnsName: eni.privateDnsName,
    attachmentId: eni.attachmentId, securityGroups: t.network!.securityGroups,
  };
}
