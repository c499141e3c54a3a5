/**
 * Issue 20 end to end: `wharf deploy` of a Compose file with three services — a web front end with a
 * published port, an API it calls (through the API's own load balancer listener), and a worker — on a
 * real server, a real agent and real Podman containers (busybox images made offline). Then a changed
 * API image rolls only the API under a steady request loop with no failed request; --dry-run prints the
 * plan the deploy then carries out; `wharf down --project` removes everything. And the CLI's error
 * paths, each one line and a non-zero exit code (the AWS CLI's codes).
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { request, Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateClusterCommand, DescribeServicesCommand, ListServicesCommand, ListTaskDefinitionsCommand, ListTasksCommand } from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingV2Client, DescribeLoadBalancersCommand, DescribeTargetGroupsCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { cliEntry, startServerProcess, testEnv, type TestServer } from '../support/server.js';
import { startAgent, removeClusterContainers, type AgentProcess } from '../support/agent-process.js';
import { buildBusyboxImage, loadIntoRuntime } from '../support/images.js';
import { until } from '../support/wait.js';

const cluster = `compose-${process.pid}`;
const project = `shop${process.pid}`;
const work = mkdtempSync(join(tmpdir(), 'wharf-compose-'));
let server: TestServer;
let agent: AgentProcess;
let elb: ElasticLoadBalancingV2Client;
let webPort: number;
let apiPort: number;
const images: Record<string, string> = {};

const freePort = () => new Promise<number>((res) => { const s = createServer().listen(0, '127.0.0.1', () => { const p = (s.address() as { port: number }).port; s.close(() => res(p)); }); });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Run { status: number; stdout: string; stderr: string }
function wharf(args: string[], env: NodeJS.ProcessEnv = {}): Run {
  const r = spawnSync(process.execPath, [cliEntry, ...args], {
    encoding: 'utf8', timeout: 240_000, cwd: work,
    env: { ...testEnv(server.credentials), WHARF_ENDPOINT: server.endpoint, WEB_PORT: String(webPort), API_PORT: String(apiPort), ...env },
  });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
/** The same, without blocking the event loop (the request loop must keep running meanwhile). */
function wharfAsync(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cliEntry, ...args], {
      cwd: work, env: { ...testEnv(server.credentials), WHARF_ENDPOINT: server.endpoint, WEB_PORT: String(webPort), API_PORT: String(apiPort), ...env },
    });
    let stdout = '', stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('exit', (code) => resolve({ status: code ?? -1, stdout, stderr }));
  });
}
const planOf = (out: string) => out.slice(out.indexOf('Plan for project'), out.indexOf('\n(dry run') >= 0 ? out.indexOf('\n(dry run') : undefined)
  .split('\n').filter((l) => l.startsWith('Plan') || l.startsWith('  ')).join('\n');

function get(port: number, path: string, agentOpt?: Agent): Promise<{ status: number; body: string }> {
  return new Promise((res, rej) => {
    const req = request({ host: '127.0.0.1', port, path, agent: agentOpt, timeout: 5000 }, (r) => {
      let body = '';
      r.on('data', (c) => { body += c; });
      r.on('end', () => res({ status: r.statusCode ?? 0, body }));
    });
    req.on('error', rej);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end();
  });
}

const compose = (file = 'compose.yaml') => {
  // The front end calls the API by its Compose name, as on Compose's default network: each task has its
  // own address (awsvpc) and `api` resolves through the project's Cloud Map namespace.
  writeFileSync(join(work, file), `name: ${project}
services:
  web:
    image: ${images.web}
    ports: ["\${WEB_PORT}:8080"]
    environment:
      API_URL: http://api:9000/
    depends_on: [api]
    deploy: { replicas: 2 }
  api:
    image: \${API_IMAGE:-${images.api1}}
    ports: ["\${API_PORT}:9000"]
    healthcheck:            # generous timings: the agent runs it through the runtime's exec API, slow on a busy host
      test: wget -q -O /dev/null http://127.0.0.1:9000/ || exit 1
      interval: 10s
      timeout: 5s
      retries: 3
      start_period: 5s
    deploy: { replicas: 2 }
  worker:
    image: ${images.worker}
    stop_grace_period: 2s
`);
};

before(async () => {
  // The DNS server: services call each other by name (awsvpc, the project's Cloud Map namespace).
  server = await startServerProcess({ env: { WHARF_DNS_LISTEN: `127.0.0.1:${await freePort()}` } });
  elb = new ElasticLoadBalancingV2Client({ endpoint: server.endpoint, region: 'us-east-1', credentials: server.credentials });
  [webPort, apiPort] = [await freePort(), await freePort()];
  const web = await buildBusyboxImage(join(work, 'img-web'), { cmd: ['httpd', '-f', '-p', '8080', '-h', '/www'], files: {
    'www/index.html': 'web front end\n',
    'www/cgi-bin/app': '#!/bin/sh\necho "Content-Type: text/plain"\necho\necho "web got: $(wget -q -O - "$API_URL" 2>&1)"\n',
  } });
  images.web = await loadIntoRuntime(web.layoutDir, `wharf-e2e/compose-web:${process.pid}`);
  for (const v of ['1', '2']) {
    const api = await buildBusyboxImage(join(work, `img-api${v}`), { cmd: ['httpd', '-f', '-p', '9000', '-h', '/www'], files: { 'www/index.html': `api-v${v}\n` } });
    images[`api${v}`] = await loadIntoRuntime(api.layoutDir, `wharf-e2e/compose-api:${process.pid}-${v}`);
  }
  const worker = await buildBusyboxImage(join(work, 'img-worker'), { cmd: ['sh', '-c', 'trap "exit 0" TERM; while true; do echo working; sleep 1; done'] });
  images.worker = await loadIntoRuntime(worker.layoutDir, `wharf-e2e/compose-worker:${process.pid}`);
  await server.ecs().send(new CreateClusterCommand({ clusterName: cluster }));
  agent = await startAgent(server, { cluster, name: 'compose', cpu: 4096, memory: 4096, stopTimeout: 2 });
  // `wharf deploy` chooses awsvpc networking when an instance of the cluster can run it.
  await until('the agent registered with task-eni', async () =>
    (server.aws(['ecs', 'list-container-instances', '--cluster', cluster, '--filter', 'attribute:ecs.capability.task-eni exists']).json?.containerInstanceArns ?? []).length === 1, 120_000, 500);
});

after(async () => {
  await agent?.kill('SIGKILL');
  agent?.cleanup();
  await removeClusterContainers(cluster);
  await server?.stop();
  server?.cleanup();
  try { execFileSync('podman', ['rmi', '-f', ...Object.values(images), 'localhost/wharf-build/composetest-web:latest'], { stdio: 'ignore' }); } catch { /* best effort */ }
  rmSync(work, { recursive: true, force: true });
});

describe('wharf deploy of a three-service Compose file', () => {
  it('--dry-run prints a plan and changes nothing; the deploy prints and carries out the same plan; the front end answers through the load balancer, calling the API', async () => {
    compose();
    const dry = wharf(['deploy', '--cluster', cluster, '--dry-run']);
    assert.equal(dry.status, 0, dry.stderr);
    const plan = planOf(dry.stdout);
    for (const line of ['+ create load-balancer', `+ create service ${project}-web`, `+ create service ${project}-api`, `+ create service ${project}-worker`,
      `+ create listener ${webPort}`, `+ create listener ${apiPort}`, `+ register task-definition ${project}-worker`]) {
      assert.ok(plan.includes(line), `plan has "${line}":\n${plan}`);
    }
    assert.match(dry.stdout, /dry run: nothing was changed/);
    assert.deepEqual((await server.ecs().send(new ListServicesCommand({ cluster }))).serviceArns, [], 'a dry run creates no service');
    assert.equal(((await elb.send(new DescribeLoadBalancersCommand({}))).LoadBalancers ?? []).length, 0, 'a dry run creates no load balancer');

    const t0 = Date.now();
    const run = wharf(['deploy', '--cluster', cluster]);
    assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
    assert.equal(planOf(run.stdout), plan, 'the deploy carries out the plan the dry run printed');
    process.stderr.write(`  deploy from scratch to all services stable: ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);

    const services = (await server.ecs().send(new DescribeServicesCommand({ cluster, services: ['web', 'api', 'worker'].map((s) => `${project}-${s}`) }))).services!;
    assert.deepEqual(services.map((s) => [s.serviceName, s.runningCount, s.deployments?.[0].rolloutState]),
      [[`${project}-web`, 2, 'COMPLETED'], [`${project}-api`, 2, 'COMPLETED'], [`${project}-worker`, 1, 'COMPLETED']]);
    const r = await get(webPort, '/cgi-bin/app');
    assert.equal(r.status, 200);
    assert.equal(r.body.trim(), 'web got: api-v1', 'the front end answers through its listener and reaches the API through the API\'s');

    const again = wharf(['deploy', '--cluster', cluster, '--dry-run', '-o', 'json']);
    assert.equal(again.status, 0, again.stderr);
    const doc = JSON.parse(again.stdout) as { steps: unknown[]; unchanged: string[] };
    assert.deepEqual(doc.steps, [], 'deploying the same file again changes nothing');
    assert.deepEqual(doc.unchanged.sort(), ['api', 'web', 'worker']);
  });

  it('a changed API image rolls only the API, with no failed request through the front end', async () => {
    const before = new Map<string, string[]>();
    for (const s of ['web', 'worker']) before.set(s, ((await server.ecs().send(new ListTasksCommand({ cluster, serviceName: `${project}-${s}` }))).taskArns ?? []).sort());
    const env = { API_IMAGE: images.api2 };
    const dry = wharf(['deploy', '--cluster', cluster, '--dry-run'], env);
    assert.equal(dry.status, 0, dry.stderr);
    const plan = planOf(dry.stdout);
    assert.equal(plan, [
      `Plan for project ${project}:`,
      `  + register task-definition ${project}-api (image ${images.api1} → ${images.api2})`,
      `  ~ update service ${project}-api (new task definition revision (rolling deployment))`,
      '  = unchanged: web, worker',
    ].join('\n'));

    const keepAlive = new Agent({ keepAlive: true, maxSockets: 4 });
    let ok = 0, failed = 0, v2 = 0;
    const errors: string[] = [];
    let running = true;
    const load = (async () => {
      while (running) {
        try {
          const r = await get(webPort, '/cgi-bin/app', keepAlive);
          if (r.status === 200 && /^web got: api-v[12]$/.test(r.body.trim())) { ok++; if (r.body.includes('api-v2')) v2++; } else { failed++; errors.push(`HTTP ${r.status} ${r.body.trim()}`); }
        } catch (e) { failed++; errors.push((e as Error).message); }
        await sleep(20);
      }
    })();
    const run = await wharfAsync(['deploy', '--cluster', cluster], env);
    await sleep(500);
    running = false;
    await load;
    keepAlive.destroy();
    assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
    assert.equal(planOf(run.stdout), plan, 'the deploy carries out the plan the dry run printed');
    assert.equal(failed, 0, `failed ${failed} of ${ok + failed}: ${errors.slice(0, 5).join('; ')}`);
    assert.ok(ok > 50, `the request loop ran (${ok} requests)`);
    assert.ok(v2 > 0, 'the new API version answered before the loop ended');
    assert.equal((await get(webPort, '/cgi-bin/app')).body.trim(), 'web got: api-v2');
    for (const s of ['web', 'worker']) {
      const now = ((await server.ecs().send(new ListTasksCommand({ cluster, serviceName: `${project}-${s}` }))).taskArns ?? []).sort();
      assert.deepEqual(now, before.get(s), `${s}'s tasks were not replaced`);
    }
    const svc = (await server.ecs().send(new DescribeServicesCommand({ cluster, services: [`${project}-api`, `${project}-web`] }))).services!;
    assert.deepEqual(svc.map((s) => s.taskDefinition!.split('/').pop()), [`${project}-api:2`, `${project}-web:1`]);
  });

  it('wharf services/tasks commands read the deployed project (json, yaml, --query)', () => {
    const list = wharf(['services', 'list', '-c', cluster, '-o', 'json', '--query', 'services[].serviceName']);
    assert.equal(list.status, 0, list.stderr);
    assert.deepEqual((JSON.parse(list.stdout) as string[]).sort(), [`${project}-api`, `${project}-web`, `${project}-worker`]);
    const y = wharf(['services', 'describe', `${project}-api`, '-c', cluster, '-o', 'yaml', '--query', 'service.{name: serviceName, td: taskDefinition}']);
    assert.equal(y.status, 0, y.stderr);
    assert.match(y.stdout, new RegExp(`^name: ${project}-api\\ntd: arn:aws:ecs:us-east-1:\\d+:task-definition/${project}-api:2\\n$`));
    const tasks = wharf(['tasks', 'list', '-c', cluster, '-s', `${project}-worker`, '--query', 'tasks[].lastStatus', '-o', 'json']);
    assert.deepEqual(JSON.parse(tasks.stdout), ['RUNNING']);
  });

  it('wharf down --project removes every service, listener, target group, load balancer, task definition and container', async () => {
    const r = wharf(['down', '--project', project, '--cluster', cluster]);
    assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, new RegExp(`service ${project}-web`));
    const active = (await server.ecs().send(new DescribeServicesCommand({ cluster, services: ['web', 'api', 'worker'].map((s) => `${project}-${s}`) }))).services ?? [];
    assert.ok(active.every((s) => s.status !== 'ACTIVE'), active.map((s) => `${s.serviceName} ${s.status}`).join(', '));
    assert.deepEqual((await elb.send(new DescribeLoadBalancersCommand({}))).LoadBalancers ?? [], []);
    assert.deepEqual((await elb.send(new DescribeTargetGroupsCommand({}))).TargetGroups ?? [], []);
    assert.deepEqual((await server.ecs().send(new ListTaskDefinitionsCommand({ familyPrefix: project, status: 'ACTIVE' }))).taskDefinitionArns, []);
    assert.match(r.stdout, new RegExp(`namespace ${project}\\.local`));
    const namespaces = server.aws(['servicediscovery', 'list-namespaces']).json?.Namespaces as { Name: string }[];
    assert.deepEqual(namespaces.filter((n) => n.Name === `${project}.local`), [], 'the project\'s namespace is gone');
    const groups = server.aws(['ec2', 'describe-security-groups', '--filters', `Name=group-name,Values=${project}`]).json?.SecurityGroups as unknown[];
    assert.deepEqual(groups, [], 'the project\'s security group is gone');
    const deadline = Date.now() + 60_000;
    for (;;) {
      const left = execFileSync('podman', ['ps', '-q', '--filter', `label=com.amazonaws.ecs.cluster=${cluster}`], { encoding: 'utf8' }).trim();
      if (!left) break;
      assert.ok(Date.now() < deadline, `containers still running 60 s after down: ${left}`);
      await sleep(500);
    }
    await assert.rejects(get(webPort, '/'), 'nothing listens on the published port any more');
    const again = wharf(['down', '--project', project, '--cluster', cluster]);
    assert.equal(again.status, 0);
    assert.match(again.stdout, /Nothing of project/);
  });
});

/**
 * Keys that became container-definition fields once the agent applied them: a named volume (a shared
 * runtime volume that outlives the task), a read-only bind mount, extra_hosts, init, hostname and tmpfs.
 * The container reports what it sees through a CGI page behind the load balancer; a stopped task's
 * replacement finds the file its predecessor wrote to the named volume.
 */
describe('wharf deploy of volumes, extra_hosts, init, hostname and tmpfs', () => {
  const name = `vol${process.pid}`;
  let port: number;
  it('the running container shows each, and the named volume survives a task replacement', async () => {
    port = await freePort();
    const img = await buildBusyboxImage(join(work, 'img-state'), { files: {
      'www/index.html': 'state\n',
      'www/cgi-bin/state': [
        '#!/bin/sh', 'echo "Content-Type: text/plain"', 'echo',
        'echo "pid1=$(cat /proc/1/comm)"', 'echo "hostname=$(hostname)"', 'grep db.internal /etc/hosts',
        'echo "starts=$(wc -l < /data/starts)"', 'echo "site=$(cat /site/hello.txt)"',
        'if touch /site/written 2>/dev/null; then echo site=writable; else echo site=read-only; fi',
        'echo "scratch=$(df -k /scratch | tail -1 | awk \'{print $1, $2}\')"', '',
      ].join('\n'),
    } });
    images.state = await loadIntoRuntime(img.layoutDir, `wharf-e2e/compose-state:${process.pid}`);
    const dir = join(work, 'state');
    mkdirSync(join(dir, 'site'), { recursive: true });
    writeFileSync(join(dir, 'site', 'hello.txt'), 'hello from the host\n');
    writeFileSync(join(dir, 'compose.yaml'), `name: ${name}
services:
  app:
    image: ${images.state}
    network_mode: bridge    # hostname and extra_hosts: ECS sets them only on the bridge
    command: ["sh", "-c", "cat /proc/sys/kernel/random/uuid >> /data/starts; exec httpd -f -p 8080 -h /www"]
    init: true
    hostname: app-host
    ports: ["${port}:8080"]
    volumes: ["data:/data", "./site:/site:ro"]
    extra_hosts: ["db.internal:10.1.2.3"]
    tmpfs: ["/scratch:size=8m"]
    stop_grace_period: 2s
volumes:
  data: {}
`);
    const r = wharf(['deploy', '--cluster', cluster, '-f', join(dir, 'compose.yaml')]);
    assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
    const page = await get(port, '/cgi-bin/state');
    assert.equal(page.status, 200, page.body);
    const lines = page.body.trim().split('\n');
    assert.match(lines[0], /^pid1=(catatonit|podman-init|docker-init|tini)$/, 'init: an init process is PID 1, not httpd');
    assert.equal(lines[1], 'hostname=app-host');
    assert.match(lines[2], /^10\.1\.2\.3\s+db\.internal$/, 'extra_hosts: the entry is in /etc/hosts');
    assert.equal(lines[3], 'starts=1');
    assert.equal(lines[4], 'site=hello from the host', 'the bind mount shows the host directory');
    assert.equal(lines[5], 'site=read-only', ':ro: the container cannot write to it');
    assert.match(lines[6], /^scratch=tmpfs 8192$/, 'tmpfs: an 8 MiB tmpfs');
    execFileSync('podman', ['volume', 'inspect', `${name}_data`], { stdio: 'ignore' }); // the runtime volume, named as Compose names it

    // Replace the task: the new one finds the line the first one wrote.
    const [first] = (await server.ecs().send(new ListTasksCommand({ cluster, serviceName: `${name}-app` }))).taskArns!;
    const stop = wharf(['tasks', 'stop', first, '-c', cluster]);
    assert.equal(stop.status, 0, stop.stderr);
    const deadline = Date.now() + 90_000;
    let last = '';
    for (;;) {
      const tasks = (await server.ecs().send(new ListTasksCommand({ cluster, serviceName: `${name}-app`, desiredStatus: 'RUNNING' }))).taskArns ?? [];
      if (tasks.length && !tasks.includes(first)) {
        last = await get(port, '/cgi-bin/state').then((x) => x.body, (e: Error) => e.message);
        if (/starts=2/.test(last)) break;
      }
      assert.ok(Date.now() < deadline, `no replacement task answered with starts=2 within 90 s (tasks ${tasks.join(', ')}; last answer: ${last})`);
      await sleep(500);
    }
    assert.match(last, /^site=hello from the host$/m);
  });

  after(() => {
    if (!port) return;
    wharf(['down', '--project', name, '--cluster', cluster]);
    try { execFileSync('podman', ['volume', 'rm', '-f', `${name}_data`], { stdio: 'ignore' }); } catch { /* best effort */ }
  });
});

/**
 * The Compose file of Docker's own tutorial, docs.docker.com "Docker Compose Quickstart" (step 3,
 * "Define services in a Compose file"; docker/docs content/manuals/compose/gettingstarted.md):
 *
 *     services:
 *       web:
 *         build: .
 *         ports:
 *           - "8000:5000"
 *       redis:
 *         image: "redis:alpine"
 *
 * Adapted, and only this: the published port 8000 is an ephemeral one (tests never take fixed ports),
 * the Dockerfile builds on a local busybox image instead of python:3.10-alpine and serves a page on
 * 5000 (no Flask/pip offline), and redis:alpine is a local stand-in image listening on 6379 (it speaks
 * HTTP, not RESP). As app.py does, web calls it by its service name, `redis`.
 */
describe('a Compose file from Docker\'s documentation (build: . and an image), on one command', () => {
  it('builds web with podman, pushes it to Wharf\'s registry, deploys both services and answers through the load balancer; down removes it', async () => {
    const dir = join(work, 'composetest');
    mkdirSync(dir, { recursive: true });
    const base = await buildBusyboxImage(join(work, 'img-base'));
    images.base = await loadIntoRuntime(base.layoutDir, `wharf-e2e/compose-base:${process.pid}`);
    // The stand-in answers HTTP on redis's port: what matters here is that web finds it by name.
    const redis = await buildBusyboxImage(join(work, 'img-redis'), { cmd: ['httpd', '-f', '-p', '6379', '-h', '/www'], files: { 'www/index.html': 'PONG\n' } });
    images.redis = await loadIntoRuntime(redis.layoutDir, `wharf-e2e/redis:alpine-${process.pid}`);
    writeFileSync(join(dir, 'index.html'), 'Hello World! (composetest on Wharf)\n');
    // As the tutorial's app.py calls redis by its service name (redis.Redis(host='redis', port=6379)).
    mkdirSync(join(dir, 'cgi-bin'), { recursive: true });
    writeFileSync(join(dir, 'cgi-bin', 'ping'), '#!/bin/sh\necho "Content-Type: text/plain"\necho\necho "redis said: $(wget -q -O - http://redis:6379/)"\n', { mode: 0o755 });
    writeFileSync(join(dir, 'Dockerfile'), `FROM ${images.base}\nCOPY index.html /www/index.html\nCOPY cgi-bin /www/cgi-bin\nEXPOSE 5000\nCMD ["httpd", "-f", "-p", "5000", "-h", "/www"]\n`);
    writeFileSync(join(dir, 'compose.yaml'), `services:\n  web:\n    build: .\n    ports:\n      - "\${WEB_PORT}:5000"\n  redis:\n    image: "${images.redis}"\n`);
    const r = wharf(['deploy', '--cluster', cluster, '-f', join(dir, 'compose.yaml')]);
    assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /\+ register task-definition composetest-web \(image 127\.0\.0\.1:\d+\/composetest\/web:[0-9a-f]{12}\)/, 'the built image, tagged with its id, in Wharf\'s registry');
    assert.match(r.stdout, /\+ create service composetest-redis \(1 task\)/);
    const page = await get(webPort, '/');
    assert.equal(page.body, 'Hello World! (composetest on Wharf)\n');
    assert.equal((await get(webPort, '/cgi-bin/ping')).body.trim(), 'redis said: PONG', 'web reaches redis by its service name');
    const again = wharf(['deploy', '--cluster', cluster, '-f', join(dir, 'compose.yaml'), '--dry-run']);
    assert.match(again.stdout, /nothing to change\n {2}= unchanged: web, redis/, 'an unchanged build keeps its image tag and nothing rolls');
    const down = wharf(['down', '--project', 'composetest', '--cluster', cluster]);
    assert.equal(down.status, 0, down.stderr);
    assert.match(down.stdout, /service composetest-web[,.]/);
    assert.match(down.stdout, /service composetest-redis[,.]/);
    assert.match(down.stdout, /load balancer composetest[,.]/);
  });
});

describe('the CLI\'s error paths: one line, a non-zero exit code, no stack trace', () => {
  const oneLine = (r: Run, code: number, pattern: RegExp) => {
    assert.equal(r.status, code, `exit code ${r.status} (wanted ${code}); stderr: ${r.stderr}`);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, `one line, got:\n${r.stderr}`);
    assert.match(lines[0], /^error: /);
    assert.match(lines[0], pattern);
    assert.doesNotMatch(r.stderr, /^\s+at /m, 'no stack trace');
  };

  it('a missing file', () => {
    oneLine(wharf(['deploy', '-f', join(work, 'nope.yaml')]), 252, /nope\.yaml: no such file/);
    oneLine(wharf(['task-definitions', 'register', join(work, 'nope.json')]), 252, /nope\.json: no such file/);
  });

  it('bad JSON and bad YAML, with the line and column', () => {
    writeFileSync(join(work, 'bad.json'), '{\n  "family": "x",\n}\n');
    oneLine(wharf(['task-definitions', 'register', join(work, 'bad.json')]), 252, /bad\.json:3:1: not valid JSON/);
    writeFileSync(join(work, 'bad.yaml'), 'services:\n  web:\n    image: [busybox\n');
    oneLine(wharf(['deploy', '-f', join(work, 'bad.yaml')]), 252, /bad\.yaml:\d+:\d+: not valid YAML/);
  });

  it('a Compose file the schema rejects names the path and line; one Wharf cannot honour is refused by name, and nothing is deployed', async () => {
    writeFileSync(join(work, 'schema.yaml'), 'services:\n  web:\n    image: x\n    portz: ["80"]\n');
    oneLine(wharf(['deploy', '-f', join(work, 'schema.yaml')]), 252, /schema\.yaml:4: services\.web: additional property "portz" is not allowed/);
    writeFileSync(join(work, 'refused.yaml'), `name: refused\nservices:\n  db:\n    image: x\n    tmpfs: /tmp\n    secrets: [pw]\nsecrets:\n  pw: { file: ./pw.txt }\n`);
    const r = wharf(['deploy', '-f', join(work, 'refused.yaml'), '--cluster', cluster]);
    assert.equal(r.status, 252, r.stderr);
    assert.match(r.stderr, /refused\.yaml:5: services\.db\.tmpfs: ECS tmpfs mounts need a size: write "\/tmp:size=64m"/);
    assert.match(r.stderr, /services\.db\.secrets: Compose secrets are files mounted at \/run\/secrets/);
    assert.match(r.stderr, /nothing was deployed/);
    assert.equal(((await server.ecs().send(new ListServicesCommand({ cluster }))).serviceArns ?? []).filter((a) => a.includes('refused')).length, 0);
  });

  it('a listener port held by another process: the deploy fails with the reason and leaves no load balancer, target group or service', async () => {
    const blocker = createServer();
    const port = await new Promise<number>((res) => blocker.listen(0, '0.0.0.0', () => res((blocker.address() as { port: number }).port)));
    const name = `taken${process.pid}`;
    try {
      writeFileSync(join(work, 'taken.yaml'), `name: ${name}\nservices:\n  web:\n    image: ${images.web}\n    ports: ["${port}:8080"]\n`);
      const r = wharf(['deploy', '-f', join(work, 'taken.yaml'), '--cluster', cluster]);
      assert.notEqual(r.status, 0, r.stdout);
      assert.match(r.stderr, new RegExp(`Port ${port} .*in use by another process`));
      const lbs = (await elb.send(new DescribeLoadBalancersCommand({}))).LoadBalancers ?? [];
      assert.deepEqual(lbs.map((l) => l.LoadBalancerName!).filter((n) => n.includes(name)), [], 'no load balancer left half-made');
      const tgs = (await elb.send(new DescribeTargetGroupsCommand({}))).TargetGroups ?? [];
      assert.deepEqual(tgs.map((t) => t.TargetGroupName!).filter((n) => n.includes(name)), [], 'no target group left');
      const svcs = (await server.ecs().send(new ListServicesCommand({ cluster }))).serviceArns ?? [];
      assert.deepEqual(svcs.filter((a) => a.includes(name)), [], 'no service created');
    } finally {
      blocker.close();
    }
  });

  it('an unreachable server', async () => {
    const port = await freePort();
    oneLine(wharf(['services', 'list', '--endpoint-url', `http://127.0.0.1:${port}`]), 255, /cannot reach Wharf at http:\/\/127\.0\.0\.1:\d+ .*→ start it with/);
  });

  it('a wrong key, and --debug adds the stack trace', () => {
    oneLine(wharf(['services', 'list', '-c', cluster], { AWS_SECRET_ACCESS_KEY: 'wrong-secret-key-wrong-secret-key-0000' }), 254, /secret key does not match/);
    oneLine(wharf(['services', 'list', '-c', cluster], { AWS_ACCESS_KEY_ID: 'AKIAWRONGWRONGWRONG0' }), 254, /access key is unknown/);
    const d = wharf(['services', 'list', '-c', cluster, '--debug'], { AWS_SECRET_ACCESS_KEY: 'wrong' });
    assert.equal(d.status, 254);
    assert.match(d.stderr, /^\s+at /m, '--debug prints the stack');
  });

  it('a usage error exits 252; an unknown profile 253', () => {
    assert.equal(wharf(['services', 'scale']).status, 252);
    oneLine(wharf(['services', 'list', '--profile', 'nosuch']), 253, /profile "nosuch" is not in/);
  });
});
