import { CreateClusterCommand, DeleteClusterCommand, DescribeClustersCommand, ListClustersCommand, paginateListClusters } from '@aws-sdk/client-ecs';
import type { Command } from 'commander';
import { addGlobalOptions, call, ecsClient, printJson, printTable, resolveConnection, type GlobalOptions } from './client.js';

export function registerClusterCommands(program: Command): void {
  const clusters = program.command('clusters').alias('cluster').description('create, list, describe and delete clusters');

  addGlobalOptions(clusters.command('list').description('list clusters')).action(async (opts: GlobalOptions) => {
    const ecs = ecsClient(opts);
    const arns: string[] = [];
    await call('listing clusters', resolveConnection(opts).endpoint, async () => {
      for await (const page of paginateListClusters({ client: ecs }, {})) arns.push(...(page.clusterArns ?? []));
    });
    const described = arns.length === 0 ? [] : (await call('describing clusters', undefined, () => ecs.send(new DescribeClustersCommand({ clusters: arns })))).clusters ?? [];
    if (opts.output === 'json') return printJson(described);
    printTable(['NAME', 'STATUS', 'INSTANCES', 'RUNNING', 'PENDING', 'SERVICES'], described.map((c) => [c.clusterName, c.status, c.registeredContainerInstancesCount, c.runningTasksCount, c.pendingTasksCount, c.activeServicesCount]));
  });

  addGlobalOptions(clusters.command('create').argument('<name>').description('create a cluster (idempotent)'))
    .option('--container-insights', 'enable Container Insights metrics')
    .action(async (name: string, opts: GlobalOptions & { containerInsights?: boolean }) => {
      const ecs = ecsClient(opts);
      const out = await call(`creating cluster ${name}`, resolveConnection(opts).endpoint, () => ecs.send(new CreateClusterCommand({
        clusterName: name, settings: opts.containerInsights ? [{ name: 'containerInsights', value: 'enabled' }] : undefined,
      })));
      if (opts.output === 'json') return printJson(out.cluster);
      process.stdout.write(`cluster ${out.cluster?.clusterName} is ${out.cluster?.status}: ${out.cluster?.clusterArn}\n`);
    });

  addGlobalOptions(clusters.command('describe').argument('<name>').description('show one cluster')).action(async (name: string, opts: GlobalOptions) => {
    const ecs = ecsClient(opts);
    const out = await call(`describing cluster ${name}`, resolveConnection(opts).endpoint, () => ecs.send(new DescribeClustersCommand({ clusters: [name], include: ['SETTINGS', 'STATISTICS', 'TAGS', 'CONFIGURATIONS'] })));
    if (out.failures?.length) throw new (await import('./client.js')).CliError(`cluster ${name} not found: list clusters with \`wharf clusters list\``);
    if (opts.output === 'json') return printJson(out.clusters?.[0]);
    const c = out.clusters![0];
    printTable(['FIELD', 'VALUE'], [
      ['name', c.clusterName], ['arn', c.clusterArn], ['status', c.status],
      ['container instances', c.registeredContainerInstancesCount], ['running tasks', c.runningTasksCount],
      ['pending tasks', c.pendingTasksCount], ['active services', c.activeServicesCount],
      ['settings', (c.settings ?? []).map((s) => `${s.name}=${s.value}`).join(', ')],
      ['tags', (c.tags ?? []).map((t) => `${t.key}=${t.value}`).join(', ')],
    ]);
  });

  addGlobalOptions(clusters.command('delete').argument('<name>').description('delete an empty cluster')).action(async (name: string, opts: GlobalOptions) => {
    const ecs = ecsClient(opts);
    const out = await call(`deleting cluster ${name}`, resolveConnection(opts).endpoint, () => ecs.send(new DeleteClusterCommand({ cluster: name })));
    if (opts.output === 'json') return printJson(out.cluster);
    process.stdout.write(`cluster ${name} deleted (status ${out.cluster?.status})\n`);
  });
  void ListClustersCommand;
}
