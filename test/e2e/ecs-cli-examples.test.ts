/**
 * Fidelity pass (issue 21): the AWS CLI's documented ECS examples (aws/aws-cli awscli/examples/ecs/*.rst),
 * each run through /usr/bin/aws against a real server, the reply compared member by member with the
 * documented output. The expected outputs below are restated by hand (shapes and values, not the files);
 * ARNs are compared with the region and account normalised, and ids and timestamps are not compared.
 *
 * `documented` lists what the example's output shows: each of its members must be present with that
 * value. The examples come from different years of the API (describe-clusters' first example predates
 * `statistics` and `tags`, its second shows both), so a member the doc omits is only asserted absent
 * where every example of that action agrees (`absent`).
 *
 * Also checked here: ECS's exact words for the common validation errors this issue names.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteTaskDefinitionsCommand, ListServiceDeploymentsCommand, PutAccountSettingCommand, RunTaskCommand } from '@aws-sdk/client-ecs';
import { startServerProcess, type TestServer, type AwsResult } from '../support/server.js';
import { startAgent, type AgentProcess } from '../support/agent-process.js';
import { removeContainersWithLabel } from '../support/runtime.js';
import { buildBusyboxImage, loadIntoRuntime } from '../support/images.js';

let server: TestServer;
const work = mkdtempSync(join(tmpdir(), 'wharf-cli-examples-'));
const ACCOUNT = '000000000000';

before(async () => { server = await startServerProcess(); });
after(async () => {
  await server.stop();
  server.cleanup();
  rmSync(work, { recursive: true, force: true });
});

const aws = (...args: string[]): AwsResult => server.aws(args);
function ok(r: AwsResult): any {
  assert.equal(r.status, 0, r.stderr);
  return r.json;
}

/** A member whose value is a fact of the host or the moment (agent versions, runtime ids, ports in use): present, not compared. */
const HOST = Symbol('host fact');

/**
 * An ARN with the example's account and region replaced by ours (the docs use 123456789012 and us-west-2…).
 * Ids are not compared: a task, container or container instance ARN keeps only its resource type, a
 * service ARN its name (the examples mix the short and the long ARN formats), a service deployment or
 * revision ARN its cluster and service.
 */
const normArn = (v: string): string => {
  const m = /^arn:aws:(ecs|iam):[a-z0-9-]*:\d{12}:(.*)$/.exec(v);
  if (!m) return v;
  const [, svc, res] = m;
  const type = res.split('/')[0];
  const rest = type === 'task' || type === 'container' || type === 'container-instance' ? '<id>'
    : type === 'service' ? res.split('/').pop()!
      : type === 'service-deployment' || type === 'service-revision' ? `${res.split('/').slice(1, -1).join('/')}/<id>` : res.slice(type.length + 1);
  return `arn:aws:${svc}:${svc === 'iam' ? '' : 'us-east-1'}:${ACCOUNT}:${type}/${rest}`;
};
const norm = (v: unknown): unknown => {
  if (typeof v === 'string') return normArn(v);
  if (Array.isArray(v)) return v.map(norm);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, norm(x)]));
  return v;
};

/**
 * Every member the documentation shows is in `actual` with the documented value (recursively, lists in
 * order). Timestamps (members named …At) are checked present, not compared; HOST marks other facts of
 * the moment.
 */
function documented(actual: unknown, expected: unknown, path = '$'): void {
  if (expected === HOST) {
    assert.ok(actual !== undefined && actual !== null, `${path}: expected a value`);
  } else if (Array.isArray(expected)) {
    assert.ok(Array.isArray(actual), `${path}: expected a list, got ${JSON.stringify(actual)}`);
    assert.equal(actual.length, expected.length, `${path}: ${JSON.stringify(actual)} has ${actual.length} items, the example ${expected.length}`);
    expected.forEach((e, i) => documented(actual[i], e, `${path}[${i}]`));
  } else if (expected && typeof expected === 'object') {
    assert.ok(actual && typeof actual === 'object' && !Array.isArray(actual), `${path}: expected an object, got ${JSON.stringify(actual)}`);
    for (const [k, e] of Object.entries(expected)) {
      assert.ok(k in (actual as object), `${path}.${k} is missing (the example shows it)`);
      const a = (actual as Record<string, unknown>)[k];
      if (/At$/.test(k) && (typeof e === 'string' || typeof e === 'number')) assert.ok(typeof a === 'string' || typeof a === 'number', `${path}.${k}: a timestamp, got ${JSON.stringify(a)}`);
      else documented(a, e, `${path}.${k}`);
    }
  } else {
    assert.deepEqual(norm(actual), norm(expected), path);
  }
}

/** `names` are all among the attributes (an instance's attributes are facts of its host: only those both hosts have are compared). */
function hasAttributes(actual: { name: string; value?: string }[], names: string[], path: string): void {
  const have = new Set(actual.map((a) => a.name));
  for (const n of names) assert.ok(have.has(n), `${path}: attribute ${n} is missing`);
}

function absent(actual: Record<string, unknown>, keys: string[], path: string): void {
  for (const k of keys) assert.ok(!(k in actual), `${path}.${k} is present, but ECS omits it (${JSON.stringify(actual[k])})`);
}

/** The error the CLI printed: "An error occurred (Code) when calling the Op operation: message". */
function failed(r: AwsResult, code: string, message: string): void {
  assert.notEqual(r.status, 0, `expected ${code}, got success: ${r.stdout}`);
  const m = /An error occurred \(([A-Za-z]+)\) when calling the \w+ operation: (.*)/s.exec(r.stderr);
  assert.ok(m, r.stderr);
  assert.equal(m[1], code, r.stderr);
  assert.equal(m[2].trim(), message);
}

describe('AWS CLI ECS examples: clusters', () => {
  it('create-cluster example 1 (settings containerInsights=enhanced)', () => {
    const out = ok(aws('ecs', 'create-cluster', '--cluster-name', 'MyCluster', '--settings', 'name=containerInsights,value=enhanced'));
    documented(out, {
      cluster: {
        clusterArn: 'arn:aws:ecs:us-west-2:123456789012:cluster/MyCluster', clusterName: 'MyCluster', status: 'ACTIVE',
        registeredContainerInstancesCount: 0, pendingTasksCount: 0, runningTasksCount: 0, activeServicesCount: 0,
        statistics: [], settings: [{ name: 'containerInsights', value: 'enhanced' }], tags: [],
      },
    });
    // Examples 1 and 3 show no capacity providers: ECS omits both members until one is associated.
    absent(out.cluster, ['capacityProviders', 'defaultCapacityProviderStrategy'], 'cluster');
  });

  it('create-cluster example 3 (tags)', () => {
    const out = ok(aws('ecs', 'create-cluster', '--cluster-name', 'MyTaggedCluster', '--tags', 'key=key1,value=value1', 'key=key2,value=value2'));
    documented(out, {
      cluster: {
        clusterArn: 'arn:aws:ecs:us-west-2:123456789012:cluster/MyTaggedCluster', clusterName: 'MyTaggedCluster', status: 'ACTIVE',
        registeredContainerInstancesCount: 0, pendingTasksCount: 0, runningTasksCount: 0, activeServicesCount: 0,
        statistics: [], tags: [{ key: 'key1', value: 'value1' }, { key: 'key2', value: 'value2' }],
      },
    });
    absent(out.cluster, ['capacityProviders', 'defaultCapacityProviderStrategy'], 'cluster');
  });

  it('describe-clusters example 1, list-clusters, update-cluster-settings', () => {
    ok(aws('ecs', 'create-cluster'));
    const d = ok(aws('ecs', 'describe-clusters', '--cluster', 'default'));
    documented(d, {
      clusters: [{ status: 'ACTIVE', clusterName: 'default', registeredContainerInstancesCount: 0, pendingTasksCount: 0, runningTasksCount: 0, activeServicesCount: 0, clusterArn: 'arn:aws:ecs:us-west-2:123456789012:cluster/default' }],
      failures: [],
    });
    // The example lists MyCluster and default; this account also has MyTaggedCluster (example 3 above).
    documented(ok(aws('ecs', 'list-clusters')), { clusterArns: ['arn:aws:ecs:us-west-2:123456789012:cluster/MyCluster', 'arn:aws:ecs:us-west-2:123456789012:cluster/MyTaggedCluster', 'arn:aws:ecs:us-west-2:123456789012:cluster/default'] });
    const u = ok(aws('ecs', 'update-cluster-settings', '--cluster', 'MyCluster', '--settings', 'name=containerInsights,value=enhanced'));
    documented(u, {
      cluster: {
        clusterArn: 'arn:aws:ecs:us-east-1:123456789012:cluster/MyCluster', status: 'ACTIVE',
        registeredContainerInstancesCount: 0, runningTasksCount: 0, pendingTasksCount: 0, activeServicesCount: 0,
        statistics: [], tags: [], settings: [{ name: 'containerInsights', value: 'enhanced' }],
      },
    });
    // (The example prints clusterName "default" for MyCluster: a typo in the docs; ours says MyCluster.)
    assert.equal(u.cluster.clusterName, 'MyCluster');
  });

  it('update-cluster example 1 (containerInsights enabled)', () => {
    ok(aws('ecs', 'create-cluster', '--cluster-name', 'ECS-project-update-cluster'));
    const u = ok(aws('ecs', 'update-cluster', '--cluster', 'ECS-project-update-cluster', '--settings', 'name=containerInsights,value=enabled'));
    // (The example's cluster has an Auto Scaling group capacity provider, hence its capacityProviders, strategy and attachments.)
    documented(u, {
      cluster: {
        clusterArn: 'arn:aws:ecs:us-west-2:123456789012:cluster/ECS-project-update-cluster', clusterName: 'ECS-project-update-cluster', status: 'ACTIVE',
        registeredContainerInstancesCount: 0, runningTasksCount: 0, pendingTasksCount: 0, activeServicesCount: 0, statistics: [], tags: [],
        settings: [{ name: 'containerInsights', value: 'enabled' }],
      },
    });
  });

  it('tag-resource (one tag, then three), list-tags-for-resource, untag-resource', () => {
    const arn = `arn:aws:ecs:us-east-1:${ACCOUNT}:cluster/MyCluster`;
    const one = aws('ecs', 'tag-resource', '--resource-arn', arn, '--tags', 'key=key1,value=value1');
    assert.equal(ok(one), undefined, 'tag-resource produces no output');
    assert.equal(one.stdout.trim(), '');
    ok(aws('ecs', 'tag-resource', '--resource-arn', arn, '--tags', 'key=key1,value=value1', 'key=key2,value=value2', 'key=key3,value=value3'));
    documented(ok(aws('ecs', 'list-tags-for-resource', '--resource-arn', arn)), { tags: [{ key: 'key1', value: 'value1' }, { key: 'key2', value: 'value2' }, { key: 'key3', value: 'value3' }] });
    const un = aws('ecs', 'untag-resource', '--resource-arn', arn, '--tag-keys', 'key1', 'key2');
    assert.equal(un.status, 0, un.stderr);
    assert.equal(un.stdout.trim(), '');
    documented(ok(aws('ecs', 'list-tags-for-resource', '--resource-arn', arn)), { tags: [{ key: 'key3', value: 'value3' }] });
  });

  it('delete-cluster of an empty cluster: INACTIVE, still described and still listed', () => {
    ok(aws('ecs', 'create-cluster', '--cluster-name', 'Doomed'));
    documented(ok(aws('ecs', 'delete-cluster', '--cluster', 'Doomed')), {
      cluster: { clusterArn: 'arn:aws:ecs:us-west-2:123456789012:cluster/Doomed', status: 'INACTIVE', clusterName: 'Doomed', registeredContainerInstancesCount: 0, pendingTasksCount: 0, runningTasksCount: 0, activeServicesCount: 0, statistics: [], tags: [] },
    });
    const arn = `arn:aws:ecs:us-east-1:${ACCOUNT}:cluster/Doomed`;
    assert.ok(ok(aws('ecs', 'list-clusters')).clusterArns.includes(arn), 'ListClusters keeps listing INACTIVE clusters while they are describable');
    assert.equal(ok(aws('ecs', 'describe-clusters', '--clusters', 'Doomed')).clusters[0].status, 'INACTIVE');
  });
});

describe('AWS CLI ECS examples: task definitions', () => {
  const sleep360 = {
    status: 'ACTIVE', family: 'sleep360', placementConstraints: [], compatibilities: ['EXTERNAL', 'EC2'], volumes: [],
    taskDefinitionArn: 'arn:aws:ecs:us-east-1:123456789012:task-definition/sleep360:1',
    containerDefinitions: [{ environment: [], name: 'sleep', mountPoints: [], image: 'busybox', cpu: 10, portMappings: [], command: ['sleep', '360'], memory: 10, essential: true, volumesFrom: [] }],
    revision: 1,
  };

  it('register-task-definition example 1 (--cli-input-json) and example 2 (JSON string): identical output', () => {
    const file = join(work, 'sleep360.json');
    writeFileSync(file, JSON.stringify({ containerDefinitions: [{ name: 'sleep', image: 'busybox', cpu: 10, command: ['sleep', '360'], memory: 10, essential: true }], family: 'sleep360' }));
    const one = ok(aws('ecs', 'register-task-definition', '--cli-input-json', `file://${file}`)).taskDefinition;
    documented(one, sleep360);
    const two = ok(aws('ecs', 'register-task-definition', '--family', 'sleep360', '--container-definitions',
      '[{"name":"sleep","image":"busybox","cpu":10,"command":["sleep","360"],"memory":10,"essential":true}]')).taskDefinition;
    documented(two, { ...sleep360, revision: 2, taskDefinitionArn: 'arn:aws:ecs:us-east-1:123456789012:task-definition/sleep360:2' });
    absent(one.containerDefinitions[0], ['entryPoint', 'links', 'hostname', 'user', 'workingDirectory', 'dnsServers', 'logConfiguration', 'healthCheck'], 'containerDefinitions[0]');
    absent(one, ['cpu', 'memory', 'taskRoleArn', 'executionRoleArn', 'pidMode', 'ipcMode'], 'taskDefinition');
  });

  it('describe-task-definition of a family: the latest ACTIVE revision', () => {
    const d = ok(aws('ecs', 'describe-task-definition', '--task-definition', 'sleep360')).taskDefinition;
    documented(d, { family: 'sleep360', revision: 2, status: 'ACTIVE', compatibilities: ['EXTERNAL', 'EC2'] });
  });

  it('list-task-definitions (all; --family-prefix is the whole family) and list-task-definition-families (a prefix)', () => {
    const reg = (family: string) => ok(aws('ecs', 'register-task-definition', '--family', family, '--container-definitions', '[{"name":"c","image":"busybox","memory":16}]'));
    for (const f of ['wordpress', 'wordpress', 'wordpress-admin', 'hpcc', 'hpcc-c4-8xlarge']) reg(f);
    documented(ok(aws('ecs', 'list-task-definitions', '--family-prefix', 'wordpress')), {
      taskDefinitionArns: ['arn:aws:ecs:us-west-2:123456789012:task-definition/wordpress:1', 'arn:aws:ecs:us-west-2:123456789012:task-definition/wordpress:2'],
    });
    const all = ok(aws('ecs', 'list-task-definitions')).taskDefinitionArns as string[];
    assert.equal(all.length, 7);
    documented(ok(aws('ecs', 'list-task-definition-families', '--family-prefix', 'hpcc')), { families: ['hpcc', 'hpcc-c4-8xlarge'] });
    documented(ok(aws('ecs', 'list-task-definition-families')), { families: ['hpcc', 'hpcc-c4-8xlarge', 'sleep360', 'wordpress', 'wordpress-admin'] });
  });

  it('describe-task-definition example (hello_world: wordpress and mysql; Wharf refuses `links`)', () => {
    const file = join(work, 'hello_world.json');
    const def = (links: boolean) => JSON.stringify({
      family: 'hello_world',
      containerDefinitions: [
        { name: 'wordpress', image: 'wordpress', cpu: 10, memory: 500, essential: true, ...(links ? { links: ['mysql'] } : {}), portMappings: [{ containerPort: 80, hostPort: 80 }] },
        { name: 'mysql', image: 'mysql', cpu: 10, memory: 500, essential: true, environment: [{ name: 'MYSQL_ROOT_PASSWORD', value: 'password' }] },
      ],
    });
    // A known difference: container links (legacy Docker links) are refused, so the example's definition is registered without them.
    writeFileSync(file, def(true));
    const refused = aws('ecs', 'register-task-definition', '--cli-input-json', `file://${file}`);
    assert.notEqual(refused.status, 0);
    assert.match(refused.stderr, /ClientException.*Wharf does not support container 'links'/);
    writeFileSync(file, def(false));
    const rev = ok(aws('ecs', 'register-task-definition', '--cli-input-json', `file://${file}`)).taskDefinition.revision;
    const d = ok(aws('ecs', 'describe-task-definition', '--task-definition', `hello_world:${rev}`));
    documented(d, {
      taskDefinition: {
        taskDefinitionArn: `arn:aws:ecs:us-east-1:012345678910:task-definition/hello_world:${rev}`,
        containerDefinitions: [
          { cpu: 10, environment: [], essential: true, image: 'wordpress', memory: 500, mountPoints: [], name: 'wordpress', portMappings: [{ containerPort: 80, hostPort: 80 }], volumesFrom: [] },
          { cpu: 10, environment: [{ name: 'MYSQL_ROOT_PASSWORD', value: 'password' }], essential: true, image: 'mysql', memory: 500, mountPoints: [], name: 'mysql', portMappings: [], volumesFrom: [] },
        ],
        family: 'hello_world', revision: rev, volumes: [], status: 'ACTIVE', placementConstraints: [], compatibilities: ['EXTERNAL', 'EC2'],
        registeredAt: '2024-06-21T11:15:12.669000-05:00', registeredBy: HOST,
      },
      tags: [],
    });
  });

  it('delete-task-definitions example (an INACTIVE Fargate definition): DELETE_IN_PROGRESS', async () => {
    const file = join(work, 'curltest.json');
    writeFileSync(file, JSON.stringify({
      family: 'curltest', taskRoleArn: `arn:aws:iam::${ACCOUNT}:role/ecsTaskExecutionRole`, executionRoleArn: `arn:aws:iam::${ACCOUNT}:role/ecsTaskExecutionRole`,
      networkMode: 'awsvpc', requiresCompatibilities: ['FARGATE'], cpu: '256', memory: '512',
      containerDefinitions: [{
        name: 'ctest', image: 'mreferre/eksutils', cpu: 0, essential: true, entryPoint: ['sh', '-c'], command: ['curl ${ECS_CONTAINER_METADATA_URI_V4}/task'],
        logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-create-group': 'true', 'awslogs-group': '/ecs/curltest', 'awslogs-region': 'us-east-1', 'awslogs-stream-prefix': 'ecs' } },
      }],
    }));
    ok(aws('ecs', 'register-task-definition', '--cli-input-json', `file://${file}`));
    ok(aws('ecs', 'deregister-task-definition', '--task-definition', 'curltest:1'));
    // delete-task-definitions is newer than the Debian AWS CLI (2.9): through the SDK, printed as JSON.
    const out = JSON.parse(JSON.stringify(await server.ecs().send(new DeleteTaskDefinitionsCommand({ taskDefinitions: ['curltest:1'] }))));
    const { compatibilities, ...rest } = out.taskDefinitions[0];
    documented({ taskDefinitions: [rest], failures: out.failures }, {
      taskDefinitions: [{
        taskDefinitionArn: 'arn:aws:ecs:us-east-1:123456789012:task-definition/curltest:1',
        containerDefinitions: [{
          name: 'ctest', image: 'mreferre/eksutils', cpu: 0, portMappings: [], essential: true, entryPoint: ['sh', '-c'], command: ['curl ${ECS_CONTAINER_METADATA_URI_V4}/task'],
          environment: [], mountPoints: [], volumesFrom: [],
          logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-create-group': 'true', 'awslogs-group': '/ecs/curltest', 'awslogs-region': 'us-east-1', 'awslogs-stream-prefix': 'ecs' } },
        }],
        family: 'curltest', taskRoleArn: 'arn:aws:iam::123456789012:role/ecsTaskExecutionRole', executionRoleArn: 'arn:aws:iam::123456789012:role/ecsTaskExecutionRole',
        networkMode: 'awsvpc', revision: 1, volumes: [], status: 'DELETE_IN_PROGRESS', requiresCompatibilities: ['FARGATE'], cpu: '256', memory: '512',
        registeredAt: '2021-09-10T12:56:24.704000+00:00', deregisteredAt: '2023-03-14T15:20:59.419000+00:00', registeredBy: HOST,
      }],
      failures: [],
    });
    // The 2023 example shows [EC2, FARGATE]; the MANAGED_INSTANCES launch type (2025) is newer than it.
    assert.deepEqual(compatibilities.filter((c: string) => c !== 'MANAGED_INSTANCES'), ['EC2', 'FARGATE']);
  });

  it('deregister-task-definition: INACTIVE in the reply; ECS\'s three refusals', () => {
    ok(aws('ecs', 'register-task-definition', '--family', 'curler', '--container-definitions', '[{"name":"curler","image":"curl:latest","cpu":100,"memory":256,"entryPoint":[],"command":["curl -v http://example.com/"],"essential":true}]'));
    const d = ok(aws('ecs', 'deregister-task-definition', '--task-definition', 'curler:1')).taskDefinition;
    documented(d, {
      status: 'INACTIVE', family: 'curler', volumes: [], taskDefinitionArn: 'arn:aws:ecs:us-west-2:123456789012:task-definition/curler:1',
      containerDefinitions: [{ environment: [], name: 'curler', mountPoints: [], image: 'curl:latest', cpu: 100, portMappings: [], entryPoint: [], memory: 256, command: ['curl -v http://example.com/'], essential: true, volumesFrom: [] }],
      revision: 1,
    });
    failed(aws('ecs', 'deregister-task-definition', '--task-definition', 'curler'), 'ClientException', 'Revision is missing.');
    failed(aws('ecs', 'deregister-task-definition', '--task-definition', 'curler:x'), 'InvalidParameterException', 'Invalid revision number. Number: x');
    failed(aws('ecs', 'deregister-task-definition', '--task-definition', 'curler:99'), 'ClientException', 'Unable to describe task definition.');
  });
});

describe('AWS CLI ECS examples: account settings', () => {
  it('put-account-setting, put-account-setting-default, list-account-settings, delete-account-setting', async () => {
    // The example's principalArn is the caller (the docs' IAM user, our admin user); `type` is newer than
    // the Debian AWS CLI's model (2.9), which drops it from what it prints, so the SDK checks it.
    documented(ok(aws('ecs', 'put-account-setting', '--name', 'containerInsights', '--value', 'enhanced')), {
      setting: { name: 'containerInsights', value: 'enhanced' },
    });
    const viaSdk = await server.ecs().send(new PutAccountSettingCommand({ name: 'containerInsights', value: 'enhanced' }));
    documented(viaSdk, { setting: { name: 'containerInsights', value: 'enhanced', type: 'user' } });
    assert.match(viaSdk.setting!.principalArn!, /^arn:aws:iam::\d{12}:user\//);
    const d = ok(aws('ecs', 'put-account-setting-default', '--name', 'serviceLongArnFormat', '--value', 'enabled'));
    documented(d, { setting: { name: 'serviceLongArnFormat', value: 'enabled', principalArn: 'arn:aws:iam::123456789012:root' } });
    const user = `arn:aws:iam::${ACCOUNT}:user/MyUser`;
    ok(aws('ecs', 'put-account-setting', '--name', 'serviceLongArnFormat', '--value', 'enabled', '--principal-arn', user));
    documented(ok(aws('ecs', 'list-account-settings', '--principal-arn', user)), {
      settings: [{ name: 'serviceLongArnFormat', value: 'enabled', principalArn: 'arn:aws:iam::123456789012:user/MyUser' }],
    });
    documented(ok(aws('ecs', 'delete-account-setting', '--name', 'serviceLongArnFormat', '--principal-arn', user)), {
      setting: { name: 'serviceLongArnFormat', value: 'enabled', principalArn: 'arn:aws:iam::123456789012:user/MyUser' },
    });
    const eff = ok(aws('ecs', 'list-account-settings', '--effective-settings')).settings as { name: string; value: string; principalArn: string }[];
    for (const name of ['containerInstanceLongArnFormat', 'serviceLongArnFormat', 'taskLongArnFormat']) {
      const s = eff.find((x) => x.name === name);
      assert.ok(s, `effective settings include ${name}`);
      assert.equal(s.value, 'enabled');
    }
  });
});

/** Polls `cond` until it holds, at most `ms`; the message says what was awaited. */
async function until(cond: () => boolean | Promise<boolean>, ms: number, what: () => string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms: ${what()}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** The resources an agent registered with --cpu 2048 --memory 3955 (describe-container-instances' example host). */
const resources = (ports: unknown = HOST) => [
  { integerValue: 2048, longValue: 0, type: 'INTEGER', name: 'CPU', doubleValue: 0.0 },
  { integerValue: 3955, longValue: 0, type: 'INTEGER', name: 'MEMORY', doubleValue: 0.0 },
  { name: 'PORTS', longValue: 0, doubleValue: 0.0, stringSetValue: ports, type: 'STRINGSET', integerValue: 0 },
  // The 2015 example predates UDP ports; update-container-instances-state's and deregister-container-instance's show them.
  { name: 'PORTS_UDP', longValue: 0, doubleValue: 0.0, stringSetValue: HOST, type: 'STRINGSET', integerValue: 0 },
];

/** Attributes every example host shows that a Wharf agent on Podman has too (the rest are EC2 facts: AMI, VPC, subnet). */
const COMMON_ATTRIBUTES = [
  'ecs.capability.secrets.asm.environment-variables', 'com.amazonaws.ecs.capability.logging-driver.none',
  'com.amazonaws.ecs.capability.logging-driver.json-file', 'com.amazonaws.ecs.capability.logging-driver.awslogs',
  'ecs.capability.execution-role-awslogs', 'ecs.capability.execution-role-ecr-pull', 'ecs.capability.container-health-check',
  'ecs.capability.task-cpu-mem-limit', 'com.amazonaws.ecs.capability.docker-remote-api.1.17', 'com.amazonaws.ecs.capability.docker-remote-api.1.32',
  'ecs.availability-zone', 'ecs.instance-type', 'ecs.cpu-architecture', 'ecs.os-type',
];

describe('AWS CLI ECS examples: container instances, attributes and tasks (a real agent, Podman)', () => {
  let agent: AgentProcess | undefined;
  let image: string;
  let instanceArn = '';
  let instanceId = '';
  const taskArns = new Set<string>();

  before(async () => {
    // The examples run busybox from Docker Hub; here there is no network, so the same busybox is loaded locally.
    const built = await buildBusyboxImage(join(work, 'img'));
    image = await loadIntoRuntime(built.layoutDir, 'wharf-cli-examples/busybox:1');
    // The resources of describe-container-instances' example host, in us-east-1b as run-task's example.
    agent = await startAgent(server, { cluster: 'default', name: `cli-examples-${process.pid}`, cpu: 2048, memory: 3955, availabilityZone: 'us-east-1b', stopTimeout: 2 });
    await until(() => (ok(aws('ecs', 'list-container-instances', '--cluster', 'default', '--filter', 'agentConnected == true')).containerInstanceArns ?? []).length === 1, 60_000,
      () => `the agent registered in cluster default:\n${agent!.output.join('\n')}`);
  });
  after(async () => {
    if (agent) { await agent.kill('SIGKILL'); agent.cleanup(); }
    for (const arn of taskArns) await removeContainersWithLabel('com.amazonaws.ecs.task-arn', arn);
  });

  const describeTask = (arn: string) => ok(aws('ecs', 'describe-tasks', '--cluster', 'default', '--tasks', arn)).tasks[0];
  async function waitTask(arn: string, status: string): Promise<any> {
    let t: any;
    await until(() => { t = describeTask(arn); return t.lastStatus === status || t.lastStatus === 'STOPPED'; }, 90_000, () => `${arn} to reach ${status}: ${JSON.stringify(t)}`);
    assert.equal(t.lastStatus, status, `${arn} stopped instead: ${t.stopCode} ${t.stoppedReason} ${JSON.stringify(t.containers)}`);
    return t;
  }

  it('list-container-instances and describe-container-instances (by id)', () => {
    const list = ok(aws('ecs', 'list-container-instances', '--cluster', 'default'));
    documented(list, { containerInstanceArns: ['arn:aws:ecs:us-west-2:123456789012:container-instance/default/a1b2c3d4-5678-90ab-cdef-11111EXAMPLE'] });
    instanceArn = list.containerInstanceArns[0];
    instanceId = instanceArn.split('/').pop()!;
    const d = ok(aws('ecs', 'describe-container-instances', '--cluster', 'default', '--container-instances', instanceId));
    documented(d, {
      failures: [],
      containerInstances: [{
        status: 'ACTIVE', registeredResources: resources(), ec2InstanceId: HOST, agentConnected: true,
        containerInstanceArn: 'arn:aws:ecs:us-west-2:123456789012:container-instance/a1b2c3d4-5678-90ab-cdef-11111EXAMPLE',
        pendingTasksCount: 0, remainingResources: resources(), runningTasksCount: 0,
        versionInfo: { agentVersion: HOST, agentHash: HOST, dockerVersion: HOST },
      }],
    });
    const inst = d.containerInstances[0];
    // Nothing runs: what remains is what was registered, ports included.
    assert.deepEqual(inst.remainingResources, inst.registeredResources);
  });

  it('put-attributes, list-attributes, delete-attributes (a custom attribute on the instance)', () => {
    const attr = { name: 'stack', targetId: 'arn:aws:ecs:us-west-2:130757420319:container-instance/1c3be8ed-df30-47b4-8f1e-6e68ebd01f34', value: 'production' };
    documented(ok(aws('ecs', 'put-attributes', '--attributes', `name=stack,value=production,targetId=${instanceArn}`)), { attributes: [attr] });
    documented(ok(aws('ecs', 'list-attributes', '--target-type', 'container-instance', '--attribute-name', 'stack', '--attribute-value', 'production', '--cluster', 'default')), { attributes: [attr] });
    documented(ok(aws('ecs', 'delete-attributes', '--attributes', `name=stack,targetId=${instanceArn}`)), { attributes: [attr] });
    assert.deepEqual(ok(aws('ecs', 'list-attributes', '--target-type', 'container-instance', '--attribute-name', 'stack', '--cluster', 'default')).attributes, []);
  });

  it('run-task example 1 (a client token): the PENDING task as ECS returns it; the same token replays it', async () => {
    // sleep360 as the examples register it, with the local busybox.
    ok(aws('ecs', 'register-task-definition', '--family', 'sleep360', '--container-definitions',
      JSON.stringify([{ name: 'sleep', image, cpu: 10, command: ['sleep', '360'], memory: 10, essential: true }])));
    const rev = ok(aws('ecs', 'describe-task-definition', '--task-definition', 'sleep360')).taskDefinition.revision;
    // `--client-token` is newer than the Debian AWS CLI (2.9): the example's request goes through the SDK,
    // its reply compared as the CLI would print it (JSON, timestamps as strings).
    const run = async () => JSON.parse(JSON.stringify(await server.ecs().send(new RunTaskCommand({ cluster: 'default', taskDefinition: `sleep360:${rev}`, clientToken: '550e8400-e29b-41d4-a716-446655440000' }))));
    const out = await run();
    delete out.$metadata;
    documented(out, {
      tasks: [{
        attachments: [], attributes: [{ name: 'ecs.cpu-architecture', value: 'x86_64' }], availabilityZone: 'us-east-1b',
        clusterArn: 'arn:aws:ecs:us-east-1:123456789012:cluster/default',
        containerInstanceArn: 'arn:aws:ecs:us-east-1:123456789012:container-instance/default/bc4d2ec611d04bb7bb97e83ceEXAMPLE',
        containers: [{
          containerArn: 'arn:aws:ecs:us-east-1:123456789012:container/default/d6f51cc5bbc94a47969c92035e9f66f8/75853d2d-711e-458a-8362-0f0aEXAMPLE',
          taskArn: 'arn:aws:ecs:us-east-1:123456789012:task/default/d6f51cc5bbc94a47969c9203EXAMPLE',
          name: 'sleep', image, lastStatus: 'PENDING', networkInterfaces: [], cpu: '10', memory: '10',
        }],
        cpu: '10', createdAt: '2023-11-21T16:59:34.403000-05:00', desiredStatus: 'RUNNING', enableExecuteCommand: false,
        group: 'family:sleep360', lastStatus: 'PENDING', launchType: 'EC2', memory: '10',
        overrides: { containerOverrides: [{ name: 'sleep' }], inferenceAcceleratorOverrides: [] },
        tags: [], taskArn: 'arn:aws:ecs:us-east-1:123456789012:task/default/d6f51cc5bbc94a47969c9203EXAMPLE',
        taskDefinitionArn: `arn:aws:ecs:us-east-1:123456789012:task-definition/sleep360:${rev}`, version: 1,
      }],
      failures: [],
    });
    // (The example's cluster has an EC2 capacity provider, so its task names it: capacityProviderName.
    // Wharf has no Auto Scaling group providers; an EC2 task without one has no such member, as at ECS.)
    assert.ok(!('capacityProviderName' in out.tasks[0]));
    const task = out.tasks[0];
    taskArns.add(task.taskArn);
    assert.equal(task.containers[0].taskArn, task.taskArn);
    assert.equal(task.containerInstanceArn, instanceArn);
    // The same token: the same task, not a second one.
    assert.deepEqual((await run()).tasks.map((t: { taskArn: string }) => t.taskArn), [task.taskArn]);
    // wait tasks-running's example (by ARN): no output once the task runs.
    const w = aws('ecs', 'wait', 'tasks-running', '--cluster', 'default', '--tasks', task.taskArn);
    assert.equal(w.status, 0, w.stderr);
    assert.equal(w.stdout.trim(), '');
    await waitTask(task.taskArn, 'RUNNING');
  });

  it('describe-tasks example 1 (by ARN), list-tasks examples 1 and 2', () => {
    const arn = [...taskArns][0];
    const d = ok(aws('ecs', 'describe-tasks', '--cluster', 'default', '--tasks', arn));
    documented(d, {
      tasks: [{
        attachments: [], attributes: [{ name: 'ecs.cpu-architecture', value: 'x86_64' }], availabilityZone: 'us-east-1b',
        clusterArn: 'arn:aws:ecs:us-east-1:123456789012:cluster/default', connectivity: 'CONNECTED', connectivityAt: '2021-08-11T12:21:26.681000-04:00',
        containerInstanceArn: 'arn:aws:ecs:us-east-1:123456789012:container-instance/test/025c7e2c5e054a6790a29fc1fEXAMPLE',
        containers: [{
          containerArn: 'arn:aws:ecs:us-east-1:123456789012:container/MyCluster/4d590253bb114126b7afa7b58eea9221/a992d1cc-ea46-474a-b6e8-24688EXAMPLE',
          taskArn: arn, name: 'sleep', image, runtimeId: HOST, lastStatus: 'RUNNING',
          // The example's container maps port 80; sleep360 maps none.
          networkBindings: [], networkInterfaces: [], healthStatus: 'UNKNOWN', cpu: '10', memory: '10',
        }],
        cpu: '10', createdAt: '2021-08-11T12:21:26.681000-04:00', desiredStatus: 'RUNNING', enableExecuteCommand: false,
        group: 'family:sleep360', healthStatus: 'UNKNOWN', lastStatus: 'RUNNING', launchType: 'EC2', memory: '10',
        overrides: { containerOverrides: [{ name: 'sleep' }], inferenceAcceleratorOverrides: [] },
        pullStartedAt: '2021-08-11T12:21:28.234000-04:00', pullStoppedAt: '2021-08-11T12:21:33.793000-04:00', startedAt: '2021-08-11T12:21:34.945000-04:00',
        tags: [], taskArn: arn, version: 2,
      }],
      failures: [],
    });
    documented(ok(aws('ecs', 'list-tasks', '--cluster', 'default')), { taskArns: ['arn:aws:ecs:us-west-2:123456789012:task/a1b2c3d4-5678-90ab-cdef-11111EXAMPLE'] });
    assert.deepEqual(ok(aws('ecs', 'list-tasks', '--cluster', 'default', '--container-instance', instanceId)).taskArns, [arn]);
  });

  it('start-task example 1 (the latest sleep360 on a named instance, cluster default), stop-task', async () => {
    const out = ok(aws('ecs', 'start-task', '--task-definition', 'sleep360', '--container-instances', instanceId));
    const rev = ok(aws('ecs', 'describe-task-definition', '--task-definition', 'sleep360')).taskDefinition.revision;
    documented(out, {
      tasks: [{
        taskArn: 'arn:aws:ecs:us-west-2:123456789012:task/default/666fdccc2e2d4b6894dd422f4eeee8f8',
        clusterArn: 'arn:aws:ecs:us-west-2:123456789012:cluster/default',
        taskDefinitionArn: `arn:aws:ecs:us-west-2:123456789012:task-definition/sleep360:${rev}`,
        containerInstanceArn: 'arn:aws:ecs:us-west-2:123456789012:container-instance/default/765936fadbdd46b5991a4bd70c2a43d4',
        overrides: { containerOverrides: [{ name: 'sleep' }] }, lastStatus: 'PENDING', desiredStatus: 'RUNNING',
        // The example's sleep360:3 has a task size of 128/128; this one has none, so the task's is its container's.
        cpu: '10', memory: '10',
        containers: [{ containerArn: 'arn:aws:ecs:us-west-2:123456789012:container/75f11ed4-8a3d-4f26-a33b-ad1db9e02d41', taskArn: HOST, name: 'sleep', lastStatus: 'PENDING', networkInterfaces: [], cpu: '10', memory: '10' }],
        version: 1, createdAt: 1563421494.186, group: 'family:sleep360', launchType: 'EC2', attachments: [], tags: [],
      }],
      failures: [],
    });
    const arn = out.tasks[0].taskArn as string;
    taskArns.add(arn);
    assert.equal(out.tasks[0].containerInstanceArn, instanceArn);
    await waitTask(arn, 'RUNNING');
    const stop = ok(aws('ecs', 'stop-task', '--task', arn.split('/').pop()!));
    // The example's task had failed to start (already STOPPED); this one runs, so ECS answers it as still RUNNING, desired STOPPED.
    documented(stop, {
      task: {
        taskArn: 'arn:aws:ecs:us-west-2:130757420319:task/default/666fdccc2e2d4b6894dd422f4eeee8f8',
        clusterArn: 'arn:aws:ecs:us-west-2:130757420319:cluster/default',
        taskDefinitionArn: `arn:aws:ecs:us-west-2:130757420319:task-definition/sleep360:${rev}`,
        containerInstanceArn: 'arn:aws:ecs:us-west-2:130757420319:container-instance/default/765936fadbdd46b5991a4bd70c2a43d4',
        desiredStatus: 'STOPPED', cpu: '10', memory: '10', connectivity: 'CONNECTED', connectivityAt: 1563421494.186,
        pullStartedAt: 1563421494.252, pullStoppedAt: 1563421496.252, createdAt: 1563421494.186, stoppingAt: 1563421497.252,
        group: 'family:sleep360', launchType: 'EC2', attachments: [], tags: [],
      },
    });
    // wait tasks-stopped's example 1 (by id): no output once the task stopped.
    const w = aws('ecs', 'wait', 'tasks-stopped', '--cluster', 'default', '--tasks', arn.split('/').pop()!);
    assert.equal(w.status, 0, w.stderr);
    assert.equal(w.stdout.trim(), '');
    const stopped = await waitTask(arn, 'STOPPED');
    documented(stopped, { desiredStatus: 'STOPPED', stopCode: 'UserInitiated', stoppedReason: 'Task stopped by user', executionStoppedAt: HOST, stoppedAt: HOST });
  });

  it('update-container-instances-state (DRAINING), deregister-container-instance --force (cluster and instance by ARN)', () => {
    const u = ok(aws('ecs', 'update-container-instances-state', '--container-instances', instanceId, '--status', 'DRAINING'));
    documented(u, {
      containerInstances: [{
        containerInstanceArn: 'arn:aws:ecs:us-west-2:130757420319:container-instance/default/765936fadbdd46b5991a4bd70c2a43d4',
        ec2InstanceId: HOST, version: HOST, versionInfo: { agentVersion: HOST, agentHash: HOST, dockerVersion: HOST },
        remainingResources: HOST, registeredResources: resources(), status: 'DRAINING', agentConnected: true,
        runningTasksCount: HOST, pendingTasksCount: 0, attributes: HOST, registeredAt: 1560788724.507, attachments: [], tags: [],
      }],
      failures: [],
    });
    hasAttributes(u.containerInstances[0].attributes, COMMON_ATTRIBUTES, 'containerInstances[0].attributes');
    const clusterArn = `arn:aws:ecs:us-east-1:${ACCOUNT}:cluster/default`;
    const d = ok(aws('ecs', 'deregister-container-instance', '--cluster', clusterArn, '--container-instance', instanceArn, '--force'));
    documented(d, {
      containerInstance: {
        remainingResources: HOST, agentConnected: HOST, attributes: HOST, pendingTasksCount: 0, tags: [],
        containerInstanceArn: 'arn:aws:ecs:us-west-2:123456789012:container-instance/a1b2c3d4-5678-90ab-cdef-11111EXAMPLE',
        registeredResources: resources(), status: 'INACTIVE', registeredAt: 1557768075.681, version: HOST,
        versionInfo: { agentVersion: HOST, agentHash: HOST, dockerVersion: HOST }, attachments: [], runningTasksCount: HOST, ec2InstanceId: HOST,
      },
    });
    hasAttributes(d.containerInstance.attributes, COMMON_ATTRIBUTES, 'containerInstance.attributes');
  });
});

describe('AWS CLI ECS examples: services (a real agent, Podman)', () => {
  let agent: AgentProcess | undefined;
  let image: string;
  const deploymentId = /^ecs-svc\/\d{19}$/;

  before(async () => {
    const built = await buildBusyboxImage(join(work, 'img'));
    image = await loadIntoRuntime(built.layoutDir, 'wharf-cli-examples/busybox:1');
    agent = await startAgent(server, { cluster: 'MyCluster', name: `cli-examples-svc-${process.pid}`, cpu: 2048, memory: 3955, availabilityZone: 'us-east-1b', stopTimeout: 2 });
    await until(() => (ok(aws('ecs', 'list-container-instances', '--cluster', 'MyCluster', '--filter', 'agentConnected == true')).containerInstanceArns ?? []).length === 1, 60_000,
      () => `the agent registered in cluster MyCluster:\n${agent!.output.join('\n')}`);
  });
  after(async () => {
    const tasks = [...(ok(aws('ecs', 'list-tasks', '--cluster', 'MyCluster')).taskArns ?? []), ...(ok(aws('ecs', 'list-tasks', '--cluster', 'MyCluster', '--desired-status', 'STOPPED')).taskArns ?? [])];
    if (agent) { await agent.kill('SIGKILL'); agent.cleanup(); }
    for (const arn of tasks) await removeContainersWithLabel('com.amazonaws.ecs.task-arn', arn);
  });

  it('create-service example 2 (EC2), list-services, describe-services, update-service example 2 (desired count), delete-service --force', async () => {
    ok(aws('ecs', 'register-task-definition', '--family', 'sleep360', '--container-definitions',
      JSON.stringify([{ name: 'sleep', image, cpu: 10, command: ['sleep', '360'], memory: 10, essential: true }])));
    const td = ok(aws('ecs', 'describe-task-definition', '--task-definition', 'sleep360')).taskDefinition.taskDefinitionArn as string;
    const c = ok(aws('ecs', 'create-service', '--cluster', 'MyCluster', '--service-name', 'ecs-simple-service', '--task-definition', td.split('/').pop()!, '--desired-count', '1'));
    documented(c, {
      service: {
        serviceArn: 'arn:aws:ecs:us-west-2:123456789012:service/MyCluster/ecs-simple-service', serviceName: 'ecs-simple-service',
        clusterArn: 'arn:aws:ecs:us-west-2:123456789012:cluster/MyCluster', loadBalancers: [], serviceRegistries: [], status: 'ACTIVE',
        desiredCount: 1, runningCount: 0, pendingCount: 0, launchType: 'EC2', taskDefinition: td,
        deploymentConfiguration: { maximumPercent: 200, minimumHealthyPercent: 100 },
        deployments: [{
          id: HOST, status: 'PRIMARY', taskDefinition: td, desiredCount: 1, pendingCount: 0, runningCount: 0,
          createdAt: 1557206498.798, updatedAt: 1557206498.798, launchType: 'EC2',
        }],
        events: [], createdAt: 1557206498.798, placementConstraints: [], placementStrategy: [], schedulingStrategy: 'REPLICA',
        enableECSManagedTags: false, propagateTags: 'NONE',
      },
    });
    assert.match(c.service.deployments[0].id, deploymentId);
    // EC2 without load balancers or awsvpc: no role (examples 1 and 3, Fargate and EXTERNAL, show the service-linked role).
    absent(c.service, ['roleArn', 'platformVersion', 'networkConfiguration', 'capacityProviderStrategy'], 'service');
    documented(ok(aws('ecs', 'list-services', '--cluster', 'MyCluster')), { serviceArns: ['arn:aws:ecs:us-west-2:123456789012:service/MyCluster/ecs-simple-service'] });

    // (wait services-stable's and services-inactive's examples run in services.test.ts: each polls every
    // 15 s, longer than this file's CLI calls may take.)
    // describe-services once the service is steady (the example's service runs its 10 tasks).
    let d: any;
    await until(() => {
      d = ok(aws('ecs', 'describe-services', '--cluster', 'MyCluster', '--services', 'ecs-simple-service')).services[0];
      return d.events.length > 0 && /has reached a steady state/.test(d.events[0].message);
    }, 120_000, () => `ecs-simple-service steady: ${JSON.stringify(d)}`);
    documented(d, {
      status: 'ACTIVE', taskDefinition: td, pendingCount: 0, loadBalancers: [], desiredCount: 1, createdAt: 1466801808.595,
      serviceName: 'ecs-simple-service', clusterArn: 'arn:aws:ecs:us-west-2:123456789012:cluster/MyCluster',
      serviceArn: 'arn:aws:ecs:us-west-2:123456789012:service/ecs-simple-service',
      deployments: [{ status: 'PRIMARY', pendingCount: 0, createdAt: 1466801808.595, desiredCount: 1, taskDefinition: td, updatedAt: 1428326312.703, id: HOST, runningCount: 1 }],
      runningCount: 1,
    }, '$.services[0]');
    // The example shows its latest event, the steady state (this service's earlier ones: started 1 task, deployment completed).
    documented(d.events[0], { message: '(service ecs-simple-service) has reached a steady state.', id: HOST, createdAt: 1466801812.435 }, '$.services[0].events[0]');

    // get-task-protection, update-task-protection examples 1 and 2 on the service's task.
    const taskId = (ok(aws('ecs', 'list-tasks', '--cluster', 'MyCluster', '--service-name', 'ecs-simple-service')).taskArns[0] as string).split('/').pop()!;
    const unprotected = { protectedTasks: [{ taskArn: 'arn:aws:ecs:us-west-2:123456789012:task/c43ed3b1331041f289316f958adb6a24', protectionEnabled: false }], failures: [] };
    documented(ok(aws('ecs', 'get-task-protection', '--cluster', 'MyCluster', '--tasks', taskId)), unprotected);
    const on = ok(aws('ecs', 'update-task-protection', '--cluster', 'MyCluster', '--tasks', taskId, '--protection-enabled', '--expires-in-minutes', '300'));
    documented(on, { protectedTasks: [{ taskArn: 'arn:aws:ecs:us-west-2:123456789012:task/c43ed3b1331041f289316f958adb6a24', protectionEnabled: true, expirationDate: HOST }], failures: [] });
    const expires = Date.parse(on.protectedTasks[0].expirationDate) - Date.now();
    assert.ok(expires > 290 * 60_000 && expires <= 300 * 60_000, `expires in 300 minutes: ${on.protectedTasks[0].expirationDate}`);
    const off = ok(aws('ecs', 'update-task-protection', '--cluster', 'MyCluster', '--tasks', taskId, '--no-protection-enabled'));
    documented(off, unprotected);
    absent(off.protectedTasks[0], ['expirationDate'], 'protectedTasks[0]');

    // list-service-deployments (newer than the Debian AWS CLI: through the SDK, printed as JSON).
    const deployments = JSON.parse(JSON.stringify(await server.ecs().send(new ListServiceDeploymentsCommand({ cluster: 'MyCluster', service: c.service.serviceArn }))));
    documented({ serviceDeployments: deployments.serviceDeployments }, {
      serviceDeployments: [{
        serviceDeploymentArn: 'arn:aws:ecs:us-east-1:123456789012:service-deployment/MyCluster/ecs-simple-service/ejGvqq2ilnbKT9qj0vLJe',
        serviceArn: 'arn:aws:ecs:us-east-1:123456789012:service/MyCluster/ecs-simple-service', clusterArn: 'arn:aws:ecs:us-east-1:123456789012:cluster/MyCluster',
        startedAt: '2024-10-31T08:03:32.510000-04:00', createdAt: '2024-10-31T08:03:30.917000-04:00', finishedAt: '2024-10-31T08:05:04.527000-04:00',
        targetServiceRevisionArn: 'arn:aws:ecs:us-east-1:123456789012:service-revision/MyCluster/ecs-simple-service/1485800978477494678', status: 'SUCCESSFUL',
      }],
    });

    const u = ok(aws('ecs', 'update-service', '--cluster', 'MyCluster', '--service', 'ecs-simple-service', '--desired-count', '2'));
    documented(u, {
      service: {
        serviceArn: 'arn:aws:ecs:us-east-1:123456789012:service/MyCluster/ecs-simple-service', serviceName: 'ecs-simple-service',
        clusterArn: 'arn:aws:ecs:us-east-1:123456789012:cluster/MyCluster', loadBalancers: [], serviceRegistries: [], status: 'ACTIVE',
        desiredCount: 2, runningCount: 1, pendingCount: 0, taskDefinition: td,
        // The example's service was created with the circuit breaker on; this one with ECS's default (off).
        deploymentConfiguration: { deploymentCircuitBreaker: { enable: false, rollback: false }, maximumPercent: 200, minimumHealthyPercent: 100 },
        deployments: [{
          id: HOST, status: 'PRIMARY', taskDefinition: td, desiredCount: 2, pendingCount: 0, runningCount: 1, failedTasks: 0,
          createdAt: '2024-12-03T16:24:25.225000-05:00', updatedAt: '2024-12-03T16:25:15.837000-05:00',
          rolloutState: 'COMPLETED', rolloutStateReason: `ECS deployment ${c.service.deployments[0].id} completed.`,
        }],
        events: HOST, createdAt: '2024-12-03T16:24:25.225000-05:00', placementConstraints: [], placementStrategy: [],
        healthCheckGracePeriodSeconds: 0, schedulingStrategy: 'REPLICA', deploymentController: { type: 'ECS' }, createdBy: HOST,
        enableECSManagedTags: false, propagateTags: 'NONE', enableExecuteCommand: false,
      },
    });

    // delete-service --force: the example shows no output; ECS answers the service, DRAINING, desired count 0.
    const del = ok(aws('ecs', 'delete-service', '--cluster', 'MyCluster', '--service', 'ecs-simple-service', '--force'));
    documented(del, { service: { serviceName: 'ecs-simple-service', status: 'DRAINING', desiredCount: 0 } });
    // A deleted service is no longer listed, only described (DeleteService in the API reference).
    assert.deepEqual(ok(aws('ecs', 'list-services', '--cluster', 'MyCluster')).serviceArns, []);
  });

  it('create-service example 1 (FARGATE, awsvpc): the reply as ECS gives it, the service-linked role included', () => {
    ok(aws('ecs', 'register-task-definition', '--family', 'sample-fargate', '--network-mode', 'awsvpc', '--requires-compatibilities', 'FARGATE', '--cpu', '256', '--memory', '512',
      '--container-definitions', JSON.stringify([{ name: 'fargate-app', image, essential: true, command: ['sleep', '360'] }])));
    // The example's subnet and security group are its account's: here the default VPC's, looked up.
    const vpcId = ok(aws('ec2', 'describe-vpcs', '--filters', 'Name=is-default,Values=true')).Vpcs[0].VpcId as string;
    const subnet = ok(aws('ec2', 'describe-subnets', '--filters', `Name=vpc-id,Values=${vpcId}`, 'Name=default-for-az,Values=true')).Subnets[0].SubnetId as string;
    const sg = ok(aws('ec2', 'describe-security-groups', '--filters', `Name=vpc-id,Values=${vpcId}`, 'Name=group-name,Values=default')).SecurityGroups[0].GroupId as string;
    const awsvpc = { awsvpcConfiguration: { subnets: [subnet], securityGroups: [sg], assignPublicIp: 'ENABLED' } };
    const c = ok(aws('ecs', 'create-service', '--cluster', 'MyCluster', '--service-name', 'MyService', '--task-definition', 'sample-fargate:1', '--desired-count', '2',
      '--launch-type', 'FARGATE', '--platform-version', 'LATEST', '--network-configuration', `awsvpcConfiguration={subnets=[${subnet}],securityGroups=[${sg}],assignPublicIp=ENABLED}`,
      '--tags', 'key=key1,value=value1', 'key=key2,value=value2', 'key=key3,value=value3'));
    try {
      documented(c, {
        service: {
          serviceArn: 'arn:aws:ecs:us-west-2:123456789012:service/MyCluster/MyService', serviceName: 'MyService', clusterArn: 'arn:aws:ecs:us-west-2:123456789012:cluster/MyCluster',
          loadBalancers: [], serviceRegistries: [], status: 'ACTIVE', desiredCount: 2, runningCount: 0, pendingCount: 0, launchType: 'FARGATE', platformVersion: 'LATEST',
          taskDefinition: 'arn:aws:ecs:us-west-2:123456789012:task-definition/sample-fargate:1', deploymentConfiguration: { maximumPercent: 200, minimumHealthyPercent: 100 },
          deployments: [{
            id: HOST, status: 'PRIMARY', taskDefinition: 'arn:aws:ecs:us-west-2:123456789012:task-definition/sample-fargate:1', desiredCount: 2, pendingCount: 0, runningCount: 0,
            createdAt: 1557119253.821, updatedAt: 1557119253.821, launchType: 'FARGATE',
            // LATEST was 1.3.0 when the example was written; it is 1.4.0 now.
            platformVersion: '1.4.0', networkConfiguration: awsvpc,
          }],
          roleArn: 'arn:aws:iam::123456789012:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS',
          events: [], createdAt: 1557119253.821, placementConstraints: [], placementStrategy: [], networkConfiguration: awsvpc, schedulingStrategy: 'REPLICA',
          tags: [{ key: 'key1', value: 'value1' }, { key: 'key2', value: 'value2' }, { key: 'key3', value: 'value3' }],
          enableECSManagedTags: false, propagateTags: 'NONE',
        },
      });
    } finally {
      ok(aws('ecs', 'delete-service', '--cluster', 'MyCluster', '--service', 'MyService', '--force'));
    }
  });

  it('create-service example 4 (role with a load balancer): roleArn echoed; without one refused', () => {
    // A classic load balancer name (loadBalancerName) is what the example uses; Wharf serves Application Load Balancers only.
    const r = aws('ecs', 'create-service', '--cluster', 'MyCluster', '--service-name', 'ecs-simple-service-elb', '--task-definition', 'sleep360',
      '--desired-count', '0', '--role', 'ecsServiceRole');
    failed(r, 'InvalidParameterException', 'You cannot specify an IAM role for services that require a service linked role.');
  });
});

describe('AWS CLI ECS examples: capacity providers, endpoints', () => {
  it('describe-capacity-providers (FARGATE and FARGATE_SPOT exist in every account), put-cluster-capacity-providers', () => {
    const d = ok(aws('ecs', 'describe-capacity-providers', '--capacity-providers', 'FARGATE', 'FARGATE_SPOT'));
    documented(d, {
      capacityProviders: [
        { capacityProviderArn: 'arn:aws:ecs:us-west-2:123456789012:capacity-provider/FARGATE', name: 'FARGATE', status: 'ACTIVE', tags: [] },
        { capacityProviderArn: 'arn:aws:ecs:us-west-2:123456789012:capacity-provider/FARGATE_SPOT', name: 'FARGATE_SPOT', status: 'ACTIVE', tags: [] },
      ],
      failures: [],
    });
    ok(aws('ecs', 'create-cluster', '--cluster-name', 'CapacityCluster'));
    const p = ok(aws('ecs', 'put-cluster-capacity-providers', '--cluster', 'CapacityCluster', '--capacity-providers', 'FARGATE', 'FARGATE_SPOT',
      '--default-capacity-provider-strategy', 'capacityProvider=FARGATE,weight=1', 'capacityProvider=FARGATE_SPOT,weight=1'));
    documented(p, {
      cluster: {
        clusterArn: 'arn:aws:ecs:us-west-2:123456789012:cluster/CapacityCluster', clusterName: 'CapacityCluster', status: 'ACTIVE',
        registeredContainerInstancesCount: 0, runningTasksCount: 0, pendingTasksCount: 0, activeServicesCount: 0, statistics: [], tags: [],
        capacityProviders: ['FARGATE', 'FARGATE_SPOT'],
        defaultCapacityProviderStrategy: [{ capacityProvider: 'FARGATE', weight: 1, base: 0 }, { capacityProvider: 'FARGATE_SPOT', weight: 1, base: 0 }],
      },
    });
    // Removing them: the strategy goes with them, and so do both members.
    const none = ok(aws('ecs', 'put-cluster-capacity-providers', '--cluster', 'CapacityCluster', '--capacity-providers', '--default-capacity-provider-strategy'));
    absent(none.cluster, ['capacityProviders', 'defaultCapacityProviderStrategy'], 'cluster');
  });
});

describe('ECS\'s words for common validation errors', () => {
  it('launch type enum, launch type with a strategy, a definition that does not support FARGATE, empty instance lists', () => {
    ok(aws('ecs', 'register-task-definition', '--family', 'ec2only', '--requires-compatibilities', 'EC2', '--container-definitions', '[{"name":"c","image":"busybox","memory":16}]'));
    failed(aws('ecs', 'run-task', '--cluster', 'MyCluster', '--task-definition', 'ec2only', '--launch-type', 'SPOT'), 'InvalidParameterException', 'launch type should be one of [EC2,FARGATE,EXTERNAL]');
    failed(aws('ecs', 'run-task', '--cluster', 'MyCluster', '--task-definition', 'ec2only', '--launch-type', 'EC2', '--capacity-provider-strategy', 'capacityProvider=FARGATE,weight=1'),
      'InvalidParameterException', 'Specifying both a launch type and capacity provider strategy is not supported. Remove one and try again.');
    failed(aws('ecs', 'run-task', '--cluster', 'MyCluster', '--task-definition', 'ec2only', '--launch-type', 'FARGATE'), 'InvalidParameterException', 'Task definition does not support launch_type FARGATE.');
    failed(aws('ecs', 'describe-container-instances', '--cluster', 'MyCluster', '--container-instances'), 'ClientException', 'Container Instances cannot be empty.');
    failed(aws('ecs', 'start-task', '--cluster', 'MyCluster', '--task-definition', 'ec2only', '--container-instances'), 'ClientException', 'Container Instances cannot be empty.');
  });

  it('CreateService: DAEMON with a desired count, role without load balancers', () => {
    failed(aws('ecs', 'create-service', '--cluster', 'MyCluster', '--service-name', 'd', '--task-definition', 'ec2only', '--scheduling-strategy', 'DAEMON', '--desired-count', '1'),
      'InvalidParameterException', 'The daemon scheduling strategy does not support a desired count for services. Remove the desired count value and try again');
    failed(aws('ecs', 'create-service', '--cluster', 'MyCluster', '--service-name', 'r', '--task-definition', 'ec2only', '--desired-count', '0', '--role', 'ecsServiceRole'),
      'InvalidParameterException', 'You cannot specify an IAM role for services that require a service linked role.');
    const names = (ok(aws('ecs', 'list-services', '--cluster', 'MyCluster')).serviceArns as string[]).map((a) => a.split('/').pop());
    assert.ok(!names.includes('d') && !names.includes('r'), `nothing was created: ${names.join(', ')}`);
  });

  it('DiscoverPollEndpoint answers the endpoints an agent connects to', () => {
    const out = ok(aws('ecs', 'discover-poll-endpoint', '--cluster', 'MyCluster'));
    assert.deepEqual(Object.keys(out).sort(), ['endpoint', 'telemetryEndpoint']);
    assert.equal(out.endpoint, `${server.endpoint}/`);
  });
});
