import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import ColumnLayout from '@cloudscape-design/components/column-layout';
import Container from '@cloudscape-design/components/container';
import ContentLayout from '@cloudscape-design/components/content-layout';
import Header from '@cloudscape-design/components/header';
import Link from '@cloudscape-design/components/link';
import ProgressBar from '@cloudscape-design/components/progress-bar';
import SpaceBetween from '@cloudscape-design/components/space-between';
import StatusIndicator from '@cloudscape-design/components/status-indicator';
import Table from '@cloudscape-design/components/table';
import Tabs from '@cloudscape-design/components/tabs';
import SegmentedControl from '@cloudscape-design/components/segmented-control';
import { useState } from 'react';
import type { ContainerInstance, Service, Task } from '@aws-sdk/client-ecs';
import { arnTail, taskDefName } from '../aws';
import { usePoll } from '../poll';
import { href, navigate } from '../router';
import { allInstances, allServices, allTasks, resource } from '../ecs-data';
import { ApiErrorAlert, Empty, Status, Updated, fmtDate } from '../components/common';
import { TasksTable } from '../components/tasks-table';
import { ClusterMap } from '../components/cluster-map';

export default function Cluster({ cluster, tab }: { cluster: string; tab: string }) {
  const [stopped, setStopped] = useState(false);
  const services = usePoll(`services/${cluster}`, () => allServices(cluster));
  const instances = usePoll(`instances/${cluster}`, () => allInstances(cluster));
  const tasks = usePoll(`tasks/${cluster}/${stopped}`, () => allTasks(cluster, { desiredStatus: stopped ? 'STOPPED' : 'RUNNING' }));
  const runningTasks = usePoll(`running/${cluster}`, () => allTasks(cluster, { desiredStatus: 'RUNNING' }));
  const inst = instances.data ?? [];
  const cpuTotal = inst.reduce((s, i) => s + resource(i.registeredResources, 'CPU'), 0);
  const cpuFree = inst.reduce((s, i) => s + resource(i.remainingResources, 'CPU'), 0);
  const memTotal = inst.reduce((s, i) => s + resource(i.registeredResources, 'MEMORY'), 0);
  const memFree = inst.reduce((s, i) => s + resource(i.remainingResources, 'MEMORY'), 0);
  const running = (runningTasks.data ?? []).filter((t) => t.lastStatus === 'RUNNING').length;
  const pending = (runningTasks.data ?? []).filter((t) => t.lastStatus !== 'RUNNING').length;

  return (
    <ContentLayout header={<Header variant="h1" actions={<Button variant="primary" href={href('clusters', cluster, 'create-service')}>Create service</Button>}>{cluster}</Header>}>
      <SpaceBetween size="l">
        <Container header={<Header variant="h2">Overview</Header>}>
          <ColumnLayout columns={4} variant="text-grid">
            <div><Box variant="awsui-key-label">Services</Box><div>{services.data?.length ?? '-'}</div></div>
            <div><Box variant="awsui-key-label">Tasks</Box><div>{running} running, {pending} pending</div></div>
            <div><Box variant="awsui-key-label">Container instances</Box><div>{inst.length} ({inst.filter((i) => i.agentConnected).length} connected)</div></div>
            <div>
              <Box variant="awsui-key-label">Capacity in use</Box>
              <ProgressBar value={cpuTotal ? Math.round(((cpuTotal - cpuFree) / cpuTotal) * 100) : 0} label="CPU" additionalInfo={`${cpuTotal - cpuFree} of ${cpuTotal} units`} />
              <ProgressBar value={memTotal ? Math.round(((memTotal - memFree) / memTotal) * 100) : 0} label="Memory" additionalInfo={`${memTotal - memFree} of ${memTotal} MiB`} />
            </div>
          </ColumnLayout>
        </Container>
        <Tabs
          activeTabId={tab}
          onChange={(e) => navigate(`${href('clusters', cluster)}?tab=${e.detail.activeTabId}`)}
          ariaLabel="Cluster views"
          tabs={[
            { id: 'services', label: 'Services', content: <ServicesTable cluster={cluster} q={services} /> },
            {
              id: 'tasks', label: 'Tasks', content: (
                <SpaceBetween size="s">
                  <ApiErrorAlert error={tasks.error} />
                  <TasksTable
                    cluster={cluster} tasks={tasks.data} loading={tasks.loading} updatedAt={tasks.updatedAt} onRefresh={tasks.refresh}
                    filter={<SegmentedControl label="Desired status" selectedId={stopped ? 'stopped' : 'running'} onChange={(e) => setStopped(e.detail.selectedId === 'stopped')}
                      options={[{ id: 'running', text: 'Running' }, { id: 'stopped', text: 'Stopped' }]} />}
                  />
                </SpaceBetween>
              ),
            },
            { id: 'infrastructure', label: 'Infrastructure', content: <InstancesTable q={instances} /> },
            { id: 'map', label: 'Map', content: <ClusterMap cluster={cluster} instances={instances.data} tasks={runningTasks.data} error={instances.error ?? runningTasks.error} /> },
          ]}
        />
      </SpaceBetween>
    </ContentLayout>
  );
}

interface Q<T> { data: T | undefined; error: unknown; loading: boolean; updatedAt: Date | undefined; refresh(): void }

function ServicesTable({ cluster, q }: { cluster: string; q: Q<Service[]> }) {
  return (
    <SpaceBetween size="s">
      <ApiErrorAlert error={q.error} />
      <Table
        header={<Header counter={q.data ? `(${q.data.length})` : undefined} actions={<Updated at={q.updatedAt} onRefresh={q.refresh} />}>Services</Header>}
        loading={q.loading} loadingText="Loading services" items={q.data ?? []} trackBy="serviceArn" ariaLabels={{ tableLabel: 'Services' }}
        empty={<Empty title="No services" action={<Button href={href('clusters', cluster, 'create-service')}>Create service</Button>}>A service keeps a number of copies of a task definition running.</Empty>}
        columnDefinitions={[
          { id: 'name', header: 'Service', isRowHeader: true, cell: (s) => <Link href={href('clusters', cluster, 'services', s.serviceName ?? '')}>{s.serviceName}</Link> },
          { id: 'status', header: 'Status', cell: (s) => <Status value={s.status} /> },
          { id: 'tasks', header: 'Tasks (running/desired)', cell: (s) => `${s.runningCount ?? 0}/${s.desiredCount ?? 0}${s.pendingCount ? `, ${s.pendingCount} pending` : ''}` },
          { id: 'deployment', header: 'Last deployment', cell: (s) => <Status value={s.deployments?.find((d) => d.status === 'PRIMARY')?.rolloutState} /> },
          { id: 'taskdef', header: 'Task definition', cell: (s) => <Link href={href('task-definitions', taskDefName(s.taskDefinition).split(':')[0] ?? '', taskDefName(s.taskDefinition).split(':')[1] ?? '')}>{taskDefName(s.taskDefinition)}</Link> },
          { id: 'launch', header: 'Launch type', cell: (s) => s.launchType ?? (s.capacityProviderStrategy?.map((c) => c.capacityProvider).join(', ') || '-') },
        ]}
      />
    </SpaceBetween>
  );
}

function InstancesTable({ q }: { q: Q<ContainerInstance[]> }) {
  return (
    <SpaceBetween size="s">
      <ApiErrorAlert error={q.error} />
      <Table
        header={<Header counter={q.data ? `(${q.data.length})` : undefined} actions={<Updated at={q.updatedAt} onRefresh={q.refresh} />}>Container instances</Header>}
        loading={q.loading} loadingText="Loading container instances" items={q.data ?? []} trackBy="containerInstanceArn" ariaLabels={{ tableLabel: 'Container instances' }}
        empty={<Empty title="No container instances">Start an agent on a machine: <code>wharf agent --server URL --cluster NAME --token TOKEN</code>.</Empty>}
        columnDefinitions={[
          { id: 'id', header: 'Instance', isRowHeader: true, cell: (i) => i.ec2InstanceId ?? arnTail(i.containerInstanceArn) },
          { id: 'status', header: 'Status', cell: (i) => <Status value={i.status} /> },
          { id: 'agent', header: 'Agent', cell: (i) => <StatusIndicator type={i.agentConnected ? 'success' : 'error'}>{i.agentConnected ? 'Connected' : 'Disconnected'}</StatusIndicator> },
          { id: 'tasks', header: 'Tasks', cell: (i) => `${i.runningTasksCount ?? 0} running, ${i.pendingTasksCount ?? 0} pending` },
          { id: 'cpu', header: 'CPU free / total', cell: (i) => `${resource(i.remainingResources, 'CPU')} / ${resource(i.registeredResources, 'CPU')}` },
          { id: 'mem', header: 'Memory free / total (MiB)', cell: (i) => `${resource(i.remainingResources, 'MEMORY')} / ${resource(i.registeredResources, 'MEMORY')}` },
          { id: 'attrs', header: 'Attributes', cell: (i) => (i.attributes ?? []).filter((a) => a.value !== undefined).map((a) => `${a.name}=${a.value}`).join(', ') || '-' },
          { id: 'agentVersion', header: 'Agent version', cell: (i) => i.versionInfo?.agentVersion ?? '-' },
          { id: 'registered', header: 'Registered', cell: (i) => fmtDate(i.registeredAt) },
        ]}
        wrapLines
      />
    </SpaceBetween>
  );
}

export type { Task };
