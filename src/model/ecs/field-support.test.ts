import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RegisterTaskDefinitionRequest } from '@aws-sdk/client-ecs';
import ecsModel from '../aws/ecs.json' with { type: 'json' };
import type { ServiceModel } from '../../protocol/service-model.js';
import { ApiError } from '../errors.js';
import { TASK_DEFINITION_FIELDS, refusedField } from './field-support.js';
import { parseBool } from './parse-bool.js';
import { normalizeTaskDefinition, placementAttributes } from './task-definition.js';

const model = ecsModel as unknown as ServiceModel;

/** Every member path of RegisterTaskDefinitionRequest in the AWS model (maps are leaves). */
export function modelPaths(m: ServiceModel = model): string[] {
  const out: string[] = [];
  const walk = (shapeName: string, path: string, seen: Set<string>): void => {
    const s = m.shapes[shapeName];
    if (s.type === 'list') return walk(s.member!.shape, `${path}[]`, seen);
    if (s.type !== 'structure') return;
    for (const [k, ref] of Object.entries(s.members ?? {})) {
      const p = path ? `${path}.${k}` : k;
      out.push(p);
      if (!seen.has(ref.shape)) walk(ref.shape, p, new Set([...seen, ref.shape]));
    }
  };
  walk(m.operations.RegisterTaskDefinition.input!, '', new Set());
  return out;
}

test('every member of the newest RegisterTaskDefinition model has a decision, and nothing else does', () => {
  const paths = modelPaths();
  assert.ok(paths.length > 150, `only ${paths.length} paths: is the model the newest (botocore 1.43)?`);
  const missing = paths.filter((p) => !(p in TASK_DEFINITION_FIELDS));
  assert.deepEqual(missing, [], 'members with no entry in field-support.ts: decide honoured / placement / metadata / refused');
  const stale = Object.keys(TASK_DEFINITION_FIELDS).filter((p) => !paths.includes(p));
  assert.deepEqual(stale, [], 'entries for members the model does not have');
});

test('refusedField finds a refused member at any depth, honours `when`, and leaves maps alone', () => {
  assert.equal(refusedField({ family: 'f', containerDefinitions: [{ name: 'a' }] }), undefined);
  assert.equal(refusedField({ containerDefinitions: [{ environmentFiles: [{ value: 'arn:aws:s3:::b/k', type: 's3' }] }] })?.path, 'containerDefinitions[].environmentFiles');
  assert.equal(refusedField({ containerDefinitions: [{ resourceRequirements: [{ type: 'GPU', value: '1' }] }] }), undefined);
  assert.equal(refusedField({ containerDefinitions: [{ resourceRequirements: [{ type: 'InferenceAccelerator', value: 'x' }] }] })?.path, 'containerDefinitions[].resourceRequirements[].type');
  assert.equal(refusedField({ enableFaultInjection: false }), undefined);
  assert.equal(refusedField({ enableFaultInjection: true })?.path, 'enableFaultInjection');
  // Keys inside a map member are data, not members.
  assert.equal(refusedField({ containerDefinitions: [{ dockerLabels: { links: 'x', tmpfs: 'y' } }] }), undefined);
  const table = { a: { status: 'honoured' as const }, 'a[].b': { status: 'refused' as const, message: 'no b' } };
  assert.deepEqual(refusedField({ a: [{}, { b: 1 }] }, table), { path: 'a[].b', message: 'no b' });
});

test('registration refuses what Wharf cannot honour, after ECS\'s own checks', () => {
  const base: RegisterTaskDefinitionRequest = { family: 'f', containerDefinitions: [{ name: 'a', image: 'i', memory: 32 }] };
  const refuse = (over: Partial<RegisterTaskDefinitionRequest>, re: RegExp) => assert.throws(() => normalizeTaskDefinition({ ...base, ...over }), (e: unknown) => {
    assert.ok(e instanceof ApiError && e.code === 'ClientException', String(e));
    assert.match(e.message, re);
    return true;
  });
  refuse({ containerDefinitions: [{ name: 'a', image: 'i', memory: 32, environmentFiles: [{ value: 'arn:aws:s3:::b/e.env', type: 's3' }] }] }, /'environmentFiles'.*no object store/);
  refuse({ proxyConfiguration: { containerName: 'a' } }, /App Mesh/);
  // An ECS rule broken in the same request is reported in ECS's words first.
  refuse({ containerDefinitions: [{ name: 'a', image: 'i', environmentFiles: [{ value: 'x', type: 's3' }] }] }, /At least one of 'memory' or 'memoryReservation'/);
});

test('awslogs-create-group: every spelling strconv.ParseBool takes, nothing else', () => {
  for (const t of ['1', 't', 'T', 'TRUE', 'true', 'True']) assert.equal(parseBool(t), true, t);
  for (const f of ['0', 'f', 'F', 'FALSE', 'false', 'False']) assert.equal(parseBool(f), false, f);
  for (const x of ['yes', 'tRUE', ' true', '', '2']) assert.equal(parseBool(x), undefined, x);
  const def = (v: string): RegisterTaskDefinitionRequest => ({ family: 'f', containerDefinitions: [{ name: 'a', image: 'i', memory: 32, logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': 'g', 'awslogs-create-group': v } } }] });
  for (const v of ['True', 'TRUE', '1', 'f']) assert.doesNotThrow(() => normalizeTaskDefinition(def(v)), v);
  assert.throws(() => normalizeTaskDefinition(def('yes')), /Invalid value 'yes' for log option 'awslogs-create-group'/);
});

test('runtimePlatform becomes placement attributes, not echoed requiresAttributes', () => {
  const d = normalizeTaskDefinition({ family: 'f', containerDefinitions: [{ name: 'a', image: 'i', memory: 32 }], runtimePlatform: { cpuArchitecture: 'ARM64', operatingSystemFamily: 'LINUX' } });
  assert.ok(!d.requiresAttributes.some((a) => a.name?.startsWith('ecs.cpu-architecture')));
  assert.deepEqual(placementAttributes(d).filter((a) => a.name.startsWith('ecs.')), [{ name: 'ecs.cpu-architecture', value: 'arm64' }, { name: 'ecs.os-family', value: 'LINUX' }]);
});
