import ContentLayout from '@cloudscape-design/components/content-layout';
import Header from '@cloudscape-design/components/header';
import Link from '@cloudscape-design/components/link';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Table from '@cloudscape-design/components/table';
import { CloudWatchLogsClient, paginateDescribeLogGroups } from '@aws-sdk/client-cloudwatch-logs';
import { client, collect } from '../aws';
import { usePoll } from '../poll';
import { href } from '../router';
import { ApiErrorAlert, Empty, Updated, fmtBytes, fmtDate } from '../components/common';

export default function LogGroups() {
  const q = usePoll('log-groups', () => collect(paginateDescribeLogGroups({ client: client(CloudWatchLogsClient) }, {}), (p) => p.logGroups), { intervalMs: 15_000 });
  return (
    <ContentLayout header={<Header variant="h1" description="CloudWatch Logs: containers using the awslogs driver write here.">Log groups</Header>}>
      <SpaceBetween size="m">
        <ApiErrorAlert error={q.error} />
        <Table
          header={<Header counter={q.data ? `(${q.data.length})` : undefined} actions={<Updated at={q.updatedAt} onRefresh={q.refresh} />}>Log groups</Header>}
          items={q.data ?? []} loading={q.loading} loadingText="Loading log groups" trackBy="logGroupName" ariaLabels={{ tableLabel: 'Log groups' }}
          empty={<Empty title="No log groups">Give a container <code>"logConfiguration": {'{'}"logDriver": "awslogs", "options": {'{'}"awslogs-group": "/ecs/app", "awslogs-create-group": "true", …{'}}'}</code>.</Empty>}
          columnDefinitions={[
            { id: 'name', header: 'Log group', isRowHeader: true, cell: (g) => <Link href={href('logs', g.logGroupName ?? '')}>{g.logGroupName}</Link> },
            { id: 'retention', header: 'Retention', cell: (g) => (g.retentionInDays ? `${g.retentionInDays} days` : 'Never expire') },
            { id: 'stored', header: 'Stored', cell: (g) => fmtBytes(g.storedBytes) },
            { id: 'created', header: 'Created', cell: (g) => fmtDate(g.creationTime ? new Date(g.creationTime) : undefined) },
          ]}
        />
      </SpaceBetween>
    </ContentLayout>
  );
}
