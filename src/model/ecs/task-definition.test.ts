import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { ContainerDefinition, RegisterTaskDefinitionRequest } from '@aws-sdk/client-ecs';
import { ApiError } from '../errors.js';
import { FARGATE_SIZES, normalizeTaskDefinition, parseCpu, parseMemory } from './task-definition.js';

const c = (over: Partial<ContainerDefinition> = {}): ContainerDefinition => ({ name: 'web', image: 'busybox', memory: 64, ...over });
const reg = (over: Partial<RegisterTaskDefinitionRequest> = {}): RegisterTaskDefinitionRequest => ({ family: 'app', containerDefinitions: [c()], ...over });
const fargate = (over: Partial<RegisterTaskDefinitionRequest> = {}): RegisterTaskDefinitionRequest =>
  reg({ requiresCompatibilities: ['FARGATE'], networkMode: 'awsvpc', cpu: '256', memory: '512', containerDefinitions: [c({ memory: undefined })], ...over });

function rejects(input: RegisterTaskDefinitionRequest, message: string | RegExp): void {
  assert.throws(() => normalizeTaskDefinition(input), (e: unknown) => {
    assert.ok(e instanceof ApiError, String(e));
    assert.equal(e.code, 'ClientException');
    if (typeof message === 'string') assert.equal(e.message, message);
    else assert.match(e.message, message);
    return true;
  });
}

test('echoes the defaults ECS echoes', () => {
  const d = normalizeTaskDefinition(reg({ containerDefinitions: [c({ portMappings: [{ containerPort: 80 }] })] }));
  const web = d.containerDefinitions[0];
  assert.equal(web.essential, true);
  assert.equal(web.cpu, 0);
  assert.deepEqual(web.environment, []);
  assert.deepEqual(web.mountPoints, []);
  assert.deepEqual(web.volumesFrom, []);
  assert.deepEqual(web.portMappings, [{ containerPort: 80, hostPort: 0, protocol: 'tcp' }]);
  assert.deepEqual(d.volumes, []);
  assert.deepEqual(d.placementConstraints, []);
  assert.deepEqual(d.compatibilities, ['EXTERNAL', 'EC2']);
  assert.equal('requiresCompatibilities' in d, false);
  assert.equal('networkMode' in d, false);
});

test('cpu and memory strings are normalised to units and MiB', () => {
  assert.equal(parseCpu('1 vCPU'), 1024);
  assert.equal(parseCpu('0.25 vcpu'), 256);
  assert.equal(parseCpu('2vCPU'), 2048);
  assert.equal(parseCpu('512'), 512);
  assert.equal(parseCpu('lots'), undefined);
  assert.equal(parseMemory('1GB'), 1024);
  assert.equal(parseMemory('1 GB'), 1024);
  assert.equal(parseMemory('0.5 GB'), 512);
  assert.equal(parseMemory('512'), 512);
  assert.equal(parseMemory('2 GiB'), 2048);
  assert.equal(parseMemory('a lot'), undefined);
  const d = normalizeTaskDefinition(fargate({ cpu: '1 vCPU', memory: '2GB' }));
  assert.equal(d.cpu, '1024');
  assert.equal(d.memory, '2048');
});

test('EC2 memory rule: task memory or per-container memory/memoryReservation', () => {
  rejects(reg({ containerDefinitions: [c({ memory: undefined })] }), "Invalid setting for container 'web'. At least one of 'memory' or 'memoryReservation' must be specified.");
  assert.doesNotThrow(() => normalizeTaskDefinition(reg({ containerDefinitions: [c({ memory: undefined, memoryReservation: 32 })] })));
  assert.doesNotThrow(() => normalizeTaskDefinition(reg({ memory: '512', containerDefinitions: [c({ memory: undefined })] })));
  rejects(reg({ containerDefinitions: [c({ memory: 64, memoryReservation: 64 })] }), /memoryReservation.*must be less than 'memory'/);
  rejects(reg({ containerDefinitions: [c({ memory: 5 })] }), "Invalid 'memory' setting for container 'web'. The minimum is 6 MiB.");
  assert.doesNotThrow(() => normalizeTaskDefinition(reg({ containerDefinitions: [c({ memory: 6 })] })));
  rejects(reg({ memory: '128', containerDefinitions: [c({ memory: 256 })] }), /must not exceed the task memory/);
});

test('container list rules', () => {
  rejects(reg({ containerDefinitions: [] }), 'Container list cannot be empty.');
  rejects(reg({ containerDefinitions: Array.from({ length: 11 }, (_, i) => c({ name: `c${i}` })) }), /at most 10 containers/);
  rejects(reg({ containerDefinitions: [c(), c()] }), /Duplicate container name 'web'/);
  rejects(reg({ containerDefinitions: [c({ name: 'bad name' })] }), /Invalid container name 'bad name'/);
  rejects(reg({ containerDefinitions: [c({ image: '' })] }), 'Container.image should not be null or empty.');
  rejects(reg({ containerDefinitions: [c({ name: undefined })] }), 'Container.name should not be null or empty.');
  rejects(reg({ containerDefinitions: [c({ essential: false })] }), 'Task definition does not have any essential container.');
  rejects(reg({ family: 'bad/family' }), /Family contains invalid characters/);
});

test('network mode rules', () => {
  rejects(reg({ networkMode: 'awsvpc', containerDefinitions: [c({ portMappings: [{ containerPort: 80, hostPort: 8080 }] })] }),
    'When networkMode=awsvpc, the host ports and container ports in port mappings must match.');
  rejects(reg({ networkMode: 'host', containerDefinitions: [c({ portMappings: [{ containerPort: 80, hostPort: 81 }] })] }),
    'When networkMode=host, the host ports and container ports in port mappings must match.');
  const d = normalizeTaskDefinition(reg({ networkMode: 'awsvpc', containerDefinitions: [c({ portMappings: [{ containerPort: 80 }] })] }));
  assert.deepEqual(d.containerDefinitions[0].portMappings, [{ containerPort: 80, hostPort: 80, protocol: 'tcp' }]);
  rejects(reg({ networkMode: 'awsvpc', containerDefinitions: [c(), c({ name: 'side', links: ['web'] })] }), 'Links are not supported when networkMode=awsvpc.');
  rejects(reg({ containerDefinitions: [c(), c({ name: 'side', links: ['web:alias'] })] }), /Wharf does not support container 'links' yet/);
  rejects(reg({ containerDefinitions: [c({ links: ['nobody'] })] }), /Invalid link 'nobody'/);
  rejects(reg({ networkMode: 'awsvpc', containerDefinitions: [c({ hostname: 'h' })] }), 'hostname is not supported when networkMode=awsvpc.');
  rejects(reg({ networkMode: 'none', containerDefinitions: [c({ portMappings: [{ containerPort: 80 }] })] }), /not supported when networkMode=none/);
  rejects(reg({ containerDefinitions: [c({ portMappings: [{ containerPort: 80, hostPort: 8080 }] }), c({ name: 'b', portMappings: [{ containerPort: 81, hostPort: 8080 }] })] }), /Host port 8080\/tcp is mapped more than once/);
  assert.doesNotThrow(() => normalizeTaskDefinition(reg({ containerDefinitions: [c({ portMappings: [{ containerPort: 80, hostPort: 8080 }, { containerPort: 80, hostPort: 8080, protocol: 'udp' }] })] })));
  rejects(reg({ containerDefinitions: [c({ portMappings: [{ containerPort: 70000 }] })] }), /between 1 and 65535/);
});

test('Fargate rules and messages', () => {
  const d = normalizeTaskDefinition(fargate());
  assert.deepEqual(d.compatibilities, ['EC2', 'FARGATE', 'MANAGED_INSTANCES']);
  assert.deepEqual(d.requiresCompatibilities, ['FARGATE']);
  rejects(fargate({ networkMode: 'bridge' }), 'Fargate only supports network mode ‘awsvpc’.');
  // ECS's own words (issue 21): pidMode and ipcMode on Fargate.
  rejects(fargate({ pidMode: 'host' }), "Tasks using the Fargate launch type do not support pidMode 'host'. The supported value for pidMode is 'task'.");
  rejects(fargate({ ipcMode: 'task' }), 'Tasks using the Fargate launch type do not support ipcMode.');
  rejects(fargate({ cpu: '300' }), "Invalid 'cpu' setting for task.");
  rejects(fargate({ cpu: 'many' }), "Invalid 'cpu' setting for task.");
  rejects(fargate({ cpu: '256', memory: '4096' }), 'No Fargate configuration exists for given values: 256 CPU, 4096 memory. See the Amazon ECS documentation for the valid values.');
  rejects(fargate({ cpu: undefined }), "Fargate requires that 'cpu' be defined at the task level.");
  rejects(fargate({ memory: undefined }), "Fargate requires that 'memory' be defined at the task level.");
  rejects(fargate({ containerDefinitions: [c({ memory: undefined, privileged: true })] }), /Fargate does not support privileged containers/);
  rejects(fargate({ containerDefinitions: [c({ memory: undefined, logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': 'g', 'awslogs-stream-prefix': 'p' } } })] }),
    'Fargate requires task definition to have execution role ARN to support log driver awslogs.');
  rejects(fargate({ containerDefinitions: [c({ memory: undefined, image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/app:1' })] }),
    'Fargate requires task definition to have execution role ARN to support ECR images.');
  rejects(fargate({ placementConstraints: [{ type: 'memberOf', expression: 'attribute:x == y' }] }), /not supported for Fargate/);
  // Not required but satisfying Fargate's rules: compatible with both.
  const both = normalizeTaskDefinition(reg({ networkMode: 'awsvpc', cpu: '512', memory: '1GB' }));
  assert.deepEqual(both.compatibilities, ['EC2', 'FARGATE', 'MANAGED_INSTANCES']);
});

test('every Fargate size in the table registers; neighbours do not', () => {
  for (const [cpu, mems] of FARGATE_SIZES) {
    for (const m of mems) assert.doesNotThrow(() => normalizeTaskDefinition(fargate({ cpu: String(cpu), memory: String(m) })), `${cpu}/${m}`);
    rejects(fargate({ cpu: String(cpu), memory: String(mems[mems.length - 1] + 1024) }), /No Fargate configuration exists/);
  }
});

test('health check defaults, limits and forms', () => {
  const d = normalizeTaskDefinition(reg({ containerDefinitions: [c({ healthCheck: { command: ['CMD-SHELL', 'true'] } })] }));
  assert.deepEqual(d.containerDefinitions[0].healthCheck, { command: ['CMD-SHELL', 'true'], interval: 30, timeout: 5, retries: 3 });
  const withStart = normalizeTaskDefinition(reg({ containerDefinitions: [c({ healthCheck: { command: ['CMD', 'true'], startPeriod: 10 } })] }));
  assert.equal(withStart.containerDefinitions[0].healthCheck?.startPeriod, 10);
  rejects(reg({ containerDefinitions: [c({ healthCheck: { command: ['curl', 'x'] } })] }), /must start with "CMD"/);
  rejects(reg({ containerDefinitions: [c({ healthCheck: { command: ['CMD'] } })] }), /must be followed by the command/);
  for (const [k, bad] of [['interval', 4], ['interval', 301], ['timeout', 1], ['timeout', 61], ['retries', 0], ['retries', 11], ['startPeriod', -1], ['startPeriod', 301]] as const) {
    rejects(reg({ containerDefinitions: [c({ healthCheck: { command: ['CMD', 'true'], [k]: bad } })] }), new RegExp(`healthCheck.${k}`));
  }
  assert.ok(normalizeTaskDefinition(reg({ containerDefinitions: [c({ healthCheck: { command: ['CMD', 'true'] } })] })).requiresAttributes.some((a) => a.name === 'ecs.capability.container-health-check'));
});

test('dependsOn rules', () => {
  const side = (over: Partial<ContainerDefinition> = {}) => c({ name: 'init', essential: false, ...over });
  assert.doesNotThrow(() => normalizeTaskDefinition(reg({ containerDefinitions: [side(), c({ dependsOn: [{ containerName: 'init', condition: 'SUCCESS' }] })] })));
  rejects(reg({ containerDefinitions: [c({ dependsOn: [{ containerName: 'ghost', condition: 'START' }] })] }), /container 'ghost' is not in the task definition/);
  rejects(reg({ containerDefinitions: [c({ name: 'db' }), c({ dependsOn: [{ containerName: 'db', condition: 'COMPLETE' }] })] }), /COMPLETE cannot be used on essential container 'db'/);
  rejects(reg({ containerDefinitions: [side(), c({ dependsOn: [{ containerName: 'init', condition: 'HEALTHY' }] })] }), /requires container 'init' to have a healthCheck/);
  rejects(reg({ containerDefinitions: [c({ name: 'a', dependsOn: [{ containerName: 'b', condition: 'START' }] }), c({ name: 'b', dependsOn: [{ containerName: 'a', condition: 'START' }] })] }), /circular dependency/);
  const d = normalizeTaskDefinition(reg({ containerDefinitions: [side(), c({ dependsOn: [{ containerName: 'init', condition: 'START' }] })] }));
  assert.ok(d.requiresAttributes.some((a) => a.name === 'ecs.capability.container-ordering'));
});

test('logs, ulimits, volumes, constraints', () => {
  rejects(reg({ containerDefinitions: [c({ logConfiguration: { logDriver: 'awslogs', options: {} } })] }), /requires the option 'awslogs-group'/);
  rejects(reg({ containerDefinitions: [c({ logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': 'g', 'awslogs-groop': 'x' } } })] }), /Invalid log option 'awslogs-groop'/);
  rejects(reg({ containerDefinitions: [c({ logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': 'g', 'awslogs-datetime-format': 'x', 'awslogs-multiline-pattern': 'y' } } })] }), /cannot both be set/);
  const logs = normalizeTaskDefinition(reg({ executionRoleArn: 'arn:aws:iam::000000000000:role/x', containerDefinitions: [c({ logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': 'g' } } })] }));
  const names = logs.requiresAttributes.map((a) => a.name);
  assert.ok(names.includes('com.amazonaws.ecs.capability.logging-driver.awslogs'));
  assert.ok(names.includes('ecs.capability.execution-role-awslogs'));
  rejects(reg({ containerDefinitions: [c({ ulimits: [{ name: 'nofile', softLimit: 10, hardLimit: 5 }] })] }), /softLimit \(10\) must not exceed hardLimit/);
  rejects(reg({ containerDefinitions: [c({ mountPoints: [{ sourceVolume: 'data', containerPath: '/data' }] })] }), /source volume 'data' is not defined/);
  assert.doesNotThrow(() => normalizeTaskDefinition(reg({ volumes: [{ name: 'data' }], containerDefinitions: [c({ mountPoints: [{ sourceVolume: 'data', containerPath: '/data' }] })] })));
  rejects(reg({ volumes: [{ name: 'v', dockerVolumeConfiguration: { scope: 'task', autoprovision: true } }] }), /autoprovision can only be set when scope is 'shared'/);
  rejects(reg({ volumes: [{ name: 'v', host: { sourcePath: '/x' }, dockerVolumeConfiguration: { scope: 'task' } }] }), /only one of host, dockerVolumeConfiguration/);
  rejects(reg({ volumes: [{ name: 'v' }, { name: 'v' }] }), /Duplicate volume name 'v'/);
  rejects(reg({ placementConstraints: Array.from({ length: 11 }, () => ({ type: 'memberOf' as const, expression: 'attribute:a == b' })) }), /Too many placement constraints/);
  rejects(reg({ placementConstraints: [{ type: 'memberOf' }] }), /requires an expression/);
  rejects(reg({ containerDefinitions: [c({ volumesFrom: [{ sourceContainer: 'nobody' }] })] }), /volumesFrom/);
});

test('awsvpc definitions need the task-eni capability', () => {
  const d = normalizeTaskDefinition(reg({ networkMode: 'awsvpc' }));
  assert.deepEqual(d.requiresAttributes.map((a) => a.name), ['com.amazonaws.ecs.capability.docker-remote-api.1.18', 'ecs.capability.task-eni']);
  assert.deepEqual(normalizeTaskDefinition(reg()).requiresAttributes, []);
});

// Properties: normalising is deterministic, never mutates its input, and its output registers again to itself.
const containerArb = fc.record({
  name: fc.stringMatching(/^[a-z][a-z0-9_-]{0,10}$/),
  image: fc.constantFrom('busybox', 'nginx:1.25', '127.0.0.1:5000/app@sha256:' + 'a'.repeat(64)),
  memory: fc.integer({ min: 6, max: 4096 }),
  cpu: fc.option(fc.integer({ min: 0, max: 1024 }), { nil: undefined }),
  essential: fc.option(fc.boolean(), { nil: undefined }),
  portMappings: fc.option(fc.array(fc.record({ containerPort: fc.integer({ min: 1, max: 65535 }) }), { maxLength: 3 }), { nil: undefined }),
});
const requestArb = fc.record({
  family: fc.stringMatching(/^[A-Za-z0-9_-]{1,20}$/),
  containers: fc.uniqueArray(containerArb, { minLength: 1, maxLength: 10, selector: (x) => x.name }),
});

test('property: valid requests normalise idempotently and leave the input untouched', () => {
  fc.assert(fc.property(requestArb, ({ family, containers }) => {
    const defs = containers.map((x, i) => ({ ...x, essential: i === 0 ? true : x.essential }));
    const input: RegisterTaskDefinitionRequest = { family, containerDefinitions: defs };
    const before = JSON.stringify(input);
    // Bridge mode without host ports: every port is dynamic, so no generated request can collide.
    const out = normalizeTaskDefinition(input);
    assert.equal(JSON.stringify(input), before);
    const again = normalizeTaskDefinition({ family, containerDefinitions: out.containerDefinitions, volumes: out.volumes, placementConstraints: out.placementConstraints });
    assert.deepEqual(JSON.parse(JSON.stringify(again)), JSON.parse(JSON.stringify(out)));
    assert.ok(out.containerDefinitions.every((x) => typeof x.essential === 'boolean' && Array.isArray(x.portMappings)));
    assert.deepEqual(out.compatibilities, ['EXTERNAL', 'EC2']);
  }), { numRuns: 200 });
});

test('property: Fargate accepts exactly the table', () => {
  fc.assert(fc.property(fc.constantFrom(128, 256, 512, 1024, 2048, 4096, 8192, 16384), fc.integer({ min: 1, max: 128 }).map((g) => g * 512), (cpu, mem) => {
    const ok = FARGATE_SIZES.get(cpu)?.includes(mem) ?? false;
    let threw = false;
    try { normalizeTaskDefinition(fargate({ cpu: String(cpu), memory: String(mem) })); } catch { threw = true; }
    assert.equal(!threw, ok, `${cpu}/${mem}`);
  }), { numRuns: 300 });
});
