import ContentLayout from '@cloudscape-design/components/content-layout';
import Header from '@cloudscape-design/components/header';
import Link from '@cloudscape-design/components/link';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Table from '@cloudscape-design/components/table';
import { ElasticLoadBalancingV2Client, DescribeLoadBalancersCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { client } from '../aws';
import { usePoll } from '../poll';
import { href } from '../router';
import { ApiErrorAlert, Empty, Status, Updated, fmtDate } from '../components/common';

export default function LoadBalancers() {
  const q = usePoll('lbs', async () => (await client(ElasticLoadBalancingV2Client).send(new DescribeLoadBalancersCommand({}))).LoadBalancers ?? [], { intervalMs: 10_000 });
  return (
    <ContentLayout header={<Header variant="h1" description="Application and network load balancers, served by HAProxy on this machine.">Load balancers</Header>}>
      <SpaceBetween size="m">
        <ApiErrorAlert error={q.error} />
        <Table
          header={<Header counter={q.data ? `(${q.data.length})` : undefined} actions={<Updated at={q.updatedAt} onRefresh={q.refresh} />}>Load balancers</Header>}
          items={q.data ?? []} loading={q.loading} loadingText="Loading load balancers" trackBy="LoadBalancerArn" ariaLabels={{ tableLabel: 'Load balancers' }}
          empty={<Empty title="No load balancers">Create one with <code>aws elbv2 create-load-balancer --name NAME</code>; <code>wharf demo</code> makes one too.</Empty>}
          columnDefinitions={[
            { id: 'name', header: 'Name', isRowHeader: true, cell: (l) => <Link href={href('load-balancers', l.LoadBalancerName ?? '')}>{l.LoadBalancerName}</Link> },
            { id: 'state', header: 'State', cell: (l) => <Status value={l.State?.Code} /> },
            { id: 'type', header: 'Type', cell: (l) => l.Type },
            { id: 'dns', header: 'DNS name', cell: (l) => l.DNSName },
            { id: 'scheme', header: 'Scheme', cell: (l) => l.Scheme },
            { id: 'created', header: 'Created', cell: (l) => fmtDate(l.CreatedTime) },
          ]}
          wrapLines
        />
      </SpaceBetween>
    </ContentLayout>
  );
}
