/**
 * Every region (issue 21): the region in the SigV4 credential scope selects a namespace, as at AWS.
 * Driven with /usr/bin/aws in three regions against one real server; a real agent joins a cluster in a
 * non-default region and runs a real container from that region's registry.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServerProcess, type TestServer, type AwsResult } from '../support/server.js';
import { startAgent, type AgentProcess, removeClusterContainers } from '../support/agent-process.js';
import { signedFetch } from '../support/signed-fetch.js';
import { buildBusyboxImage, pushToRegistry } from '../support/images.js';

const REGIONS = ['us-east-1', 'eu-west-1', 'ap-southeast-2'] as const;
const cluster = `regions-${process.pid}`;
let server: TestServer;
const agents: AgentProcess[] = [];
const work = mkdtempSync(join(tmpdir(), 'wharf-regions-'));

const aws = (region: string, args: string[]): AwsResult => {
  const r = server.aws(['--region', region, ...args]);
  return r;
};
const ok = (r: AwsResult): any => {
  assert.equal(r.status, 0, r.stderr);
  return r.json;
};

before(async () => {
  server = await startServerProcess();
});

after(async () => {
  for (const a of agents) { await a.kill('SIGKILL'); a.cleanup(); }
  await removeClusterContainers(cluster);
  await server.stop();
  server.cleanup();
  rmSync(work, { recursive: true, force: true });
});

async function until(cond: () => Promise<boolean> | boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}\nagent: ${agents.flatMap((a) => a.output.slice(-15)).join('\n')}\nserver: ${server.output.slice(-15).join('\n')}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('every region is served, each its own namespace', () => {
  it('the same names coexist in three regions, with ARNs in their own region', () => {
    const td = join(work, 'td.json');
    writeFileSync(td, JSON.stringify({ family: 'same', containerDefinitions: [{ name: 'c', image: 'busybox', memory: 16 }] }));
    for (const region of REGIONS) {
      const c = ok(aws(region, ['ecs', 'create-cluster', '--cluster-name', cluster])).cluster;
      assert.equal(c.clusterArn, `arn:aws:ecs:${region}:000000000000:cluster/${cluster}`);
      const d = ok(aws(region, ['ecs', 'register-task-definition', '--cli-input-json', `file://${td}`])).taskDefinition;
      assert.equal(d.taskDefinitionArn, `arn:aws:ecs:${region}:000000000000:task-definition/same:1`, 'each region numbers its own revisions');
      const repo = ok(aws(region, ['ecr', 'create-repository', '--repository-name', 'same/repo'])).repository;
      assert.equal(repo.repositoryArn, `arn:aws:ecr:${region}:000000000000:repository/same/repo`);
      ok(aws(region, ['logs', 'create-log-group', '--log-group-name', '/same/group']));
      const tg = ok(aws(region, ['elbv2', 'create-target-group', '--name', 'same-tg', '--protocol', 'HTTP', '--port', '80', '--target-type', 'ip', '--vpc-id', 'vpc-wharf'])).TargetGroups[0];
      assert.match(tg.TargetGroupArn, new RegExp(`^arn:aws:elasticloadbalancing:${region}:000000000000:targetgroup/same-tg/`));
      ok(aws(region, ['cloudwatch', 'put-metric-alarm', '--alarm-name', 'same-alarm', '--namespace', 'Wharf/Test', '--metric-name', `m-${region}`,
        '--statistic', 'Average', '--period', '60', '--evaluation-periods', '1', '--threshold', '1', '--comparison-operator', 'GreaterThanThreshold']));
    }
    for (const region of REGIONS) {
      assert.deepEqual(ok(aws(region, ['ecs', 'list-clusters'])).clusterArns, [`arn:aws:ecs:${region}:000000000000:cluster/${cluster}`]);
      assert.deepEqual(ok(aws(region, ['ecs', 'list-task-definitions'])).taskDefinitionArns, [`arn:aws:ecs:${region}:000000000000:task-definition/same:1`]);
      const repos = ok(aws(region, ['ecr', 'describe-repositories'])).repositories;
      assert.deepEqual(repos.map((r: { repositoryArn: string }) => r.repositoryArn), [`arn:aws:ecr:${region}:000000000000:repository/same/repo`]);
      const groups = ok(aws(region, ['logs', 'describe-log-groups'])).logGroups;
      assert.deepEqual(groups.map((g: { arn: string }) => g.arn), [`arn:aws:logs:${region}:000000000000:log-group:/same/group:*`]);
      const alarms = ok(aws(region, ['cloudwatch', 'describe-alarms'])).MetricAlarms;
      assert.deepEqual(alarms.map((a: { AlarmArn: string; MetricName: string }) => [a.AlarmArn, a.MetricName]), [[`arn:aws:cloudwatch:${region}:000000000000:alarm:same-alarm`, `m-${region}`]]);
      assert.equal(ok(aws(region, ['elbv2', 'describe-target-groups'])).TargetGroups.length, 1);
    }
  });

  it("one region's resources are invisible from another, and deleting there leaves the others", () => {
    const unique = `only-eu-${process.pid}`;
    ok(aws('eu-west-1', ['ecs', 'create-cluster', '--cluster-name', unique]));
    const missing = ok(aws('us-east-1', ['ecs', 'describe-clusters', '--clusters', unique]));
    assert.deepEqual(missing.failures, [{ arn: `arn:aws:ecs:us-east-1:000000000000:cluster/${unique}`, reason: 'MISSING' }]);
    const notThere = aws('us-east-1', ['ecr', 'describe-repositories', '--repository-names', 'nope/eu-only']);
    assert.notEqual(notThere.status, 0);
    ok(aws('eu-west-1', ['ecs', 'delete-cluster', '--cluster', unique]));
    ok(aws('eu-west-1', ['logs', 'delete-log-group', '--log-group-name', '/same/group']));
    assert.deepEqual(ok(aws('eu-west-1', ['logs', 'describe-log-groups'])).logGroups, []);
    for (const region of ['us-east-1', 'ap-southeast-2']) assert.equal(ok(aws(region, ['logs', 'describe-log-groups'])).logGroups.length, 1, region);
  });

  it('a signature whose scope names another region than the one signed fails as at AWS', async () => {
    const body = '{}';
    const headers = { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AmazonEC2ContainerServiceV20141113.ListClusters' };
    const good = await signedFetch(server.endpoint, server.credentials, { region: 'eu-west-1', headers, body });
    assert.equal(good.status, 200, good.text);
    const swapped = await signedFetch(server.endpoint, server.credentials, {
      region: 'eu-west-1', headers, body,
      tamper: (r) => { r.headers.authorization = r.headers.authorization.replace('/eu-west-1/', '/us-east-1/'); },
    });
    assert.equal(swapped.status, 403);
    assert.equal(swapped.json.__type, 'InvalidSignatureException');
    assert.match(swapped.json.message, /^The request signature we calculated does not match the signature you provided/);
    const bogus = await signedFetch(server.endpoint, server.credentials, { region: 'Not_A_Region', headers, body });
    assert.equal(bogus.status, 403);
    assert.equal(bogus.json.__type, 'InvalidSignatureException');
    assert.match(bogus.json.message, /Credential should be scoped to a valid region/);
  });

  it('a task runs in eu-west-1 on a real agent, from eu-west-1\'s registry, and is seen only there', async () => {
    const region = 'eu-west-1';
    const repo = ok(aws(region, ['ecr', 'create-repository', '--repository-name', 'regions/busybox'])).repository;
    const image = `${repo.repositoryUri}:1`;
    // A token from eu-west-1 pushes to (and the agent pulls from) eu-west-1's repositories.
    const password = aws(region, ['ecr', 'get-login-password']).stdout.trim();
    assert.ok(password.length > 20);
    const built = await buildBusyboxImage(join(work, 'img'));
    await pushToRegistry(built.layoutDir, image, { creds: { username: 'AWS', password } });
    assert.equal(ok(aws(region, ['ecr', 'list-images', '--repository-name', 'regions/busybox'])).imageIds.length, 1);
    assert.notEqual(aws('us-east-1', ['ecr', 'list-images', '--repository-name', 'regions/busybox']).status, 0, 'not in us-east-1');

    agents.push(await startAgent(server, { cluster, region, name: 'eu', cpu: 1024, memory: 512, stopTimeout: 1 }));
    await until(() => ok(aws(region, ['ecs', 'list-container-instances', '--cluster', cluster])).containerInstanceArns.length === 1, 60_000, 'the agent joins eu-west-1');
    const instances = ok(aws(region, ['ecs', 'list-container-instances', '--cluster', cluster])).containerInstanceArns;
    assert.match(instances[0], new RegExp(`^arn:aws:ecs:${region}:000000000000:container-instance/${cluster}/`));
    for (const other of ['us-east-1', 'ap-southeast-2']) {
      assert.deepEqual(ok(aws(other, ['ecs', 'list-container-instances', '--cluster', cluster])).containerInstanceArns, [], `no instance in ${other}`);
    }

    const td = join(work, 'eu.json');
    writeFileSync(td, JSON.stringify({ family: 'eu-sleeper', containerDefinitions: [{ name: 'main', image, memory: 32, command: ['sleep', '300'] }] }));
    ok(aws(region, ['ecs', 'register-task-definition', '--cli-input-json', `file://${td}`]));
    const run = ok(aws(region, ['ecs', 'run-task', '--cluster', cluster, '--task-definition', 'eu-sleeper']));
    assert.deepEqual(run.failures, []);
    const arn = run.tasks[0].taskArn as string;
    assert.match(arn, new RegExp(`^arn:aws:ecs:${region}:000000000000:task/${cluster}/[0-9a-f]{32}$`));
    const wait = aws(region, ['ecs', 'wait', 'tasks-running', '--cluster', cluster, '--tasks', arn]);
    assert.equal(wait.status, 0, wait.stderr + agents[0].output.slice(-20).join('\n'));
    assert.deepEqual(ok(aws('us-east-1', ['ecs', 'list-tasks', '--cluster', cluster])).taskArns, []);
    ok(aws(region, ['ecs', 'stop-task', '--cluster', cluster, '--task', arn]));
    const stopped = aws(region, ['ecs', 'wait', 'tasks-stopped', '--cluster', cluster, '--tasks', arn]);
    assert.equal(stopped.status, 0, stopped.stderr);
  });
});
