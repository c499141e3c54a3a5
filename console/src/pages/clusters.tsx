import Header from '@cloudscape-design/components/header';
import Link from '@cloudscape-design/components/link';
import Table from '@cloudscape-design/components/table';
import ContentLayout from '@cloudscape-design/components/content-layout';
import SpaceBetween from '@cloudscape-design/components/space-between';
import { ECSClient, DescribeClustersCommand, paginateListClusters, type Cluster } from '@aws-sdk/client-ecs';
import { client, collect } from '../aws';
import { usePoll } from '../poll';
import { href } from '../router';
import { ApiErrorAlert, Empty, Status, Updated } from '../components/common';

export async function allClusters(): Promise<Cluster[]> {
  const ecs = client(ECSClient);
  const arns = await collect(paginateListClusters({ client: ecs }, {}), (p) => p.clusterArns);
  const out: Cluster[] = [];
  for (let i = 0; i < arns.length; i += 100) {
    const r = await ecs.send(new DescribeClustersCommand({ clusters: arns.slice(i, i + 100), include: ['STATISTICS'] }));
    out.push(...(r.clusters ?? []));
  }
  return out.sort((a, b) => (a.clusterName ?? '').localeCompare(b.clusterName ?? ''));
}

export default function Clusters() {
  const q = usePoll('clusters', allClusters);
  const items = q.data ?? [];
  return (
    <ContentLayout header={<Header variant="h1" description="Each cluster groups container instances (the machines running wharf agent) and the services and tasks placed on them.">Clusters</Header>}>
      <SpaceBetween size="m">
        <ApiErrorAlert error={q.error} />
        <Table
          header={<Header counter={q.data ? `(${items.length})` : undefined} actions={<Updated at={q.updatedAt} onRefresh={q.refresh} />}>Clusters</Header>}
          loading={q.loading}
          loadingText="Loading clusters"
          items={items}
          trackBy="clusterArn"
          ariaLabels={{ tableLabel: 'Clusters' }}
          empty={<Empty title="No clusters">Create one with <code>aws ecs create-cluster --cluster-name NAME</code>, or start an agent: it registers into <code>default</code>.</Empty>}
          columnDefinitions={[
            { id: 'name', header: 'Cluster', cell: (c) => <Link href={href('clusters', c.clusterName ?? '')}>{c.clusterName}</Link>, isRowHeader: true },
            { id: 'status', header: 'Status', cell: (c) => <Status value={c.status} /> },
            { id: 'services', header: 'Services', cell: (c) => c.activeServicesCount ?? 0 },
            { id: 'running', header: 'Running tasks', cell: (c) => c.runningTasksCount ?? 0 },
            { id: 'pending', header: 'Pending tasks', cell: (c) => c.pendingTasksCount ?? 0 },
            { id: 'instances', header: 'Container instances', cell: (c) => c.registeredContainerInstancesCount ?? 0 },
            { id: 'capacity', header: 'Capacity providers', cell: (c) => (c.capacityProviders?.length ? c.capacityProviders.join(', ') : '-') },
          ]}
        />
      </SpaceBetween>
    </ContentLayout>
  );
}
