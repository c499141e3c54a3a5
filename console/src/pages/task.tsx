import { useState } from 'react';
import Alert from '@cloudscape-design/components/alert';
import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import ColumnLayout from '@cloudscape-design/components/column-layout';
import Container from '@cloudscape-design/components/container';
import ContentLayout from '@cloudscape-design/components/content-layout';
import FormField from '@cloudscape-design/components/form-field';
import Header from '@cloudscape-design/components/header';
import Input from '@cloudscape-design/components/input';
import Link from '@cloudscape-design/components/link';
import Modal from '@cloudscape-design/components/modal';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Table from '@cloudscape-design/components/table';
import { ECSClient, DescribeTaskDefinitionCommand, DescribeTasksCommand, StopTaskCommand, type TaskDefinition } from '@aws-sdk/client-ecs';
import { arnTail, client, taskDefName } from '../aws';
import { usePoll } from '../poll';
import { href } from '../router';
import { explainStop, exitMeaning } from '../ecs-data';
import { ApiErrorAlert, Empty, Status, Updated, fmtDate, useAction } from '../components/common';
import { LogTail } from '../components/log-tail';

const defs = new Map<string, TaskDefinition>();

async function load(cluster: string, taskId: string) {
  const ecs = client(ECSClient);
  const r = await ecs.send(new DescribeTasksCommand({ cluster, tasks: [taskId] }));
  const task = r.tasks?.[0];
  if (!task) throw Object.assign(new Error(`Task ${taskId} was not found in cluster ${cluster} (${r.failures?.[0]?.reason ?? 'MISSING'}).`), { name: 'InvalidParameterException' });
  let def = defs.get(task.taskDefinitionArn ?? '');
  if (!def && task.taskDefinitionArn) {
    def = (await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: task.taskDefinitionArn }))).taskDefinition;
    if (def) defs.set(task.taskDefinitionArn, def);
  }
  return { task, def };
}

export default function TaskPage({ cluster, taskId }: { cluster: string; taskId: string }) {
  const q = usePoll(`task/${cluster}/${taskId}`, () => load(cluster, taskId), { intervalMs: 3000 });
  const [stopping, setStopping] = useState(false);
  const [reason, setReason] = useState('Stopped from the Wharf console');
  const { busy, run } = useAction();
  const t = q.data?.task;
  if (!t) return <ContentLayout header={<Header variant="h1">Task {taskId}</Header>}>{q.error ? <ApiErrorAlert error={q.error} /> : <Box>Loading…</Box>}</ContentLayout>;
  const def = q.data?.def;
  const plain = explainStop(t);
  const service = t.group?.startsWith('service:') ? t.group.slice(8) : undefined;
  const logged = (def?.containerDefinitions ?? []).filter((c) => c.logConfiguration?.logDriver === 'awslogs' && c.logConfiguration.options?.['awslogs-group']);
  return (
    <ContentLayout header={
      <Header variant="h1" description={service ? <>Task of service <Link href={href('clusters', cluster, 'services', service)}>{service}</Link></> : `Task in cluster ${cluster}`}
        actions={<SpaceBetween direction="horizontal" size="xs">
          <Updated at={q.updatedAt} onRefresh={q.refresh} />
          <Button onClick={() => setStopping(true)} disabled={t.desiredStatus === 'STOPPED'}>Stop</Button>
        </SpaceBetween>}>Task {taskId}</Header>
    }>
      <SpaceBetween size="l">
        <ApiErrorAlert error={q.error} />
        {t.lastStatus === 'STOPPED' || t.stoppedReason ? (
          <Alert type={t.stopCode === 'UserInitiated' || t.stopCode === 'ServiceSchedulerInitiated' ? 'info' : 'error'} header={`Stopped: ${t.stopCode ?? 'reason'}`}>
            <div data-testid="stopped-reason">{t.stoppedReason ?? 'No reason recorded.'}</div>
            {plain ? <Box variant="p">{plain}</Box> : null}
          </Alert>
        ) : null}
        <Container header={<Header variant="h2">Overview</Header>}>
          <ColumnLayout columns={4} variant="text-grid">
            <div><Box variant="awsui-key-label">Last status</Box><span data-testid="task-last-status"><Status value={t.lastStatus} /></span></div>
            <div><Box variant="awsui-key-label">Desired status</Box>{t.desiredStatus}</div>
            <div><Box variant="awsui-key-label">Health</Box><Status value={t.healthStatus} /></div>
            <div><Box variant="awsui-key-label">Task definition</Box><Link href={href('task-definitions', ...taskDefName(t.taskDefinitionArn).split(':'))}>{taskDefName(t.taskDefinitionArn)}</Link></div>
            <div><Box variant="awsui-key-label">Launch type</Box>{t.launchType ?? '-'}</div>
            <div><Box variant="awsui-key-label">CPU / memory</Box>{t.cpu ?? '-'} units / {t.memory ?? '-'} MiB</div>
            <div><Box variant="awsui-key-label">Container instance</Box>{arnTail(t.containerInstanceArn) || '-'}</div>
            <div><Box variant="awsui-key-label">Group</Box>{t.group ?? '-'}</div>
            <div><Box variant="awsui-key-label">Created</Box>{fmtDate(t.createdAt)}</div>
            <div><Box variant="awsui-key-label">Started</Box>{fmtDate(t.startedAt)}</div>
            <div><Box variant="awsui-key-label">Stopped</Box>{fmtDate(t.stoppedAt)}</div>
            <div><Box variant="awsui-key-label">Started by</Box>{t.startedBy ?? '-'}</div>
          </ColumnLayout>
        </Container>
        <Table
          header={<Header counter={`(${t.containers?.length ?? 0})`}>Containers</Header>}
          items={t.containers ?? []} trackBy="name" ariaLabels={{ tableLabel: 'Containers' }}
          empty={<Empty title="No containers" />}
          columnDefinitions={[
            { id: 'name', header: 'Container', isRowHeader: true, cell: (c) => c.name },
            { id: 'status', header: 'Status', cell: (c) => <Status value={c.lastStatus} /> },
            { id: 'exit', header: 'Exit code', cell: (c) => (c.exitCode === undefined ? '-' : `${c.exitCode}${exitMeaning(c.exitCode)}`) },
            { id: 'reason', header: 'Reason', cell: (c) => c.reason ?? '-' },
            { id: 'health', header: 'Health', cell: (c) => <Status value={c.healthStatus} /> },
            { id: 'image', header: 'Image', cell: (c) => c.image },
            { id: 'ports', header: 'Network bindings', cell: (c) => [
              ...(c.networkBindings ?? []).map((b) => `${b.bindIP ?? '0.0.0.0'}:${b.hostPort} → ${b.containerPort}/${b.protocol ?? 'tcp'}`),
              ...(c.networkInterfaces ?? []).map((n) => n.privateIpv4Address ?? ''),
            ].filter(Boolean).join(', ') || '-' },
          ]}
          wrapLines
        />
        <Container header={<Header variant="h2" description="awslogs streams of this task's containers, following new lines.">Logs</Header>}>
          {logged.length === 0 ? (
            <Empty title="No logs for this task">None of its containers uses the <code>awslogs</code> log driver. Add a <code>logConfiguration</code> to the task definition to send output to CloudWatch Logs.</Empty>
          ) : (
            <SpaceBetween size="l">
              {logged.map((c) => {
                const o = c.logConfiguration!.options!;
                const stream = `${o['awslogs-stream-prefix'] ? `${o['awslogs-stream-prefix']}/` : ''}${c.name}/${taskId}`;
                return (
                  <div key={c.name}>
                    <Header variant="h3" actions={<Link href={`${href('logs', o['awslogs-group']!)}?stream=${encodeURIComponent(stream)}`}>Open in log group</Link>}>{c.name}</Header>
                    <LogTail group={o['awslogs-group']!} stream={stream} />
                  </div>
                );
              })}
            </SpaceBetween>
          )}
        </Container>
      </SpaceBetween>
      {stopping ? (
        <Modal visible header="Stop task" onDismiss={() => setStopping(false)} footer={
          <Box float="right"><SpaceBetween direction="horizontal" size="xs">
            <Button variant="link" onClick={() => setStopping(false)}>Cancel</Button>
            <Button variant="primary" loading={busy} onClick={async () => {
              if (await run('Stop task', () => client(ECSClient).send(new StopTaskCommand({ cluster, task: taskId, reason })), `Task ${taskId} is stopping.`)) { setStopping(false); q.refresh(); }
            }}>Stop</Button>
          </SpaceBetween></Box>}>
          <SpaceBetween size="m">
            <Box>{service ? `The service ${service} will start a replacement.` : 'The task will not be restarted.'}</Box>
            <FormField label="Reason" description="Shown as the task's stopped reason."><Input value={reason} onChange={(e) => setReason(e.detail.value)} ariaLabel="Stop reason" /></FormField>
          </SpaceBetween>
        </Modal>
      ) : null}
    </ContentLayout>
  );
}
