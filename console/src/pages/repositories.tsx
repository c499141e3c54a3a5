import ContentLayout from '@cloudscape-design/components/content-layout';
import Header from '@cloudscape-design/components/header';
import Link from '@cloudscape-design/components/link';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Table from '@cloudscape-design/components/table';
import { ECRClient, paginateDescribeRepositories } from '@aws-sdk/client-ecr';
import { client, collect } from '../aws';
import { usePoll } from '../poll';
import { ApiErrorAlert, Empty, Updated, fmtDate } from '../components/common';

export default function Repositories() {
  const q = usePoll('repositories', async () => (await collect(paginateDescribeRepositories({ client: client(ECRClient) }, {}), (p) => p.repositories))
    .sort((a, b) => (a.repositoryName ?? '').localeCompare(b.repositoryName ?? '')), { intervalMs: 15_000 });
  return (
    <ContentLayout header={<Header variant="h1" description="Image repositories in Wharf's own registry (OCI distribution on this server's /v2/).">Repositories</Header>}>
      <SpaceBetween size="m">
        <ApiErrorAlert error={q.error} />
        <Table
          header={<Header counter={q.data ? `(${q.data.length})` : undefined} actions={<Updated at={q.updatedAt} onRefresh={q.refresh} />}>Repositories</Header>}
          items={q.data ?? []} loading={q.loading} loadingText="Loading repositories" trackBy="repositoryArn" ariaLabels={{ tableLabel: 'Repositories' }}
          empty={<Empty title="No repositories">Create one with <code>aws ecr create-repository --repository-name NAME</code>, then push an image to it.</Empty>}
          columnDefinitions={[
            { id: 'name', header: 'Repository', isRowHeader: true, cell: (r) => <Link href={`#/repositories/${(r.repositoryName ?? '').split('/').map(encodeURIComponent).join('/')}`}>{r.repositoryName}</Link> },
            { id: 'uri', header: 'URI', cell: (r) => r.repositoryUri },
            { id: 'mutability', header: 'Tag mutability', cell: (r) => r.imageTagMutability },
            { id: 'created', header: 'Created', cell: (r) => fmtDate(r.createdAt) },
          ]}
          wrapLines
        />
      </SpaceBetween>
    </ContentLayout>
  );
}
