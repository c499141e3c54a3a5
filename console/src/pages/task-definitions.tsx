import ContentLayout from '@cloudscape-design/components/content-layout';
import Header from '@cloudscape-design/components/header';
import Link from '@cloudscape-design/components/link';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Table from '@cloudscape-design/components/table';
import TextFilter from '@cloudscape-design/components/text-filter';
import { useState } from 'react';
import { ECSClient, paginateListTaskDefinitionFamilies } from '@aws-sdk/client-ecs';
import { client, collect } from '../aws';
import { usePoll } from '../poll';
import { href } from '../router';
import { ApiErrorAlert, Empty, Updated } from '../components/common';

export default function TaskDefinitions() {
  const q = usePoll('families', async () => (await collect(paginateListTaskDefinitionFamilies({ client: client(ECSClient) }, { status: 'ACTIVE' }), (p) => p.families)).sort(), { intervalMs: 15_000 });
  const [filter, setFilter] = useState('');
  const items = (q.data ?? []).filter((f) => f.includes(filter)).map((family) => ({ family }));
  return (
    <ContentLayout header={<Header variant="h1" description="A task definition describes the containers of a task: images, CPU and memory, ports, environment, logs. Each change is a new revision.">Task definitions</Header>}>
      <SpaceBetween size="m">
        <ApiErrorAlert error={q.error} />
        <Table
          header={<Header counter={q.data ? `(${q.data.length})` : undefined} actions={<Updated at={q.updatedAt} onRefresh={q.refresh} />}>Families</Header>}
          filter={<TextFilter filteringText={filter} onChange={(e) => setFilter(e.detail.filteringText)} filteringPlaceholder="Find a family" filteringAriaLabel="Filter families" />}
          items={items} loading={q.loading} loadingText="Loading task definitions" trackBy="family" ariaLabels={{ tableLabel: 'Task definition families' }}
          empty={<Empty title="No task definitions">Register one with <code>aws ecs register-task-definition --cli-input-json file://taskdef.json</code> or <code>wharf task-definitions register FILE.yaml</code>.</Empty>}
          columnDefinitions={[{ id: 'family', header: 'Family', isRowHeader: true, cell: (i) => <Link href={href('task-definitions', i.family)}>{i.family}</Link> }]}
        />
      </SpaceBetween>
    </ContentLayout>
  );
}
