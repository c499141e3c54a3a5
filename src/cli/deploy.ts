/**
 * `wharf deploy [-f compose.yaml] [--project NAME] [--dry-run]` and `wharf down --project NAME`.
 *
 *   load + validate (compose/load.ts) → build images locally (podman or docker) → translate
 *   (compose/translate.ts; refusals stop here, before anything changes) → read what the server has for
 *   the project (tags wharf:compose-project) → plan (compose/plan.ts) → print it
 *   → [--dry-run stops here] → push built images → carry out the plan in order → watch the rollouts.
 *
 * A failed deploy leaves the previous version serving: refusals, schema errors, port conflicts and
 * failed builds stop before the first change; a new revision that does not become healthy is stopped
 * by the deployment circuit breaker, which rolls the service back to the revision that was serving,
 * and the command exits 254 naming the service and the reason.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import {
  CreateClusterCommand, CreateServiceCommand, DeleteServiceCommand, DeregisterTaskDefinitionCommand, DescribeServicesCommand, DescribeTaskDefinitionCommand,
  ECSClient, ListContainerInstancesCommand, ListTasksCommand, RegisterTaskDefinitionCommand, UpdateServiceCommand, paginateListServices, paginateListTaskDefinitions, type Service,
} from '@aws-sdk/client-ecs';
import {
  CreateListenerCommand, CreateLoadBalancerCommand, CreateTargetGroupCommand, DeleteListenerCommand, DeleteLoadBalancerCommand, DeleteTargetGroupCommand,
  DescribeListenersCommand, DescribeLoadBalancersCommand, DescribeTagsCommand, DescribeTargetGroupsCommand, ElasticLoadBalancingV2Client,
  ModifyListenerCommand, ModifyTargetGroupAttributesCommand, type LoadBalancer,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  AuthorizeSecurityGroupIngressCommand, CreateSecurityGroupCommand, DeleteSecurityGroupCommand, DescribeSecurityGroupsCommand, DescribeSubnetsCommand,
  DescribeVpcsCommand, EC2Client,
} from '@aws-sdk/client-ec2';
import {
  CreatePrivateDnsNamespaceCommand, CreateServiceCommand as CreateNameCommand, DeleteNamespaceCommand, DeleteServiceCommand as DeleteNameCommand,
  GetOperationCommand, ListInstancesCommand, ListNamespacesCommand, ListServicesCommand as ListNamesCommand, ServiceDiscoveryClient,
} from '@aws-sdk/client-servicediscovery';
import { Option, type Command } from 'commander';
import { addGlobalOptions, CliError, clientConfig, emit, EXIT, explainError, resolveConnection, type GlobalOptions } from './client.js';
import { defaultProjectName, loadCompose } from './compose/load.js';
import { HASH_TAG, PROJECT_TAG, awsName, translate, type DesiredService, type Translation } from './compose/translate.js';
import { makePlan, renderPlan, requestHash, type CurrentState, type Plan } from './compose/plan.js';
import { importImage } from './image.js';
import { watchRollouts } from './rollout.js';
import { Steps } from './steps.js';

const run = promisify(execFile);

export interface DeployOptions extends GlobalOptions {
  file: string;
  project?: string;
  cluster: string;
  dryRun?: boolean;
  wait: boolean;
  timeout: number;
  /** awsvpc (services by name) or bridge; default: awsvpc when an instance of the cluster can run it. */
  network?: 'awsvpc' | 'bridge';
}

interface Clients { ecs: ECSClient; elb: ElasticLoadBalancingV2Client; ec2: EC2Client; sd: ServiceDiscoveryClient }

function clients(o: GlobalOptions): Clients {
  const cfg = clientConfig(o, 3);
  // Cloud Map's DiscoverInstances has a `data-` host prefix; nothing here calls it, but keep requests on the endpoint.
  return { ecs: new ECSClient(cfg), elb: new ElasticLoadBalancingV2Client(cfg), ec2: new EC2Client(cfg), sd: new ServiceDiscoveryClient({ ...cfg, disableHostPrefix: true }) };
}

/** Whether some instance of the cluster can run awsvpc tasks (ECS's task-eni capability). */
async function awsvpcCapable(ecs: ECSClient, cluster: string): Promise<boolean> {
  try {
    const r = await ecs.send(new ListContainerInstancesCommand({ cluster, filter: 'attribute:ecs.capability.task-eni exists' }));
    return (r.containerInstanceArns ?? []).length > 0;
  } catch (e) {
    if ((e as Error).name === 'ClusterNotFoundException') return false;
    throw e;
  }
}

/** The default VPC and its default subnets (where a project's awsvpc tasks run). */
async function defaultVpc(ec2: EC2Client): Promise<{ id: string; subnets: { id: string; cidr: string }[] } | undefined> {
  const vpc = (await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'is-default', Values: ['true'] }] }))).Vpcs?.[0];
  if (!vpc?.VpcId) return undefined;
  const subnets = (await ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpc.VpcId] }, { Name: 'default-for-az', Values: ['true'] }] }))).Subnets ?? [];
  return { id: vpc.VpcId, subnets: subnets.map((s) => ({ id: s.SubnetId!, cidr: s.CidrBlock! })) };
}

/** A subnet's router (its base address + 1): traffic from the host and the load balancer comes from it. */
const routerOf = (cidr: string): string => {
  const [ip] = cidr.split('/');
  const n = ip!.split('.').reduce((a, x) => a * 256 + Number(x), 0) + 1;
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
};

type AnyTag = { key?: string; value?: string } | { Key?: string; Value?: string };
/** A tag's value from ECS ({key, value}) or ELBv2 ({Key, Value}) tag lists. */
function tagValue(tags: AnyTag[] | undefined, key: string): string | undefined {
  for (const t of tags ?? []) {
    if ('key' in t && t.key === key) return t.value;
    if ('Key' in t && t.Key === key) return t.Value;
  }
  return undefined;
}

// ── reading what the server has for a project ─────────────────────────────────────────────────────────
async function projectServices(ecs: ECSClient, cluster: string, project: string): Promise<Service[]> {
  const arns: string[] = [];
  try {
    for await (const page of paginateListServices({ client: ecs }, { cluster })) arns.push(...(page.serviceArns ?? []));
  } catch (e) {
    if ((e as Error).name === 'ClusterNotFoundException') return [];
    throw e;
  }
  const out: Service[] = [];
  for (let i = 0; i < arns.length; i += 10) {
    const r = await ecs.send(new DescribeServicesCommand({ cluster, services: arns.slice(i, i + 10), include: ['TAGS'] }));
    out.push(...(r.services ?? []).filter((s) => s.status === 'ACTIVE' && tagValue(s.tags, PROJECT_TAG) === project));
  }
  return out;
}

async function readCurrent(c: Clients, cluster: string, project: string, lbName: string): Promise<CurrentState & { foreignLb?: boolean }> {
  const services = await projectServices(c.ecs, cluster, project);
  const current: CurrentState & { foreignLb?: boolean } = { services: [], listeners: [], targetGroups: new Map(), foreignPorts: new Map(), network: { discovery: new Map() } };
  const vpc = await defaultVpc(c.ec2);
  if (vpc) {
    const sg = (await c.ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpc.id] }, { Name: 'group-name', Values: [awsName(project, 255)] }, { Name: `tag:${PROJECT_TAG}`, Values: [project] }] }))).SecurityGroups?.[0];
    current.network.securityGroupId = sg?.GroupId;
  }
  const ns = (await c.sd.send(new ListNamespacesCommand({ Filters: [{ Name: 'NAME', Values: [`${project}.local`], Condition: 'EQ' }, { Name: 'TYPE', Values: ['DNS_PRIVATE'], Condition: 'EQ' }] }))).Namespaces?.[0];
  if (ns?.Id) {
    current.network.namespaceId = ns.Id;
    let token: string | undefined;
    do {
      const r = await c.sd.send(new ListNamesCommand({ Filters: [{ Name: 'NAMESPACE_ID', Values: [ns.Id], Condition: 'EQ' }], NextToken: token }));
      for (const s of r.Services ?? []) current.network.discovery.set(s.Name!, { id: s.Id!, arn: s.Arn! });
      token = r.NextToken;
    } while (token);
  }
  for (const s of services) {
    const td = await c.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: s.taskDefinition!, include: ['TAGS'] }));
    current.services.push({
      ecsName: s.serviceName!, arn: s.serviceArn!, schedulingStrategy: s.schedulingStrategy, taskDefinitionArn: s.taskDefinition!,
      taskDefinition: td.taskDefinition, taskDefinitionHash: tagValue(td.tags, HASH_TAG), desiredCount: s.desiredCount,
      deploymentConfiguration: s.deploymentConfiguration, loadBalancers: s.loadBalancers ?? [],
    });
  }
  const lbs: LoadBalancer[] = [];
  let marker: string | undefined;
  do {
    const r = await c.elb.send(new DescribeLoadBalancersCommand({ Marker: marker }));
    lbs.push(...(r.LoadBalancers ?? []));
    marker = r.NextMarker;
  } while (marker);
  for (const lb of lbs) {
    const listeners = (await c.elb.send(new DescribeListenersCommand({ LoadBalancerArn: lb.LoadBalancerArn }))).Listeners ?? [];
    if (lb.LoadBalancerName === lbName) {
      const tags = (await c.elb.send(new DescribeTagsCommand({ ResourceArns: [lb.LoadBalancerArn!] }))).TagDescriptions?.[0]?.Tags;
      if (tagValue(tags, PROJECT_TAG) !== project) { current.foreignLb = true; continue; }
      current.loadBalancerArn = lb.LoadBalancerArn;
      current.listeners = listeners.map((l) => ({ arn: l.ListenerArn!, port: l.Port!, targetGroupArn: l.DefaultActions?.find((a) => a.Type === 'forward')?.TargetGroupArn }));
    } else {
      for (const l of listeners) current.foreignPorts.set(l.Port!, lb.LoadBalancerName!);
    }
  }
  const tgs: { arn: string; name: string }[] = [];
  marker = undefined;
  do {
    const r: { TargetGroups?: { TargetGroupArn?: string; TargetGroupName?: string }[]; NextMarker?: string } = await c.elb.send(new DescribeTargetGroupsCommand({ Marker: marker }));
    tgs.push(...(r.TargetGroups ?? []).map((t) => ({ arn: t.TargetGroupArn!, name: t.TargetGroupName! })));
    marker = r.NextMarker;
  } while (marker);
  for (let i = 0; i < tgs.length; i += 20) {
    const r = await c.elb.send(new DescribeTagsCommand({ ResourceArns: tgs.slice(i, i + 20).map((t) => t.arn) }));
    for (const d of r.TagDescriptions ?? []) {
      if (tagValue(d.Tags, PROJECT_TAG) === project) current.targetGroups.set(tgs.find((t) => t.arn === d.ResourceArn)!.name, d.ResourceArn!);
    }
  }
  return current;
}

// ── image builds ───────────────────────────────────────────────────────────────────────────────────
interface Built { service: string; imageId: string; repository: string; tag: string; imageUri: string }

async function builder(): Promise<string> {
  const wanted = process.env.WHARF_BUILDER;
  for (const b of wanted ? [wanted] : ['podman', 'docker']) {
    try { await run(b, ['--version']); return b; } catch { /* next */ }
  }
  throw new CliError(`services with build: need podman or docker to build images${wanted ? ` (WHARF_BUILDER=${wanted} was not found)` : ''} → apt-get install podman`, EXIT.config);
}

/** Builds locally; the tag is the image id, so an unchanged build gives an unchanged task definition. */
async function buildImage(tool: string, s: DesiredService, project: string, registryHost: string): Promise<Built> {
  const b = s.build!;
  const dockerfile = b.dockerfile ? resolve(b.context, b.dockerfile) : undefined;
  if (!existsSync(b.context)) throw new CliError(`services.${s.name}.build: the build context ${b.context} does not exist`, EXIT.usage);
  const args = ['build', '-q', '-t', `localhost/wharf-build/${project}-${s.name}:latest`];
  if (dockerfile) args.push('-f', dockerfile);
  for (const [k, v] of Object.entries(b.args)) args.push('--build-arg', `${k}=${v}`);
  if (b.target) args.push('--target', b.target);
  args.push(b.context);
  let id: string;
  try {
    const r = await run(tool, args, { maxBuffer: 64 << 20 });
    id = r.stdout.trim().split('\n').pop()!.replace(/^sha256:/, '');
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    const last = (err.stderr || err.message).trim().split('\n').filter(Boolean).slice(-1)[0];
    throw new CliError(`services.${s.name}.build: ${tool} build failed: ${last} → nothing was deployed`, EXIT.failed);
  }
  const repository = `${project}/${s.name}`;
  const tag = id.slice(0, 12);
  return { service: s.name, imageId: id, repository, tag, imageUri: `${registryHost}/${repository}:${tag}` };
}

async function pushImage(tool: string, b: Built, o: GlobalOptions): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'wharf-deploy-'));
  try {
    const archive = join(dir, 'image.tar');
    try {
      await run(tool, tool === 'podman' ? ['save', '-q', '--format', 'oci-archive', '-o', archive, b.imageId] : ['save', '-o', archive, b.imageId], { maxBuffer: 16 << 20 });
    } catch (e) {
      throw new CliError(`services.${b.service}.build: ${tool} save failed: ${((e as { stderr?: string }).stderr ?? (e as Error).message).trim().split('\n').pop()}`, EXIT.failed);
    }
    await importImage(archive, { ...o, repository: b.repository, tag: b.tag, quiet: true } as never);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ── deploy ─────────────────────────────────────────────────────────────────────────────────────────
export interface DeployResult { project: string; plan: Plan; applied: boolean; services: { name: string; ecsName: string; url?: string }[] }

export async function deploy(o: DeployOptions, steps = new Steps()): Promise<DeployResult> {
  const loaded = loadCompose(o.file);
  const project = o.project ?? defaultProjectName(loaded);
  const conn = resolveConnection(o);
  const c = clients(o);
  const registryHost = new URL(conn.endpoint).host;
  const env = { ...process.env };
  // Compose's default network (services by name) where the cluster can run awsvpc tasks.
  const network = o.network ?? (await awsvpcCapable(c.ecs, o.cluster) ? 'awsvpc' : 'bridge');
  const base = () => translate(loaded.model, {
    project, region: conn.region, env, readFile: (p) => readFileSync(p, 'utf8'), resolvePath: (p) => resolve(loaded.dir, p), network,
  });
  let t: Translation = base();
  if (t.refusals.length) throw refusalError(loaded.file, t.refusals, loaded.lineOf);

  // Builds happen before anything changes on the server (a failing build deploys nothing), and also
  // for --dry-run: the image id decides whether the service changes.
  const built = new Map<string, Built>();
  const toBuild = t.services.filter((s) => s.build);
  if (toBuild.length) {
    const tool = await builder();
    for (const s of toBuild) {
      built.set(s.name, await steps.run(`Building ${s.name} (${tool} build ${s.build!.context})`, () => buildImage(tool, s, project, registryHost)));
    }
    t = translate(loaded.model, {
      project, region: conn.region, env, readFile: (p) => readFileSync(p, 'utf8'), resolvePath: (p) => resolve(loaded.dir, p),
      builtImage: (name) => built.get(name)?.imageUri, network,
    });
  }

  const current = await steps.run(`Reading project ${project} from ${conn.endpoint}`, () => readCurrent(c, o.cluster, project, t.loadBalancerName));
  if (current.foreignLb) throw new CliError(`a load balancer named ${t.loadBalancerName} exists that this project did not create → deploy with another --project name`, EXIT.failed);
  const plan = makePlan(t, current);
  if (plan.conflicts.length) throw new CliError(`${plan.conflicts.join('\n')}\n  → nothing was deployed`, EXIT.failed);
  const result: DeployResult = {
    project, plan, applied: false,
    services: t.services.map((s) => ({ name: s.name, ecsName: s.ecsName, url: s.published[0] ? `http://127.0.0.1:${s.published[0].port}/` : undefined })),
  };
  if (o.dryRun) return result;

  const tool = built.size ? await builder() : '';
  for (const b of built.values()) {
    await steps.run(`Pushing ${b.service}'s image to ${b.imageUri}`, () => pushImage(tool, b, o));
  }
  await c.ecs.send(new CreateClusterCommand({ clusterName: o.cluster }));
  await apply(c, o, t, plan, current, steps);
  result.applied = true;
  return result;
}

function refusalError(file: string, refusals: string[], lineOf: (p: (string | number)[]) => number | undefined): CliError {
  const lines = refusals.map((r) => {
    const path = r.slice(0, r.indexOf(': '));
    const parts = path.replace(/\[(\d+)\]/g, '.$1').split('.');
    const line = lineOf(parts);
    return `${file}${line ? `:${line}` : ''}: ${r}`;
  });
  return new CliError(`${lines.join('\n')}\n  → nothing was deployed: change these and deploy again`, EXIT.usage);
}

/** Best effort, newest first: listeners, then the load balancer, then target groups no listener uses any more. */
async function undoLoadBalancerSide(c: Clients, made: { loadBalancer?: string; targetGroups: string[]; listeners: string[] }): Promise<void> {
  const quietly = async (f: () => Promise<unknown>) => { try { await f(); } catch { /* already gone, or the next deploy/down removes it */ } };
  for (const arn of made.listeners.reverse()) await quietly(() => c.elb.send(new DeleteListenerCommand({ ListenerArn: arn })));
  if (made.loadBalancer) await quietly(() => c.elb.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: made.loadBalancer })));
  for (const arn of made.targetGroups.reverse()) await quietly(() => c.elb.send(new DeleteTargetGroupCommand({ TargetGroupArn: arn })));
}

async function apply(c: Clients, o: DeployOptions, t: Translation, plan: Plan, current: CurrentState, steps: Steps): Promise<void> {
  const tags = [{ Key: PROJECT_TAG, Value: t.project }];
  let lbArn = current.loadBalancerArn;
  const tgArns = new Map(current.targetGroups);
  const byName = new Map(t.services.map((s) => [s.name, s]));
  const find = (k: string, op?: string) => plan.steps.filter((s) => s.kind === k && (!op || s.op === op));
  const must = async <T>(what: string, f: () => Promise<T>): Promise<T> => {
    try { return await f(); } catch (e) { throw explainError(e, what); }
  };

  const tdArn = new Map(current.services.map((cs) => [cs.ecsName, cs.taskDefinitionArn]));
  for (const step of find('task-definition')) {
    const s = byName.get(step.service!)!;
    const arn = await steps.run(`Registering task definition ${s.ecsName}`, () => must(`registering ${s.ecsName}`, async () => (await c.ecs.send(new RegisterTaskDefinitionCommand({
      ...s.taskDefinition, tags: [...s.tags, { key: HASH_TAG, value: requestHash(s) }],
    }))).taskDefinition!.taskDefinitionArn!));
    tdArn.set(s.ecsName, arn);
  }

  // awsvpc: the project's security group, Cloud Map namespace and one name per service.
  const vpc = t.network ? await defaultVpc(c.ec2) : undefined;
  if (t.network && !vpc?.subnets.length) throw new CliError('awsvpc networking needs the default VPC and its subnets, and the server has none → deploy with --network bridge', EXIT.failed);
  let sgId = current.network.securityGroupId;
  let nsId = current.network.namespaceId;
  const names = new Map([...current.network.discovery].map(([k, v]) => [k, v.arn]));
  for (const step of find('security-group', 'create')) {
    sgId = await steps.run(`Creating security group ${step.name}`, () => must(`creating security group ${step.name}`, async () => {
      const id = (await c.ec2.send(new CreateSecurityGroupCommand({
        GroupName: step.name, Description: `wharf deploy project ${t.project}`, VpcId: vpc!.id,
        TagSpecifications: [{ ResourceType: 'security-group', Tags: tags }],
      }))).GroupId!;
      // All traffic between the project's tasks (Compose's default network); TCP from the subnets' routers,
      // which is where the load balancer's and the host's connections come from.
      await c.ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: id, IpPermissions: [
        { IpProtocol: '-1', UserIdGroupPairs: [{ GroupId: id }] },
        { IpProtocol: 'tcp', FromPort: 0, ToPort: 65535, IpRanges: vpc!.subnets.map((s) => ({ CidrIp: `${routerOf(s.cidr)}/32`, Description: 'load balancer and host' })) },
      ] }));
      return id;
    }));
  }
  for (const step of find('namespace', 'create')) {
    nsId = await steps.run(`Creating namespace ${step.name}`, () => must(`creating namespace ${step.name}`, async () => {
      const op = await c.sd.send(new CreatePrivateDnsNamespaceCommand({ Name: step.name, Vpc: vpc!.id, Tags: tags }));
      for (let i = 0; ; i++) {
        const o2 = (await c.sd.send(new GetOperationCommand({ OperationId: op.OperationId }))).Operation!;
        if (o2.Status === 'SUCCESS') return o2.Targets!.NAMESPACE!;
        if (o2.Status === 'FAIL' || i > 120) throw new CliError(`creating namespace ${step.name}: ${o2.ErrorMessage ?? o2.Status}`, EXIT.failed);
        await new Promise((r) => setTimeout(r, 500));
      }
    }));
  }
  for (const step of find('discovery-service', 'create')) {
    const s = byName.get(step.service!)!;
    const arn = await steps.run(`Naming ${s.name} in ${t.network!.namespace}`, () => must(`creating the Cloud Map service ${step.name}`, async () => (await c.sd.send(new CreateNameCommand({
      Name: s.name, NamespaceId: nsId, DnsConfig: { RoutingPolicy: 'MULTIVALUE', DnsRecords: [{ Type: 'A', TTL: 10 }] }, Tags: tags,
    }))).Service!.Arn!));
    names.set(s.name, arn);
  }

  // What this deploy creates on the load balancer side, undone if a later step of that side fails (a
  // listener port taken by another process, say): a failed deploy leaves no half-made load balancer.
  const made: { loadBalancer?: string; targetGroups: string[]; listeners: string[] } = { targetGroups: [], listeners: [] };
  try {
  for (const _ of find('load-balancer', 'create')) {
    lbArn = await steps.run(`Creating load balancer ${t.loadBalancerName}`, () => must('creating the load balancer', async () => (await c.elb.send(new CreateLoadBalancerCommand({
      Name: t.loadBalancerName, Type: 'application', Scheme: 'internet-facing', Subnets: ['subnet-local-a', 'subnet-local-b'], Tags: tags,
    }))).LoadBalancers![0].LoadBalancerArn!));
    made.loadBalancer = lbArn;
  }
  for (const step of find('target-group', 'create')) {
    const s = byName.get(step.service!)!;
    const p = s.published.find((x) => x.targetGroupName === step.name)!;
    const arn = await steps.run(`Creating target group ${step.name}`, () => must(`creating target group ${step.name}`, async () => {
      const tg = (await c.elb.send(new CreateTargetGroupCommand({
        Name: step.name, Protocol: 'HTTP', Port: p.containerPort, TargetType: s.discovery ? 'ip' : 'instance', VpcId: s.discovery ? vpc!.id : 'vpc-local',
        // Any HTTP answer means the server is up (a JSON API may answer 404 on /); the Compose healthcheck
        // (run by the agent) is where "healthy" is defined more strictly.
        HealthCheckPath: '/', Matcher: { HttpCode: '200-499' },
        HealthCheckIntervalSeconds: 5, HealthCheckTimeoutSeconds: 2, HealthyThresholdCount: 2, UnhealthyThresholdCount: 2,
        Tags: [...tags, { Key: 'wharf:compose-service', Value: s.name }],
      }))).TargetGroups![0];
      // Drain for 5 s instead of AWS's 300 s default: long enough for in-flight requests of a small web
      // service, short enough that a redeploy finishes promptly.
      await c.elb.send(new ModifyTargetGroupAttributesCommand({ TargetGroupArn: tg.TargetGroupArn, Attributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: '5' }] }));
      return tg.TargetGroupArn!;
    }));
    tgArns.set(step.name, arn);
    made.targetGroups.push(arn);
  }
  for (const step of find('listener')) {
    if (step.op === 'delete') continue;
    const s = byName.get(step.service!)!;
    const p = s.published.find((x) => x.port === Number(step.name))!;
    const action = [{ Type: 'forward' as const, TargetGroupArn: tgArns.get(p.targetGroupName)! }];
    await steps.run(`${step.op === 'create' ? 'Creating' : 'Changing'} listener on port ${step.name} → ${s.name}`, () => must(`listener on port ${step.name}`, async () => {
      if (step.op === 'create') made.listeners.push((await c.elb.send(new CreateListenerCommand({ LoadBalancerArn: lbArn!, Protocol: 'HTTP', Port: p.port, DefaultActions: action }))).Listeners![0].ListenerArn!);
      else await c.elb.send(new ModifyListenerCommand({ ListenerArn: current.listeners.find((l) => l.port === p.port)!.arn, DefaultActions: action }));
    }));
  }
  } catch (e) {
    await undoLoadBalancerSide(c, made);
    throw e;
  }

  const watch: { cluster: string; service: string; taskDefinitionArn: string }[] = [];
  const watchOne = async (names: string[], title: string) => {
    const targets = names.map((n) => ({ cluster: o.cluster, service: n, taskDefinitionArn: tdArn.get(n)! }));
    const results = await steps.run(title, (update) => watchRollouts(c.ecs, c.elb, targets, { timeoutMs: o.timeout * 1000, onProgress: (l) => update(l.join(' | ')) }));
    const failed = results.filter((r) => !r.ok);
    if (failed.length) throw new CliError(failed.map((f) => `service ${f.service} did not deploy: ${f.reason}`).join('\n') + `\n  → see \`wharf services events ${failed[0].service}\` and \`wharf logs ${failed[0].service}\``, EXIT.failed);
  };
  const started = new Set<string>();
  for (const s of t.services) {
    const step = plan.steps.find((x) => x.kind === 'service' && x.service === s.name && x.op !== 'delete');
    if (!step) continue;
    // depends_on: a dependency created in this deploy must be up (healthy, for service_healthy) first.
    const waitFor = s.dependsOn.map((d) => byName.get(d.service)!).filter((d) => plan.steps.some((x) => x.kind === 'service' && x.op === 'create' && x.service === d.name) && !started.has(d.ecsName));
    if (waitFor.length && o.wait) {
      await watchOne(waitFor.map((d) => d.ecsName), `Waiting for ${waitFor.map((d) => d.name).join(', ')} before ${s.name} (depends_on)`);
      for (const d of waitFor) started.add(d.ecsName);
    }
    const loadBalancers = s.published.map((p) => ({ targetGroupArn: tgArns.get(p.targetGroupName)!, containerName: s.name, containerPort: p.containerPort }));
    if (step.op === 'create') {
      await steps.run(`Creating service ${s.ecsName}`, () => must(`creating service ${s.ecsName}`, () => c.ecs.send(new CreateServiceCommand({
        cluster: o.cluster, serviceName: s.ecsName, taskDefinition: tdArn.get(s.ecsName), schedulingStrategy: s.schedulingStrategy,
        desiredCount: s.desiredCount, deploymentConfiguration: s.deploymentConfiguration, loadBalancers,
        healthCheckGracePeriodSeconds: loadBalancers.length ? 10 : undefined, tags: s.tags, propagateTags: 'SERVICE',
        ...(s.discovery ? {
          networkConfiguration: { awsvpcConfiguration: { subnets: vpc!.subnets.map((x) => x.id), securityGroups: [sgId!] } },
          serviceRegistries: [{ registryArn: names.get(s.name)! }],
        } : {}),
      }))));
    } else {
      const cur = current.services.find((x) => x.ecsName === s.ecsName)!;
      const lbChanged = step.details.some((d) => d.startsWith('load balancing'));
      await steps.run(`Updating service ${s.ecsName}: ${step.details.join('; ')}`, () => must(`updating service ${s.ecsName}`, () => c.ecs.send(new UpdateServiceCommand({
        cluster: o.cluster, service: s.ecsName,
        taskDefinition: tdArn.get(s.ecsName) !== cur.taskDefinitionArn ? tdArn.get(s.ecsName) : undefined,
        desiredCount: s.desiredCount, deploymentConfiguration: s.deploymentConfiguration,
        loadBalancers: lbChanged ? loadBalancers : undefined,
      }))));
    }
    watch.push({ cluster: o.cluster, service: s.ecsName, taskDefinitionArn: tdArn.get(s.ecsName)! });
  }
  if (o.wait && watch.length) {
    const pending = watch.filter((w) => !started.has(w.service)).map((w) => w.service);
    if (pending.length) await watchOne(pending, `Rolling out ${pending.join(', ')}`);
    // A service is deployed when the others can call it: its tasks answer to its name.
    const named = t.services.filter((s) => s.discovery && names.has(s.name) && watch.some((w) => w.service === s.ecsName));
    if (named.length) await steps.run(`Waiting until ${named.map((s) => s.name).join(', ')} answer${named.length === 1 ? 's' : ''} by name`, () => waitNamed(c, o, named, names));
  }

  // Deletions: services first (their tasks leave the target groups), then listeners, groups, the LB.
  const gone = find('service', 'delete');
  for (const step of gone) {
    await steps.run(`Deleting service ${step.name}`, () => must(`deleting service ${step.name}`, () => c.ecs.send(new DeleteServiceCommand({ cluster: o.cluster, service: step.name, force: true }))));
  }
  for (const step of find('listener', 'delete')) {
    const l = current.listeners.find((x) => x.port === Number(step.name))!;
    await steps.run(`Deleting listener on port ${step.name}`, () => must('deleting a listener', () => c.elb.send(new DeleteListenerCommand({ ListenerArn: l.arn }))));
  }
  if (gone.length) await waitTasksGone(c.ecs, o.cluster, gone.map((g) => g.name), o.timeout * 1000);
  for (const step of find('target-group', 'delete')) {
    await steps.run(`Deleting target group ${step.name}`, () => must('deleting a target group', () => c.elb.send(new DeleteTargetGroupCommand({ TargetGroupArn: current.targetGroups.get(step.name)! }))));
  }
  for (const _ of find('load-balancer', 'delete')) {
    await steps.run(`Deleting load balancer ${t.loadBalancerName}`, () => must('deleting the load balancer', () => c.elb.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: current.loadBalancerArn! }))));
  }
  for (const step of find('discovery-service', 'delete')) {
    const id = current.network.discovery.get(step.service!)!.id;
    await steps.run(`Deleting the name ${step.name}`, () => untilFree(`deleting ${step.name}`, o.timeout * 1000, () => c.sd.send(new DeleteNameCommand({ Id: id }))));
  }
}

/** Until each service's Cloud Map service holds as many instances as the service has running tasks (at least one). */
async function waitNamed(c: Clients, o: DeployOptions, services: DesiredService[], names: Map<string, string>): Promise<void> {
  const deadline = Date.now() + o.timeout * 1000;
  for (const s of services) {
    const id = names.get(s.name)!.split('/').pop()!;
    for (;;) {
      const running = (await c.ecs.send(new DescribeServicesCommand({ cluster: o.cluster, services: [s.ecsName] }))).services?.[0]?.runningCount ?? 0;
      const registered = (await c.sd.send(new ListInstancesCommand({ ServiceId: id }))).Instances?.length ?? 0;
      if (registered >= Math.max(1, running)) break;
      if (Date.now() > deadline) throw new CliError(`service ${s.name} runs ${running} tasks but ${registered} answer to its name after ${o.timeout} s → see \`wharf services events ${s.ecsName}\``, EXIT.failed);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

/**
 * Retries a deletion the server refuses while something still uses the resource (a Cloud Map service
 * whose last instances are being deregistered, a security group whose tasks are still stopping).
 */
async function untilFree(what: string, ms: number, f: () => Promise<unknown>): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    try { await f(); return; } catch (e) {
      const name = (e as Error).name;
      if (!['ResourceInUse', 'DependencyViolation'].includes(name) || Date.now() > deadline) throw explainError(e, what);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function waitTasksGone(ecs: ECSClient, cluster: string, services: string[], ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    let left = 0;
    for (const s of services) {
      left += ((await ecs.send(new ListTasksCommand({ cluster, serviceName: s, desiredStatus: 'RUNNING' }))).taskArns ?? []).length;
    }
    if (left === 0) return;
    if (Date.now() > deadline) throw new CliError(`${left} tasks of ${services.join(', ')} still run after ${ms / 1000} s → see \`wharf tasks list\``, EXIT.failed);
    await new Promise((r) => setTimeout(r, 500));
  }
}

// ── down ───────────────────────────────────────────────────────────────────────────────────────────
export interface DownOptions extends GlobalOptions { project: string; cluster: string; timeout?: number }

export async function downProject(o: DownOptions, steps = new Steps()): Promise<string[]> {
  const c = clients(o);
  const lbName = awsName(o.project, 32);
  const current = await steps.run(`Reading project ${o.project}`, () => readCurrent(c, o.cluster, o.project, lbName));
  const removed: string[] = [];
  for (const s of current.services) {
    await steps.run(`Deleting service ${s.ecsName}`, () => c.ecs.send(new DeleteServiceCommand({ cluster: o.cluster, service: s.ecsName, force: true })));
    removed.push(`service ${s.ecsName}`);
  }
  for (const l of current.listeners) {
    await c.elb.send(new DeleteListenerCommand({ ListenerArn: l.arn }));
    removed.push(`listener ${l.port}`);
  }
  if (current.services.length) {
    await steps.run('Waiting for the tasks to stop', () => waitTasksGone(c.ecs, o.cluster, current.services.map((s) => s.ecsName), (o.timeout ?? 300) * 1000));
  }
  for (const [name, arn] of current.targetGroups) {
    await c.elb.send(new DeleteTargetGroupCommand({ TargetGroupArn: arn }));
    removed.push(`target group ${name}`);
  }
  if (current.loadBalancerArn) {
    await c.elb.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: current.loadBalancerArn }));
    removed.push(`load balancer ${lbName}`);
  }
  // awsvpc: the names (free once the tasks have stopped and been deregistered), the namespace, the group.
  const ms = (o.timeout ?? 300) * 1000;
  for (const [name, s] of current.network.discovery) {
    await steps.run(`Deleting the name ${name}.${o.project}.local`, () => untilFree(`deleting ${name}.${o.project}.local`, ms, () => c.sd.send(new DeleteNameCommand({ Id: s.id }))));
    removed.push(`name ${name}.${o.project}.local`);
  }
  if (current.network.namespaceId) {
    await steps.run(`Deleting namespace ${o.project}.local`, () => untilFree(`deleting namespace ${o.project}.local`, ms, () => c.sd.send(new DeleteNamespaceCommand({ Id: current.network.namespaceId }))));
    removed.push(`namespace ${o.project}.local`);
  }
  if (current.network.securityGroupId) {
    await steps.run(`Deleting security group ${o.project}`, () => untilFree(`deleting security group ${o.project}`, ms, () => c.ec2.send(new DeleteSecurityGroupCommand({ GroupId: current.network.securityGroupId }))));
    removed.push(`security group ${o.project}`);
  }
  // Task definitions: every ACTIVE revision of the project's families (tagged at registration).
  const families = new Set<string>();
  for await (const page of paginateListTaskDefinitions({ client: c.ecs }, { familyPrefix: `${o.project}-`, status: 'ACTIVE' })) {
    for (const arn of page.taskDefinitionArns ?? []) {
      const td = await c.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn, include: ['TAGS'] }));
      if (tagValue(td.tags, PROJECT_TAG) !== o.project) continue;
      await c.ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: arn }));
      families.add(td.taskDefinition!.family!);
    }
  }
  for (const f of families) removed.push(`task definition ${f}`);
  return removed;
}

// ── commands ───────────────────────────────────────────────────────────────────────────────────────
export function registerDeployCommands(program: Command): void {
  addGlobalOptions(program.command('deploy')
    .description('deploy a Compose file: each service becomes an ECS service, published ports a load balancer listener'))
    .option('-f, --file <file>', 'the Compose file', 'compose.yaml')
    .option('-p, --project <name>', 'project name (default: the file\'s name:, else its directory\'s name)')
    .option('-c, --cluster <cluster>', 'cluster', 'default')
    .option('--dry-run', 'print the plan (what would be created, changed, deleted) and change nothing')
    .option('--no-wait', 'do not wait for the rollouts to finish')
    .option('--timeout <seconds>', 'how long to wait for the rollouts', (v) => Number(v), 300)
    .addOption(new Option('--network <mode>', 'awsvpc: each task its own address, services call each other by name; bridge: the runtime\'s bridge, calls through the load balancer (default: awsvpc when the cluster can run it)').choices(['awsvpc', 'bridge']))
    .action(async (opts: DeployOptions) => {
      if (opts.file === 'compose.yaml' && !existsSync(opts.file)) {
        opts.file = ['compose.yml', 'docker-compose.yaml', 'docker-compose.yml'].find((f) => existsSync(f)) ?? opts.file;
      }
      const r = await deploy(opts);
      const doc = { project: r.project, dryRun: Boolean(opts.dryRun), steps: r.plan.steps, unchanged: r.plan.unchanged, services: r.services };
      emit(opts, doc, () => {
        process.stdout.write(renderPlan(r.plan, r.project));
        if (opts.dryRun) { process.stdout.write('(dry run: nothing was changed)\n'); return; }
        for (const s of r.services) if (s.url) process.stdout.write(`${s.name}: ${s.url}\n`);
      });
    });
}

export const downOptions = (cmd: Command): Command => addGlobalOptions(cmd)
  .option('-p, --project <name>', 'remove what `wharf deploy` created for this project (instead of stopping the local cluster)')
  .option('-c, --cluster <cluster>', 'cluster (with --project)', 'default');
