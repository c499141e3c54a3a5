/**
 * Tasks resolve Cloud Map names themselves (issue 22): a real server running its DNS server
 * (WHARF_DNS_LISTEN), a real agent (root: nftables, namespaces), Podman, the SDKs.
 *
 *   task ─► 169.254.169.253:53 (the VPC resolver's link-local address, in the task's resolv.conf)
 *        ─► the agent's DNAT ─► Wharf's DNS server ─► the namespace's records (or relayed upstream)
 *
 *   1. service A calls service B by name: an awsvpc service `api` registered in `apps.local`; a task
 *      of another family fetches http://api.apps.local:8080/ and gets api's answer
 *   2. a bridge task resolves the same name to the api task's address (through its agent's own resolver
 *      address in 169.254.172.0/22, DNAT'd the same way)
 *   3. an awsvpc task whose container names `apps.local` in dnsSearchDomains reaches it as `api`
 *      (the Compose way), and a name the namespace does not have is NXDOMAIN
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateClusterCommand, CreateServiceCommand, DescribeTasksCommand, ListTasksCommand, UpdateServiceCommand, RegisterTaskDefinitionCommand, RunTaskCommand, type ContainerDefinition, type Task,
} from '@aws-sdk/client-ecs';
import { ServiceDiscoveryClient, CreatePrivateDnsNamespaceCommand, CreateServiceCommand as CreateSdServiceCommand, GetOperationCommand, DiscoverInstancesCommand } from '@aws-sdk/client-servicediscovery';
import { startServerProcess, type TestServer } from '../support/server.js';
import { defaultVpc } from '../support/default-vpc.js';
import { startAgent, type AgentProcess, removeClusterContainers } from '../support/agent-process.js';
import { buildBusyboxImage, loadIntoRuntime } from '../support/images.js';
import { until, containerOutput } from '../support/wait.js';
import { freePort } from './elb-helpers.js';
import { Resolver } from 'node:dns/promises';

const cluster = `sd-resolve-${process.pid}`;
const work = mkdtempSync(join(tmpdir(), 'wharf-sd-resolve-'));
let server: TestServer;
let agent: AgentProcess;
let image: string;
let subnetId: string;
let groupId: string;
let apiAddress: string;
let dnsPort: number;
let sdClient: ServiceDiscoveryClient;

const eniAddress = (t: Task) => t.attachments?.[0]?.details?.find((d) => d.name === 'privateIPv4Address')?.value;
const awsvpc = () => ({ awsvpcConfiguration: { subnets: [subnetId], securityGroups: [groupId] } });

/** Runs a one-off task of `containers` to its end; returns the task and its output. */
async function runToEnd(family: string, networkMode: 'awsvpc' | 'bridge', container: Partial<ContainerDefinition>): Promise<{ task: Task; out: string }> {
  const def = (await server.ecs().send(new RegisterTaskDefinitionCommand({
    family, networkMode, containerDefinitions: [{ name: 'probe', image, memory: 32, essential: true, ...container }],
  }))).taskDefinition!.taskDefinitionArn!;
  const started = (await server.ecs().send(new RunTaskCommand({ cluster, taskDefinition: def, ...(networkMode === 'awsvpc' ? { networkConfiguration: awsvpc() } : {}) }))).tasks![0]!;
  const task = await until(`${family} STOPPED`, async () => {
    const t = (await server.ecs().send(new DescribeTasksCommand({ cluster, tasks: [started.taskArn!] }))).tasks![0]!;
    return t.lastStatus === 'STOPPED' ? t : undefined;
  }, 90_000, 250);
  return { task, out: containerOutput(task.taskArn!) };
}

before(async () => {
  dnsPort = await freePort();
  server = await startServerProcess({ env: { WHARF_LOG_LEVEL: 'warn', WHARF_DNS_LISTEN: `127.0.0.1:${dnsPort}` } });
  const sd = sdClient = new ServiceDiscoveryClient({ endpoint: server.endpoint, region: server.region, credentials: server.credentials, maxAttempts: 1, disableHostPrefix: true });
  const vpc = await defaultVpc(server);
  const vpcId = vpc.vpcId;
  ({ subnetId, groupId } = vpc);
  const built = await buildBusyboxImage(join(work, 'img'));
  image = await loadIntoRuntime(built.layoutDir, 'wharf-e2e/sd-resolve:1');
  await server.ecs().send(new CreateClusterCommand({ clusterName: cluster }));
  agent = await startAgent(server, { cluster, name: 'sdr', cpu: 8192, memory: 8192, stopTimeout: 1 });

  const op = await sd.send(new CreatePrivateDnsNamespaceCommand({ Name: 'apps.local', Vpc: vpcId }));
  const nsId = (await sd.send(new GetOperationCommand({ OperationId: op.OperationId }))).Operation!.Targets!.NAMESPACE!;
  const api = (await sd.send(new CreateSdServiceCommand({
    Name: 'api', NamespaceId: nsId, DnsConfig: { RoutingPolicy: 'MULTIVALUE', DnsRecords: [{ Type: 'A', TTL: 5 }] }, HealthCheckCustomConfig: { FailureThreshold: 1 },
  }))).Service!;
  await until('the agent registered with task-eni', async () => {
    const r = server.aws(['ecs', 'list-container-instances', '--cluster', cluster, '--filter', 'attribute:ecs.capability.task-eni exists']);
    return r.json?.containerInstanceArns?.length === 1;
  }, 120_000, 1000);

  // Service B: `api`, answering with its own name, registered in apps.local by ECS.
  const def = (await server.ecs().send(new RegisterTaskDefinitionCommand({
    family: 'sdr-api', networkMode: 'awsvpc',
    containerDefinitions: [{ name: 'web', image, memory: 32, essential: true, portMappings: [{ containerPort: 8080 }], command: ['sh', '-c', 'mkdir -p /www && echo api-says-hello > /www/index.html && exec httpd -f -p 8080 -h /www'] }],
  }))).taskDefinition!.taskDefinitionArn!;
  await server.ecs().send(new CreateServiceCommand({
    cluster, serviceName: 'api', taskDefinition: def, desiredCount: 1, serviceRegistries: [{ registryArn: api.Arn! }], networkConfiguration: awsvpc(),
  }));
  const instance = await until('the api task in Cloud Map', async () =>
    (await sd.send(new DiscoverInstancesCommand({ NamespaceName: 'apps.local', ServiceName: 'api', HealthStatus: 'ALL' }))).Instances?.[0], 120_000, 250);
  apiAddress = instance.Attributes!.AWS_INSTANCE_IPV4!;
  const arns = (await server.ecs().send(new ListTasksCommand({ cluster, serviceName: 'api' }))).taskArns!;
  const running = (await server.ecs().send(new DescribeTasksCommand({ cluster, tasks: arns }))).tasks!;
  assert.equal(apiAddress, eniAddress(running[0]!), 'Cloud Map holds the api task\'s ENI address');
});

after(async () => {
  await agent?.kill('SIGKILL');
  agent?.cleanup();
  await removeClusterContainers(cluster);
  await server?.stop();
  server?.cleanup();
  rmSync(work, { recursive: true, force: true });
});

describe('tasks resolve Cloud Map names through the VPC resolver', () => {
  it('service A calls service B by name: an awsvpc task fetches http://api.apps.local:8080/', async () => {
    const { task, out } = await runToEnd('sdr-caller', 'awsvpc', {
      command: ['sh', '-c', "cat /etc/resolv.conf; nslookup api.apps.local; wget -qO- http://api.apps.local:8080/"],
    });
    assert.match(out, /^nameserver 169\.254\.169\.253$/m, `the task's resolver is the VPC's: ${out}`);
    assert.match(out, new RegExp(`Address:? *(1: *)?${apiAddress.replace(/\./g, '\\.')}`), `nslookup answers the api task's address: ${out}`);
    assert.match(out, /api-says-hello/, `the caller got api's answer: ${out}`);
    assert.equal(task.containers![0]!.exitCode, 0, out);
  });

  it('a bridge task resolves the same name to the api task\'s address', async () => {
    const { task, out } = await runToEnd('sdr-bridge', 'bridge', { command: ['sh', '-c', 'cat /etc/resolv.conf; nslookup api.apps.local'] });
    assert.match(out, /^nameserver 169\.254\.17[2-5]\.\d+$/m, `the bridge container asks its agent's resolver address: ${out}`);
    assert.match(out, new RegExp(`Address:? *(1: *)?${apiAddress.replace(/\./g, '\\.')}`), out);
    assert.equal(task.containers![0]!.exitCode, 0, out);
  });

  it('dnsSearchDomains on an awsvpc task: `api` alone reaches the service; a name the namespace lacks is NXDOMAIN', async () => {
    const { task, out } = await runToEnd('sdr-search', 'awsvpc', {
      dnsSearchDomains: ['apps.local'],
      command: ['sh', '-c', `cat /etc/resolv.conf; wget -qO- http://api:8080/ && if nslookup nothere.apps.local; then echo FOUND-NOTHERE; else echo NXDOMAIN-NOTHERE; fi`],
    });
    assert.match(out, /^search apps\.local$/m, out);
    assert.match(out, /api-says-hello/, `\`api\` resolved through the search domain: ${out}`);
    assert.match(out, /NXDOMAIN-NOTHERE/, out);
    assert.equal(task.containers![0]!.exitCode, 0, out);
  });

  it('scaling api from 1 to 3: the name answers with all three addresses once they are registered, within the record TTL', async () => {
    const resolver = new Resolver({ timeout: 2000, tries: 1 });
    resolver.setServers([`127.0.0.1:${dnsPort}`]);
    await server.ecs().send(new UpdateServiceCommand({ cluster, service: 'api', desiredCount: 3 }));
    const t0 = Date.now();
    const addresses = await until('three api tasks in DNS', async () => {
      const a = await resolver.resolve4('api.apps.local', { ttl: true });
      return a.length === 3 ? a : undefined;
    }, 120_000, 250);
    process.stderr.write(`  scale 1 → 3: three addresses in DNS after ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
    const registered = (await sdClient.send(new DiscoverInstancesCommand({ NamespaceName: 'apps.local', ServiceName: 'api', HealthStatus: 'ALL' }))).Instances!;
    assert.deepEqual(addresses.map((a) => a.address).sort(), registered.map((i) => i.Attributes!.AWS_INSTANCE_IPV4!).sort(), 'DNS answers exactly the registered tasks');
    assert.ok(addresses.every((a) => a.ttl <= 5), 'with the record\'s TTL (5 s)');
  });
});
