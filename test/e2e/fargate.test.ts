/**
 * Issue 11, FARGATE end to end: a real `wharf server` whose managed pool starts real `wharf agent`
 * processes, real Podman containers, an image pushed to Wharf's own registry, and the AWS CLI and SDK
 * driving ECS as a Fargate user would. No agent of the test's own joins the cluster: every task runs on
 * the pool the server starts and supervises itself.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateClusterCommand, RegisterTaskDefinitionCommand, RunTaskCommand, DescribeTasksCommand, StopTaskCommand, ListContainerInstancesCommand,
  DescribeClustersCommand, PutClusterCapacityProvidersCommand, CreateServiceCommand, DescribeServicesCommand, ListTasksCommand, UpdateServiceCommand,
  DeleteServiceCommand, type Task,
} from '@aws-sdk/client-ecs';
import { ECRClient, CreateRepositoryCommand } from '@aws-sdk/client-ecr';
import { CloudWatchClient, GetMetricStatisticsCommand } from '@aws-sdk/client-cloudwatch';
import { startServerProcess, cliEntry, testEnv, type TestServer } from '../support/server.js';
import { removeClusterContainers } from '../support/agent-process.js';
import { buildBusyboxImage, pushToRegistry } from '../support/images.js';
import { containerLogs } from '../support/runtime.js';

const cluster = `e2e-fargate-${process.pid}`;
let server: TestServer;
let image: string;
const work = mkdtempSync(join(tmpdir(), 'wharf-fargate-'));
// The default VPC's subnet, looked up, and a security group made, as the developer guide's walkthrough does.
let subnet: string;
let sg: string;

before(async () => {
  server = await startServerProcess({ env: {
    // Small pool hosts, so the pool has to grow; idle hosts stop after 3 s so the test sees it shrink.
    WHARF_FARGATE_HOST_CPU: '1024', WHARF_FARGATE_HOST_MEMORY: '4096', WHARF_FARGATE_IDLE_MS: '3000',
    WHARF_FARGATE_AGENT_ARGS: '--stop-timeout 2', WHARF_FARGATE_WARM_HOSTS: '1',
  } });
  const ecs = server.ecs();
  await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
  const vpcId = server.aws(['ec2', 'describe-vpcs', '--filters', 'Name=is-default,Values=true']).json.Vpcs[0].VpcId as string;
  subnet = server.aws(['ec2', 'describe-subnets', '--filters', `Name=vpc-id,Values=${vpcId}`, 'Name=default-for-az,Values=true']).json.Subnets[0].SubnetId;
  // The walkthrough's security group: HTTP open to the world (the default group admits only its own members).
  const made = server.aws(['ec2', 'create-security-group', '--group-name', 'sample-fargate-web', '--description', 'HTTP for sample-fargate', '--vpc-id', vpcId]);
  assert.equal(made.status, 0, made.stderr);
  sg = made.json.GroupId;
  const open = server.aws(['ec2', 'authorize-security-group-ingress', '--group-id', sg, '--protocol', 'tcp', '--port', '80', '--cidr', '0.0.0.0/0']);
  assert.equal(open.status, 0, open.stderr);
  const ecr = new ECRClient({ endpoint: server.endpoint, region: 'us-east-1', credentials: server.credentials });
  const repo = await ecr.send(new CreateRepositoryCommand({ repositoryName: 'e2e/fargate' }));
  image = `${repo.repository!.repositoryUri}:1`;
  const built = await buildBusyboxImage(join(work, 'img'));
  await pushToRegistry(built.layoutDir, image, { creds: { username: server.credentials.accessKeyId, password: server.credentials.secretAccessKey } });
});

after(async () => {
  await server.stop();
  await removeClusterContainers(cluster);
  server.cleanup();
  rmSync(work, { recursive: true, force: true });
});

async function until<T>(get: () => Promise<T>, ok: (v: T) => boolean, ms: number, what: string): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await get();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms: ${what} (last: ${JSON.stringify(v, (k, x) => (k === 'containers' ? undefined : x)).slice(0, 600)})`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const describe1 = async (arn: string): Promise<Task> => (await server.ecs().send(new DescribeTasksCommand({ cluster, tasks: [arn] }))).tasks![0];

/**
 * AWS's "sample-fargate" task definition from the ECS developer guide (Fargate Linux task with the AWS
 * CLI), unchanged but for its image (a local busybox, no internet here) and the command that image needs
 * to serve the same page.
 */
const sampleFargate = () => ({
  family: 'sample-fargate',
  networkMode: 'awsvpc',
  containerDefinitions: [{
    name: 'fargate-app', image, essential: true,
    portMappings: [{ containerPort: 80, hostPort: 80, protocol: 'tcp' }],
    entryPoint: ['sh', '-c'],
    command: ["mkdir -p /www && echo '<html> <head> <title>Amazon ECS Sample App</title></head><body><h1>Amazon ECS Sample App</h1></body></html>' > /www/index.html && exec httpd -f -p 80 -h /www"],
  }],
  requiresCompatibilities: ['FARGATE'],
  cpu: '256',
  memory: '512',
});

describe('FARGATE launch type and capacity providers', () => {
  it('lists the two Fargate capacity providers every account has', () => {
    const r = server.aws(['ecs', 'describe-capacity-providers']);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(r.json.capacityProviders.map((p: { name: string }) => p.name), ['FARGATE', 'FARGATE_SPOT']);
    assert.equal(r.json.capacityProviders[0].status, 'ACTIVE');
    assert.match(r.json.capacityProviders[0].capacityProviderArn, /^arn:aws:ecs:us-east-1:\d{12}:capacity-provider\/FARGATE$/);
  });

  it('refuses bad input with ECS\'s errors and creates nothing', async () => {
    const ec2Only = server.aws(['ecs', 'register-task-definition', '--family', 'bridge-only', '--container-definitions', JSON.stringify([{ name: 'c', image, memory: 64 }])]);
    assert.equal(ec2Only.status, 0, ec2Only.stderr);
    server.aws(['ecs', 'register-task-definition', '--cli-input-json', JSON.stringify(sampleFargate())]);
    const net = `awsvpcConfiguration={subnets=[${subnet}],securityGroups=[${sg}],assignPublicIp=ENABLED}`;
    const cases: [string[], RegExp][] = [
      [['--launch-type', 'FARGATE', '--task-definition', 'bridge-only', '--network-configuration', net], /InvalidParameterException.*Task definition does not support launch_type FARGATE\./],
      [['--capacity-provider-strategy', 'capacityProvider=FARGATE,weight=1', '--task-definition', 'sample-fargate', '--network-configuration', net], /InvalidParameterException.*not associated with the cluster/],
      [['--launch-type', 'FARGATE', '--capacity-provider-strategy', 'capacityProvider=FARGATE,weight=1', '--task-definition', 'sample-fargate', '--network-configuration', net], /InvalidParameterException.*Specifying both a launch type and capacity provider strategy is not supported/],
      [['--launch-type', 'FARGATE', '--task-definition', 'sample-fargate'], /InvalidParameterException.*Network Configuration must be provided when networkMode 'awsvpc' is specified\./],
      [['--launch-type', 'FARGATE', '--task-definition', 'sample-fargate', '--network-configuration', net, '--platform-version', '9.9.9'], /InvalidParameterException.*platform version/],
      [['--launch-type', 'FARGATE', '--task-definition', 'sample-fargate', '--network-configuration', 'awsvpcConfiguration={subnets=[subnet-0a1b2c3d]}'],
        /InvalidParameterException.*Error retrieving subnet information for \[subnet-0a1b2c3d\]: The subnet ID 'subnet-0a1b2c3d' does not exist \(ErrorCode: InvalidSubnetID.NotFound\)/],
      [['--launch-type', 'FARGATE', '--task-definition', 'sample-fargate', '--network-configuration', `awsvpcConfiguration={subnets=[${subnet}],securityGroups=[sg-0a1b2c3d]}`],
        /InvalidParameterException.*The security group 'sg-0a1b2c3d' does not exist/],
    ];
    for (const [args, want] of cases) {
      const r = server.aws(['ecs', 'run-task', '--cluster', cluster, ...args]);
      assert.notEqual(r.status, 0, `expected ${want} for ${args.join(' ')}`);
      assert.match(r.stderr, want);
    }
    const left = await server.ecs().send(new ListTasksCommand({ cluster, desiredStatus: 'RUNNING' }));
    assert.deepEqual(left.taskArns, []);
  });

  it('runs the AWS documentation example with `aws ecs run-task --launch-type FARGATE --network-configuration …` on the managed pool', async () => {
    const run = server.aws(['ecs', 'run-task', '--cluster', cluster, '--task-definition', 'sample-fargate', '--count', '1', '--launch-type', 'FARGATE',
      '--network-configuration', `awsvpcConfiguration={subnets=[${subnet}],securityGroups=[${sg}],assignPublicIp=ENABLED}`]);
    assert.equal(run.status, 0, run.stderr);
    const t0 = run.json.tasks[0];
    assert.equal(t0.lastStatus, 'PROVISIONING');
    assert.equal(t0.launchType, 'FARGATE');
    assert.equal(t0.containerInstanceArn, undefined);
    // A cold pool: the first host (a new agent process) starts first — ~30 s on two loaded cores.
    const t = await until(() => describe1(t0.taskArn), (x) => x.lastStatus === 'RUNNING', 90_000, 'the Fargate task RUNNING');
    assert.equal(t.launchType, 'FARGATE');
    assert.equal(t.containerInstanceArn, undefined, 'a Fargate task never shows a container instance');
    assert.equal(t.platformVersion, '1.4.0', 'LATEST resolves to 1.4.0');
    assert.equal(t.platformFamily, 'Linux');
    assert.deepEqual(t.ephemeralStorage, { sizeInGiB: 20 });
    assert.ok(t.availabilityZone);
    assert.ok(t.pullStartedAt && t.pullStoppedAt && t.pullStoppedAt >= t.pullStartedAt);
    assert.equal(t.cpu, '256');
    assert.equal(t.memory, '512');
    // The pool's hosts are not the user's container instances.
    assert.deepEqual((await server.ecs().send(new ListContainerInstancesCommand({ cluster }))).containerInstanceArns, []);
    const c = (await server.ecs().send(new DescribeClustersCommand({ clusters: [cluster], include: ['STATISTICS'] }))).clusters![0];
    assert.equal(c.registeredContainerInstancesCount, 0);
    assert.equal(c.statistics!.find((s) => s.name === 'runningFargateTasksCount')?.value, '1');
    // Its own elastic network interface in the subnet, as ECS shows it; the zone is the subnet's.
    const eni = t.attachments?.find((a) => a.type === 'ElasticNetworkInterface');
    assert.equal(eni?.status, 'ATTACHED', JSON.stringify(t.attachments));
    const detail = (n: string) => eni!.details!.find((d) => d.name === n)?.value;
    assert.equal(detail('subnetId'), subnet);
    assert.match(detail('networkInterfaceId') ?? '', /^eni-[0-9a-f]+$/);
    const ip = detail('privateIPv4Address')!;
    assert.match(ip, /^10\.\d+\.\d+\.\d+$/);
    assert.deepEqual(t.containers![0].networkInterfaces, [{ attachmentId: eni!.id, privateIpv4Address: ip }]);
    const subnetRec = server.aws(['ec2', 'describe-subnets', '--subnet-ids', subnet]).json.Subnets[0];
    assert.equal(t.availabilityZone, subnetRec.AvailabilityZone);
    assert.deepEqual(t.containers![0].networkBindings?.map((b) => [b.containerPort, b.hostPort]) ?? [], [], 'awsvpc: no host port bindings');
    // The page the definition serves answers on the task's own address (the host routes to the subnet).
    const body = await (await fetch(`http://${ip}/`)).text();
    assert.match(body, /Amazon ECS Sample App/);
    const enis = server.aws(['ec2', 'describe-network-interfaces', '--network-interface-ids', detail('networkInterfaceId')!]);
    assert.equal(enis.status, 0, enis.stderr);
    assert.equal(enis.json.NetworkInterfaces[0].PrivateIpAddress, ip);
    await server.ecs().send(new StopTaskCommand({ cluster, task: t.taskArn }));
    const stopped = await until(() => describe1(t.taskArn!), (x) => x.lastStatus === 'STOPPED', 30_000, 'the Fargate task STOPPED');
    assert.equal(stopped.stopCode, 'UserInitiated');
    assert.equal(stopped.attachments?.find((a) => a.type === 'ElasticNetworkInterface')?.status, 'DELETED');
    // The address went back to the subnet with the STOPPED report.
    const gone = server.aws(['ec2', 'describe-network-interfaces', '--filters', `Name=addresses.private-ip-address,Values=${ip}`]);
    assert.equal(gone.status, 0, gone.stderr);
    assert.deepEqual(gone.json.NetworkInterfaces, []);
  });

  it('refuses FARGATE launches the pool cannot serve with Fargate\'s capacity failure, and creates nothing', async () => {
    // The managed pool serves the server's configured region only: another region has no Fargate capacity.
    const other = ['--region', 'eu-west-1'];
    assert.equal(server.aws(['ecs', 'create-cluster', '--cluster-name', cluster, ...other]).status, 0);
    assert.equal(server.aws(['ecs', 'register-task-definition', '--cli-input-json', JSON.stringify(sampleFargate()), ...other]).status, 0);
    // (A region's default VPC is made when the region is first used.)
    const vpcId = (await until(async () => server.aws(['ec2', 'describe-vpcs', '--filters', 'Name=is-default,Values=true', ...other]).json?.Vpcs ?? [],
      (v) => v.length === 1, 30_000, 'the eu-west-1 default VPC'))[0].VpcId as string;
    const otherSubnet = server.aws(['ec2', 'describe-subnets', '--filters', `Name=vpc-id,Values=${vpcId}`, ...other]).json.Subnets[0].SubnetId as string;
    const run = server.aws(['ecs', 'run-task', '--cluster', cluster, '--task-definition', 'sample-fargate', '--count', '2', '--launch-type', 'FARGATE',
      '--network-configuration', `awsvpcConfiguration={subnets=[${otherSubnet}]}`, ...other]);
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(run.json.tasks, []);
    assert.deepEqual(run.json.failures, [
      { reason: 'Capacity is unavailable at this time. Please try again later or in a different availability zone' },
      { reason: 'Capacity is unavailable at this time. Please try again later or in a different availability zone' },
    ]);
    assert.deepEqual(server.aws(['ecs', 'list-tasks', '--cluster', cluster, ...other]).json.taskArns, []);
  });

  it('spreads tasks over a capacity provider strategy by base, then weight', async () => {
    const put = server.aws(['ecs', 'put-cluster-capacity-providers', '--cluster', cluster, '--capacity-providers', 'FARGATE', 'FARGATE_SPOT',
      '--default-capacity-provider-strategy', 'capacityProvider=FARGATE,base=1,weight=1', 'capacityProvider=FARGATE_SPOT,weight=3']);
    assert.equal(put.status, 0, put.stderr);
    assert.deepEqual(put.json.cluster.capacityProviders, ['FARGATE', 'FARGATE_SPOT']);
    // No launch type, no strategy: the cluster's default strategy applies. 1 (base) + 4 split 1:3.
    const run = await server.ecs().send(new RunTaskCommand({ cluster, taskDefinition: 'sample-fargate', count: 5,
      networkConfiguration: { awsvpcConfiguration: { subnets: [subnet], securityGroups: [sg] } } }));
    const names = run.tasks!.map((x) => x.capacityProviderName).sort();
    assert.deepEqual(names, ['FARGATE', 'FARGATE', 'FARGATE_SPOT', 'FARGATE_SPOT', 'FARGATE_SPOT']);
    assert.ok(run.tasks!.every((x) => x.launchType === 'FARGATE'));
    // Five tasks of 256 units need two pool hosts of 1024: the pool grows to run them all.
    const arns: string[] = run.tasks!.map((x) => x.taskArn!);
    await until(async () => (await server.ecs().send(new DescribeTasksCommand({ cluster, tasks: arns }))).tasks!, (ts) => ts.every((x) => x.lastStatus === 'RUNNING'), 90_000, 'five Fargate tasks RUNNING');
    for (const a of arns) await server.ecs().send(new StopTaskCommand({ cluster, task: a }));
    await until(async () => (await server.ecs().send(new DescribeTasksCommand({ cluster, tasks: arns }))).tasks!, (ts) => ts.every((x) => x.lastStatus === 'STOPPED'), 30_000, 'five tasks STOPPED');
  });

  it('runs a FARGATE service by capacity provider strategy and keeps it at its desired count', async () => {
    const ecs = server.ecs();
    const created = await ecs.send(new CreateServiceCommand({ cluster, serviceName: 'web', taskDefinition: 'sample-fargate', desiredCount: 2,
      capacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }],
      networkConfiguration: { awsvpcConfiguration: { subnets: [subnet], securityGroups: [sg] } } }));
    assert.deepEqual(created.service!.capacityProviderStrategy, [{ capacityProvider: 'FARGATE_SPOT', base: 0, weight: 1 }]);
    assert.equal(created.service!.platformVersion, 'LATEST');
    await until(async () => (await ecs.send(new DescribeServicesCommand({ cluster, services: ['web'] }))).services![0], (s) => s.runningCount === 2 && s.deployments!.length === 1 && s.deployments![0].rolloutState === 'COMPLETED', 90_000, 'service web steady at 2');
    const arns = (await ecs.send(new ListTasksCommand({ cluster, serviceName: 'web' }))).taskArns!;
    const tasks = (await ecs.send(new DescribeTasksCommand({ cluster, tasks: arns }))).tasks!;
    assert.ok(tasks.every((x) => x.capacityProviderName === 'FARGATE_SPOT' && x.launchType === 'FARGATE' && x.group === 'service:web'));
    // An update to a definition that cannot run on Fargate is refused with ECS's words.
    await assert.rejects(ecs.send(new UpdateServiceCommand({ cluster, service: 'web', taskDefinition: 'bridge-only' })), /Task definition does not support launch_type FARGATE\./);
    await ecs.send(new DeleteServiceCommand({ cluster, service: 'web', force: true }));
  });

  it('interrupts a FARGATE_SPOT task as AWS does (SIGTERM, stop after the warning) and the service replaces it', async () => {
    const ecs = server.ecs();
    await ecs.send(new PutClusterCapacityProvidersCommand({ cluster, capacityProviders: ['FARGATE', 'FARGATE_SPOT'], defaultCapacityProviderStrategy: [] }));
    // The container notes when SIGTERM arrives and keeps running, so only the end of the warning stops it.
    await ecs.send(new RegisterTaskDefinitionCommand({ family: 'spot-worker', networkMode: 'awsvpc', requiresCompatibilities: ['FARGATE'], cpu: '256', memory: '512',
      containerDefinitions: [{ name: 'worker', image, essential: true, command: ['sh', '-c', "trap 'echo SIGTERM at $(date +%s)' TERM; echo started; while true; do sleep 1; done"] }] }));
    await ecs.send(new CreateServiceCommand({ cluster, serviceName: 'spot', taskDefinition: 'spot-worker', desiredCount: 1,
      capacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }],
      networkConfiguration: { awsvpcConfiguration: { subnets: [subnet], securityGroups: [sg] } } }));
    const svc = () => ecs.send(new DescribeServicesCommand({ cluster, services: ['spot'] })).then((r) => r.services![0]);
    await until(svc, (s) => s.runningCount === 1 && s.deployments![0].rolloutState === 'COMPLETED', 90_000, 'spot service steady');
    const [victim] = (await ecs.send(new ListTasksCommand({ cluster, serviceName: 'spot' }))).taskArns!;
    const grace = 6;
    const cli = spawnSync(process.execPath, [cliEntry, 'spot', 'interrupt', victim, '--cluster', cluster, '--grace', String(grace), '--endpoint-url', server.endpoint],
      { env: testEnv(server.credentials), encoding: 'utf8' });
    assert.equal(cli.status, 0, cli.stderr + cli.stdout);
    assert.match(cli.stdout, /interrupted .*SIGTERM sent/);
    const interruptedAt = Date.now();
    // During the warning: desired STOPPED with AWS's notice; RUNNING, or STOPPING once the SIGTERM is out.
    const warned = await describe1(victim);
    assert.ok(['RUNNING', 'STOPPING'].includes(warned.lastStatus!), warned.lastStatus);
    assert.equal(warned.desiredStatus, 'STOPPED');
    assert.equal(warned.stopCode, 'TerminationNotice');
    assert.equal(warned.stoppedReason, 'Your Spot Task was interrupted.');
    const stopped = await until(() => describe1(victim), (x) => x.lastStatus === 'STOPPED', 60_000, 'the interrupted task STOPPED');
    assert.equal(stopped.stopCode, 'TerminationNotice');
    assert.equal(stopped.stoppedReason, 'Your Spot Task was interrupted.');
    const logs = await containerLogs(stopped.containers![0].runtimeId!);
    const term = Number(/SIGTERM at (\d+)/.exec(logs)?.[1]) * 1000;
    assert.ok(term > 0, `the container saw SIGTERM (logs: ${logs})`);
    assert.ok(term <= interruptedAt + 3000, 'SIGTERM arrives at the interruption');
    assert.ok(stopped.stoppedAt!.getTime() - term >= (grace - 1) * 1000, `the task stops only after the ${grace} s warning (SIGTERM ${term}, stopped ${stopped.stoppedAt!.getTime()})`);
    // The service replaces it.
    const replaced = await until(async () => (await ecs.send(new ListTasksCommand({ cluster, serviceName: 'spot', desiredStatus: 'RUNNING' }))).taskArns!, (a) => a.length === 1 && a[0] !== victim, 60_000, 'a replacement task');
    await until(() => describe1(replaced[0]), (x) => x.lastStatus === 'RUNNING' && x.capacityProviderName === 'FARGATE_SPOT', 60_000, 'the replacement RUNNING on FARGATE_SPOT');
    await ecs.send(new DeleteServiceCommand({ cluster, service: 'spot', force: true }));
  });

  it('meters vCPU-seconds and GB-seconds per second within 1 % of wall clock, publishes them to CloudWatch, and `wharf usage` prices them', async () => {
    const ecs = server.ecs();
    const runForMs = 100_000;
    const t0 = Date.now();
    const run = await ecs.send(new RunTaskCommand({ cluster, taskDefinition: 'sample-fargate', launchType: 'FARGATE',
      networkConfiguration: { awsvpcConfiguration: { subnets: [subnet], securityGroups: [sg] } } }));
    const arn = run.tasks![0].taskArn!;
    await until(() => describe1(arn), (x) => x.lastStatus === 'RUNNING', 60_000, 'metered task RUNNING');
    // The task's run time is the thing measured: wait it out, then stop it.
    await new Promise((r) => setTimeout(r, Math.max(0, t0 + runForMs - Date.now())));
    await ecs.send(new StopTaskCommand({ cluster, task: arn }));
    let t1 = 0;
    const t = await until(async () => { const x = await describe1(arn); t1 = Date.now(); return x; }, (x) => x.lastStatus === 'STOPPED', 30_000, 'metered task STOPPED');
    const wall = (t1 - t0) / 1000;
    const billed = Math.ceil((t.stoppedAt!.getTime() - t.pullStartedAt!.getTime()) / 1000);
    assert.ok(Math.abs(billed - wall) / wall <= 0.01, `billed ${billed} s vs wall clock ${wall.toFixed(2)} s`);
    const cw = new CloudWatchClient({ endpoint: server.endpoint, region: 'us-east-1', credentials: server.credentials, maxAttempts: 1 });
    const dims = [{ Name: 'ClusterName', Value: cluster }, { Name: 'TaskId', Value: arn.split('/').pop()! }, { Name: 'CapacityProvider', Value: 'FARGATE' }];
    const sum = async (MetricName: string) => ((await cw.send(new GetMetricStatisticsCommand({ Namespace: 'Wharf/Usage', MetricName, Dimensions: dims,
      StartTime: new Date(t0 - 60_000), EndTime: new Date(Date.now() + 60_000), Period: 3600, Statistics: ['Sum'] }))).Datapoints ?? []).reduce((s, d) => s + (d.Sum ?? 0), 0);
    await until(() => sum('BilledSeconds'), (v) => v === billed, 20_000, 'BilledSeconds published');
    assert.equal(await sum('vCPUSeconds'), billed * 0.25);
    assert.equal(await sum('GBSeconds'), billed * 0.5);
    assert.equal(await sum('EphemeralStorageGBSeconds'), 0);
    const usage = spawnSync(process.execPath, [cliEntry, 'usage', '--cluster', cluster, '--by', 'task', '--since', '1h', '-o', 'json', '--endpoint-url', server.endpoint],
      { env: testEnv(server.credentials), encoding: 'utf8' });
    assert.equal(usage.status, 0, usage.stderr);
    const report = JSON.parse(usage.stdout) as { rows: { task: string; billedSeconds: number; estimatedCostUsd: number }[]; prices: { source: string } };
    const row = report.rows.find((r) => r.task === arn.split('/').pop());
    assert.ok(row, usage.stdout);
    assert.equal(row.billedSeconds, billed);
    assert.ok(Math.abs(row.estimatedCostUsd - billed * (0.25 * 0.04048 + 0.5 * 0.004445) / 3600) < 1e-12);
    assert.match(report.prices.source, /us-east-1/);
  });
});
