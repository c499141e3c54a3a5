/**
 * The cluster map: every container instance drawn as a box, its tasks as tiles inside, coloured by
 * status, with CPU/memory use as bars. Tasks not placed yet sit in their own "unplaced" box. It is a
 * list of lists in the markup, so a screen reader reads it as instance → tasks.
 */
import Box from '@cloudscape-design/components/box';
import Container from '@cloudscape-design/components/container';
import Header from '@cloudscape-design/components/header';
import Link from '@cloudscape-design/components/link';
import ProgressBar from '@cloudscape-design/components/progress-bar';
import SpaceBetween from '@cloudscape-design/components/space-between';
import StatusIndicator from '@cloudscape-design/components/status-indicator';
import type { ContainerInstance, Task } from '@aws-sdk/client-ecs';
import { arnTail, taskDefName } from '../aws';
import { href } from '../router';
import { resource } from '../ecs-data';
import { ApiErrorAlert, Empty, statusType } from './common';

const tile: React.CSSProperties = {
  border: '1px solid #8c8c94', borderRadius: 8, padding: '6px 10px', minWidth: 180, listStyle: 'none', background: 'transparent',
};

export function ClusterMap({ cluster, instances, tasks, error }: { cluster: string; instances: ContainerInstance[] | undefined; tasks: Task[] | undefined; error: unknown }) {
  if (error) return <ApiErrorAlert error={error} />;
  if (!instances || !tasks) return <Box>Loading…</Box>;
  if (instances.length === 0 && tasks.length === 0) return <Empty title="Nothing to draw">This cluster has no container instances and no tasks.</Empty>;
  const byInstance = new Map<string, Task[]>();
  for (const t of tasks) {
    const k = t.containerInstanceArn ?? '';
    byInstance.set(k, [...(byInstance.get(k) ?? []), t]);
  }
  const unplaced = byInstance.get('') ?? [];
  return (
    <ul aria-label={`Map of cluster ${cluster}`} style={{ display: 'flex', flexWrap: 'wrap', gap: 16, padding: 0, margin: 0 }}>
      {instances.map((i) => {
        const ts = byInstance.get(i.containerInstanceArn ?? '') ?? [];
        const cpu = resource(i.registeredResources, 'CPU'), cpuFree = resource(i.remainingResources, 'CPU');
        const mem = resource(i.registeredResources, 'MEMORY'), memFree = resource(i.remainingResources, 'MEMORY');
        const name = i.ec2InstanceId ?? arnTail(i.containerInstanceArn);
        return (
          <li key={i.containerInstanceArn} style={{ listStyle: 'none', flex: '1 1 420px', maxWidth: 640 }} aria-label={`Instance ${name}`}>
            <Container header={<Header variant="h3" description={(i.attributes ?? []).find((a) => a.name === 'ecs.availability-zone')?.value}>
              {name} <StatusIndicator type={i.agentConnected ? 'success' : 'error'}>{i.agentConnected ? 'agent connected' : 'agent disconnected'}</StatusIndicator>
            </Header>}>
              <SpaceBetween size="s">
                <ProgressBar value={cpu ? Math.round(((cpu - cpuFree) / cpu) * 100) : 0} label="CPU reserved" additionalInfo={`${cpu - cpuFree}/${cpu} units`} />
                <ProgressBar value={mem ? Math.round(((mem - memFree) / mem) * 100) : 0} label="Memory reserved" additionalInfo={`${mem - memFree}/${mem} MiB`} />
                <TaskTiles cluster={cluster} tasks={ts} label={`Tasks on ${name}`} />
              </SpaceBetween>
            </Container>
          </li>
        );
      })}
      {unplaced.length > 0 ? (
        <li style={{ listStyle: 'none', flex: '1 1 420px' }} aria-label="Tasks not placed yet">
          <Container header={<Header variant="h3" description="Waiting for an instance with room (or for Fargate capacity)">Not placed yet</Header>}>
            <TaskTiles cluster={cluster} tasks={unplaced} label="Unplaced tasks" />
          </Container>
        </li>
      ) : null}
    </ul>
  );
}

function TaskTiles({ cluster, tasks, label }: { cluster: string; tasks: Task[]; label: string }) {
  if (tasks.length === 0) return <Box color="text-body-secondary">No tasks.</Box>;
  return (
    <ul aria-label={label} style={{ display: 'flex', flexWrap: 'wrap', gap: 8, padding: 0, margin: 0 }}>
      {tasks.map((t) => (
        <li key={t.taskArn} style={tile}>
          <Link href={href('clusters', cluster, 'tasks', arnTail(t.taskArn))}>{`Task ${arnTail(t.taskArn).slice(0, 8)}`}</Link>
          <div><StatusIndicator type={statusType(t.lastStatus)}>{t.lastStatus}</StatusIndicator></div>
          <Box variant="small">{taskDefName(t.taskDefinitionArn)}{t.group?.startsWith('service:') ? ` · ${t.group.slice(8)}` : ''}</Box>
        </li>
      ))}
    </ul>
  );
}
