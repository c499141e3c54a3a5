import { useState } from 'react';
import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import ButtonDropdown from '@cloudscape-design/components/button-dropdown';
import ColumnLayout from '@cloudscape-design/components/column-layout';
import Container from '@cloudscape-design/components/container';
import ContentLayout from '@cloudscape-design/components/content-layout';
import FormField from '@cloudscape-design/components/form-field';
import Header from '@cloudscape-design/components/header';
import Input from '@cloudscape-design/components/input';
import Link from '@cloudscape-design/components/link';
import Modal from '@cloudscape-design/components/modal';
import ProgressBar from '@cloudscape-design/components/progress-bar';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Table from '@cloudscape-design/components/table';
import Tabs from '@cloudscape-design/components/tabs';
import Alert from '@cloudscape-design/components/alert';
import Checkbox from '@cloudscape-design/components/checkbox';
import Select, { type SelectProps } from '@cloudscape-design/components/select';
import {
  ECSClient, DeleteServiceCommand, DescribeServicesCommand, DescribeTaskDefinitionCommand, UpdateServiceCommand, type Deployment, type Service,
} from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingV2Client, DescribeTargetHealthCommand, type TargetHealthDescription } from '@aws-sdk/client-elastic-load-balancing-v2';
import { arnTail, client, taskDefName } from '../aws';
import { usePoll } from '../poll';
import { href, navigate } from '../router';
import { allTasks } from '../ecs-data';
import { ApiErrorAlert, Empty, Status, Updated, fmtDate, useAction } from '../components/common';
import { TasksTable } from '../components/tasks-table';
import { MetricChart } from '../components/metric-chart';
import { familyRevisions } from './task-definition-family';

async function describeService(cluster: string, service: string): Promise<Service> {
  const r = await client(ECSClient).send(new DescribeServicesCommand({ cluster, services: [service] }));
  const s = r.services?.[0];
  if (!s) {
    const reason = r.failures?.[0]?.reason ?? 'MISSING';
    throw Object.assign(new Error(`Service ${service} was not found in cluster ${cluster} (${reason}).`), { name: 'ServiceNotFoundException' });
  }
  return s;
}

/** What "Roll back" goes back to: the deployment being replaced, else the previous revision of the family. */
export async function rollbackTarget(s: Service): Promise<string | undefined> {
  const active = s.deployments?.find((d) => d.status === 'ACTIVE' && d.taskDefinition !== s.taskDefinition);
  if (active?.taskDefinition) return active.taskDefinition;
  const [family, rev] = taskDefName(s.taskDefinition).split(':');
  const n = Number(rev);
  if (!family || !(n > 1)) return undefined;
  try {
    const r = await client(ECSClient).send(new DescribeTaskDefinitionCommand({ taskDefinition: `${family}:${n - 1}` }));
    return r.taskDefinition?.taskDefinitionArn;
  } catch {
    return undefined;
  }
}

export default function ServicePage({ cluster, service }: { cluster: string; service: string }) {
  const q = usePoll(`service/${cluster}/${service}`, async () => {
    const s = await describeService(cluster, service);
    return { service: s, rollback: await rollbackTarget(s) };
  }, { intervalMs: 3000 });
  const tasks = usePoll(`service-tasks/${cluster}/${service}`, () => allTasks(cluster, { serviceName: service }), { intervalMs: 3000 });
  const [modal, setModal] = useState<'update' | 'delete' | 'rollback' | undefined>();
  const { busy, run } = useAction();
  const s = q.data?.service;
  const update = (what: string, input: Omit<ConstructorParameters<typeof UpdateServiceCommand>[0], 'cluster' | 'service'>, success: string) =>
    run(what, () => client(ECSClient).send(new UpdateServiceCommand({ cluster, service, ...input })), success).then((ok) => { q.refresh(); return ok; });

  if (!s) {
    return (
      <ContentLayout header={<Header variant="h1">{service}</Header>}>
        {q.error ? <ApiErrorAlert error={q.error} /> : <Box>Loading…</Box>}
      </ContentLayout>
    );
  }
  const primary = s.deployments?.find((d) => d.status === 'PRIMARY');
  const lbs = (s.loadBalancers ?? []).filter((l) => l.targetGroupArn);
  return (
    <ContentLayout header={
      <Header variant="h1" description={`Service in cluster ${cluster}`} actions={
        <SpaceBetween direction="horizontal" size="xs">
          <Updated at={q.updatedAt} onRefresh={() => { q.refresh(); tasks.refresh(); }} />
          <Button onClick={() => setModal('update')} disabled={s.status !== 'ACTIVE'}>Update service</Button>
          <ButtonDropdown
            ariaLabel="More service actions"
            disabled={s.status !== 'ACTIVE'}
            items={[
              { id: 'force', text: 'Force new deployment' },
              { id: 'rollback', text: q.data?.rollback ? `Roll back to ${taskDefName(q.data.rollback)}` : 'Roll back', disabled: !q.data?.rollback },
              { id: 'delete', text: 'Delete service' },
            ]}
            onItemClick={(e) => {
              if (e.detail.id === 'force') void update('Force new deployment', { forceNewDeployment: true }, `A new deployment of ${service} started.`);
              else setModal(e.detail.id as 'delete' | 'rollback');
            }}
          >Actions</ButtonDropdown>
        </SpaceBetween>
      }>{service}</Header>
    }>
      <SpaceBetween size="l">
        <ApiErrorAlert error={q.error} />
        <Container header={<Header variant="h2">Overview</Header>}>
          <ColumnLayout columns={4} variant="text-grid">
            <div><Box variant="awsui-key-label">Status</Box><Status value={s.status} /></div>
            <div><Box variant="awsui-key-label">Tasks</Box><div data-testid="service-counts">{s.runningCount ?? 0} running, {s.pendingCount ?? 0} pending, {s.desiredCount ?? 0} desired</div></div>
            <div><Box variant="awsui-key-label">Task definition</Box><Link href={href('task-definitions', ...taskDefName(s.taskDefinition).split(':'))}>{taskDefName(s.taskDefinition)}</Link></div>
            <div><Box variant="awsui-key-label">Deployment</Box><Status value={primary?.rolloutState} /> {primary?.rolloutStateReason ? <Box variant="small">{primary.rolloutStateReason}</Box> : null}</div>
            <div><Box variant="awsui-key-label">Launch type</Box>{s.launchType ?? s.capacityProviderStrategy?.map((c) => c.capacityProvider).join(', ') ?? '-'}</div>
            <div><Box variant="awsui-key-label">Deployment configuration</Box>min {s.deploymentConfiguration?.minimumHealthyPercent ?? 100}% · max {s.deploymentConfiguration?.maximumPercent ?? 200}%{s.deploymentConfiguration?.deploymentCircuitBreaker?.enable ? ' · circuit breaker' : ''}</div>
            <div><Box variant="awsui-key-label">Created</Box>{fmtDate(s.createdAt)}</div>
            <div><Box variant="awsui-key-label">Load balancers</Box>{lbs.length ? lbs.map((l) => `${arnTail(l.targetGroupArn)} → ${l.containerName}:${l.containerPort}`).join(', ') : 'None'}</div>
          </ColumnLayout>
        </Container>
        <DeploymentsTable deployments={s.deployments ?? []} />
        <Tabs ariaLabel="Service details" tabs={[
          { id: 'tasks', label: 'Tasks', content: <SpaceBetween size="s"><ApiErrorAlert error={tasks.error} /><TasksTable cluster={cluster} tasks={tasks.data} loading={tasks.loading} updatedAt={tasks.updatedAt} onRefresh={tasks.refresh} /></SpaceBetween> },
          { id: 'events', label: 'Events', content: <EventsTable events={s.events ?? []} /> },
          { id: 'health', label: 'Target health', content: <TargetHealth targetGroups={lbs.map((l) => l.targetGroupArn!)} /> },
          { id: 'metrics', label: 'Metrics', content: <ServiceMetrics cluster={cluster} service={service} /> },
        ]} />
      </SpaceBetween>
      {modal === 'update' ? <UpdateModal service={s} busy={busy} onClose={() => setModal(undefined)}
        onSubmit={async (input) => {
          const what = input.taskDefinition ? `Deploying ${taskDefName(input.taskDefinition)} to ${service}.` : `Desired count of ${service} set to ${input.desiredCount}.`;
          if (await update('Update service', input, what)) setModal(undefined);
        }} /> : null}
      {modal === 'rollback' && q.data?.rollback ? (
        <Modal visible header="Roll back service" onDismiss={() => setModal(undefined)} footer={
          <Box float="right"><SpaceBetween direction="horizontal" size="xs">
            <Button variant="link" onClick={() => setModal(undefined)}>Cancel</Button>
            <Button variant="primary" loading={busy} onClick={async () => { if (await update('Roll back', { taskDefinition: q.data!.rollback }, `Rolling back ${service} to ${taskDefName(q.data!.rollback)}.`)) setModal(undefined); }}>Roll back</Button>
          </SpaceBetween></Box>}>
          Start a deployment of <b>{taskDefName(q.data.rollback)}</b> in place of <b>{taskDefName(s.taskDefinition)}</b>?
        </Modal>
      ) : null}
      {modal === 'delete' ? <DeleteModal service={service} busy={busy} onClose={() => setModal(undefined)} onDelete={async () => {
        const ok = await run('Delete service', () => client(ECSClient).send(new DeleteServiceCommand({ cluster, service, force: true })), `Service ${service} is being deleted.`);
        if (ok) { setModal(undefined); navigate(href('clusters', cluster)); }
      }} /> : null}
    </ContentLayout>
  );
}

function DeploymentsTable({ deployments }: { deployments: Deployment[] }) {
  return (
    <Table
      header={<Header counter={`(${deployments.length})`} description="The PRIMARY deployment is the one being rolled out; ACTIVE ones are being replaced.">Deployments</Header>}
      items={deployments} trackBy="id" ariaLabels={{ tableLabel: 'Deployments' }}
      empty={<Empty title="No deployments" />}
      columnDefinitions={[
        { id: 'id', header: 'Deployment', isRowHeader: true, cell: (d) => d.id },
        { id: 'status', header: 'Status', cell: (d) => <Status value={d.status} /> },
        { id: 'rollout', header: 'Rollout state', cell: (d) => <span data-testid="rollout-state"><Status value={d.rolloutState} /></span> },
        { id: 'taskdef', header: 'Task definition', cell: (d) => taskDefName(d.taskDefinition) },
        { id: 'progress', header: 'Progress', minWidth: 200, cell: (d) => (
          <ProgressBar value={d.desiredCount ? Math.min(100, Math.round(((d.runningCount ?? 0) / d.desiredCount) * 100)) : 100}
            additionalInfo={`${d.runningCount ?? 0} running, ${d.pendingCount ?? 0} pending of ${d.desiredCount ?? 0}${d.failedTasks ? `, ${d.failedTasks} failed` : ''}`}
            ariaLabel={`Deployment ${d.id} progress`} />
        ) },
        { id: 'reason', header: 'Reason', cell: (d) => d.rolloutStateReason ?? '-' },
        { id: 'updated', header: 'Updated', cell: (d) => fmtDate(d.updatedAt) },
      ]}
      wrapLines
    />
  );
}

function EventsTable({ events }: { events: NonNullable<Service['events']> }) {
  return (
    <Table
      header={<Header counter={`(${events.length})`}>Events</Header>}
      items={events.slice(0, 100)} trackBy="id" ariaLabels={{ tableLabel: 'Service events' }}
      empty={<Empty title="No events yet">The scheduler writes an event when it starts or stops tasks and when the service reaches a steady state.</Empty>}
      columnDefinitions={[
        { id: 'time', header: 'Time', cell: (e) => fmtDate(e.createdAt), width: 220 },
        { id: 'message', header: 'Message', isRowHeader: true, cell: (e) => e.message },
      ]}
      wrapLines
    />
  );
}

function TargetHealth({ targetGroups }: { targetGroups: string[] }) {
  const q = usePoll(`health/${targetGroups.join(',')}`, async () => {
    const elb = client(ElasticLoadBalancingV2Client);
    const all = await Promise.all(targetGroups.map(async (tg) => (await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tg }))).TargetHealthDescriptions?.map((d) => ({ tg, d })) ?? []));
    return all.flat();
  }, { intervalMs: targetGroups.length ? 3000 : 0 });
  if (targetGroups.length === 0) return <Empty title="No load balancer">This service is not behind a target group. Create the service with <code>--load-balancers targetGroupArn=…,containerName=…,containerPort=…</code> to see target health here.</Empty>;
  return (
    <SpaceBetween size="s">
      <ApiErrorAlert error={q.error} />
      <TargetHealthTable items={q.data ?? []} loading={q.loading} />
    </SpaceBetween>
  );
}

export function TargetHealthTable({ items, loading }: { items: { tg: string; d: TargetHealthDescription }[]; loading: boolean }) {
  return (
    <Table
      header={<Header counter={`(${items.length})`}>Targets</Header>}
      items={items} loading={loading} loadingText="Loading target health" ariaLabels={{ tableLabel: 'Target health' }}
      trackBy={(i) => `${i.tg}/${i.d.Target?.Id}:${i.d.Target?.Port}`}
      empty={<Empty title="No registered targets">Targets appear when the service's tasks are running.</Empty>}
      columnDefinitions={[
        { id: 'target', header: 'Target', isRowHeader: true, cell: (i) => `${i.d.Target?.Id}:${i.d.Target?.Port}` },
        { id: 'tg', header: 'Target group', cell: (i) => arnTail(i.tg.split(':targetgroup/')[1]?.split('/')[0] ?? i.tg) },
        { id: 'state', header: 'Health', cell: (i) => <Status value={i.d.TargetHealth?.State} /> },
        { id: 'reason', header: 'Reason', cell: (i) => [i.d.TargetHealth?.Reason, i.d.TargetHealth?.Description].filter(Boolean).join(': ') || '-' },
      ]}
      wrapLines
    />
  );
}

function ServiceMetrics({ cluster, service }: { cluster: string; service: string }) {
  const dims = { ClusterName: cluster, ServiceName: service };
  return (
    <Container header={<Header variant="h2" description="AWS/ECS, average over the service's tasks, last hour (1-minute points).">CPU and memory utilization</Header>}>
      <MetricChart pollKey={`svc/${cluster}/${service}`} relativeMs={3600_000} yTitle="Percent" ariaLabel="CPU and memory utilization of the service"
        lines={[
          { label: 'CPUUtilization', namespace: 'AWS/ECS', metricName: 'CPUUtilization', dimensions: dims },
          { label: 'MemoryUtilization', namespace: 'AWS/ECS', metricName: 'MemoryUtilization', dimensions: dims },
        ]} />
    </Container>
  );
}

function UpdateModal({ service, busy, onClose, onSubmit }: {
  service: Service; busy: boolean; onClose: () => void;
  onSubmit: (input: { desiredCount: number; taskDefinition?: string; forceNewDeployment: boolean }) => void;
}) {
  const family = taskDefName(service.taskDefinition).split(':')[0] ?? '';
  const revisions = usePoll(`update-revisions/${family}`, () => familyRevisions(family, 'ACTIVE'), { intervalMs: 0 });
  const [value, setValue] = useState(String(service.desiredCount ?? 0));
  const [rev, setRev] = useState<SelectProps.Option>({ label: taskDefName(service.taskDefinition), value: service.taskDefinition ?? '' });
  const [force, setForce] = useState(false);
  const n = Number(value);
  const invalid = !/^\d+$/.test(value.trim()) || n > 10000;
  const submit = () => {
    if (invalid) return;
    onSubmit({ desiredCount: n, forceNewDeployment: force, ...(rev.value && rev.value !== service.taskDefinition ? { taskDefinition: rev.value } : {}) });
  };
  return (
    <Modal visible header={`Update ${service.serviceName}`} onDismiss={onClose} footer={
      <Box float="right"><SpaceBetween direction="horizontal" size="xs">
        <Button variant="link" onClick={onClose}>Cancel</Button>
        <Button variant="primary" loading={busy} disabled={invalid} onClick={submit}>Update</Button>
      </SpaceBetween></Box>}>
      <form onSubmit={(e) => { e.preventDefault(); submit(); }}>
        <SpaceBetween size="m">
          <FormField label="Task definition revision" description="Choosing another revision starts a rolling deployment.">
            <Select selectedOption={rev} onChange={(e) => setRev(e.detail.selectedOption)} ariaLabel="Task definition revision"
              statusType={revisions.loading ? 'loading' : 'finished'} loadingText="Loading revisions"
              options={(revisions.data ?? [service.taskDefinition ?? '']).map((a) => ({ label: taskDefName(a), value: a, ...(a === service.taskDefinition ? { description: 'current' } : {}) }))} />
          </FormField>
          <FormField label="Desired tasks" description="How many copies of the task the service keeps running." errorText={invalid ? 'Enter a whole number from 0 to 10000.' : undefined}>
            <Input type="number" inputMode="numeric" value={value} onChange={(e) => setValue(e.detail.value)} ariaLabel="Desired tasks" />
          </FormField>
          <Checkbox checked={force} onChange={(e) => setForce(e.detail.checked)} description="Replace every task even if nothing changed (e.g. to pull a moved image tag).">Force new deployment</Checkbox>
        </SpaceBetween>
      </form>
    </Modal>
  );
}

function DeleteModal({ service, busy, onClose, onDelete }: { service: string; busy: boolean; onClose: () => void; onDelete: () => void }) {
  const [typed, setTyped] = useState('');
  const ok = typed === service;
  return (
    <Modal visible header={`Delete ${service}?`} onDismiss={onClose} footer={
      <Box float="right"><SpaceBetween direction="horizontal" size="xs">
        <Button variant="link" onClick={onClose}>Cancel</Button>
        <Button variant="primary" loading={busy} disabled={!ok} onClick={onDelete}>Delete</Button>
      </SpaceBetween></Box>}>
      <SpaceBetween size="m">
        <Alert type="warning">Deleting the service stops all of its tasks. This cannot be undone.</Alert>
        <FormField label={<span>To confirm, type the service name <b>{service}</b></span>}>
          <Input value={typed} onChange={(e) => setTyped(e.detail.value)} ariaLabel="Service name to confirm" autoFocus />
        </FormField>
      </SpaceBetween>
    </Modal>
  );
}
