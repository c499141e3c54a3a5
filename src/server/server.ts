/**
 * `wharf server`: opens the store, makes sure an admin access key exists, and serves every API on one
 * port. Returns a handle so tests and `wharf up` can run it in-process and stop it cleanly.
 */
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import type { FastifyInstance } from 'fastify';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { EtcdStore, parseEtcdUrl } from '../store/etcd/etcd-store.js';
import type { Store } from '../store/store.js';
import { AccessKeys, type AccessKey } from '../iam/access-keys.js';
import { IamDirectory, ensureBootstrapUser } from '../iam/directory.js';
import { SecretBox } from '../iam/secret-box.js';
import { notAuthorizedMessage } from '../iam/policy.js';
import { parseImageRef } from '../model/ecs/image-ref.js';
import { reissueBelowMs, TaskStartResolver } from '../iam/task-start.js';
import { ApiDispatcher } from '../api/dispatch.js';
import { AwsJsonCodec } from '../protocol/codecs/aws-json.js';
import type { ApiDeps, ServiceDefinition } from '../api/types.js';
import { buildServices } from './services.js';
import { buildApp } from './app.js';
import { buildPlugins } from './plugins.js';
import { RegistryAuth } from '../registry/auth.js';
import { AgentGateway, ensureJoinToken, ensurePoolToken, joinTokenVerifier, poolTokenVerifier } from '../dispatcher/gateway.js';
import { CapacityController } from '../controllers/capacity/controller.js';
import { DEFAULT_POOL_CONFIG } from '../controllers/capacity/pool.js';
import { LocalProcessHosts } from './fargate-hosts.js';
import { startTaskReaper } from '../controllers/task-reaper/task-reaper.js';
import { ServicesController } from '../controllers/services/controller.js';
import { AutoscalingController } from '../controllers/autoscaling/controller.js';
import { EventDelivery } from '../controllers/events/delivery.js';
import { startServiceRegistriesController } from '../controllers/discovery/service-registries.js';
import { parseHostPort, startDnsServer } from '../dns/dns-server.js';
import { alwaysLeader, type Leadership } from '../controllers/shared/leadership.js';
import { EtcdElection } from '../store/etcd/election.js';
import { hostname } from 'node:os';
import type { ServerConfig } from './config.js';
import { AwsQueryCodec } from '../protocol/codecs/aws-query.js';
import { Ec2QueryCodec } from '../protocol/codecs/ec2-query.js';
import { startNetworkController } from '../controllers/network/network-controller.js';
import { RpcV2CborCodec } from '../protocol/codecs/rpcv2-cbor.js';
import { RestJsonCodec } from '../protocol/codecs/rest-json.js';
import { Telemetry } from '../telemetry/telemetry.js';
import { Registry } from '../registry/registry.js';
import { PlacementCaches } from '../controllers/shared/placement-commit.js';
import { portFree } from '../lb/ports.js';
import { RevisionAllocator } from '../api/ecs/revision-allocator.js';
import { HaproxyDataPlane } from '../lb/haproxy.js';
import { readElbState, startLbController } from '../controllers/lb/lb-controller.js';
import { startElbMetrics } from '../telemetry/elb-metrics.js';
import { REGION_NAME, regionKeys, storeForRegion } from '../store/region-store.js';
import { createOnly } from '../store/store.js';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

/** Calls `start` once, when the region's store first holds a load balancer (so unused regions run no HAProxy). */
function whenLoadBalancers(store: Store, signal: AbortSignal, start: () => void): void {
  let started = false;
  const once = () => { if (!started && !signal.aborted) { started = true; start(); } };
  const prefix = '/elbv2/lb/';
  void store.range(prefix, { limit: 1 }).then((r) => { if (r.kvs.length > 0) once(); }, () => {});
  store.watch(prefix, (events) => { if (events.some((e) => e.type === 'put')) once(); }, { signal });
}

export interface RunningServer {
  readonly port: number;
  readonly endpoint: string;
  readonly store: Store;
  readonly app: FastifyInstance;
  /** Present when this start created the admin key. */
  readonly createdAdminKey?: AccessKey;
  readonly joinToken: string;
  close(): Promise<void>;
}

export interface CliCredentials {
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
}

/**
 * WHARF_TEST_FAULT=<point> makes the server SIGKILL itself when a handler reaches that point (tests
 * only: e.g. `RunTask:after-commit`, after the transaction is durable and before the reply is sent).
 */
function testFaultPoint(point: string | undefined): ((name: string) => void) | undefined {
  if (!point) return undefined;
  return (name) => { if (name === point) process.kill(process.pid, 'SIGKILL'); };
}

/** Real time, or (tests: WHARF_TEST_CLOCK_FILE) real time plus the offset in ms the file holds (autoscaling and event schedules). */
function autoscalingClock(file: string | undefined): () => Date {
  if (!file) return () => new Date();
  return () => {
    let offset = 0;
    try { offset = Number(readFileSync(file, 'utf8').trim()) || 0; } catch { offset = 0; }
    return new Date(Date.now() + offset);
  };
}

export const credentialsFile = (dataDir: string) => join(dataDir, 'admin-credentials.json');

export async function startServer(cfg: ServerConfig, opts: { logger?: Logger } = {}): Promise<RunningServer> {
  const log = opts.logger ?? pino({ level: cfg.logLevel, base: { svc: 'wharf-server' }, redact: ['req.headers.authorization', '*.secretAccessKey'] });
  mkdirSync(cfg.dataDir, { recursive: true });
  // WHARF_STORE_SYNCHRONOUS=OFF is a test knob only (the power-cut test shows OFF loses acknowledged writes).
  // The store: SQLite in the data directory (one server), or etcd shared by several servers (docs/ha.md).
  const store: Store = cfg.store === 'sqlite'
    ? new SqliteStore(join(cfg.dataDir, 'state.db'), { synchronous: cfg.tuning.storeSynchronous })
    : await EtcdStore.connect({ endpoints: parseEtcdUrl(cfg.store) });
  // One leader runs the controllers: always this server on SQLite; on etcd the one that holds the lease,
  // its controllers' writes fenced on it (src/store/etcd/election.ts).
  const election = store instanceof EtcdStore ? new EtcdElection(store, { id: `${hostname()}:${process.pid}`, log: log.child({ svc: 'leadership' }) }) : undefined;
  const leadership: Leadership = election ?? alwaysLeader(store);
  const keys = new AccessKeys(store);
  const createdAdminKey = await keys.bootstrap(new Date());
  const iam = new IamDirectory(store, cfg.accountId);
  await ensureBootstrapUser(store, cfg.accountId, new Date());
  await iam.load();

  let endpoint = cfg.publicEndpoint ?? '';
  let closed = false;
  const placement = new PlacementCaches(store, cfg.region);
  // The managed Fargate pool serves the configured region only (its agents join it).
  const fargatePool = {
    region: cfg.region, hostCpu: cfg.tuning.fargateHostCpu ?? DEFAULT_POOL_CONFIG.hostCpu,
    hostMemory: cfg.tuning.fargateHostMemory ?? DEFAULT_POOL_CONFIG.hostMemory, maxHosts: cfg.tuning.fargateMaxHosts ?? DEFAULT_POOL_CONFIG.maxHosts,
  };
  const deps: ApiDeps = {
    store,
    region: cfg.region,
    accountId: cfg.accountId,
    get publicEndpoint() { return endpoint; },
    clock: () => new Date(),
    iam,
    faultPoint: testFaultPoint(cfg.tuning.testFault),
    secretBox: SecretBox.fromFile(join(cfg.dataDir, 'secrets.key')),
    placement,
    revisions: new RevisionAllocator(),
    fargatePool,
    // Load balancer listeners bind this host address (WHARF_LB_BIND_ADDRESS, default loopback).
    elb: { bindAddress: cfg.tuning.lbBindAddress, portFree },
    // The timing of the alarms target tracking policies make (WHARF_TARGET_TRACKING_ALARMS, docs/autoscaling.md).
    targetTrackingAlarms: cfg.tuning.targetTrackingAlarms,
    // ECR, CloudWatch Logs and metrics have backends of their own, one per region; ECS and ELBv2 keep
    // everything in the store, which each request's context already scopes to its region.
    backendsFor: (region) => ({ registry: registry.forRegion(region), logs: telemetry.region(region).logs, metrics: telemetry.region(region).metrics }),
  };
  // IAM for docker pushes and pulls (/v2/): the token's access key must be allowed the ECR action on the repository.
  const registry = new Registry({ api: deps, keys, config: cfg, authorize: async (accessKeyId, action, resource, now, region) => {
    const cred = await iam.credential(accessKeyId, now);
    if (cred.kind === 'unknown') return `The security token included in the request is invalid.`;
    if (cred.caller.bootstrap) return undefined;
    const r = iam.authorize(cred.caller, { action, resource, context: iam.globalContext(cred.caller, now, { region }) });
    return r.decision === 'Allow' ? undefined : notAuthorizedMessage(cred.caller.arn, action, resource, r.decision);
  } });
  const telemetry = new Telemetry({ api: deps, config: cfg });
  const services: ServiceDefinition[] = buildServices();
  const dispatcher = new ApiDispatcher(services, [new RpcV2CborCodec(), new AwsJsonCodec('awsJson1_1'), new AwsJsonCodec('awsJson1_0'), new Ec2QueryCodec(), new AwsQueryCodec(), new RestJsonCodec(services)], iam, deps, log);
  const app = await buildApp({ dispatcher, logger: log, plugins: buildPlugins({ store, registry, telemetry }) });
  const joinToken = await ensureJoinToken(store);
  const registryAuth = new RegistryAuth(store, keys);
  // The names clients use for this server's registry (the endpoint's host; loopback as 127.0.0.1 or localhost).
  const registryHosts = (): string[] => {
    if (!endpoint) return [];
    const host = new URL(endpoint).host;
    return [...new Set([host, host.replace(/^127\.0\.0\.1:/, 'localhost:'), host.replace(/^localhost:/, '127.0.0.1:')])];
  };
  const taskStart = new TaskStartResolver({ store, iam, box: deps.secretBox, accountId: cfg.accountId, region: cfg.region, endpointKey: joinToken, sessionSeconds: cfg.tuning.taskCredentialsSeconds,
    // Images in this server's registry: the execution role must be allowed to pull them.
    ownRepository: (image) => {
      const ref = parseImageRef(image);
      return ref.host && registryHosts().includes(ref.host) ? ref.repository : undefined;
    } });
  const poolToken = await ensurePoolToken(store);
  let markListening!: () => void;
  const listening = new Promise<void>((r) => { markListening = r; });
  let poolStopped: Promise<void> = Promise.resolve();
  // Agents pull from this server's own registry with an ECR-style token (renewed well before its 12 h
  // end), issued for the agent's region so its task images resolve in that region's repositories.
  const pullTokens = new Map<string, { password: string; until: number }>();
  const registryAuthFor = (region: string) => async (images: string[]) => {
    const wanted = registryHosts().filter((h) => images.some((i) => i.startsWith(h + '/')));
    if (wanted.length === 0) return [];
    const now = Date.now();
    let pullToken = pullTokens.get(region);
    if (!pullToken || pullToken.until < now) {
      // The administrator's key: /v2/ checks IAM, and only the administrator may pull every repository.
      let key: { accessKeyId: string } | undefined;
      for (const k of await keys.list()) {
        if (k.status !== 'Active') continue;
        const cred = await iam.credential(k.accessKeyId, new Date(now));
        if (cred.kind !== 'unknown' && cred.caller.bootstrap) { key = k; break; }
      }
      key ??= (await keys.list()).find((k) => k.status === 'Active');
      if (!key) return [];
      const t = await registryAuth.issue(key.accessKeyId, new Date(now), region);
      pullToken = { password: t.password, until: now + 60 * 60_000 };
      pullTokens.set(region, pullToken);
    }
    const password = pullToken.password;
    return wanted.map((serveraddress) => ({ serveraddress, username: 'AWS', password }));
  };

  /**
   * Regions (src/store/region-store.ts). Each region used — the configured one from the start, others
   * from their first API call (the dispatcher records them under /wharf/regions/) — gets its own agent
   * gateway, task reaper and, on the leader, its own controllers, all over that region's view of the
   * store. Agents name their region on connect (`/agent?region=`); without one they join the default.
   */
  interface RegionRuntime { gateway: AgentGateway; network: Promise<{ stop(): void }>; stopLeading: () => void; lbStopped: Promise<void> }
  const regions = new Map<string, RegionRuntime>();
  const startRegion = (region: string): RegionRuntime => {
    let r = regions.get(region);
    if (r) return r;
    const rstore = storeForRegion(store, region, cfg.region);
    const scope = { region, accountId: cfg.accountId };
    const rlog = region === cfg.region ? log : log.child({ region });
    const home = region === cfg.region;
    const gateway = new AgentGateway({ store: rstore, scope, log: rlog.child({ svc: 'dispatcher' }), clock: deps.clock, verifyToken: joinTokenVerifier(store),
      // The managed Fargate pool's agents join the configured region (docs/fargate.md).
      ...(home ? { verifyPoolToken: poolTokenVerifier(store), taskStart: (t: Parameters<TaskStartResolver['resolve']>[0]) => taskStart.resolve(t, new Date()) } : {}),
      onStats: (cluster, msg) => telemetry.onStats(cluster, msg, region),
      // The home region's DNS server answers its tasks' queries (169.254.169.253, docs/service-discovery.md).
      ...(home && cfg.tuning.dnsListen ? { resolver: parseHostPort(cfg.tuning.dnsListen) } : {}),
      // Resend task role credentials a little before the resolver would reissue them anyway.
      credentialsRefreshBelowMs: reissueBelowMs(cfg.tuning.taskCredentialsSeconds),
      registryAuth: registryAuthFor(region),
    });
    // The region's default VPC (docs/networking.md); the home region's exists before the first request.
    const network = startNetworkController({ store: rstore, accountId: cfg.accountId, defaultVpcCidr: cfg.defaultVpcCidr, log: rlog.child({ svc: 'network' }), clock: deps.clock });
    network.catch((err) => rlog.error({ err }, 'network controller failed to start'));
    // Controllers run on the leader only (with the embedded store this server always leads), and write
    // through the store the leadership hands them: on etcd, fenced on this server's term.
    let lbStopped: Promise<void> = Promise.resolve();
    const stopLeading = leadership.run((signal, leaderStore) => {
      const rstore = storeForRegion(leaderStore, region, cfg.region);
      const reaper = startTaskReaper({ store: rstore, clock: deps.clock });
      signal.addEventListener('abort', () => reaper.stop(), { once: true });
      if (home) {
        // The managed Fargate pool (docs/fargate.md): agents this server starts and supervises itself.
        const poolLog = log.child({ svc: 'capacity' });
        const poolHosts = new LocalProcessHosts({ dataDir: cfg.dataDir, endpoint: () => endpoint, poolToken, log: poolLog,
          extraArgs: cfg.tuning.fargateAgentArgs });
        const capacity = new CapacityController({ store: leaderStore, region, placement: placement.forRegion(region), hosts: poolHosts, clock: deps.clock, log: poolLog, config: {
          hostCpu: cfg.tuning.fargateHostCpu, hostMemory: cfg.tuning.fargateHostMemory, warm: cfg.tuning.fargateWarmHosts,
          idleMs: cfg.tuning.fargateIdleMs, maxHosts: cfg.tuning.fargateMaxHosts,
        } });
        // Started once the server listens (the pool agents need the endpoint).
        listening.then(() => capacity.start(signal)).catch((err) => poolLog.error({ err }, 'capacity controller failed to start'));
        poolStopped = new Promise((resolve) => signal.addEventListener('abort', () => { void poolHosts.close().then(resolve, resolve); }, { once: true }));
      }
      const services = new ServicesController({
        store: rstore, placement: placement.forRegion(region), scope, clock: deps.clock, log: rlog.child({ svc: 'services' }),
        fargatePool: home ? fargatePool : { ...fargatePool, maxHosts: 0 },
        reconcile: { lostAfterMs: cfg.tuning.serviceLostAfterMs, throttleBaseMs: cfg.tuning.serviceThrottleBaseMs },
      });
      void services.start(signal).catch((err) => log.error({ err }, 'services controller failed to start'));
      // Application Auto Scaling (docs/autoscaling.md): scales services' desiredCount on alarms and schedules.
      const metrics = telemetry.region(region).metrics;
      new AutoscalingController({
        store: rstore, clock: autoscalingClock(cfg.tuning.testClockFile), log: rlog.child({ svc: 'autoscaling' }), tickMs: cfg.tuning.autoscalingTickMs,
        alarms: { list: () => metrics.listAlarms(), delete: (names) => metrics.deleteAlarms([...names]) },
      }).start(signal);
      // EventBridge (docs/events.md): delivers the events rules match from the buses' outboxes.
      new EventDelivery({ store: rstore, logs: telemetry.region(region).logs, scope, placement: placement.forRegion(region), clock: autoscalingClock(cfg.tuning.testClockFile), log: rlog.child({ svc: 'events' }), faultPoint: deps.faultPoint,
        putMetrics: (ns, data, now) => metrics.putMetricData(ns, data, now), alarmChanges: (after, limit) => metrics.stateChangesSince(after, limit) }).start(signal);
      // ECS serviceRegistries → Cloud Map instances, registered when ready, deregistered before a stop (docs/service-discovery.md).
      startServiceRegistriesController({ store: rstore, region, log: rlog.child({ svc: 'discovery' }), signal, clock: () => deps.clock().getTime() });
      // Cloud Map private DNS namespaces over DNS (WHARF_DNS_LISTEN; the home region's namespaces).
      if (region === cfg.region && cfg.tuning.dnsListen) {
        startDnsServer({ store: rstore, listen: parseHostPort(cfg.tuning.dnsListen), upstream: cfg.tuning.dnsUpstream ? parseHostPort(cfg.tuning.dnsUpstream) : undefined, log: rlog.child({ svc: 'dns' }), signal })
          .catch((err: Error) => rlog.error({ err: err.message }, 'dns: could not start'));
      }
      // Load balancers: HAProxy supervised by Wharf, programmed by the lb controller (docs/lb.md); one
      // data plane per region, started once the region has a load balancer.
      const lbLog = rlog.child({ svc: 'lb' });
      const startLb = () => {
        const dataPlane = new HaproxyDataPlane({ dir: join(cfg.dataDir, region === cfg.region ? 'lb' : `lb.${region}`), log: lbLog, binary: cfg.tuning.haproxyBinary, nbthread: cfg.tuning.lbNbthread });
        const lbReady = dataPlane.start().then(() => {
          // AWS/ApplicationELB metrics from HAProxy's counters (src/telemetry/elb-metrics.ts).
          startElbMetrics({ dataPlane, state: () => readElbState(rstore), put: (ns, data, now) => metrics.putMetricData(ns, data, now), clock: deps.clock,
            publishMs: cfg.tuning.metricsPublishMs, signal, onError: (err) => lbLog.debug({ err }, 'load balancer metrics: sample failed') });
          return startLbController({ store: rstore, dataPlane, log: lbLog });
        }, (err: Error) => { lbLog.warn({ err: err.message }, 'load balancer data plane unavailable'); return undefined; });
        lbStopped = new Promise((resolve) => signal.addEventListener('abort', () => { void lbReady.then((c) => (c ? c.stop() : dataPlane.close())).then(resolve, resolve); }, { once: true }));
      };
      if (region === cfg.region) startLb();
      else whenLoadBalancers(rstore, signal, startLb);
    });
    r = { gateway, network, stopLeading, get lbStopped() { return lbStopped; } };
    regions.set(region, r);
    return r;
  };
  await startRegion(cfg.region).network;
  const regionWatch = new AbortController();
  const startRecorded = (key: string) => { if (!closed) startRegion(key.slice(regionKeys.regions().length)); };
  for (const kv of (await store.range(regionKeys.regions())).kvs) startRecorded(kv.key);
  store.watch(regionKeys.regions(), (events) => { for (const e of events) if (e.type === 'put') startRecorded(e.kv.key); }, { signal: regionWatch.signal });
  app.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://agent');
    if (url.pathname !== '/agent') return;
    const region = url.searchParams.get('region') ?? cfg.region;
    if (!REGION_NAME.test(region)) {
      socket.end(`HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\ninvalid region ${region.slice(0, 64)}: use a region name such as us-east-1\n`);
      return;
    }
    // An agent may be the first to name a region: record it, so the region's controllers run.
    const ready = region === cfg.region ? Promise.resolve() : store.txn(createOnly(regionKeys.region(region), '{}'));
    void ready.then(() => startRegion(region).gateway.handleUpgrade(req, socket, head), () => socket.destroy());
  });
  await app.listen({ port: cfg.port, host: cfg.host });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : cfg.port;
  endpoint = cfg.publicEndpoint ?? `http://${cfg.host === '0.0.0.0' || cfg.host === '::' ? '127.0.0.1' : cfg.host}:${port}`;

  // Tell local `wharf` commands where the endpoint is; the admin key is written once, on bootstrap.
  writeFileSync(join(cfg.dataDir, 'join-token'), joinToken + '\n', { mode: 0o600 });
  if (createdAdminKey) {
    const creds: CliCredentials = { endpoint, region: cfg.region, accessKeyId: createdAdminKey.accessKeyId, secretAccessKey: createdAdminKey.secretAccessKey };
    writeFileSync(credentialsFile(cfg.dataDir), JSON.stringify(creds, null, 2) + '\n', { mode: 0o600 });
    chmodSync(credentialsFile(cfg.dataDir), 0o600);
  }
  // Written last: its presence tells local tools (and `wharf up`) that the server is ready and every
  // other file (join token, admin credentials) is in place.
  writeFileSync(join(cfg.dataDir, 'endpoint.tmp'), endpoint + '\n');
  renameSync(join(cfg.dataDir, 'endpoint.tmp'), join(cfg.dataDir, 'endpoint'));
  log.info({ endpoint, dataDir: cfg.dataDir, region: cfg.region }, 'wharf server listening');
  markListening();

  return {
    port, endpoint, store, app, createdAdminKey, joinToken,
    async close() {
      if (closed) return;
      closed = true;
      regionWatch.abort();
      for (const r of regions.values()) {
        r.stopLeading();
        void r.network.then((x) => x.stop(), () => {});
      }
      for (const r of regions.values()) await r.lbStopped;
      await poolStopped;
      for (const r of regions.values()) await r.gateway.close();
      // A leader that stops revokes its lease: another server takes over at once instead of after the TTL.
      await election?.close();
      await app.close();
      keys.close();
      iam.close();
      placement.close();
      await store.close();
    },
  };
}

/** The banner printed when the first start creates the admin key. */
export function adminKeyBanner(key: AccessKey, endpoint: string, region: string, dataDir: string): string {
  return [
    '',
    'Wharf created an admin access key for this installation:',
    '',
    `  Access key ID:     ${key.accessKeyId}`,
    `  Secret access key: ${key.secretAccessKey}`,
    `  (saved, readable only by you, in ${credentialsFile(dataDir)}; \`wharf\` commands use it on their own)`,
    '',
    'Use it with the AWS CLI — either as environment variables:',
    `  export AWS_ACCESS_KEY_ID=${key.accessKeyId} AWS_SECRET_ACCESS_KEY=${key.secretAccessKey} AWS_DEFAULT_REGION=${region}`,
    '',
    'or as a profile:',
    `  aws configure set aws_access_key_id ${key.accessKeyId} --profile wharf`,
    `  aws configure set aws_secret_access_key ${key.secretAccessKey} --profile wharf`,
    `  aws configure set region ${region} --profile wharf`,
    '',
    'then:',
    `  aws --endpoint-url ${endpoint} ecs create-cluster --cluster-name demo`,
    '',
  ].join('\n');
}
