/**
 * Issue 13, everything a container definition can say, end to end: a real `wharf server`, a real
 * `wharf agent` on this machine's runtime, an image in Wharf's own registry, driven by the SDK, raw
 * signed JSON (members newer than the SDK and AWS CLI 2.9 know) and /usr/bin/aws.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateClusterCommand, DescribeTasksCommand, ListContainerInstancesCommand, ListTaskDefinitionFamiliesCommand, RunTaskCommand,
  StopTaskCommand, type Task,
} from '@aws-sdk/client-ecs';
import { ECRClient, CreateRepositoryCommand } from '@aws-sdk/client-ecr';
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { startServerProcess, type TestServer } from '../support/server.js';
import { startAgent, type AgentProcess, removeClusterContainers } from '../support/agent-process.js';
import { buildBusyboxImage, pushToRegistry } from '../support/images.js';
import { containerFinishedAt, containersWithLabel, removeVolume, volumeExists, volumesWithLabel } from '../support/runtime.js';
import { signedFetch } from '../support/signed-fetch.js';

const cluster = `cdef-${process.pid}`;
/** A shared Docker volume this file makes (autoprovision) and removes at the end. */
const sharedVolume = `cdef-shared-${process.pid}`;
let server: TestServer;
let agent: AgentProcess | undefined;
let image: string;
const work = mkdtempSync(join(tmpdir(), 'wharf-cdef-'));

before(async () => {
  server = await startServerProcess();
  const ecs = server.ecs();
  await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
  const ecr = new ECRClient({ endpoint: server.endpoint, region: 'us-east-1', credentials: server.credentials });
  const repo = await ecr.send(new CreateRepositoryCommand({ repositoryName: 'cdef/busybox' }));
  image = `${repo.repository!.repositoryUri}:1`;
  const built = await buildBusyboxImage(join(work, 'img'));
  await pushToRegistry(built.layoutDir, image, { creds: { username: server.credentials.accessKeyId, password: server.credentials.secretAccessKey } });
  agent = await startAgent(server, { cluster, name: 'c1', cpu: 2048, memory: 1024, stopTimeout: 2, cleanupDelay: 2 });
  await until(async () => (await ecs.send(new ListContainerInstancesCommand({ cluster, filter: 'agentConnected == true' }))).containerInstanceArns?.length === 1,
    60_000, () => `the agent connected within 60 s; its output:\n${agent!.output.join('\n')}`);
});

after(async () => {
  if (agent) { await agent.kill('SIGKILL'); agent.cleanup(); }
  await removeClusterContainers(cluster);
  await removeVolume(sharedVolume);
  await server?.stop();
  server?.cleanup();
  rmSync(work, { recursive: true, force: true });
});

async function until(cond: () => Promise<boolean>, ms: number, what: string | (() => string)): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out: ${typeof what === 'string' ? what : what()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** An ECS call as raw signed JSON, so members newer than the SDK's and the CLI's models get through. */
async function ecsJson(action: string, body: unknown): Promise<{ status: number; json: any }> {
  const r = await signedFetch(server.endpoint, server.credentials, {
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `AmazonEC2ContainerServiceV20141113.${action}` },
    body: JSON.stringify(body),
  });
  return { status: r.status, json: r.json };
}

async function families(): Promise<string[]> {
  return (await server.ecs().send(new ListTaskDefinitionFamiliesCommand({}))).families ?? [];
}

/** Every member of `want` is in `got` with the same value (got may add the defaults ECS echoes). */
function assertEchoes(got: unknown, want: unknown, path = ''): void {
  if (Array.isArray(want)) {
    assert.ok(Array.isArray(got), `${path}: not a list in the echo: ${JSON.stringify(got)}`);
    assert.equal(got.length, want.length, `${path}: length`);
    want.forEach((w, i) => assertEchoes(got[i], w, `${path}[${i}]`));
  } else if (want !== null && typeof want === 'object') {
    assert.ok(got !== null && typeof got === 'object', `${path}: not an object in the echo`);
    for (const [k, v] of Object.entries(want)) assertEchoes((got as Record<string, unknown>)[k], v, `${path}.${k}`);
  } else {
    assert.equal(got, want, path);
  }
}

describe('registration: every member of the newest model is honoured or refused', () => {
  it('a definition using every member Wharf accepts round-trips through DescribeTaskDefinition as ECS echoes it', async () => {
    const def = {
      family: 'cdef-everything',
      taskRoleArn: 'arn:aws:iam::000000000000:role/app',
      executionRoleArn: 'arn:aws:iam::000000000000:role/exec',
      networkMode: 'bridge',
      cpu: '1 vCPU',
      memory: '0.5 GB',
      requiresCompatibilities: ['EC2'],
      placementConstraints: [{ type: 'memberOf', expression: 'attribute:ecs.os-type == linux' }],
      runtimePlatform: { cpuArchitecture: 'X86_64', operatingSystemFamily: 'LINUX' },
      ephemeralStorage: { sizeInGiB: 30 },
      enableFaultInjection: false,
      tags: [{ key: 'k', value: 'v' }],
      volumes: [
        { name: 'scratch' },
        { name: 'hostdir', host: { sourcePath: '/tmp' } },
        { name: 'docker', dockerVolumeConfiguration: { scope: 'shared', autoprovision: true, driver: 'local', driverOpts: { type: 'tmpfs', device: 'tmpfs' }, labels: { a: 'b' } } },
      ],
      containerDefinitions: [{
        name: 'app', image, cpu: 256, memory: 128, memoryReservation: 64, essential: true,
        portMappings: [{ containerPort: 8080, hostPort: 0, protocol: 'tcp', name: 'web', appProtocol: 'http' }],
        restartPolicy: { enabled: true, ignoredExitCodes: [0], restartAttemptPeriod: 60 },
        entryPoint: ['sh', '-c'], command: ['sleep 3600'],
        environment: [{ name: 'A', value: '1' }],
        linuxParameters: { capabilities: { add: ['NET_ADMIN'], drop: ['MKNOD'] }, initProcessEnabled: true },
        secrets: [{ name: 'S', valueFrom: 'arn:aws:ssm:us-east-1:000000000000:parameter/p' }],
        dependsOn: [{ containerName: 'init', condition: 'SUCCESS' }],
        startTimeout: 30, stopTimeout: 5, versionConsistency: 'disabled',
        user: '65534', workingDirectory: '/tmp', privileged: false, readonlyRootFilesystem: true, disableNetworking: false,
        interactive: false, pseudoTerminal: false,
        dockerLabels: { team: 'a' },
        ulimits: [{ name: 'nofile', softLimit: 512, hardLimit: 1024 }],
        logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': '/ecs/cdef', 'awslogs-region': 'us-east-1', 'awslogs-stream-prefix': 'app', 'awslogs-create-group': 'True' } },
        healthCheck: { command: ['CMD-SHELL', 'true'], interval: 10, timeout: 3, retries: 2, startPeriod: 5 },
        resourceRequirements: [], credentialSpecs: [],
        mountPoints: [{ sourceVolume: 'scratch', containerPath: '/scratch', readOnly: false }, { sourceVolume: 'docker', containerPath: '/d', readOnly: true }],
        volumesFrom: [{ sourceContainer: 'init', readOnly: true }],
      }, {
        name: 'init', image, essential: false, memory: 16, command: ['true'],
      }],
    };
    const reg = await ecsJson('RegisterTaskDefinition', def);
    assert.equal(reg.status, 200, JSON.stringify(reg.json));
    const got = (await ecsJson('DescribeTaskDefinition', { taskDefinition: 'cdef-everything', include: ['TAGS'] })).json;
    const { tags, cpu: _c, memory: _m, ...rest } = def;
    assertEchoes(got.taskDefinition, rest);
    assert.deepEqual(got.tags, tags);
    // ECS stores task cpu and memory as units and MiB, and echoes the defaults it filled in.
    assert.equal(got.taskDefinition.cpu, '1024');
    assert.equal(got.taskDefinition.memory, '512');
    // Bridge mode: an external instance could run it too, and ECS lists EXTERNAL (aws-cli's register-task-definition example).
    assert.deepEqual(got.taskDefinition.compatibilities, ['EXTERNAL', 'EC2']);
    const init = got.taskDefinition.containerDefinitions[1];
    assert.deepEqual([init.cpu, init.portMappings, init.environment, init.mountPoints, init.volumesFrom, init.systemControls], [0, [], [], [], [], []]);
  });

  it('awslogs-create-group takes every strconv.ParseBool spelling through the AWS CLI; another word is refused', () => {
    const def = (v: string) => JSON.stringify({
      family: `cdef-cg-${v}`,
      containerDefinitions: [{ name: 'a', image, memory: 16, logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': '/ecs/x', 'awslogs-region': 'us-east-1', 'awslogs-create-group': v } } }],
    });
    for (const v of ['True', 'TRUE', 't', '1', 'F']) {
      const r = server.aws(['ecs', 'register-task-definition', '--cli-input-json', def(v)]);
      assert.equal(r.status, 0, `${v}: ${r.stderr}`);
      assert.equal(r.json.taskDefinition.containerDefinitions[0].logConfiguration.options['awslogs-create-group'], v);
    }
    const bad = server.aws(['ecs', 'register-task-definition', '--cli-input-json', def('yes')]);
    assert.equal(bad.status, 254);
    assert.match(bad.stderr, /ClientException.*Invalid value 'yes' for log option 'awslogs-create-group'/);
  });

  it('each member Wharf cannot honour is refused with a ClientException naming it, and nothing is registered', async () => {
    const before = await families();
    const c = { name: 'a', image, memory: 16 };
    const cases: [string, object, RegExp][] = [
      ['environmentFiles', { containerDefinitions: [{ ...c, environmentFiles: [{ value: 'arn:aws:s3:::bucket/app.env', type: 's3' }] }] }, /'environmentFiles'.*Amazon S3.*no object store/],
      ['proxyConfiguration', { containerDefinitions: [c], proxyConfiguration: { type: 'APPMESH', containerName: 'a' } }, /App Mesh/],
      ['inferenceAccelerators', { containerDefinitions: [c], inferenceAccelerators: [{ deviceName: 'd', deviceType: 'eia2.medium' }] }, /Elastic Inference/],
      ['fsx', { containerDefinitions: [c], volumes: [{ name: 'w', fsxWindowsFileServerVolumeConfiguration: { fileSystemId: 'fs-1', rootDirectory: '\\', authorizationConfig: { credentialsParameter: 'x', domain: 'd' } } }] }, /FSx for Windows/],
      ['s3files', { containerDefinitions: [c], volumes: [{ name: 's', s3filesVolumeConfiguration: { fileSystemArn: 'arn:aws:s3files:us-east-1:000000000000:file-system/fs-1' } }] }, /S3 Files/],
      ['configuredAtLaunch', { containerDefinitions: [c], volumes: [{ name: 'e', configuredAtLaunch: true }] }, /configuredAtLaunch/],
      ['credentialSpecs', { containerDefinitions: [{ ...c, credentialSpecs: ['credentialspec:arn:aws:s3:::b/c.json'] }] }, /gMSA/],
      ['enableFaultInjection', { containerDefinitions: [c], enableFaultInjection: true }, /enableFaultInjection/],
      ['links', { containerDefinitions: [c, { ...c, name: 'b', links: ['a'] }] }, /'links'/],
    ];
    for (const [what, over, message] of cases) {
      const r = await ecsJson('RegisterTaskDefinition', { family: `cdef-refused-${what}`, ...over });
      assert.equal(r.status, 400, `${what}: ${JSON.stringify(r.json)}`);
      assert.equal(r.json.__type, 'ClientException', what);
      assert.match(r.json.message, message, what);
    }
    assert.deepEqual(await families(), before, 'a refused registration registers nothing');
  });

  it('runtimePlatform naming an architecture the host cannot run fails placement with ECS\'s reason; the host\'s own runs', async () => {
    const ecs = server.ecs();
    const other = process.arch === 'arm64' ? 'X86_64' : 'ARM64';
    const own = process.arch === 'arm64' ? 'ARM64' : 'X86_64';
    for (const [arch, family] of [[other, 'cdef-arch-other'], [own, 'cdef-arch-own']]) {
      const r = server.aws(['ecs', 'register-task-definition', '--family', family, '--runtime-platform', `cpuArchitecture=${arch},operatingSystemFamily=LINUX`,
        '--container-definitions', JSON.stringify([{ name: 'a', image, memory: 16, command: ['sleep', '30'] }])]);
      assert.equal(r.status, 0, r.stderr);
    }
    const refused = await ecs.send(new RunTaskCommand({ cluster, taskDefinition: 'cdef-arch-other' }));
    assert.deepEqual(refused.tasks, []);
    assert.equal(refused.failures?.length, 1);
    assert.equal(refused.failures![0].reason, 'ATTRIBUTE');
    const windows = server.aws(['ecs', 'register-task-definition', '--family', 'cdef-windows', '--runtime-platform', 'cpuArchitecture=X86_64,operatingSystemFamily=WINDOWS_SERVER_2022_CORE',
      '--container-definitions', JSON.stringify([{ name: 'a', image, memory: 16 }])]);
    assert.equal(windows.status, 0, windows.stderr);
    assert.equal((await ecs.send(new RunTaskCommand({ cluster, taskDefinition: 'cdef-windows' }))).failures?.[0]?.reason, 'ATTRIBUTE');
    const ran = await ecs.send(new RunTaskCommand({ cluster, taskDefinition: 'cdef-arch-own' }));
    assert.equal(ran.tasks?.length, 1, JSON.stringify(ran.failures));
    const t = await waitRunning(ran.tasks![0].taskArn!);
    assert.equal(t.lastStatus, 'RUNNING');
    await ecs.send(new StopTaskCommand({ cluster, task: t.taskArn! }));
  });
});

async function describe1(arn: string): Promise<Task> {
  return (await server.ecs().send(new DescribeTasksCommand({ cluster, tasks: [arn] }))).tasks![0];
}

async function waitRunning(arn: string, ms = 60_000): Promise<Task> {
  let t: Task | undefined;
  await until(async () => { t = await describe1(arn); return t.lastStatus === 'RUNNING' || t.lastStatus === 'STOPPED'; }, ms, `${arn} → RUNNING`);
  if (t!.lastStatus !== 'RUNNING') throw new Error(`task stopped instead of running: ${t!.stopCode} ${t!.stoppedReason} ${JSON.stringify(t!.containers)}`);
  return t!;
}

/** The lines a task's container logged through awslogs (group /ecs/cdef, prefix = the family). */
async function loggedLines(family: string, taskArn: string, until: (lines: string[]) => boolean, ms = 60_000): Promise<string[]> {
  const logs = new CloudWatchLogsClient({ endpoint: server.endpoint, region: 'us-east-1', credentials: server.credentials });
  const stream = `${family}/app/${taskArn.split('/').pop()}`;
  let lines: string[] = [];
  try {
    await waitFor(async () => {
      const r = await logs.send(new FilterLogEventsCommand({ logGroupName: '/ecs/cdef', logStreamNames: [stream] })).catch(() => ({ events: [] }));
      lines = (r.events ?? []).map((e) => e.message ?? '');
      return until(lines);
    }, ms, () => `the container's log lines in ${stream}; so far: ${JSON.stringify(lines)}`);
  } finally {
    logs.destroy();
  }
  return lines;
}

const waitFor = until;

const app = (over: Record<string, unknown>) => ({
  name: 'app', image, memory: 64, essential: true,
  logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': '/ecs/cdef', 'awslogs-region': 'us-east-1', 'awslogs-stream-prefix': '', 'awslogs-create-group': 'True' } },
  ...over,
});

function register(family: string, containers: object[], extra: object = {}): void {
  const defs = containers.map((c) => {
    const x = structuredClone(c) as { logConfiguration?: { options: Record<string, string> } };
    if (x.logConfiguration) x.logConfiguration.options['awslogs-stream-prefix'] = family;
    return x;
  });
  const r = server.aws(['ecs', 'register-task-definition', '--cli-input-json', JSON.stringify({ family, containerDefinitions: defs, ...extra })]);
  assert.equal(r.status, 0, r.stderr);
}

async function run(family: string): Promise<string> {
  const r = await server.ecs().send(new RunTaskCommand({ cluster, taskDefinition: family }));
  assert.equal(r.tasks?.length, 1, JSON.stringify(r.failures));
  return r.tasks![0].taskArn!;
}

async function stopAndWait(taskArn: string): Promise<void> {
  await server.ecs().send(new StopTaskCommand({ cluster, task: taskArn }));
  await until(async () => (await describe1(taskArn)).lastStatus === 'STOPPED', 60_000, `${taskArn} STOPPED`);
}

describe('linuxParameters and container options, through the agent into a real container', () => {
  it('capabilities, devices, init, /dev/shm, tmpfs, swap, user, working directory, DNS, hosts, hostname, sysctls reach the process', async () => {
    register('cdef-linux', [app({
      user: '65534', workingDirectory: '/tmp', hostname: 'cdef-host',
      dnsServers: ['10.9.8.7'], dnsSearchDomains: ['a.example'], extraHosts: [{ hostname: 'db.internal', ipAddress: '10.1.2.3' }],
      systemControls: [{ namespace: 'net.ipv4.tcp_keepalive_time', value: '600' }],
      dockerSecurityOptions: ['no-new-privileges'], dockerLabels: { team: 'cdef' },
      linuxParameters: {
        capabilities: { add: ['NET_ADMIN'], drop: ['CHOWN'] }, initProcessEnabled: true, sharedMemorySize: 32,
        devices: [{ hostPath: '/dev/null', containerPath: '/dev/wharf-null', permissions: ['read', 'write'] }],
        tmpfs: [{ containerPath: '/scratch', size: 1, mountOptions: ['noexec'] }], maxSwap: 32, swappiness: 10,
      },
      entryPoint: ['sh', '-c'],
      command: [[
        'echo host=$(hostname) pwd=$(pwd) uid=$(id -u)', 'grep CapBnd /proc/self/status', "grep -E ' /scratch | /dev/shm ' /proc/mounts",
        'echo sysctl=$(cat /proc/sys/net/ipv4/tcp_keepalive_time)', 'grep db.internal /etc/hosts', 'cat /etc/resolv.conf',
        'test -c /dev/wharf-null && echo device=yes', 'echo memsw=$(cat /sys/fs/cgroup/memory/memory.memsw.limit_in_bytes /sys/fs/cgroup/memory.swap.max 2>/dev/null)',
        'echo pid1=$(cat /proc/1/comm)', 'echo done', 'exec sleep 3600',
      ].join('; ')],
    })]);
    const arn = await run('cdef-linux');
    await waitRunning(arn);
    const lines = await loggedLines('cdef-linux', arn, (l) => l.includes('done'));
    const text = lines.join('\n');
    assert.match(text, /^host=cdef-host pwd=\/tmp uid=65534$/m);
    // The process runs as 65534, so its effective set is empty: the bounding set is what the container was granted.
    const capBnd = BigInt(`0x${/CapBnd:\s*([0-9a-f]+)/.exec(text)?.[1] ?? '0'}`);
    assert.equal((capBnd >> 12n) & 1n, 1n, 'NET_ADMIN (12) added');
    assert.equal(capBnd & 1n, 0n, 'CHOWN (0) dropped');
    assert.match(text, /^tmpfs \/scratch tmpfs \S*noexec\S*size=1024k/m);
    assert.match(text, /^\S+ \/dev\/shm tmpfs \S*size=32768k/m);
    assert.match(text, /^sysctl=600$/m);
    assert.match(text, /^10\.1\.2\.3\s+db\.internal$/m);
    assert.match(text, /^nameserver 10\.9\.8\.7$/m);
    assert.match(text, /^search a\.example$/m);
    assert.match(text, /^device=yes$/m);
    assert.match(text, new RegExp(`^memsw=(${96 * 1024 * 1024}|${32 * 1024 * 1024})$`, 'm'));
    const pid1 = /^pid1=(.*)$/m.exec(text)?.[1];
    assert.ok(pid1 && !['sh', 'sleep'].includes(pid1), `PID 1 is an init, not the task's process: ${pid1}`);
    await stopAndWait(arn);
  });

  it('initProcessEnabled: sh -c "sleep 3600" stops within a second of StopTask; without it, only at stopTimeout', async (t) => {
    const sleeper = (init: boolean) => app({ command: ['sh', '-c', 'sleep 3600'], stopTimeout: 4, ...(init ? { linuxParameters: { initProcessEnabled: true } } : {}) });
    register('cdef-init', [sleeper(true)]);
    register('cdef-noinit', [sleeper(false)]);
    // Measured from the StopTask call to the container's exit as the runtime recorded it (what "stops"
    // means); the report's way back to DescribeTasks is polled for, not timed.
    const timed = async (family: string): Promise<number> => {
      const arn = await run(family);
      const running = await waitRunning(arn);
      await new Promise((r) => setTimeout(r, 300)); // the shell is up
      const t0 = Date.now();
      await server.ecs().send(new StopTaskCommand({ cluster, task: arn }));
      await until(async () => (await describe1(arn)).containers?.[0]?.lastStatus === 'STOPPED', 30_000, `${family}: container STOPPED`);
      const finished = await containerFinishedAt(running.containers![0].runtimeId!);
      assert.ok(finished, 'the runtime recorded the exit');
      return finished.getTime() - t0;
    };
    const withInit = await timed('cdef-init');
    assert.ok(withInit >= 0 && withInit < 1000, `with initProcessEnabled the container stopped ${withInit} ms after StopTask`);
    const without = await timed('cdef-noinit');
    t.diagnostic(`StopTask → container exit: ${withInit} ms with initProcessEnabled, ${without} ms without (stopTimeout 4 s)`);
    assert.ok(without >= 3500, `without an init PID 1 ignores SIGTERM and waits out stopTimeout (4 s): ${without} ms`);
  });

  it('pseudoTerminal gives the process a terminal; interactive keeps stdin open', async () => {
    register('cdef-tty', [app({ command: ['sh', '-c', 'tty; echo done; exec sleep 3600'], pseudoTerminal: true })]);
    const tty = await run('cdef-tty');
    await waitRunning(tty);
    const lines = await loggedLines('cdef-tty', tty, (l) => l.includes('done'));
    assert.match(lines[0], /^\/dev\/pts\/\d+$/);
    register('cdef-stdin', [app({ command: ['cat'], interactive: true })]);
    const open = await run('cdef-stdin');
    await waitRunning(open);
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal((await describe1(open)).lastStatus, 'RUNNING', 'cat waits on its open stdin');
    register('cdef-nostdin', [app({ command: ['cat'] })]);
    const closed = await run('cdef-nostdin');
    await until(async () => (await describe1(closed)).lastStatus === 'STOPPED', 60_000, 'cat without stdin exits at once');
    assert.equal((await describe1(closed)).containers![0].exitCode, 0);
    await Promise.all([stopAndWait(tty), stopAndWait(open)]);
  });

  it('pidMode and ipcMode task: one container sees the other\'s process and reads what it wrote to /dev/shm; the pause container goes with the task', async () => {
    const token = `shm-${process.pid}-${Date.now()}`;
    // The reader starts once the writer is HEALTHY: its token is in its /dev/shm and `sleep 4242` runs.
    const writer = {
      name: 'writer', image, memory: 32, essential: true,
      command: ['sh', '-c', `echo ${token} > /dev/shm/token && exec sleep 4242`],
      healthCheck: { command: ['CMD-SHELL', 'test -f /dev/shm/token && ps | grep -q "[s]leep 4242"'], interval: 5, timeout: 3, retries: 3 },
    };
    const reader = app({
      dependsOn: [{ containerName: 'writer', condition: 'HEALTHY' }],
      command: ['sh', '-c', 'echo "ps=$(ps | grep -c "[s]leep 4242")"; echo "shm=$(cat /dev/shm/token 2>/dev/null)"; echo "pid1=$(tr "\\0" " " < /proc/1/cmdline)"; echo done; exec sleep 3600'],
    });
    register('cdef-ns-task', [writer, reader], { pidMode: 'task', ipcMode: 'task' });
    register('cdef-ns-own', [writer, reader]);
    const [shared, own] = await Promise.all([run('cdef-ns-task'), run('cdef-ns-own')]);
    const [sharedLines, ownLines] = await Promise.all([
      loggedLines('cdef-ns-task', shared, (l) => l.includes('done'), 90_000),
      loggedLines('cdef-ns-own', own, (l) => l.includes('done'), 90_000),
    ]);
    assert.deepEqual(sharedLines.slice(0, 2), ['ps=1', `shm=${token}`], 'pidMode/ipcMode task: the writer\'s sleep and /dev/shm are visible');
    assert.match(sharedLines[2], /^pid1=\/bin\/busybox sleep \d+ ?$/, 'PID 1 of the shared namespace is the pause process');
    assert.deepEqual(ownLines.slice(0, 2), ['ps=0', 'shm='], 'without them each container has its own namespaces');
    const t = await describe1(shared);
    assert.deepEqual(t.containers!.map((c) => c.name).sort(), ['app', 'writer'], 'the pause container is not a container of the task');
    assert.equal((await containersWithLabel('com.amazonaws.ecs.task-arn', shared)).length, 3, 'app, writer and the namespace pause container');
    assert.equal((await containersWithLabel('com.amazonaws.ecs.task-arn', own)).length, 2, 'no pause container without pidMode/ipcMode task');
    await Promise.all([stopAndWait(shared), stopAndWait(own)]);
    await until(async () => (await containersWithLabel('com.amazonaws.ecs.task-arn', shared)).length === 0,
      60_000, 'every container of the pidMode task task, its pause container included, removed after the cleanup delay');
  });

  it('bad input: a Fargate definition with Docker-only options, bad tmpfs and swappiness', async () => {
    const c = { name: 'a', image, memory: 16 };
    const cases: [object, RegExp][] = [
      [{ requiresCompatibilities: ['FARGATE'], networkMode: 'awsvpc', cpu: '256', memory: '512', containerDefinitions: [{ name: 'a', image, dnsServers: ['10.0.0.2'] }] }, /^Tasks using the Fargate launch type do not support dnsServers\.$/],
      [{ containerDefinitions: [{ ...c, linuxParameters: { tmpfs: [{ containerPath: 'scratch', size: 1 }] } }] }, /tmpfs.*absolute path/],
      [{ containerDefinitions: [{ ...c, linuxParameters: { maxSwap: 10, swappiness: 101 } }] }, /swappiness.*between 0 and 100/],
      [{ containerDefinitions: [{ ...c, dockerSecurityOptions: ['seccomp=unconfined'] }] }, /dockerSecurityOptions/],
    ];
    for (const [over, message] of cases) {
      const r = await ecsJson('RegisterTaskDefinition', { family: 'cdef-bad', ...over });
      assert.equal(r.status, 400, JSON.stringify(r.json));
      assert.equal(r.json.__type, 'ClientException');
      assert.match(r.json.message, message);
    }
    assert.ok(!(await families()).includes('cdef-bad'));
  });
});

describe('volumes and mounts', () => {
  const runToEnd = async (family: string): Promise<Task> => {
    const arn = await run(family);
    await until(async () => (await describe1(arn)).lastStatus === 'STOPPED', 90_000, `${family} ran to the end`);
    return describe1(arn);
  };

  it('a shared Docker volume keeps data across tasks and outlives them; task-scoped volumes go with the task', async () => {
    const volumes = [
      { name: 'shared', dockerVolumeConfiguration: { scope: 'shared', autoprovision: true, driver: 'local', labels: { team: 'cdef' } } },
      { name: 'mine', dockerVolumeConfiguration: { scope: 'task', driver: 'local', labels: { team: 'cdef' } } },
      { name: 'empty', host: {} },
    ];
    const mountPoints = [{ sourceVolume: 'shared', containerPath: '/shared' }, { sourceVolume: 'mine', containerPath: '/mine' }, { sourceVolume: 'empty', containerPath: '/empty' }];
    const token = `data-${process.pid}-${Date.now()}`;
    // The volume name is the task definition volume's name for scope shared.
    const fix = (m: { sourceVolume: string; containerPath: string }) => (m.sourceVolume === 'shared' ? { ...m, sourceVolume: sharedVolume } : m);
    register('cdef-vol-write', [app({ mountPoints: mountPoints.map(fix), command: ['sh', '-c', `echo ${token} > /shared/f && echo ${token} > /mine/f && echo ${token} > /empty/f && echo wrote`] })],
      { volumes: volumes.map((v) => (v.name === 'shared' ? { ...v, name: sharedVolume } : v)) });
    register('cdef-vol-read', [app({ mountPoints: mountPoints.map(fix), command: ['sh', '-c', 'echo shared=$(cat /shared/f) mine=$(cat /mine/f 2>/dev/null) empty=$(cat /empty/f 2>/dev/null)'] })],
      { volumes: volumes.map((v) => (v.name === 'shared' ? { ...v, name: sharedVolume } : v)) });

    const w = await runToEnd('cdef-vol-write');
    assert.equal(w.containers![0].exitCode, 0, `the writer: ${w.stoppedReason} ${w.containers![0].reason}`);
    const writerVolumes = await volumesWithLabel('com.amazonaws.ecs.task-arn', w.taskArn!);
    assert.equal(writerVolumes.length, 2, `the writer's task-scoped volumes (docker scope task, empty host): ${writerVolumes}`);
    assert.ok(await volumeExists(sharedVolume), 'autoprovision made the shared volume');
    // After the cleanup delay (2 s here) the task's containers and its task-scoped volumes are removed.
    await until(async () => (await volumesWithLabel('com.amazonaws.ecs.task-arn', w.taskArn!)).length === 0 && (await containersWithLabel('com.amazonaws.ecs.task-arn', w.taskArn!)).length === 0,
      60_000, 'the writer task\'s containers and task-scoped volumes removed');
    assert.ok(await volumeExists(sharedVolume), 'the shared volume outlives the task');

    const r = await runToEnd('cdef-vol-read');
    const lines = await loggedLines('cdef-vol-read', r.taskArn!, (l) => l.some((x) => x.startsWith('shared=')));
    assert.deepEqual(lines.filter((x) => x.startsWith('shared=')), [`shared=${token} mine= empty=`], 'the next task sees the shared data, and fresh task-scoped volumes');
  });

  it('mountPoints readOnly refuses a write; a host directory is mounted; volumesFrom shares a container\'s mounts', async () => {
    const host = join(work, 'hostdir');
    mkdirSync(host, { recursive: true });
    writeFileSync(join(host, 'hello'), 'from-the-host\n');
    register('cdef-ro', [
      app({
        name: 'app', essential: true,
        mountPoints: [{ sourceVolume: 'h', containerPath: '/ro', readOnly: true }, { sourceVolume: 'h', containerPath: '/rw' }],
        command: ['sh', '-c', 'cat /ro/hello; echo x > /ro/new; echo ro-exit=$?; echo y > /rw/written && echo rw-ok; echo done; exec sleep 3600'],
      }),
      { name: 'peer', image, memory: 16, essential: false, volumesFrom: [{ sourceContainer: 'app', readOnly: true }], dependsOn: [{ containerName: 'app', condition: 'START' }],
        logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': '/ecs/cdef', 'awslogs-region': 'us-east-1', 'awslogs-stream-prefix': 'cdef-ro' } },
        command: ['sh', '-c', 'sleep 1; echo peer=$(cat /rw/hello); echo z > /rw/peer; echo peer-exit=$?'] },
    ], { volumes: [{ name: 'h', host: { sourcePath: host } }] });
    const arn = await run('cdef-ro');
    await waitRunning(arn);
    const lines = await loggedLines('cdef-ro', arn, (l) => l.includes('done'));
    assert.ok(lines.includes('from-the-host'), JSON.stringify(lines));
    assert.ok(lines.some((l) => /Read-only file system/.test(l)), `the write to the read-only mount failed as the kernel says: ${JSON.stringify(lines)}`);
    assert.match(lines.find((l) => l.startsWith('ro-exit=')) ?? '', /^ro-exit=[1-9]/);
    assert.ok(lines.includes('rw-ok'));
    assert.equal(existsSync(join(host, 'new')), false, 'nothing reached the host through the read-only mount');
    assert.equal(readFileSync(join(host, 'written'), 'utf8'), 'y\n', 'the read-write mount wrote to the host directory');
    const logs = new CloudWatchLogsClient({ endpoint: server.endpoint, region: 'us-east-1', credentials: server.credentials });
    let peer: string[] = [];
    await until(async () => {
      const r = await logs.send(new FilterLogEventsCommand({ logGroupName: '/ecs/cdef', logStreamNames: [`cdef-ro/peer/${arn.split('/').pop()}`] })).catch(() => ({ events: [] }));
      peer = (r.events ?? []).map((e) => e.message ?? '');
      return peer.some((l) => l.startsWith('peer-exit='));
    }, 60_000, () => `the peer's lines: ${JSON.stringify(peer)}`);
    logs.destroy();
    assert.ok(peer.includes('peer=from-the-host'), JSON.stringify(peer));
    assert.match(peer.find((l) => l.startsWith('peer-exit=')) ?? '', /^peer-exit=[1-9]/, 'volumesFrom readOnly: the peer cannot write');
    await stopAndWait(arn);
  });

  it('bad input: a missing, a sensitive and a not-allowed host path, a shared volume without autoprovision: the task fails to start and leaves nothing', async () => {
    const cases: [string, object, RegExp][] = [
      ['missing', { host: { sourcePath: join(work, 'no-such-dir') } }, /^CannotCreateContainerError: Error response from daemon: invalid mount config for type "bind": bind source path does not exist: \//],
      ['shadow', { host: { sourcePath: '/etc/shadow' } }, /^CannotCreateContainerError: host path \/etc\/shadow \(volume 'v'\) may not be mounted on this container instance: .*\/etc\/shadow/],
      ['etc', { host: { sourcePath: '/etc' } }, /may not be mounted on this container instance: it contains \/etc\/shadow/],
      ['socket', { host: { sourcePath: '/run' } }, /may not be mounted on this container instance/],
      ['noauto', { dockerVolumeConfiguration: { scope: 'shared', autoprovision: false } }, /^CannotCreateVolumeError: shared volume 'cdef-noauto-.*' does not exist and autoprovision is false$/],
    ];
    for (const [what, volume, reason] of cases) {
      const name = what === 'noauto' ? `cdef-noauto-${process.pid}` : 'v';
      register(`cdef-bad-${what}`, [app({ mountPoints: [{ sourceVolume: name, containerPath: '/v' }], command: ['sh', '-c', 'echo should-not-run'] })], { volumes: [{ name, ...volume }] });
      const t = await runToEnd(`cdef-bad-${what}`);
      assert.equal(t.stopCode, 'TaskFailedToStart', what);
      assert.match(t.stoppedReason ?? '', reason, what);
      assert.match(t.containers![0].reason ?? '', reason, `${what}: the container says why too`);
      assert.deepEqual(await containersWithLabel('com.amazonaws.ecs.task-arn', t.taskArn!), [], `${what}: no container was made`);
      assert.deepEqual(await volumesWithLabel('com.amazonaws.ecs.task-arn', t.taskArn!), [], `${what}: no volume was made`);
    }
    assert.equal(await volumeExists(`cdef-noauto-${process.pid}`), false);
  });
});
