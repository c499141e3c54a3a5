import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { awsName, parseDuration, parseMemoryMiB, parsePort, shellSplit, translate, type TranslateOptions } from './translate.js';
import { interpolate, parseDotEnv } from './load.js';
import { makePlan, renderPlan, requestHash, type CurrentState } from './plan.js';

const opts = (o: Partial<TranslateOptions> = {}): TranslateOptions => ({
  project: 'p', region: 'us-east-1', env: {}, readFile: () => { throw new Error('ENOENT: no file'); }, resolvePath: (x) => `/d/${x}`, ...o,
});
const empty = (): CurrentState => ({ services: [], listeners: [], targetGroups: new Map(), foreignPorts: new Map(), network: { discovery: new Map() } });

describe('compose value syntaxes', () => {
  it('durations, memory sizes, shell words, ports', () => {
    assert.equal(parseDuration('1m30s'), 90);
    assert.equal(parseDuration('500ms'), 0.5);
    assert.throws(() => parseDuration('5 parsecs'));
    assert.equal(parseMemoryMiB('512m'), 512);
    assert.equal(parseMemoryMiB('1g'), 1024);
    assert.equal(parseMemoryMiB(1048576), 1);
    assert.deepEqual(shellSplit(`sh -c 'echo "a b"' x\\ y "q\\"r"`), ['sh', '-c', 'echo "a b"', 'x y', 'q"r']);
    assert.throws(() => shellSplit('echo "open'), /unterminated/);
    assert.deepEqual(parsePort('8000:80'), { target: 80, published: 8000, protocol: 'tcp', hostIp: undefined });
    assert.deepEqual(parsePort('127.0.0.1:8000:80/udp'), { target: 80, published: 8000, protocol: 'udp', hostIp: '127.0.0.1' });
    assert.deepEqual(parsePort('80'), { target: 80, published: undefined, protocol: 'tcp', hostIp: undefined });
    assert.deepEqual(parsePort({ target: 80, published: '8080' }), { target: 80, published: 8080, protocol: 'tcp', hostIp: undefined });
    assert.throws(() => parsePort('8000-8001:80-81'), /ranges/);
  });

  it('interpolation and .env files, as Compose does them', () => {
    const v = { A: 'x', E: '' };
    assert.equal(interpolate('${A}-$A-${B:-d}-${E:-d}-${E-d}-$$A-${A:+set}', v, 'f'), 'x-x-d-d--$A-set');
    assert.throws(() => interpolate('${B:?give B}', v, 'f'), /required variable B is missing a value: give B/);
    assert.deepEqual(parseDotEnv('# c\nA=1\nexport B="two words"\nC=3 # note\n'), { A: '1', B: 'two words', C: '3' });
  });

  it('AWS names stay within limits and distinct', () => {
    assert.equal(awsName('shop-web-8080', 32), 'shop-web-8080');
    const a = awsName('a-very-long-project-name-indeed-web-8080', 32), b = awsName('a-very-long-project-name-indeed-api-8080', 32);
    assert.ok(a.length <= 32 && b.length <= 32 && a !== b, `${a} ${b}`);
  });
});

describe('translate', () => {
  it('maps the fields the issue lists to one container, service and listener', () => {
    const t = translate({ services: { web: {
      image: 'img:1', command: 'httpd -f', entrypoint: ['/bin/sh', '-c'], environment: ['A=1', 'B'], ports: ['8000:80'],
      healthcheck: { test: ['CMD', 'true'], interval: '10s', timeout: '3s', retries: 4, start_period: '5s' },
      deploy: { replicas: 3, resources: { limits: { cpus: '0.5', memory: '256m' }, reservations: { memory: '128m' } }, update_config: { order: 'stop-first' } },
      labels: { tier: 'front' }, user: 'nobody', working_dir: '/w', read_only: true, cap_add: ['NET_ADMIN'], cap_drop: ['ALL'], init: true,
      stop_grace_period: '20s', ulimits: { nofile: { soft: 100, hard: 200 }, nproc: 50 }, restart: 'always',
    } } }, opts({ env: { B: 'from-env' } }));
    assert.deepEqual(t.refusals, []);
    const s = t.services[0];
    const c = s.taskDefinition.containerDefinitions![0];
    assert.equal(s.ecsName, 'p-web');
    assert.equal(s.desiredCount, 3);
    assert.deepEqual(s.deploymentConfiguration, { minimumHealthyPercent: 0, maximumPercent: 100, deploymentCircuitBreaker: { enable: true, rollback: true } });
    assert.deepEqual(c.command, ['httpd', '-f']);
    assert.deepEqual(c.environment, [{ name: 'A', value: '1' }, { name: 'B', value: 'from-env' }]);
    assert.deepEqual(c.portMappings, [{ containerPort: 80, hostPort: 0, protocol: 'tcp' }]);
    assert.deepEqual(s.published, [{ port: 8000, containerPort: 80, targetGroupName: 'p-web-80' }]);
    assert.deepEqual(c.healthCheck, { command: ['CMD', 'true'], interval: 10, timeout: 3, retries: 4, startPeriod: 5 });
    assert.equal(c.cpu, 512);
    assert.equal(c.memory, 256);
    assert.equal(c.memoryReservation, 128);
    assert.deepEqual(c.linuxParameters, { capabilities: { add: ['NET_ADMIN'], drop: ['ALL'] }, initProcessEnabled: true });
    assert.equal(c.stopTimeout, 20);
    assert.deepEqual(c.ulimits, [{ name: 'nofile', softLimit: 100, hardLimit: 200 }, { name: 'nproc', softLimit: 50, hardLimit: 50 }]);
    assert.equal(c.logConfiguration?.logDriver, 'awslogs');
    assert.equal(c.logConfiguration?.options?.['awslogs-group'], '/wharf/p');
  });

  it('health check timings: only what the file sets, and timeout below interval as ECS requires', () => {
    const one = (hc: Record<string, unknown>) => translate({ services: { a: { image: 'x', healthcheck: hc } } }, opts());
    assert.deepEqual(one({ test: 'true' }).services[0].taskDefinition.containerDefinitions![0].healthCheck, { command: ['CMD-SHELL', 'true'] });
    assert.match(one({ test: 'true', interval: '10s', timeout: '10s' }).refusals[0], /services\.a\.healthcheck\.timeout: 10 s is not less than the interval/);
    assert.deepEqual(one({ test: ['NONE'] }).services[0].taskDefinition.containerDefinitions![0].healthCheck, undefined);
  });

  it('refuses by name what Wharf cannot honour, with the reason', () => {
    const t = translate({ services: {
      db: { image: 'x', volumes: ['d:/data'], secrets: ['pw'], network_mode: 'awsvpc', container_name: 'db', restart: 'no', volumes_from: ['web'] },
      'a.b': { image: 'x' },
      web: { image: 'x', environment: { DB: 'postgres://db:5432/x' }, ports: ['53:53/udp'], frobnicate: 1 },
    }, secrets: { pw: { file: 'pw' } } }, opts());
    const by = (p: string) => t.refusals.find((r) => r.startsWith(p + ':'));
    assert.match(by('services.db.volumes[0]')!, /volume d is not declared in the top-level volumes section/);
    assert.match(by('services.db.volumes_from')!, /mount the same named volume in both services/);
    assert.match(by('services.db.secrets')!, /Compose secrets are files/);
    assert.match(by('services.db.network_mode')!, /awsvpc tasks need subnets and security groups/);
    assert.match(by('services.db.container_name')!, /ECS names each task/);
    assert.match(by('services.db.restart')!, /always replaces/);
    assert.match(by('services.a.b')!, /cannot be an ECS service name/);
    assert.match(by('services.web.environment.DB')!, /calls service db by name/);
    assert.match(by('services.web.ports[0]')!, /protocol udp/);
    assert.match(by('services.web.frobnicate')!, /not supported by wharf deploy/);
    assert.match(by('secrets')!, /Compose secrets are files/);
    assert.ok(!t.refusals.some((r) => /issue 1[13]/.test(r)), t.refusals.join('\n'));
  });
});

describe('plan', () => {
  const t = translate({ services: { web: { image: 'a:1', ports: ['8000:80'] }, worker: { image: 'w:1' } } }, opts());
  it('from scratch: load balancer, target group, listener, task definitions, services', () => {
    const p = makePlan(t, empty());
    assert.deepEqual(p.steps.map((s) => `${s.op} ${s.kind} ${s.name}`), [
      'register task-definition p-web', 'register task-definition p-worker',
      'create load-balancer p', 'create target-group p-web-80', 'create listener 8000', 'create service p-web', 'create service p-worker',
    ]);
  });
  it('an unchanged service stays; a changed image is a new revision and a rolling update; a port held elsewhere is a conflict', () => {
    const cur: CurrentState = {
      ...empty(), loadBalancerArn: 'lb', listeners: [{ arn: 'l', port: 8000, targetGroupArn: 'tg' }], targetGroups: new Map([['p-web-80', 'tg']]),
      services: t.services.map((s) => ({
        ecsName: s.ecsName, arn: s.ecsName, taskDefinitionArn: `${s.ecsName}:1`, taskDefinitionHash: requestHash(s), desiredCount: 1,
        deploymentConfiguration: s.deploymentConfiguration, loadBalancers: s.published.map(() => ({ targetGroupArn: 'tg', containerName: s.name, containerPort: 80 })),
        taskDefinition: { containerDefinitions: s.taskDefinition.containerDefinitions },
      })),
    };
    assert.deepEqual(makePlan(t, cur).steps, []);
    const t2 = translate({ services: { web: { image: 'a:2', ports: ['8000:80'] }, worker: { image: 'w:1' } } }, opts());
    const p = makePlan(t2, cur);
    assert.equal(renderPlan(p, 'p'), 'Plan for project p:\n  + register task-definition p-web (image a:1 → a:2)\n  ~ update service p-web (new task definition revision (rolling deployment))\n  = unchanged: worker\n');
    const p3 = makePlan(t2, { ...empty(), foreignPorts: new Map([[8000, 'other']]) });
    assert.match(p3.conflicts[0], /port 8000 is already a listener of load balancer other/);
    const gone = makePlan(translate({ services: { worker: { image: 'w:1' } } }, opts()), cur);
    assert.deepEqual(gone.steps.map((s) => `${s.op} ${s.kind} ${s.name}`), ['delete service p-web', 'delete listener 8000', 'delete target-group p-web-80', 'delete load-balancer p']);
  });
});

describe('awsvpc networking: Compose\'s default network', () => {
  const model = { services: {
    web: { image: 'web:1', ports: ['8000:8080'], environment: { API_URL: 'http://api:9000/' } },
    api: { image: 'api:1', expose: ['9000'] },
    side: { image: 'side:1', network_mode: 'bridge', ports: ['9100:9100'] },
  } };

  it('services without network_mode get awsvpc, ports as they are, the namespace as search domain, and a name', () => {
    const t = translate(model, opts({ network: 'awsvpc' }));
    assert.deepEqual(t.refusals, []);
    assert.deepEqual(t.network, { namespace: 'p.local', securityGroup: 'p' });
    const web = t.services.find((s) => s.name === 'web')!;
    assert.equal(web.taskDefinition.networkMode, 'awsvpc');
    assert.deepEqual(web.taskDefinition.containerDefinitions![0].portMappings, [{ containerPort: 8080, hostPort: 8080, protocol: 'tcp' }]);
    assert.deepEqual(web.taskDefinition.containerDefinitions![0].dnsSearchDomains, ['p.local']);
    assert.equal(web.discovery, true);
    const side = t.services.find((s) => s.name === 'side')!;
    assert.equal(side.taskDefinition.networkMode, undefined, 'network_mode: bridge stays on the bridge');
    assert.equal(side.discovery, undefined);
  });

  it('the same file on the bridge refuses the call by name and says why; hostname and extra_hosts need the bridge', () => {
    const b = translate(model, opts({ network: 'bridge' }));
    assert.match(b.refusals.join('\n'), /services\.web\.environment\.API_URL: "http:\/\/api:9000\/" calls service api by name: services reach each other by name only with awsvpc networking/);
    const h = translate({ services: { a: { image: 'a', hostname: 'h', extra_hosts: ['x:10.0.0.1'] } } }, opts({ network: 'awsvpc' }));
    assert.match(h.refusals.join('\n'), /services\.a\.hostname: with awsvpc networking .* sets no hostname: set network_mode: bridge/);
    assert.match(h.refusals.join('\n'), /services\.a\.extra_hosts: with awsvpc networking .* adds no \/etc\/hosts entries/);
  });

  it('the plan creates the security group, the namespace and a name per service first; a service that left the file loses its name', () => {
    const t = translate(model, opts({ network: 'awsvpc' }));
    const plan = makePlan(t, empty());
    assert.deepEqual(plan.steps.filter((s) => ['security-group', 'namespace', 'discovery-service'].includes(s.kind)).map((s) => `${s.op} ${s.kind} ${s.name}`),
      ['create security-group p', 'create namespace p.local', 'create discovery-service web.p.local', 'create discovery-service api.p.local']);
    const have = empty();
    have.network = { securityGroupId: 'sg-1', namespaceId: 'ns-1', discovery: new Map([['web', { id: 'srv-1', arn: 'a1' }], ['api', { id: 'srv-2', arn: 'a2' }], ['old', { id: 'srv-3', arn: 'a3' }]]) };
    const again = makePlan(t, have);
    assert.deepEqual(again.steps.filter((s) => ['security-group', 'namespace', 'discovery-service'].includes(s.kind)).map((s) => `${s.op} ${s.kind} ${s.name}`),
      ['delete discovery-service old.p.local']);
  });
});
