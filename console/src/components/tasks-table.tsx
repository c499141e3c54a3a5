import type { ReactNode } from 'react';
import Header from '@cloudscape-design/components/header';
import Link from '@cloudscape-design/components/link';
import Table from '@cloudscape-design/components/table';
import Pagination from '@cloudscape-design/components/pagination';
import { useState } from 'react';
import type { Task } from '@aws-sdk/client-ecs';
import { arnTail, taskDefName } from '../aws';
import { href } from '../router';
import { Empty, Status, Updated, fmtDate } from './common';

const PAGE = 50;

/** Tasks of a cluster or a service, 50 to a page (a 200-task service renders one page of rows). */
export function TasksTable({ cluster, tasks, loading, updatedAt, onRefresh, filter, title = 'Tasks' }: {
  cluster: string; tasks: Task[] | undefined; loading: boolean; updatedAt: Date | undefined; onRefresh: () => void; filter?: ReactNode; title?: string;
}) {
  const [page, setPage] = useState(1);
  const items = tasks ?? [];
  const pages = Math.max(1, Math.ceil(items.length / PAGE));
  const current = Math.min(page, pages);
  return (
    <Table
      header={<Header counter={tasks ? `(${items.length})` : undefined} actions={<Updated at={updatedAt} onRefresh={onRefresh} />}>{title}</Header>}
      filter={filter}
      loading={loading && !tasks} loadingText="Loading tasks" items={items.slice((current - 1) * PAGE, current * PAGE)} trackBy="taskArn"
      ariaLabels={{ tableLabel: title }}
      pagination={pages > 1 ? <Pagination currentPageIndex={current} pagesCount={pages} onChange={(e) => setPage(e.detail.currentPageIndex)}
        ariaLabels={{ nextPageLabel: 'Next page', previousPageLabel: 'Previous page', pageLabel: (n) => `Page ${n}` }} /> : undefined}
      empty={<Empty title="No tasks">Run one with <code>aws ecs run-task --cluster {cluster} --task-definition FAMILY</code>, or create a service.</Empty>}
      columnDefinitions={[
        { id: 'id', header: 'Task', isRowHeader: true, cell: (t) => <Link href={href('clusters', cluster, 'tasks', arnTail(t.taskArn))}>{arnTail(t.taskArn)}</Link> },
        { id: 'last', header: 'Last status', cell: (t) => <Status value={t.lastStatus} /> },
        { id: 'desired', header: 'Desired status', cell: (t) => t.desiredStatus },
        { id: 'health', header: 'Health', cell: (t) => <Status value={t.healthStatus} /> },
        { id: 'taskdef', header: 'Task definition', cell: (t) => taskDefName(t.taskDefinitionArn) },
        { id: 'group', header: 'Group', cell: (t) => t.group ?? '-' },
        { id: 'started', header: 'Started', cell: (t) => fmtDate(t.startedAt) },
        { id: 'stopped', header: 'Stopped reason', cell: (t) => t.stoppedReason ?? '-' },
      ]}
      wrapLines
    />
  );
}
