/**
 * `wharf services list|describe|scale|deploy|rollback|delete|events`: thin layers over the ECS API
 * (ListServices, DescribeServices, UpdateService, RegisterTaskDefinition, DeleteService). `deploy`,
 * `rollback` and `scale` show the rollout live on a terminal (tasks started, healthy, draining, and the
 * deployment's state) and wait for it unless --no-wait; they exit 254 if the rollout fails.
 */
import {
  DeleteServiceCommand, DescribeServicesCommand, DescribeTaskDefinitionCommand, ECSClient, RegisterTaskDefinitionCommand, UpdateServiceCommand,
  paginateListServices, paginateListTaskDefinitions, type Service,
} from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { Command } from 'commander';
import { addGlobalOptions, CliError, clientConfig, emit, EXIT, printTable, type GlobalOptions } from './client.js';
import { watchRollouts } from './rollout.js';
import { Steps } from './steps.js';

interface ClusterOpts extends GlobalOptions { cluster: string }

const tdName = (arn?: string) => arn?.split('/').pop();

async function describe(ecs: ECSClient, cluster: string, name: string): Promise<Service> {
  const r = await ecs.send(new DescribeServicesCommand({ cluster, services: [name], include: ['TAGS'] }));
  const s = r.services?.[0];
  if (!s || s.status === 'INACTIVE') throw new CliError(`service ${name} not found in cluster ${cluster} → list services with \`wharf services list -c ${cluster}\``, EXIT.failed);
  return s;
}

async function rollout(o: ClusterOpts & { wait: boolean; timeout: number }, ecs: ECSClient, service: string, taskDefinitionArn: string | undefined): Promise<void> {
  if (!o.wait) return;
  const elb = new ElasticLoadBalancingV2Client(clientConfig(o));
  const [r] = await new Steps().run(`Rolling out ${service}`, (update) => watchRollouts(ecs, elb, [{ cluster: o.cluster, service, taskDefinitionArn }], {
    timeoutMs: o.timeout * 1000, onProgress: (l) => update(l.join(' | ')),
  }));
  if (!r.ok) throw new CliError(`service ${service} did not deploy: ${r.reason} → see \`wharf services events ${service}\``, EXIT.failed);
}

const clusterOpt = (cmd: Command) => addGlobalOptions(cmd).option('-c, --cluster <cluster>', 'cluster', 'default');
const waitOpts = (cmd: Command) => cmd.option('--no-wait', 'return at once instead of following the rollout')
  .option('--timeout <seconds>', 'how long to wait for the rollout', (v) => Number(v), 300);

export function registerServiceCommands(program: Command): void {
  const services = program.command('services').alias('service').description('list, inspect, scale, roll out, roll back and delete services');

  clusterOpt(services.command('list').description('list the services of a cluster')).action(async (o: ClusterOpts) => {
    const ecs = new ECSClient(clientConfig(o));
    const arns: string[] = [];
    for await (const page of paginateListServices({ client: ecs }, { cluster: o.cluster })) arns.push(...(page.serviceArns ?? []));
    const all: Service[] = [];
    for (let i = 0; i < arns.length; i += 10) all.push(...((await ecs.send(new DescribeServicesCommand({ cluster: o.cluster, services: arns.slice(i, i + 10) }))).services ?? []));
    emit(o, { services: all }, () => printTable(['NAME', 'STATUS', 'DESIRED', 'RUNNING', 'PENDING', 'TASK DEFINITION', 'ROLLOUT'],
      all.map((s) => [s.serviceName, s.status, s.desiredCount, s.runningCount, s.pendingCount, tdName(s.taskDefinition),
        s.deployments?.find((d) => d.status === 'PRIMARY')?.rolloutState ?? ''])));
  });

  clusterOpt(services.command('describe').argument('<service>').description('show a service, its deployments and recent events')).action(async (name: string, o: ClusterOpts) => {
    const ecs = new ECSClient(clientConfig(o));
    const s = await describe(ecs, o.cluster, name);
    emit(o, { service: s }, () => {
      printTable(['FIELD', 'VALUE'], [
        ['name', s.serviceName], ['arn', s.serviceArn], ['status', s.status], ['task definition', tdName(s.taskDefinition)],
        ['desired / running / pending', `${s.desiredCount} / ${s.runningCount} / ${s.pendingCount}`], ['scheduling', s.schedulingStrategy],
        ['deployment', `min ${s.deploymentConfiguration?.minimumHealthyPercent}% max ${s.deploymentConfiguration?.maximumPercent}%${s.deploymentConfiguration?.deploymentCircuitBreaker?.enable ? `, circuit breaker${s.deploymentConfiguration.deploymentCircuitBreaker.rollback ? ' with rollback' : ''}` : ''}`],
        ['load balancers', (s.loadBalancers ?? []).map((l) => `${l.targetGroupArn?.split(':').pop()} → ${l.containerName}:${l.containerPort}`).join(', ')],
        ['tags', (s.tags ?? []).map((t) => `${t.key}=${t.value}`).join(', ')],
      ]);
      printTable(['DEPLOYMENT', 'STATUS', 'TASK DEFINITION', 'DESIRED', 'RUNNING', 'ROLLOUT', 'REASON'], (s.deployments ?? []).map((d) => [
        d.id, d.status, tdName(d.taskDefinition), d.desiredCount, d.runningCount, d.rolloutState, d.rolloutStateReason]));
      for (const e of (s.events ?? []).slice(0, 5).reverse()) process.stdout.write(`${e.createdAt?.toISOString()}  ${e.message}\n`);
    });
  });

  waitOpts(clusterOpt(services.command('scale').argument('<service>').argument('<count>', 'desired number of tasks').description('set the desired count'))).action(async (name: string, count: string, o: ClusterOpts & { wait: boolean; timeout: number }) => {
    const n = Number(count);
    if (!Number.isInteger(n) || n < 0) throw new CliError(`"${count}" is not a number of tasks (0 or more)`, EXIT.usage);
    const ecs = new ECSClient(clientConfig(o));
    const s = (await ecs.send(new UpdateServiceCommand({ cluster: o.cluster, service: name, desiredCount: n }))).service!;
    await rollout(o, ecs, name, undefined);
    emit(o, { service: s }, () => process.stdout.write(`${name}: desired count ${n}\n`));
  });

  waitOpts(clusterOpt(services.command('deploy').argument('<service>')
    .description('roll out a new version: a new image (--image), another task definition, or the same one again (--force)')))
    .option('--image <image>', 'new image for the container (CONTAINER=IMAGE when the task has several)')
    .option('--task-definition <td>', 'FAMILY, FAMILY:REVISION or ARN to roll out')
    .option('--force', 'start new tasks even if nothing changed (e.g. to pull a moved tag)')
    .action(async (name: string, o: ClusterOpts & { wait: boolean; timeout: number; image?: string; taskDefinition?: string; force?: boolean }) => {
      if (!o.image && !o.taskDefinition && !o.force) throw new CliError('say what to roll out: --image IMAGE, --task-definition TD, or --force', EXIT.usage);
      const ecs = new ECSClient(clientConfig(o));
      const s = await describe(ecs, o.cluster, name);
      let td = o.taskDefinition;
      if (o.image) {
        const cur = (await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: s.taskDefinition!, include: ['TAGS'] })));
        const t = cur.taskDefinition!;
        const eq = o.image.indexOf('=');
        const [container, image] = eq > 0 && !o.image.slice(0, eq).includes('/') ? [o.image.slice(0, eq), o.image.slice(eq + 1)] : [undefined, o.image];
        const defs = t.containerDefinitions ?? [];
        if (!container && defs.length > 1) throw new CliError(`the task has ${defs.length} containers (${defs.map((c) => c.name).join(', ')}): say which with --image CONTAINER=IMAGE`, EXIT.usage);
        const target = container ? defs.find((c) => c.name === container) : defs[0];
        if (!target) throw new CliError(`no container ${container} in ${tdName(s.taskDefinition)}: it has ${defs.map((c) => c.name).join(', ')}`, EXIT.usage);
        target.image = image;
        const reg = await ecs.send(new RegisterTaskDefinitionCommand({
          family: t.family, containerDefinitions: defs, volumes: t.volumes, networkMode: t.networkMode, cpu: t.cpu, memory: t.memory,
          taskRoleArn: t.taskRoleArn, executionRoleArn: t.executionRoleArn, placementConstraints: t.placementConstraints, requiresCompatibilities: t.requiresCompatibilities,
          pidMode: t.pidMode, ipcMode: t.ipcMode, runtimePlatform: t.runtimePlatform, ephemeralStorage: t.ephemeralStorage, tags: cur.tags?.length ? cur.tags : undefined,
        }));
        td = reg.taskDefinition!.taskDefinitionArn;
      }
      const u = (await ecs.send(new UpdateServiceCommand({ cluster: o.cluster, service: name, taskDefinition: td, forceNewDeployment: o.force }))).service!;
      await rollout(o, ecs, name, u.taskDefinition);
      emit(o, { service: u }, () => process.stdout.write(`${name}: ${o.wait ? 'rolled out' : 'rolling out'} ${tdName(u.taskDefinition)}\n`));
    });

  waitOpts(clusterOpt(services.command('rollback').argument('<service>')
    .description('roll back to the previous ACTIVE revision of the service\'s task definition family (or --to REVISION)')))
    .option('--to <revision>', 'the revision number to roll back to')
    .action(async (name: string, o: ClusterOpts & { wait: boolean; timeout: number; to?: string }) => {
      const ecs = new ECSClient(clientConfig(o));
      const s = await describe(ecs, o.cluster, name);
      const [family, rev] = tdName(s.taskDefinition)!.split(':');
      let target: string | undefined;
      if (o.to) target = `${family}:${o.to}`;
      else {
        const arns: string[] = [];
        for await (const p of paginateListTaskDefinitions({ client: ecs }, { familyPrefix: family, status: 'ACTIVE', sort: 'DESC' })) arns.push(...(p.taskDefinitionArns ?? []));
        target = arns.find((a) => tdName(a)!.split(':')[0] === family && Number(tdName(a)!.split(':')[1]) < Number(rev));
        if (!target) throw new CliError(`${family} has no ACTIVE revision before ${rev} to roll back to`, EXIT.failed);
      }
      const u = (await ecs.send(new UpdateServiceCommand({ cluster: o.cluster, service: name, taskDefinition: target }))).service!;
      await rollout(o, ecs, name, u.taskDefinition);
      emit(o, { service: u }, () => process.stdout.write(`${name}: rolled back from ${family}:${rev} to ${tdName(u.taskDefinition)}\n`));
    });

  clusterOpt(services.command('delete').argument('<service>').description('delete a service; its tasks stop')).action(async (name: string, o: ClusterOpts) => {
    const ecs = new ECSClient(clientConfig(o));
    const s = (await ecs.send(new DeleteServiceCommand({ cluster: o.cluster, service: name, force: true }))).service!;
    emit(o, { service: s }, () => process.stdout.write(`${name}: ${s.status} (its ${s.runningCount} tasks stop)\n`));
  });

  clusterOpt(services.command('events').argument('<service>').description('the service\'s events, oldest first'))
    .option('-n, --limit <n>', 'how many', (v) => Number(v), 20)
    .option('-f, --follow', 'keep printing new events')
    .action(async (name: string, o: ClusterOpts & { limit: number; follow?: boolean }) => {
      const ecs = new ECSClient(clientConfig(o));
      const seen = new Set<string>();
      let first = true;
      for (;;) {
        const s = await describe(ecs, o.cluster, name);
        const events = (s.events ?? []).filter((e) => !seen.has(e.id!)).slice(0, first ? o.limit : undefined).reverse();
        for (const e of s.events ?? []) seen.add(e.id!);
        if (first && !o.follow) {
          emit(o, { events }, () => { for (const e of events) process.stdout.write(`${e.createdAt?.toISOString()}  ${e.message}\n`); });
          return;
        }
        for (const e of events) process.stdout.write(o.output === 'json' ? JSON.stringify(e) + '\n' : `${e.createdAt?.toISOString()}  ${e.message}\n`);
        first = false;
        await new Promise((r) => setTimeout(r, 2000));
      }
    });
}
