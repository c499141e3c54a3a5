/**
 * Task definitions and tagging end to end: a real `wharf server`, driven by @aws-sdk/client-ecs, the real
 * AWS CLI (/usr/bin/aws) and the `wharf task-definitions` commands.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateClusterCommand, DeleteClusterCommand, DeleteTaskDefinitionsCommand, DeregisterTaskDefinitionCommand, DescribeTaskDefinitionCommand,
  ListTagsForResourceCommand, ListTaskDefinitionFamiliesCommand, ListTaskDefinitionsCommand, RegisterTaskDefinitionCommand,
  TagResourceCommand, UntagResourceCommand, type ECSClient, type RegisterTaskDefinitionRequest,
} from '@aws-sdk/client-ecs';
import { cliEntry, startServerProcess, type TestServer } from '../support/server.js';

let server: TestServer;
let ecs: ECSClient;
let files: string;

before(async () => {
  server = await startServerProcess();
  ecs = server.ecs();
  files = mkdtempSync(join(tmpdir(), 'wharf-td-'));
});
after(async () => {
  ecs?.destroy();
  await server?.stop();
  server?.cleanup();
  if (files) rmSync(files, { recursive: true, force: true });
});

const web = (over: Partial<RegisterTaskDefinitionRequest> = {}): RegisterTaskDefinitionRequest => ({
  family: 'web', containerDefinitions: [{ name: 'web', image: 'busybox', memory: 64, portMappings: [{ containerPort: 80 }] }], ...over,
});

/** Asserts an SDK call fails with this error name (and message, when given). */
async function fails(p: Promise<unknown>, name: string, message?: string | RegExp): Promise<void> {
  await assert.rejects(p, (e: Error) => {
    assert.equal(e.name, name, e.message);
    if (typeof message === 'string') assert.equal(e.message, message);
    else if (message) assert.match(e.message, message);
    return true;
  });
}

function wharf(args: string[]): { status: number; stdout: string; stderr: string } {
  const env = { ...process.env };
  delete env.AWS_ACCESS_KEY_ID; delete env.AWS_SECRET_ACCESS_KEY; delete env.WHARF_ENDPOINT;
  const r = spawnSync(process.execPath, [cliEntry, ...args, '--data-dir', server.dataDir, '--endpoint-url', server.endpoint], { encoding: 'utf8', env, timeout: 30_000 });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

test('RegisterTaskDefinition assigns revisions, echoes defaults, records who registered it', async () => {
  const one = (await ecs.send(new RegisterTaskDefinitionCommand(web({ tags: [{ key: 'team', value: 'a' }] })))).taskDefinition!;
  assert.equal(one.revision, 1);
  assert.equal(one.status, 'ACTIVE');
  assert.equal(one.taskDefinitionArn, 'arn:aws:ecs:us-east-1:000000000000:task-definition/web:1');
  assert.match(one.registeredBy!, /^arn:aws:iam::000000000000:user\//);
  assert.ok(one.registeredAt instanceof Date);
  assert.deepEqual(one.compatibilities, ['EXTERNAL', 'EC2']);
  const c = one.containerDefinitions![0];
  assert.equal(c.essential, true);
  assert.equal(c.cpu, 0);
  assert.deepEqual(c.environment, []);
  assert.deepEqual(c.mountPoints, []);
  assert.deepEqual(c.volumesFrom, []);
  assert.deepEqual(c.portMappings, [{ containerPort: 80, hostPort: 0, protocol: 'tcp' }]);
  const two = (await ecs.send(new RegisterTaskDefinitionCommand(web()))).taskDefinition!;
  assert.equal(two.revision, 2);
});

test('Fargate definitions: sizes from the table, normalised strings, ECS messages', async () => {
  const fg = (over: Partial<RegisterTaskDefinitionRequest>): RegisterTaskDefinitionRequest => ({
    family: 'fg', requiresCompatibilities: ['FARGATE'], networkMode: 'awsvpc', cpu: '0.5 vCPU', memory: '1GB',
    containerDefinitions: [{ name: 'app', image: 'busybox' }], ...over,
  });
  const td = (await ecs.send(new RegisterTaskDefinitionCommand(fg({})))).taskDefinition!;
  assert.equal(td.cpu, '512');
  assert.equal(td.memory, '1024');
  assert.deepEqual(td.compatibilities, ['EC2', 'FARGATE', 'MANAGED_INSTANCES']);
  assert.ok(td.requiresAttributes!.some((a) => a.name === 'ecs.capability.task-eni'));
  await fails(ecs.send(new RegisterTaskDefinitionCommand(fg({ cpu: '300' }))), 'ClientException', "Invalid 'cpu' setting for task.");
  await fails(ecs.send(new RegisterTaskDefinitionCommand(fg({ cpu: '256', memory: '4096' }))), 'ClientException', /No Fargate configuration exists for given values: 256 CPU, 4096 memory/);
  await fails(ecs.send(new RegisterTaskDefinitionCommand(fg({ networkMode: 'bridge' }))), 'ClientException', 'Fargate only supports network mode ‘awsvpc’.');
  await fails(ecs.send(new RegisterTaskDefinitionCommand(fg({
    containerDefinitions: [{ name: 'app', image: 'busybox', logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': 'g', 'awslogs-stream-prefix': 'p' } } }],
  }))), 'ClientException', 'Fargate requires task definition to have execution role ARN to support log driver awslogs.');
});

test('invalid definitions fail with ClientException and consume no revision', async () => {
  await fails(ecs.send(new RegisterTaskDefinitionCommand({ family: 'bad', containerDefinitions: [{ name: 'x', image: 'busybox' }] })),
    'ClientException', "Invalid setting for container 'x'. At least one of 'memory' or 'memoryReservation' must be specified.");
  await fails(ecs.send(new RegisterTaskDefinitionCommand({ family: 'bad', containerDefinitions: [{ name: 'x', image: 'busybox', memory: 64, healthCheck: { command: ['CMD', 'true'], interval: 1 } }] })),
    'ClientException', /healthCheck.interval/);
  await fails(ecs.send(new RegisterTaskDefinitionCommand({ family: 'bad', containerDefinitions: [] })), 'ClientException', 'Container list cannot be empty.');
  // Model validation: missing family is rejected before any handler.
  await fails(ecs.send(new RegisterTaskDefinitionCommand({ containerDefinitions: [] } as unknown as RegisterTaskDefinitionRequest)), 'InvalidParameterException', /family/);
  await fails(ecs.send(new RegisterTaskDefinitionCommand({ family: 'bad', containerDefinitions: [{ name: 'x', image: 'busybox', memory: 64 }], tags: [{ key: 'aws:x', value: 'y' }] })),
    'InvalidParameterException', /reserved/);
  const ok = (await ecs.send(new RegisterTaskDefinitionCommand({ family: 'bad', containerDefinitions: [{ name: 'x', image: 'busybox', memory: 64 }] }))).taskDefinition!;
  assert.equal(ok.revision, 1, 'failed registrations must not consume revisions');
  await fails(ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'never-registered' })), 'ClientException', 'Unable to describe task definition.');
});

test('DescribeTaskDefinition: family → latest ACTIVE, family:rev, ARN, include TAGS', async () => {
  const a = (await ecs.send(new RegisterTaskDefinitionCommand(web({ family: 'desc', tags: [{ key: 'k', value: 'v' }] })))).taskDefinition!;
  const b = (await ecs.send(new RegisterTaskDefinitionCommand(web({ family: 'desc' })))).taskDefinition!;
  assert.equal((await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'desc' }))).taskDefinition!.revision, b.revision);
  await ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: 'desc:2' }));
  assert.equal((await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'desc' }))).taskDefinition!.revision, 1, 'latest ACTIVE after deregistering 2');
  const byArn = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: a.taskDefinitionArn!, include: ['TAGS'] }));
  assert.deepEqual(byArn.tags, [{ key: 'k', value: 'v' }]);
  const noTags = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'desc:1' }));
  assert.deepEqual(noTags.tags, [], 'without include TAGS: the member, empty (as ECS answers it)');
  const inactive = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'desc:2' }));
  assert.equal(inactive.taskDefinition!.status, 'INACTIVE');
  assert.ok(inactive.taskDefinition!.deregisteredAt instanceof Date);
  await fails(ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'desc:99' })), 'ClientException', 'Unable to describe task definition.');
});

test('ListTaskDefinitions and ListTaskDefinitionFamilies: prefix, status, sort, paging', async () => {
  for (let i = 0; i < 3; i++) await ecs.send(new RegisterTaskDefinitionCommand(web({ family: 'lst-a' })));
  await ecs.send(new RegisterTaskDefinitionCommand(web({ family: 'lst-b' })));
  await ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: 'lst-b:1' }));
  // ListTaskDefinitions' familyPrefix is, despite its name, the whole family (ECS's API reference);
  // ListTaskDefinitionFamilies (below) is the prefix match.
  const partial = await ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: 'lst-' }));
  assert.deepEqual(partial.taskDefinitionArns, [], 'a partial family name matches nothing');
  const asc = await ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: 'lst-a' }));
  assert.deepEqual(asc.taskDefinitionArns!.map((a) => a.split('/')[1]), ['lst-a:1', 'lst-a:2', 'lst-a:3']);
  const desc = await ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: 'lst-a', sort: 'DESC' }));
  assert.deepEqual(desc.taskDefinitionArns!.map((a) => a.split('/')[1]), ['lst-a:3', 'lst-a:2', 'lst-a:1']);
  const inactive = await ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: 'lst-b', status: 'INACTIVE' }));
  assert.deepEqual(inactive.taskDefinitionArns!.map((a) => a.split('/')[1]), ['lst-b:1']);
  // Paging, both directions.
  for (const sort of ['ASC', 'DESC'] as const) {
    const seen: string[] = [];
    let nextToken: string | undefined;
    do {
      const p = await ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: 'lst-a', maxResults: 2, nextToken, sort }));
      assert.ok(p.taskDefinitionArns!.length <= 2);
      seen.push(...p.taskDefinitionArns!.map((a) => a.split('/')[1]));
      nextToken = p.nextToken;
    } while (nextToken);
    assert.deepEqual(seen, sort === 'ASC' ? ['lst-a:1', 'lst-a:2', 'lst-a:3'] : ['lst-a:3', 'lst-a:2', 'lst-a:1']);
  }
  await fails(ecs.send(new ListTaskDefinitionsCommand({ maxResults: 101 })), 'InvalidParameterException');
  const fam = async (status?: 'ACTIVE' | 'INACTIVE' | 'ALL') => (await ecs.send(new ListTaskDefinitionFamiliesCommand({ familyPrefix: 'lst-', status }))).families;
  assert.deepEqual(await fam('ACTIVE'), ['lst-a']);
  assert.deepEqual(await fam('INACTIVE'), ['lst-b']);
  assert.deepEqual(await fam('ALL'), ['lst-a', 'lst-b']);
  assert.deepEqual(await fam(), ['lst-a', 'lst-b']);
  const page1 = await ecs.send(new ListTaskDefinitionFamiliesCommand({ familyPrefix: 'lst-', maxResults: 1 }));
  assert.deepEqual(page1.families, ['lst-a']);
  const page2 = await ecs.send(new ListTaskDefinitionFamiliesCommand({ familyPrefix: 'lst-', maxResults: 1, nextToken: page1.nextToken }));
  assert.deepEqual(page2.families, ['lst-b']);
});

test('DeregisterTaskDefinition and DeleteTaskDefinitions; revisions are never reused', async () => {
  await ecs.send(new RegisterTaskDefinitionCommand(web({ family: 'del' })));
  await ecs.send(new RegisterTaskDefinitionCommand(web({ family: 'del' })));
  await fails(ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: 'del' })), 'ClientException', 'Revision is missing.');
  await fails(ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: 'del:7' })), 'ClientException', 'Unable to describe task definition.');
  const dereg = (await ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: 'del:2' }))).taskDefinition!;
  assert.equal(dereg.status, 'INACTIVE');
  const again = (await ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: 'del:2' }))).taskDefinition!;
  assert.equal(again.status, 'INACTIVE');
  const out = await ecs.send(new DeleteTaskDefinitionsCommand({ taskDefinitions: ['del:2', 'del:1', 'del:9'] }));
  assert.deepEqual(out.taskDefinitions!.map((t) => [t.revision, t.status]), [[2, 'DELETE_IN_PROGRESS']]);
  assert.ok(out.taskDefinitions![0].deleteRequestedAt instanceof Date);
  assert.deepEqual(out.failures!.map((f) => [f.arn!.split('/')[1], f.reason]), [['del:1', 'TASK_DEFINITION_ACTIVE'], ['del:9', 'TASK_DEFINITION_NOT_FOUND']]);
  await fails(ecs.send(new DeleteTaskDefinitionsCommand({ taskDefinitions: Array.from({ length: 11 }, (_, i) => `del:${i + 1}`) })), 'InvalidParameterException');
  assert.equal((await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'del:2' }))).taskDefinition!.status, 'DELETE_IN_PROGRESS');
  const next = (await ecs.send(new RegisterTaskDefinitionCommand(web({ family: 'del' })))).taskDefinition!;
  assert.equal(next.revision, 3, 'the counter remembers deleted revisions');
  // Concurrent registrations in one family get distinct, consecutive revisions.
  const many = await Promise.all(Array.from({ length: 8 }, () => ecs.send(new RegisterTaskDefinitionCommand(web({ family: 'race' })))));
  assert.deepEqual(many.map((m) => m.taskDefinition!.revision).sort((x, y) => x! - y!), [1, 2, 3, 4, 5, 6, 7, 8]);
});

test('TagResource / UntagResource / ListTagsForResource on clusters and task definitions', async () => {
  const cluster = (await ecs.send(new CreateClusterCommand({ clusterName: 'tagged', tags: [{ key: 'env', value: 'dev' }] }))).cluster!;
  const td = (await ecs.send(new RegisterTaskDefinitionCommand(web({ family: 'tagged' })))).taskDefinition!;
  for (const arn of [cluster.clusterArn!, td.taskDefinitionArn!]) {
    await ecs.send(new TagResourceCommand({ resourceArn: arn, tags: [{ key: 'owner', value: 'me' }, { key: 'env', value: 'prod' }] }));
    let tags = (await ecs.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags!;
    assert.deepEqual(Object.fromEntries(tags.map((t) => [t.key, t.value])), { env: 'prod', owner: 'me' });
    await ecs.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: ['owner', 'absent'] }));
    tags = (await ecs.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags!;
    assert.deepEqual(tags, [{ key: 'env', value: 'prod' }]);
    await fails(ecs.send(new TagResourceCommand({ resourceArn: arn, tags: [{ key: 'aws:nope', value: 'x' }] })), 'InvalidParameterException', /reserved/);
    await fails(ecs.send(new TagResourceCommand({ resourceArn: arn, tags: Array.from({ length: 50 }, (_, i) => ({ key: `k${i}`, value: 'v' })) })), 'InvalidParameterException', /50/);
  }
  const described = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'tagged:1', include: ['TAGS'] }));
  assert.deepEqual(described.tags, [{ key: 'env', value: 'prod' }]);
  await fails(ecs.send(new ListTagsForResourceCommand({ resourceArn: 'arn:aws:ecs:us-east-1:000000000000:cluster/nope' })), 'InvalidParameterException',
    'The specified cluster is inactive. Specify an active cluster and try again.');
  await fails(ecs.send(new ListTagsForResourceCommand({ resourceArn: 'arn:aws:ecs:us-east-1:000000000000:task-definition/nope:1' })), 'ResourceNotFoundException');
  await fails(ecs.send(new ListTagsForResourceCommand({ resourceArn: 'arn:aws:ecr:us-east-1:000000000000:repository/x' })), 'InvalidParameterException', 'The ARN provided is invalid.');
  await fails(ecs.send(new TagResourceCommand({ resourceArn: 'not-an-arn', tags: [{ key: 'a', value: 'b' }] })), 'InvalidParameterException', 'The ARN provided is invalid.');
  await ecs.send(new DeleteClusterCommand({ cluster: 'tagged' }));
  await fails(ecs.send(new TagResourceCommand({ resourceArn: cluster.clusterArn!, tags: [{ key: 'a', value: 'b' }] })), 'InvalidParameterException', /inactive/);
});

test('the AWS CLI: register from --cli-input-json, describe, list, deregister, tags', () => {
  const file = join(files, 'cli.json');
  writeFileSync(file, JSON.stringify({
    family: 'awscli', networkMode: 'awsvpc', requiresCompatibilities: ['FARGATE'], cpu: '256', memory: '512',
    containerDefinitions: [{ name: 'app', image: 'busybox', portMappings: [{ containerPort: 8080 }], healthCheck: { command: ['CMD-SHELL', 'true'] } }],
    tags: [{ key: 'via', value: 'cli' }],
  }));
  const reg = server.aws(['ecs', 'register-task-definition', '--cli-input-json', `file://${file}`]);
  assert.equal(reg.status, 0, reg.stderr);
  const td = reg.json.taskDefinition;
  assert.equal(td.revision, 1);
  assert.deepEqual(td.containerDefinitions[0].portMappings, [{ containerPort: 8080, hostPort: 8080, protocol: 'tcp' }]);
  assert.deepEqual(td.containerDefinitions[0].healthCheck, { command: ['CMD-SHELL', 'true'], interval: 30, timeout: 5, retries: 3 });
  assert.equal(typeof td.registeredAt, 'string', 'the CLI renders epoch-second timestamps');
  const desc = server.aws(['ecs', 'describe-task-definition', '--task-definition', 'awscli', '--include', 'TAGS']);
  assert.equal(desc.status, 0, desc.stderr);
  assert.deepEqual(desc.json.tags, [{ key: 'via', value: 'cli' }]);
  const list = server.aws(['ecs', 'list-task-definitions', '--family-prefix', 'awscli']);
  assert.deepEqual(list.json.taskDefinitionArns, [td.taskDefinitionArn]);
  const fams = server.aws(['ecs', 'list-task-definition-families', '--family-prefix', 'awscli']);
  assert.deepEqual(fams.json.families, ['awscli']);
  const tag = server.aws(['ecs', 'tag-resource', '--resource-arn', td.taskDefinitionArn, '--tags', 'key=more,value=yes']);
  assert.equal(tag.status, 0, tag.stderr);
  const tags = server.aws(['ecs', 'list-tags-for-resource', '--resource-arn', td.taskDefinitionArn]);
  assert.deepEqual(tags.json.tags, [{ key: 'via', value: 'cli' }, { key: 'more', value: 'yes' }]);
  const untag = server.aws(['ecs', 'untag-resource', '--resource-arn', td.taskDefinitionArn, '--tag-keys', 'via']);
  assert.equal(untag.status, 0, untag.stderr);
  assert.deepEqual(server.aws(['ecs', 'list-tags-for-resource', '--resource-arn', td.taskDefinitionArn]).json.tags, [{ key: 'more', value: 'yes' }]);
  const dereg = server.aws(['ecs', 'deregister-task-definition', '--task-definition', 'awscli:1']);
  assert.equal(dereg.status, 0, dereg.stderr);
  assert.equal(dereg.json.taskDefinition.status, 'INACTIVE');
  const bad = server.aws(['ecs', 'describe-task-definition', '--task-definition', 'awscli:5']);
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, /ClientException.*Unable to describe task definition\./);
  const badReg = server.aws(['ecs', 'register-task-definition', '--family', 'awscli', '--container-definitions', '[{"name":"x","image":"busybox"}]']);
  assert.notEqual(badReg.status, 0);
  assert.match(badReg.stderr, /At least one of 'memory' or 'memoryReservation' must be specified/);
  const cluster = server.aws(['ecs', 'create-cluster', '--cluster-name', 'clitags']);
  const carn = cluster.json.cluster.clusterArn;
  assert.equal(server.aws(['ecs', 'tag-resource', '--resource-arn', carn, '--tags', 'key=a,value=b']).status, 0);
  assert.deepEqual(server.aws(['ecs', 'list-tags-for-resource', '--resource-arn', carn]).json.tags, [{ key: 'a', value: 'b' }]);
});

test('wharf task-definitions register (JSON and YAML), list, describe, deregister', () => {
  const yamlFile = join(files, 'app.yaml');
  writeFileSync(yamlFile, [
    'family: wharfcli',
    'cpu: 256',
    'memory: 1GB',
    'containerDefinitions:',
    '  - name: app',
    '    image: busybox',
    '    essential: true',
    '    portMappings:',
    '      - containerPort: 80',
    '        hostPort: 8080',
  ].join('\n'));
  const reg = wharf(['task-definitions', 'register', yamlFile]);
  assert.equal(reg.status, 0, reg.stderr);
  assert.match(reg.stdout, /registered wharfcli:1 \(arn:aws:ecs:us-east-1:000000000000:task-definition\/wharfcli:1\)/);
  // A saved describe output registers again (ECS-set fields are dropped with a note).
  const saved = server.aws(['ecs', 'describe-task-definition', '--task-definition', 'wharfcli:1']).json;
  const jsonFile = join(files, 'saved.json');
  writeFileSync(jsonFile, JSON.stringify(saved));
  const reg2 = wharf(['task-definitions', 'register', jsonFile, '--output', 'json']);
  assert.equal(reg2.status, 0, reg2.stderr);
  assert.equal(JSON.parse(reg2.stdout).revision, 2);
  assert.match(reg2.stderr, /ignoring "taskDefinitionArn"/);
  const list = wharf(['task-definitions', 'list', '--family-prefix', 'wharfcli']);
  assert.equal(list.status, 0, list.stderr);
  assert.match(list.stdout, /wharfcli.*1/);
  assert.match(list.stdout, /wharfcli.*2/);
  const listJson = JSON.parse(wharf(['task-definitions', 'list', '--family-prefix', 'wharfcli', '--output', 'json']).stdout);
  assert.equal(listJson.length, 2);
  const desc = wharf(['task-definitions', 'describe', 'wharfcli:1']);
  assert.equal(desc.status, 0, desc.stderr);
  assert.match(desc.stdout, /8080:80\/tcp/);
  assert.match(desc.stdout, /1024/);
  const dj = JSON.parse(wharf(['task-definitions', 'describe', 'wharfcli', '--output', 'json']).stdout);
  assert.equal(dj.taskDefinition.revision, 2);
  const dereg = wharf(['task-definitions', 'deregister', 'wharfcli:2']);
  assert.equal(dereg.status, 0, dereg.stderr);
  assert.match(dereg.stdout, /wharfcli:2 is INACTIVE/);
  // Errors that say what is wrong.
  const noRev = wharf(['task-definitions', 'deregister', 'wharfcli']);
  assert.notEqual(noRev.status, 0);
  assert.match(noRev.stderr, /needs a revision/);
  const missing = wharf(['task-definitions', 'describe', 'ghost']);
  assert.notEqual(missing.status, 0);
  assert.match(missing.stderr, /not found/);
  const typo = join(files, 'typo.yaml');
  writeFileSync(typo, 'family: x\ncontainerDefinition:\n  - name: a\n');
  const t = wharf(['task-definitions', 'register', typo]);
  assert.notEqual(t.status, 0);
  assert.match(t.stderr, /unknown field "containerDefinition"/);
  const broken = join(files, 'broken.json');
  writeFileSync(broken, '{"family": "x",');
  assert.match(wharf(['task-definitions', 'register', broken]).stderr, /not valid JSON/);
  const invalid = join(files, 'invalid.json');
  writeFileSync(invalid, JSON.stringify({ family: 'x', containerDefinitions: [{ name: 'a', image: 'busybox' }] }));
  const iv = wharf(['task-definitions', 'register', invalid]);
  assert.notEqual(iv.status, 0);
  assert.match(iv.stderr, /ClientException: Invalid setting for container 'a'/);
});
