/**
 * ECS services with serviceRegistries (Cloud Map) end to end: a real server and agent, Podman, the SDKs.
 *
 *   1. bad serviceRegistries get ECS's InvalidParameterException and create nothing
 *   2. awsvpc: each RUNNING task of a service is a Cloud Map instance (id = task id, its ENI address, the
 *      SRV port, ECS's attributes); ListServicesByNamespace finds the service; scaling in removes the
 *      stopped task's instance, deregistered before its containers stopped
 *   3. bridge: an SRV registry gets the host port bound to containerName:containerPort; scaling to 0
 *      empties the Cloud Map service, which can then be deleted
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateClusterCommand, CreateServiceCommand, DeleteServiceCommand as DeleteEcsServiceCommand, DescribeTasksCommand, ListServicesByNamespaceCommand, ListServicesCommand,
  ListTasksCommand, RegisterTaskDefinitionCommand, UpdateServiceCommand as UpdateEcsServiceCommand, type Task,
} from '@aws-sdk/client-ecs';
import {
  ServiceDiscoveryClient, CreatePrivateDnsNamespaceCommand, CreateServiceCommand as CreateSdServiceCommand, DeleteServiceCommand as DeleteSdServiceCommand,
  DiscoverInstancesCommand, GetOperationCommand, ListOperationsCommand, type HttpInstanceSummary,
} from '@aws-sdk/client-servicediscovery';
import { startServerProcess, type TestServer } from '../support/server.js';
import { defaultVpc } from '../support/default-vpc.js';
import { startAgent, type AgentProcess, removeClusterContainers } from '../support/agent-process.js';
import { buildBusyboxImage, loadIntoRuntime } from '../support/images.js';
import { until as waitUntil } from '../support/wait.js';

const cluster = `sd-ecs-${process.pid}`;
const work = mkdtempSync(join(tmpdir(), 'wharf-sd-ecs-'));
let server: TestServer;
let agent: AgentProcess;
let sd: ServiceDiscoveryClient;
let image: string;
let subnetId: string;
let groupId: string;
let nsId: string;
let srvA: { Id: string; Arn: string };
let srvSrv: { Id: string; Arn: string };
let srvAOnly: { Id: string; Arn: string };

/** This file's waits: test/support/wait.ts's `until`, with the timeout and poll step this file uses. */
const waitFor = <T>(what: string, fn: () => Promise<T | undefined | false>, ms = 120_000, step = 250): Promise<T> => waitUntil(what, fn, ms, step);

const discover = async (service: string): Promise<HttpInstanceSummary[]> =>
  (await sd.send(new DiscoverInstancesCommand({ NamespaceName: 'apps.local', ServiceName: service, HealthStatus: 'ALL' }))).Instances ?? [];

async function runningTasks(service: string): Promise<Task[]> {
  const arns = (await server.ecs().send(new ListTasksCommand({ cluster, serviceName: service, desiredStatus: 'RUNNING' }))).taskArns ?? [];
  if (!arns.length) return [];
  return ((await server.ecs().send(new DescribeTasksCommand({ cluster, tasks: arns }))).tasks ?? []).filter((t) => t.lastStatus === 'RUNNING');
}

const taskId = (t: Task) => t.taskArn!.split('/').pop()!;
const eniAddress = (t: Task) => t.attachments?.[0]?.details?.find((d) => d.name === 'privateIPv4Address')?.value;

const web = (port: number, hostPort?: number) => ({
  name: 'web', image, memory: 32, essential: true, portMappings: [{ containerPort: port, ...(hostPort !== undefined ? { hostPort } : {}) }],
  command: ['sh', '-c', `mkdir -p /www && echo ok > /www/index.html && exec httpd -f -p ${port} -h /www`],
});

before(async () => {
  server = await startServerProcess({ env: { WHARF_LOG_LEVEL: 'warn' } });
  sd = new ServiceDiscoveryClient({ endpoint: server.endpoint, region: server.region, credentials: server.credentials, maxAttempts: 1, disableHostPrefix: true });
  const vpc = await defaultVpc(server);
  const vpcId = vpc.vpcId;
  ({ subnetId, groupId } = vpc);
  const built = await buildBusyboxImage(join(work, 'img'));
  image = await loadIntoRuntime(built.layoutDir, 'wharf-e2e/sd-ecs:1');
  await server.ecs().send(new CreateClusterCommand({ clusterName: cluster }));
  agent = await startAgent(server, { cluster, name: 'sd', cpu: 8192, memory: 8192, stopTimeout: 1 });

  const op = await sd.send(new CreatePrivateDnsNamespaceCommand({ Name: 'apps.local', Vpc: vpcId }));
  nsId = (await sd.send(new GetOperationCommand({ OperationId: op.OperationId }))).Operation!.Targets!.NAMESPACE!;
  const mk = async (Name: string, types: ('A' | 'SRV')[]) => {
    const s = (await sd.send(new CreateSdServiceCommand({
      Name, NamespaceId: nsId, DnsConfig: { RoutingPolicy: 'MULTIVALUE', DnsRecords: types.map((Type) => ({ Type, TTL: 10 })) }, HealthCheckCustomConfig: { FailureThreshold: 1 },
    }))).Service!;
    return { Id: s.Id!, Arn: s.Arn! };
  };
  srvA = await mk('api', ['A', 'SRV']);
  srvSrv = await mk('_legacy._tcp', ['SRV']);
  srvAOnly = await mk('aonly', ['A']);
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
  await server?.stop();
  server?.cleanup();
  rmSync(work, { recursive: true, force: true });
});

describe('serviceRegistries', () => {
  it('bad serviceRegistries get ECS\'s errors and create no service', async () => {
    const def = (await server.ecs().send(new RegisterTaskDefinitionCommand({ family: 'sd-bad', networkMode: 'awsvpc', containerDefinitions: [web(8080)] } as never))).taskDefinition!.taskDefinitionArn!;
    const nsArn = srvA.Arn.replace(/service\/srv-.*/, `namespace/${nsId}`);
    const cases: [object[], RegExp][] = [
      [[{ registryArn: nsArn }], /The format of the supplied service registry ARN is invalid: arn:aws:servicediscovery:.*:namespace\/ns-/],
      [[{ registryArn: srvA.Arn.replace(srvA.Id, 'srv-0000000000000000') }], /service registry .*srv-0000000000000000 does not exist/],
      [[{ registryArn: srvA.Arn }], /require a value for either 'port' or the 'containerName' and 'containerPort' combination/],
      [[{ registryArn: srvA.Arn, port: 8080, containerName: 'web', containerPort: 8080 }], /Specify a value for either 'port' or the 'containerName' and 'containerPort' combination, but not both\. Remove one and retry\./],
      [[{ registryArn: srvAOnly.Arn, containerName: 'web', containerPort: 8080 }], /The values specified for serviceRegistries do not require a value for 'containerPort'\. Remove the value and retry\./],
      [[{ registryArn: srvA.Arn, containerName: 'nope', containerPort: 8080 }], /The container nope does not exist in the task definition\./],
      [[{ registryArn: srvA.Arn, containerName: 'web', containerPort: 9999 }], /did not have a container port 9999 defined/],
      [[{ registryArn: srvA.Arn, port: 1 }, { registryArn: srvAOnly.Arn }], /Only one service registry is supported per service/],
    ];
    for (const [serviceRegistries, message] of cases) {
      await assert.rejects(server.ecs().send(new CreateServiceCommand({
        cluster, serviceName: 'bad', taskDefinition: def, desiredCount: 1, serviceRegistries,
        networkConfiguration: { awsvpcConfiguration: { subnets: [subnetId], securityGroups: [groupId] } },
      })), (e: Error) => e.name === 'InvalidParameterException' && message.test(e.message), `expected ${message} for ${JSON.stringify(serviceRegistries)}`);
    }
    assert.deepEqual((await server.ecs().send(new ListServicesCommand({ cluster }))).serviceArns, []);
  });

  it('awsvpc: every running task is discoverable at its ENI address, and a task scaled in is deregistered before it stops', async () => {
    const def = (await server.ecs().send(new RegisterTaskDefinitionCommand({ family: 'sd-api', networkMode: 'awsvpc', containerDefinitions: [web(8080)] } as never))).taskDefinition!.taskDefinitionArn!;
    const svc = (await server.ecs().send(new CreateServiceCommand({
      cluster, serviceName: 'api', taskDefinition: def, desiredCount: 2, serviceRegistries: [{ registryArn: srvA.Arn, containerName: 'web', containerPort: 8080 }],
      networkConfiguration: { awsvpcConfiguration: { subnets: [subnetId], securityGroups: [groupId] } },
    }))).service!;
    assert.deepEqual(svc.serviceRegistries, [{ registryArn: srvA.Arn, containerName: 'web', containerPort: 8080 }]);
    const tasks = await waitFor('2 running api tasks', async () => { const t = await runningTasks('api'); return t.length === 2 && t.every(eniAddress) ? t : undefined; });
    const found = await waitFor('both tasks in DiscoverInstances', async () => { const i = await discover('api'); return i.length === 2 ? i : undefined; }, 60_000);
    const expected = tasks.map((t) => ({ id: taskId(t), ip: eniAddress(t) })).sort((a, b) => a.id.localeCompare(b.id));
    assert.deepEqual(found.map((i) => ({ id: i.InstanceId, ip: i.Attributes!.AWS_INSTANCE_IPV4 })).sort((a, b) => a.id!.localeCompare(b.id!)), expected);
    const one = found[0]!;
    assert.equal(one.HealthStatus, 'HEALTHY');
    assert.deepEqual({ ...one.Attributes, AWS_INSTANCE_IPV4: undefined, AVAILABILITY_ZONE: undefined }, {
      AWS_INSTANCE_IPV4: undefined, AVAILABILITY_ZONE: undefined, AWS_INSTANCE_PORT: '8080', AWS_INIT_HEALTH_STATUS: 'HEALTHY', REGION: 'us-east-1',
      ECS_CLUSTER_NAME: cluster, ECS_SERVICE_NAME: 'api', ECS_TASK_DEFINITION_FAMILY: 'sd-api',
    });
    assert.ok(one.Attributes!.AVAILABILITY_ZONE, 'the task\'s zone');
    assert.deepEqual((await server.ecs().send(new ListServicesByNamespaceCommand({ namespace: 'apps.local' }))).serviceArns, [svc.serviceArn]);
    await assert.rejects(server.ecs().send(new ListServicesByNamespaceCommand({ namespace: 'nope.local' })), (e: Error) => e.name === 'NamespaceNotFoundException');

    await server.ecs().send(new UpdateEcsServiceCommand({ cluster, service: 'api', desiredCount: 1 }));
    const left = await waitFor('one instance left', async () => { const i = await discover('api'); return i.length === 1 ? i : undefined; }, 60_000);
    const gone = expected.find((e) => e.id !== left[0]!.InstanceId)!;
    const stopped = await waitFor('the scaled-in task STOPPED', async () => {
      const t = (await server.ecs().send(new DescribeTasksCommand({ cluster, tasks: [gone.id] }))).tasks![0]!;
      return t.lastStatus === 'STOPPED' ? t : undefined;
    });
    const ops = (await sd.send(new ListOperationsCommand({ Filters: [{ Name: 'SERVICE_ID', Values: [srvA.Id] }, { Name: 'TYPE', Values: ['DEREGISTER_INSTANCE'] }] }))).Operations!;
    const deregs = await Promise.all(ops.map(async (o) => (await sd.send(new GetOperationCommand({ OperationId: o.Id }))).Operation!));
    const mine = deregs.find((o) => o.Targets!.INSTANCE === gone.id);
    assert.ok(mine, 'a DEREGISTER_INSTANCE operation for the stopped task');
    assert.ok(stopped.executionStoppedAt, 'the task says when its containers stopped');
    assert.ok(mine.CreateDate!.getTime() <= stopped.executionStoppedAt!.getTime(),
      `deregistered at ${mine.CreateDate!.toISOString()}, containers stopped at ${stopped.executionStoppedAt!.toISOString()}`);
    const still = (await runningTasks('api')).map(taskId);
    assert.deepEqual(still, [left[0]!.InstanceId]);
  });

  it('bridge: an SRV registry gets the host port bound to the container port; scaling to 0 empties the Cloud Map service', async () => {
    const def = (await server.ecs().send(new RegisterTaskDefinitionCommand({ family: 'sd-legacy', networkMode: 'bridge', containerDefinitions: [web(8081, 0)] } as never))).taskDefinition!.taskDefinitionArn!;
    await server.ecs().send(new CreateServiceCommand({
      cluster, serviceName: 'legacy', taskDefinition: def, desiredCount: 2, serviceRegistries: [{ registryArn: srvSrv.Arn, containerName: 'web', containerPort: 8081 }],
    }));
    const tasks = await waitFor('2 running legacy tasks', async () => { const t = await runningTasks('legacy'); return t.length === 2 ? t : undefined; });
    const found = await waitFor('both tasks in DiscoverInstances', async () => { const i = await discover('_legacy._tcp'); return i.length === 2 ? i : undefined; }, 60_000);
    const hostPorts = tasks.map((t) => String(t.containers![0]!.networkBindings!.find((b) => !b.bindIP?.includes(':'))!.hostPort)).sort();
    assert.deepEqual(found.map((i) => i.Attributes!.AWS_INSTANCE_PORT).sort(), hostPorts);
    assert.ok(hostPorts.every((p) => p !== '8081' && Number(p) > 0), `dynamic host ports, not the container port: ${hostPorts}`);
    assert.ok(found.every((i) => /^\d+\.\d+\.\d+\.\d+$/.test(i.Attributes!.AWS_INSTANCE_IPV4!)), 'the host\'s address');

    await assert.rejects(sd.send(new DeleteSdServiceCommand({ Id: srvSrv.Id })), (e: Error) => e.name === 'ResourceInUse');
    await server.ecs().send(new UpdateEcsServiceCommand({ cluster, service: 'legacy', desiredCount: 0 }));
    await waitFor('no legacy instance left', async () => (await discover('_legacy._tcp')).length === 0, 60_000);
    await server.ecs().send(new DeleteEcsServiceCommand({ cluster, service: 'legacy' }));
    await sd.send(new DeleteSdServiceCommand({ Id: srvSrv.Id }));
  });
});
