/**
 * Issue 11 (awsvpc, the VPC model) end to end: a real `wharf server`, a real `wharf agent` (root, so it
 * wires namespaces, veths, a bridge and nftables), Podman, and the AWS CLI and SDK as a user drives them.
 *
 * Each test server gets its own random default VPC CIDR (test/support/server.ts) so concurrent servers on
 * this machine never put the same router address on two bridges.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateClusterCommand, RegisterTaskDefinitionCommand, RunTaskCommand, DescribeTasksCommand, StopTaskCommand, CreateServiceCommand,
  DescribeServicesCommand, type Task,
} from '@aws-sdk/client-ecs';
import {
  EC2Client, CreateSecurityGroupCommand, AuthorizeSecurityGroupIngressCommand, RevokeSecurityGroupIngressCommand, DescribeNetworkInterfacesCommand,
  DescribeSubnetsCommand,
} from '@aws-sdk/client-ec2';
import {
  ElasticLoadBalancingV2Client, ModifyTargetGroupAttributesCommand, CreateTargetGroupCommand, CreateLoadBalancerCommand, CreateListenerCommand, DescribeTargetHealthCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { startServerProcess, type TestServer } from '../support/server.js';
import { startAgent, type AgentProcess, removeClusterContainers } from '../support/agent-process.js';
import { buildBusyboxImage, loadIntoRuntime } from '../support/images.js';
import { freePort } from './elb-helpers.js';
import { until, httpGet } from '../support/wait.js';

const cluster = `awsvpc-${process.pid}`;
let server: TestServer;
let agent: AgentProcess;
let ec2: EC2Client;
let image: string;
let vpcId: string;
let subnetId: string;
let vpcCidr: string;
let bridge: string;
const work = mkdtempSync(join(tmpdir(), 'wharf-awsvpc-'));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls every `step` ms (200 by default: the security-group test times changes) until `fn` answers; 60 s by default. */
const waitFor = <T>(what: string, fn: () => Promise<T | undefined | false>, ms = 60_000, step = 200): Promise<T> => until(what, fn, ms, step);

const describeTask = async (arn: string): Promise<Task> => (await server.ecs().send(new DescribeTasksCommand({ cluster, tasks: [arn] }))).tasks![0];
async function waitRunning(arn: string): Promise<Task> {
  const t = await waitFor(`${arn} RUNNING`, async () => { const x = await describeTask(arn); return x.lastStatus === 'RUNNING' || x.lastStatus === 'STOPPED' ? x : undefined; }, 90_000);
  if (t.lastStatus !== 'RUNNING') throw new Error(`task stopped: ${t.stopCode} ${t.stoppedReason} ${JSON.stringify(t.containers?.map((c) => c.reason))}`);
  return t;
}
const addressOf = (t: Task) => t.attachments![0].details!.find((d) => d.name === 'privateIPv4Address')!.value!;

async function newGroup(name: string, ingress: { port: [number, number]; cidr?: string; group?: string }[]): Promise<string> {
  const g = (await ec2.send(new CreateSecurityGroupCommand({ GroupName: name, Description: `${name} (e2e)`, VpcId: vpcId }))).GroupId!;
  for (const r of ingress) {
    await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: g, IpPermissions: [{
      IpProtocol: 'tcp', FromPort: r.port[0], ToPort: r.port[1],
      ...(r.cidr ? { IpRanges: [{ CidrIp: r.cidr }] } : {}), ...(r.group ? { UserIdGroupPairs: [{ GroupId: r.group }] } : {}),
    }] }));
  }
  return g;
}

async function register(family: string, containers: object[]): Promise<string> {
  return (await server.ecs().send(new RegisterTaskDefinitionCommand({ family, networkMode: 'awsvpc', containerDefinitions: containers } as never))).taskDefinition!.taskDefinitionArn!;
}

async function run(taskDefinition: string, groups: string[], opts: { count?: number; env?: Record<string, string>; container?: string } = {}): Promise<Task[]> {
  const r = await server.ecs().send(new RunTaskCommand({
    cluster, taskDefinition, count: opts.count ?? 1,
    networkConfiguration: { awsvpcConfiguration: { subnets: [subnetId], securityGroups: groups } },
    overrides: opts.env ? { containerOverrides: [{ name: opts.container ?? 'web', environment: Object.entries(opts.env).map(([name, value]) => ({ name, value })) }] } : undefined,
  }));
  assert.deepEqual(r.failures, []);
  return r.tasks!;
}

const web = (name: string, port: number, extra = '') => ({
  name, image, memory: 32, essential: true, portMappings: [{ containerPort: port }],
  command: ['sh', '-c', `${extra}mkdir -p /www && echo ${name} > /www/index.html && exec httpd -f -p ${port} -h /www`],
});

/**
 * A shell pipeline that prints a page's body and succeeds only if it got one. busybox-static's wget
 * crashes (SIGSEGV) on these machines when connecting, so this speaks HTTP/1.0 through nc.
 */
const fetch = (host: string, port: number) => `printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 1 ${host} ${port} | tail -n 1 | grep .`;

/** Host interfaces enslaved to the subnet's bridge (one veth per attached task). */
const bridgePorts = () => execFileSync('ip', ['-o', 'link', 'show', 'master', bridge], { encoding: 'utf8' }).trim().split('\n').filter(Boolean).length;
const runningPauses = () => execFileSync('podman', ['ps', '-q', '--filter', `label=com.amazonaws.ecs.cluster=${cluster}`, '--filter', 'label=com.amazonaws.ecs.container-name=~internal~ecs~pause'], { encoding: 'utf8' }).trim().split('\n').filter(Boolean).length;

before(async () => {
  server = await startServerProcess();
  ec2 = new EC2Client({ endpoint: server.endpoint, region: 'us-east-1', credentials: server.credentials });
  const built = await buildBusyboxImage(join(work, 'img'));
  image = await loadIntoRuntime(built.layoutDir, 'wharf-e2e/awsvpc:1');
  await server.ecs().send(new CreateClusterCommand({ clusterName: cluster }));
  agent = await startAgent(server, { cluster, name: 'vpc', cpu: 8192, memory: 8192, stopTimeout: 1 });
  await waitFor('the agent registered with task-eni', async () => {
    const r = server.aws(['ecs', 'list-container-instances', '--cluster', cluster, '--filter', 'attribute:ecs.capability.task-eni exists']);
    return r.json?.containerInstanceArns?.length === 1;
  }, 120_000, 1000);
});

after(async () => {
  await agent?.kill('SIGKILL');
  agent?.cleanup();
  // Task containers, then the pause containers they joined (removeClusterContainers goes twice).
  await removeClusterContainers(cluster);
  if (bridge) { try { execFileSync('ip', ['link', 'del', bridge], { stdio: 'ignore' }); } catch { /* already gone */ } }
  await server?.stop();
  server?.cleanup();
  rmSync(work, { recursive: true, force: true });
});

describe('the default VPC', () => {
  it('walkthroughs find it with the AWS CLI: is-default VPC, its default subnet, its default security group', () => {
    const vpcs = server.aws(['ec2', 'describe-vpcs', '--filters', 'Name=is-default,Values=true']);
    assert.equal(vpcs.status, 0, vpcs.stderr);
    assert.equal(vpcs.json.Vpcs.length, 1);
    vpcId = vpcs.json.Vpcs[0].VpcId;
    vpcCidr = vpcs.json.Vpcs[0].CidrBlock;
    assert.match(vpcId, /^vpc-[0-9a-f]{17}$/);
    const subnets = server.aws(['ec2', 'describe-subnets', '--filters', `Name=vpc-id,Values=${vpcId}`, 'Name=default-for-az,Values=true']);
    assert.equal(subnets.status, 0, subnets.stderr);
    assert.deepEqual(subnets.json.Subnets.map((s: { AvailabilityZone: string }) => s.AvailabilityZone), ['local-1a']);
    subnetId = subnets.json.Subnets[0].SubnetId;
    bridge = `wh${subnetId.slice('subnet-'.length, 'subnet-'.length + 13)}`;
    const sg = server.aws(['ec2', 'describe-security-groups', '--filters', `Name=vpc-id,Values=${vpcId}`, 'Name=group-name,Values=default']);
    assert.equal(sg.status, 0, sg.stderr);
    const g = sg.json.SecurityGroups[0];
    assert.deepEqual(g.IpPermissions[0].UserIdGroupPairs.map((p: { GroupId: string }) => p.GroupId), [g.GroupId], 'the default group admits its own members');
    const missing = server.aws(['ec2', 'describe-subnets', '--subnet-ids', 'subnet-0000000000000000a']);
    assert.notEqual(missing.status, 0);
    assert.match(missing.stderr, /InvalidSubnetID\.NotFound.*The subnet ID 'subnet-0000000000000000a' does not exist/);
  });
});

describe('awsvpc tasks', () => {
  it('bad network configuration gets ECS\'s errors and creates nothing', async () => {
    const def = await register('vpc-bad', [web('web', 8080)]);
    const cases: [object | undefined, RegExp][] = [
      [undefined, /Network Configuration must be provided when networkMode 'awsvpc' is specified\./],
      [{ awsvpcConfiguration: { subnets: [] } }, /subnets can not be empty\./],
      [{ awsvpcConfiguration: { subnets: ['subnet-0123456789abcdef0'] } }, /Error retrieving subnet information for \[subnet-0123456789abcdef0\]: The subnet ID 'subnet-0123456789abcdef0' does not exist \(ErrorCode: InvalidSubnetID\.NotFound\)/],
      [{ awsvpcConfiguration: { subnets: [subnetId], securityGroups: ['sg-0123456789abcdef0'] } }, /The security group 'sg-0123456789abcdef0' does not exist \(ErrorCode: InvalidGroup\.NotFound\)/],
      [{ awsvpcConfiguration: { subnets: [subnetId], assignPublicIp: 'ENABLED' } }, /Assign public IP is not supported for this launch type\./],
    ];
    for (const [nc, msg] of cases) {
      await assert.rejects(server.ecs().send(new RunTaskCommand({ cluster, taskDefinition: def, networkConfiguration: nc as never })), (e: Error) => e.name === 'InvalidParameterException' && msg.test(e.message));
    }
    const bridgeDef = (await server.ecs().send(new RegisterTaskDefinitionCommand({ family: 'vpc-bridge', containerDefinitions: [{ name: 'c', image, memory: 16 }] }))).taskDefinition!;
    await assert.rejects(server.ecs().send(new RunTaskCommand({ cluster, taskDefinition: bridgeDef.taskDefinitionArn, networkConfiguration: { awsvpcConfiguration: { subnets: [subnetId] } } })),
      /Network Configuration is not valid for the given `networkMode` of this task definition\./);
    assert.deepEqual((await ec2.send(new DescribeNetworkInterfacesCommand({}))).NetworkInterfaces, [], 'no address was leased');
  });

  it('a two-container task: its own address, ENI attachment, containers talk over localhost, the host reaches it', async () => {
    const open = await newGroup('vpc-open', [{ port: [8080, 8081], cidr: '0.0.0.0/0' }]);
    // `side` serves /ok.html only once it fetched web's page over 127.0.0.1 inside the task's namespace.
    const def = await register('vpc-pair', [
      web('web', 8080),
      { name: 'side', image, memory: 32, essential: true, portMappings: [{ containerPort: 8081 }],
        command: ['sh', '-c', `mkdir -p /www; until ${fetch('127.0.0.1', 8080)} > /www/ok.html; do sleep 0.2; done; exec httpd -f -p 8081 -h /www`] },
    ]);
    const [started] = await run(def, [open]);
    assert.equal(started.attachments?.[0]?.type, 'ElasticNetworkInterface');
    assert.equal(started.attachments?.[0]?.status, 'ATTACHING');
    const t = await waitRunning(started.taskArn!);
    const att = t.attachments![0];
    assert.equal(att.status, 'ATTACHED');
    assert.deepEqual(att.details!.map((d) => d.name), ['subnetId', 'networkInterfaceId', 'macAddress', 'privateDnsName', 'privateIPv4Address']);
    const ip = addressOf(t);
    const details = Object.fromEntries(att.details!.map((d) => [d.name, d.value]));
    assert.equal(details.subnetId, subnetId);
    assert.match(details.networkInterfaceId!, /^eni-[0-9a-f]{17}$/);
    assert.match(details.macAddress!, /^0a(:[0-9a-f]{2}){5}$/);
    assert.equal(details.privateDnsName, `ip-${ip.replace(/\./g, '-')}.ec2.internal`);
    for (const c of t.containers!) assert.deepEqual(c.networkInterfaces, [{ attachmentId: att.id, privateIpv4Address: ip }]);
    // The host routes to the task's address: straight to web, and to side's proof of localhost.
    assert.equal((await waitFor('web over the task address', () => httpGet(ip, 8080).then((r) => r.status === 200 && r)))!.body.trim(), 'web');
    const ok = await waitFor('side fetched web over localhost', () => httpGet(ip, 8081, '/ok.html').then((r) => r.status === 200 && r));
    assert.equal(ok.body.trim(), 'web');
    // EC2 shows the interface, in the task's group.
    const enis = (await ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'private-ip-address', Values: [ip] }] }))).NetworkInterfaces!;
    assert.equal(enis.length, 1);
    assert.equal(enis[0].NetworkInterfaceId, details.networkInterfaceId);
    assert.deepEqual(enis[0].Groups!.map((g) => g.GroupId), [open]);
    const subnet = (await ec2.send(new DescribeSubnetsCommand({ SubnetIds: [subnetId] }))).Subnets![0];
    assert.equal(subnet.AvailableIpAddressCount, 2 ** (32 - Number(subnet.CidrBlock!.split('/')[1])) - 5 - 1, 'one address leased');

    await server.ecs().send(new StopTaskCommand({ cluster, task: t.taskArn! }));
    const stopped = await waitFor('STOPPED', async () => { const x = await describeTask(t.taskArn!); return x.lastStatus === 'STOPPED' && x; });
    assert.equal(stopped.attachments![0].status, 'DELETED');
    assert.deepEqual((await ec2.send(new DescribeNetworkInterfacesCommand({}))).NetworkInterfaces, [], 'the address went back to the subnet');
    await assert.rejects(httpGet(ip, 8080, '/', 500), 'nothing answers at the old address');
  });

  it('pidMode and ipcMode task join the task\'s pause container: one PID and IPC namespace, no second pause container', async () => {
    const open = await newGroup('vpc-ns', [{ port: [8080, 8080], cidr: '0.0.0.0/0' }]);
    // web serves its /dev/shm; side writes its token and its `ps` (once web's httpd shows in it) there.
    const token = `ns-${process.pid}`;
    const def = (await server.ecs().send(new RegisterTaskDefinitionCommand({
      family: 'vpc-ns', networkMode: 'awsvpc', pidMode: 'task', ipcMode: 'task', containerDefinitions: [
        { name: 'web', image, memory: 32, essential: true, portMappings: [{ containerPort: 8080 }], command: ['httpd', '-f', '-p', '8080', '-h', '/dev/shm'] },
        { name: 'side', image, memory: 32, essential: true,
          command: ['sh', '-c', `until ps | grep -q '[h]ttpd -f'; do sleep 0.2; done; echo ${token} > /dev/shm/token; ps > /dev/shm/ps.txt; exec sleep 4242`] },
      ],
    }))).taskDefinition!.taskDefinitionArn!;
    const [started] = await run(def, [open]);
    const t = await waitRunning(started.taskArn!);
    const ip = addressOf(t);
    const tok = await waitFor('side\'s /dev/shm token served by web', () => httpGet(ip, 8080, '/token').then((r) => r.status === 200 && r));
    assert.equal(tok.body.trim(), token, 'web reads what side wrote to /dev/shm');
    const ps = (await httpGet(ip, 8080, '/ps.txt')).body;
    assert.match(ps, /httpd -f -p 8080/, `side's ps lists web's httpd: ${ps}`);
    assert.match(ps, /^\s*1 .*busybox sleep/m, `PID 1 is the pause process: ${ps}`);
    const pauses = execFileSync('podman', ['ps', '-aq', '--filter', `label=com.amazonaws.ecs.task-arn=${t.taskArn}`, '--filter', 'label=com.amazonaws.ecs.container-name=~internal~ecs~pause~namespace'], { encoding: 'utf8' }).trim();
    assert.equal(pauses, '', 'no namespace pause container besides the network one');
    await server.ecs().send(new StopTaskCommand({ cluster, task: t.taskArn! }));
    await waitFor('STOPPED', async () => (await describeTask(t.taskArn!)).lastStatus === 'STOPPED');
  });

  it('security groups: traffic allowed and denied exactly as the rules say, changes reach running tasks within a second', { timeout: 600_000 }, async () => {
    // A server in `srv` admits tcp/8080 only from members of `cli-a`; clients in cli-a and cli-b each probe
    // it every 200 ms and publish the last result on their own port 9000 (open to the host).
    const cliA = await newGroup('vpc-cli-a', [{ port: [9000, 9000], cidr: vpcCidr }]);
    const cliB = await newGroup('vpc-cli-b', [{ port: [9000, 9000], cidr: vpcCidr }]);
    const srv = await newGroup('vpc-srv', [{ port: [8080, 8080], group: cliA }]);
    const srvDef = await register('vpc-srv', [web('web', 8080)]);
    const cliDef = await register('vpc-cli', [{
      name: 'web', image, memory: 32, essential: true, portMappings: [{ containerPort: 9000 }],
      command: ['sh', '-c', `mkdir -p /www; echo none > /www/r; (while true; do if ${fetch('$SRV', 8080)} >/dev/null; then echo allowed > /www/r; else echo denied > /www/r; fi; sleep 0.2; done) & exec httpd -f -p 9000 -h /www`],
    }]);
    const [s] = await run(srvDef, [srv]);
    const srvIp = addressOf(await waitRunning(s.taskArn!));
    const [a] = await run(cliDef, [cliA], { env: { SRV: srvIp } });
    const [b] = await run(cliDef, [cliB], { env: { SRV: srvIp } });
    const aIp = addressOf(await waitRunning(a.taskArn!));
    const bIp = addressOf(await waitRunning(b.taskArn!));
    const verdict = (ip: string) => httpGet(ip, 9000, '/r').then((r) => r.body.trim());
    await waitFor('cli-a allowed', async () => (await verdict(aIp)) === 'allowed', 20_000);
    await waitFor('cli-b has probed', async () => (await verdict(bIp)) !== 'none', 20_000);
    await sleep(1500);
    assert.equal(await verdict(bIp), 'denied', 'cli-b is not in the source group');
    await assert.rejects(httpGet(srvIp, 8080, '/', 1000), 'the host (not in cli-a) is denied too');

    // Admit cli-b: the running server's namespace gets the rule within a second (plus one probe period).
    const t0 = Date.now();
    await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: srv, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 8080, ToPort: 8080, UserIdGroupPairs: [{ GroupId: cliB }] }] }));
    await waitFor('cli-b allowed', async () => (await verdict(bIp)) === 'allowed', 10_000, 50);
    const took = Date.now() - t0;
    assert.ok(took < 1000 + 1200, `rule applied and seen in ${took} ms`);
    // Revoke cli-a's rule: new connections from cli-a are refused again.
    await ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId: srv, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 8080, ToPort: 8080, UserIdGroupPairs: [{ GroupId: cliA }] }] }));
    await waitFor('cli-a denied after revoke', async () => (await verdict(aIp)) === 'denied', 10_000, 50);
    assert.equal(await verdict(bIp), 'allowed');
    for (const t of [s, a, b]) await server.ecs().send(new StopTaskCommand({ cluster, task: t.taskArn! }));
    await waitFor('all stopped', async () => (await Promise.all([s, a, b].map((t) => describeTask(t.taskArn!)))).every((t) => t.lastStatus === 'STOPPED'));
  });
});

describe('an awsvpc service behind a load balancer', () => {
  it('ip target group: instance targets are refused, tasks register by address and answer through the load balancer', async () => {
    const elb = new ElasticLoadBalancingV2Client({ endpoint: server.endpoint, region: 'us-east-1', credentials: server.credentials });
    const sg = await newGroup('vpc-lb', [{ port: [8080, 8080], cidr: vpcCidr }]);
    const def = await register('vpc-lbweb', [{
      name: 'web', image, memory: 32, essential: true, portMappings: [{ containerPort: 8080 }],
      command: ['sh', '-c', "mkdir -p /www && ip addr show eth0 | grep 'inet ' | sed 's/.*inet \\([0-9.]*\\).*/\\1/' > /www/index.html && exec httpd -f -p 8080 -h /www"],
    }]);
    const hc = { HealthCheckIntervalSeconds: 5, HealthCheckTimeoutSeconds: 2, HealthyThresholdCount: 2, UnhealthyThresholdCount: 2 };
    const instTg = (await elb.send(new CreateTargetGroupCommand({ Name: 'vpc-inst', Protocol: 'HTTP', Port: 8080, VpcId: vpcId, TargetType: 'instance', ...hc }))).TargetGroups![0];
    const ipTg = (await elb.send(new CreateTargetGroupCommand({ Name: 'vpc-ip', Protocol: 'HTTP', Port: 8080, VpcId: vpcId, TargetType: 'ip', ...hc }))).TargetGroups![0];
    // The service is deleted at the end: no 300 s (AWS's default) deregistration delay before its tasks stop.
    await elb.send(new ModifyTargetGroupAttributesCommand({ TargetGroupArn: ipTg.TargetGroupArn!, Attributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: '0' }] }));
    const lb = (await elb.send(new CreateLoadBalancerCommand({ Name: 'vpc-lb', Subnets: [subnetId], SecurityGroups: [sg] }))).LoadBalancers![0];
    const port = await freePort();
    await elb.send(new CreateListenerCommand({ LoadBalancerArn: lb.LoadBalancerArn, Protocol: 'HTTP', Port: port, DefaultActions: [{ Type: 'forward', TargetGroupArn: ipTg.TargetGroupArn }] }));
    const networkConfiguration = { awsvpcConfiguration: { subnets: [subnetId], securityGroups: [sg] } };
    await assert.rejects(server.ecs().send(new CreateServiceCommand({
      cluster, serviceName: 'vpc-web', taskDefinition: def, desiredCount: 2, networkConfiguration,
      loadBalancers: [{ targetGroupArn: instTg.TargetGroupArn, containerName: 'web', containerPort: 8080 }],
    })), (e: Error) => e.name === 'InvalidParameterException'
      && e.message === `The provided target group ${instTg.TargetGroupArn} has target type instance, which is incompatible with the awsvpc network mode specified in the task definition.`);
    await server.ecs().send(new CreateServiceCommand({
      cluster, serviceName: 'vpc-web', taskDefinition: def, desiredCount: 2, networkConfiguration, healthCheckGracePeriodSeconds: 5,
      loadBalancers: [{ targetGroupArn: ipTg.TargetGroupArn, containerName: 'web', containerPort: 8080 }],
    }));
    const healthy = await waitFor('two healthy ip targets', async () => {
      const d = (await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: ipTg.TargetGroupArn }))).TargetHealthDescriptions ?? [];
      return d.length === 2 && d.every((x) => x.TargetHealth?.State === 'healthy') && d;
    }, 120_000, 500);
    const svc = (await server.ecs().send(new DescribeServicesCommand({ cluster, services: ['vpc-web'] }))).services![0];
    assert.deepEqual(svc.networkConfiguration?.awsvpcConfiguration?.securityGroups, [sg]);
    const addresses = healthy.map((d) => d.Target!.Id!).sort();
    for (const a of addresses) assert.ok(a.startsWith(vpcCidr.split('.').slice(0, 2).join('.') + '.'), `${a} is a task address in ${vpcCidr}`);
    assert.deepEqual(healthy.map((d) => d.Target!.Port), [8080, 8080]);
    const seen = new Set<string>();
    for (let i = 0; i < 30 && seen.size < 2; i++) {
      const r = await httpGet('127.0.0.1', port);
      assert.equal(r.status, 200);
      seen.add(r.body.trim());
    }
    assert.deepEqual([...seen].sort(), addresses, 'the load balancer reaches both tasks at their own addresses');
    const del = server.aws(['ecs', 'delete-service', '--cluster', cluster, '--service', 'vpc-web', '--force']);
    assert.equal(del.status, 0, del.stderr);
    await waitFor('the deleted service\'s tasks gone (targets drained, namespaces removed)', async () => bridgePorts() === 0 && runningPauses() === 0, 60_000, 300);
  });
});

describe('start/stop cycles leak nothing', () => {
  // The issue asks for 200 cycles; WHARF_AWSVPC_CYCLES=200 runs that. The default keeps CI time sane.
  const rounds = Math.ceil(Number(process.env.WHARF_AWSVPC_CYCLES ?? 30) / 10);
  it(`${rounds * 10} tasks in rounds of 10: unique live addresses; afterwards no lease, veth, pause container or host nftables table`, { timeout: rounds * 120_000 }, async () => {
    await waitFor('no tasks left from earlier tests', async () => bridgePorts() === 0 && runningPauses() === 0, 60_000, 500);
    const def = await register('vpc-cycle', [{ name: 'c', image, memory: 8, essential: true, command: ['sleep', '3600'] }]);
    // Host tables other than the task-endpoint tables every agent keeps (`wharf_agent_<host>`), which
    // agents of other test files running at the same time add and remove.
    const hostTables = () => execFileSync('nft', ['list', 'tables'], { encoding: 'utf8' }).split('\n').filter((l) => l && !/^table ip wharf_agent_/.test(l)).sort();
    const tablesBefore = hostTables();
    const everSeen = new Map<string, number>();
    for (let round = 0; round < rounds; round++) {
      const tasks = await run(def, [], { count: 10 });
      const live = await Promise.all(tasks.map((t) => waitRunning(t.taskArn!)));
      const ips = live.map(addressOf);
      assert.equal(new Set(ips).size, 10, `round ${round}: ten different addresses among live tasks`);
      for (const ip of ips) everSeen.set(ip, (everSeen.get(ip) ?? 0) + 1);
      assert.equal(bridgePorts(), 10);
      assert.equal((await ec2.send(new DescribeNetworkInterfacesCommand({}))).NetworkInterfaces!.length, 10);
      for (const t of tasks) await server.ecs().send(new StopTaskCommand({ cluster, task: t.taskArn! }));
      // On a timeout, say where each task is and what the agent last did (CI runs two files on two cores).
      let statuses = '';
      await waitFor(`round ${round} stopped`, async () => {
        const ts = (await server.ecs().send(new DescribeTasksCommand({ cluster, tasks: tasks.map((t) => t.taskArn!) }))).tasks!;
        statuses = ts.map((t) => `${t.taskArn!.slice(-6)}:${t.lastStatus}/${t.containers!.map((c) => c.lastStatus).join(',')}`).join(' ');
        return ts.every((t) => t.lastStatus === 'STOPPED');
      }, 60_000, 300).catch((e: Error) => {
        throw new Error(`${e.message}: ${statuses}; agent: ${agent.output.slice(-40).join('\n')}`);
      });
      assert.equal(bridgePorts(), 0, `round ${round}: every veth is gone once its task is STOPPED`);
      assert.equal(runningPauses(), 0, `round ${round}: no pause container (namespace) left running`);
      assert.deepEqual((await ec2.send(new DescribeNetworkInterfacesCommand({}))).NetworkInterfaces, [], `round ${round}: every address released`);
    }
    assert.deepEqual(hostTables(), tablesBefore, 'no nftables table was left on the host');
    const subnet = (await ec2.send(new DescribeSubnetsCommand({ SubnetIds: [subnetId] }))).Subnets![0];
    assert.equal(subnet.AvailableIpAddressCount, 2 ** (32 - Number(subnet.CidrBlock!.split('/')[1])) - 5);
  });
});
