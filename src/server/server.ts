/**
 * `wharf server`: opens the store, makes sure an admin access key exists, and serves every API on one
 * port. Returns a handle so tests and `wharf up` can run it in-process and stop it cleanly.
 */
import { chmodSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import type { FastifyInstance } from 'fastify';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import type { Store } from '../store/store.js';
import { AccessKeys, type AccessKey } from '../iam/access-keys.js';
import { IamDirectory, ensureBootstrapUser } from '../iam/directory.js';
import { SecretBox } from '../iam/secret-box.js';
import { TaskStartResolver } from '../iam/task-start.js';
import { ApiDispatcher } from '../api/dispatch.js';
import { AwsJsonCodec } from '../protocol/codecs/aws-json.js';
import type { ApiDeps, ServiceDefinition } from '../api/types.js';
import { buildServices } from './services.js';
import { buildApp } from './app.js';
import { buildPlugins } from './plugins.js';
import { RegistryAuth } from '../registry/auth.js';
import { AgentGateway, ensureJoinToken, ensurePoolToken, joinTokenVerifier, poolTokenVerifier } from '../dispatcher/gateway.js';
import { CapacityController } from '../controllers/capacity/controller.js';
import { LocalProcessHosts } from './fargate-hosts.js';
import { startTaskReaper } from '../controllers/task-reaper/task-reaper.js';
import { ServicesController } from '../controllers/services/controller.js';
import { alwaysLeader } from '../controllers/shared/leadership.js';
import type { ServerConfig } from './config.js';
import { AwsQueryCodec } from '../protocol/codecs/aws-query.js';
import { RpcV2CborCodec } from '../protocol/codecs/rpcv2-cbor.js';
import { telemetryFor } from '../telemetry/telemetry.js';
import { HaproxyDataPlane } from '../lb/haproxy.js';
import { startLbController } from '../controllers/lb/lb-controller.js';

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

export const credentialsFile = (dataDir: string) => join(dataDir, 'admin-credentials.json');

export async function startServer(cfg: ServerConfig, opts: { logger?: Logger } = {}): Promise<RunningServer> {
  const log = opts.logger ?? pino({ level: cfg.logLevel, base: { svc: 'wharf-server' }, redact: ['req.headers.authorization', '*.secretAccessKey'] });
  mkdirSync(cfg.dataDir, { recursive: true });
  // WHARF_STORE_SYNCHRONOUS=OFF is a test knob only (the power-cut test shows OFF loses acknowledged writes).
  const store = new SqliteStore(join(cfg.dataDir, 'state.db'), { synchronous: cfg.tuning.storeSynchronous });
  const keys = new AccessKeys(store);
  const createdAdminKey = await keys.bootstrap(new Date());
  const iam = new IamDirectory(store, cfg.accountId);
  await ensureBootstrapUser(store, cfg.accountId, new Date());
  await iam.load();

  let endpoint = cfg.publicEndpoint ?? '';
  const deps: ApiDeps = {
    store,
    region: cfg.region,
    accountId: cfg.accountId,
    get publicEndpoint() { return endpoint; },
    clock: () => new Date(),
    iam,
    faultPoint: testFaultPoint(cfg.tuning.testFault),
    secretBox: SecretBox.fromFile(join(cfg.dataDir, 'secrets.key')),
  };
  const services: ServiceDefinition[] = buildServices({ api: deps, keys, config: cfg });
  const dispatcher = new ApiDispatcher(services, [new RpcV2CborCodec(), new AwsJsonCodec('awsJson1_1'), new AwsJsonCodec('awsJson1_0'), new AwsQueryCodec()], iam, deps, log);
  const app = await buildApp({ dispatcher, logger: log, plugins: buildPlugins({ api: deps, keys, config: cfg }) });
  const joinToken = await ensureJoinToken(store);
  const registryAuth = new RegistryAuth(store, keys);
  let pullToken: { password: string; until: number } | undefined;
  const taskStart = new TaskStartResolver({ store, iam, box: deps.secretBox, accountId: cfg.accountId, region: cfg.region, endpointKey: joinToken });
  const poolToken = await ensurePoolToken(store);
  const gateway = new AgentGateway({ store, scope: deps, log: log.child({ svc: 'dispatcher' }), clock: deps.clock, verifyToken: joinTokenVerifier(store),
    verifyPoolToken: poolTokenVerifier(store),
    onStats: (cluster, msg) => telemetryFor({ api: deps, config: cfg }).onStats(cluster, msg),
    taskStart: (t) => taskStart.resolve(t, new Date()),
    // Agents pull from this server's own registry with an ECR-style token (renewed well before its 12 h end).
    registryAuth: async (images) => {
      const host = new URL(endpoint).host;
      const hosts = new Set([host, host.replace(/^127\.0\.0\.1:/, 'localhost:'), host.replace(/^localhost:/, '127.0.0.1:')]);
      const wanted = [...hosts].filter((h) => images.some((i) => i.startsWith(h + '/')));
      if (wanted.length === 0) return [];
      const now = Date.now();
      if (!pullToken || pullToken.until < now) {
        const key = (await keys.list()).find((k) => k.status === 'Active');
        if (!key) return [];
        const t = await registryAuth.issue(key.accessKeyId, new Date(now));
        pullToken = { password: t.password, until: now + 60 * 60_000 };
      }
      return wanted.map((serveraddress) => ({ serveraddress, username: 'AWS', password: pullToken!.password }));
    },
  });
  gateway.attach(app.server);
  const reaper = startTaskReaper({ store, clock: deps.clock });
  let markListening!: () => void;
  const listening = new Promise<void>((r) => { markListening = r; });
  // Controllers run on the leader only; with the embedded store this server always leads.
  let lbStopped: Promise<void> = Promise.resolve();
  let poolStopped: Promise<void> = Promise.resolve();
  const stopLeading = alwaysLeader.run((signal) => {
    // The managed Fargate pool (docs/fargate.md): agents this server starts and supervises itself.
    const poolLog = log.child({ svc: 'capacity' });
    const poolHosts = new LocalProcessHosts({ dataDir: cfg.dataDir, endpoint: () => endpoint, poolToken, log: poolLog,
      extraArgs: cfg.tuning.fargateAgentArgs });
    const capacity = new CapacityController({ store, hosts: poolHosts, clock: deps.clock, log: poolLog, config: {
      hostCpu: cfg.tuning.fargateHostCpu, hostMemory: cfg.tuning.fargateHostMemory, warm: cfg.tuning.fargateWarmHosts,
      idleMs: cfg.tuning.fargateIdleMs, maxHosts: cfg.tuning.fargateMaxHosts,
    } });
    // Started once the server listens (the pool agents need the endpoint).
    listening.then(() => capacity.start(signal)).catch((err) => poolLog.error({ err }, 'capacity controller failed to start'));
    poolStopped = new Promise((resolve) => signal.addEventListener('abort', () => { void poolHosts.close().then(resolve, resolve); }, { once: true }));
    const services = new ServicesController({
      store, scope: deps, clock: deps.clock, log: log.child({ svc: 'services' }),
      reconcile: { lostAfterMs: cfg.tuning.serviceLostAfterMs, throttleBaseMs: cfg.tuning.serviceThrottleBaseMs },
    });
    void services.start(signal).catch((err) => log.error({ err }, 'services controller failed to start'));
    // Load balancers: HAProxy supervised by Wharf, programmed by the lb controller (docs/lb.md).
    const lbLog = log.child({ svc: 'lb' });
    const dataPlane = new HaproxyDataPlane({ dir: join(cfg.dataDir, 'lb'), log: lbLog, binary: cfg.tuning.haproxyBinary, nbthread: cfg.tuning.lbNbthread });
    const lbReady = dataPlane.start().then(() => startLbController({ store, dataPlane, log: lbLog }), (err: Error) => { lbLog.warn({ err: err.message }, 'load balancer data plane unavailable'); return undefined; });
    lbStopped = new Promise((resolve) => signal.addEventListener('abort', () => { void lbReady.then((c) => (c ? c.stop() : dataPlane.close())).then(resolve, resolve); }, { once: true }));
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

  let closed = false;
  return {
    port, endpoint, store, app, createdAdminKey, joinToken,
    async close() {
      if (closed) return;
      closed = true;
      reaper.stop();
      stopLeading();
      await lbStopped;
      await poolStopped;
      await gateway.close();
      await app.close();
      keys.close();
      iam.close();
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
