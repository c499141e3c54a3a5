/** ECS reads the pages share: list every ARN (the SDK's paginators), then describe in batches. */
import {
  ECSClient, DescribeContainerInstancesCommand, DescribeServicesCommand, DescribeTasksCommand, paginateListContainerInstances,
  paginateListServices, paginateListTasks, type ContainerInstance, type DesiredStatus, type Resource, type Service, type Task,
} from '@aws-sdk/client-ecs';
import { client, collect } from './aws';

function chunks<T>(xs: T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
}

export async function allServices(cluster: string): Promise<Service[]> {
  const ecs = client(ECSClient);
  const arns = await collect(paginateListServices({ client: ecs, pageSize: 100 }, { cluster }), (p) => p.serviceArns);
  const parts = await Promise.all(chunks(arns, 10).map((c) => ecs.send(new DescribeServicesCommand({ cluster, services: c }))));
  return parts.flatMap((p) => p.services ?? []).sort((a, b) => (a.serviceName ?? '').localeCompare(b.serviceName ?? ''));
}

export async function allTasks(cluster: string, o: { serviceName?: string; desiredStatus?: DesiredStatus } = {}): Promise<Task[]> {
  const ecs = client(ECSClient);
  const arns = await collect(paginateListTasks({ client: ecs, pageSize: 100 }, { cluster, serviceName: o.serviceName, desiredStatus: o.desiredStatus }), (p) => p.taskArns);
  const parts = await Promise.all(chunks(arns, 100).map((c) => ecs.send(new DescribeTasksCommand({ cluster, tasks: c }))));
  return parts.flatMap((p) => p.tasks ?? []).sort((a, b) => (b.createdAt?.getTime() ?? 0) - (a.createdAt?.getTime() ?? 0));
}

export async function allInstances(cluster: string): Promise<ContainerInstance[]> {
  const ecs = client(ECSClient);
  const arns = await collect(paginateListContainerInstances({ client: ecs, pageSize: 100 }, { cluster }), (p) => p.containerInstanceArns);
  const parts = await Promise.all(chunks(arns, 100).map((c) => ecs.send(new DescribeContainerInstancesCommand({ cluster, containerInstances: c }))));
  return parts.flatMap((p) => p.containerInstances ?? []);
}

export function resource(rs: Resource[] | undefined, name: string): number {
  return rs?.find((r) => r.name === name)?.integerValue ?? 0;
}

/** A stopped task's reason in plain words, beside ECS's own text. */
export function explainStop(t: Pick<Task, 'stopCode' | 'stoppedReason' | 'containers'>): string | undefined {
  if (!t.stopCode && !t.stoppedReason) return undefined;
  const essentialExit = t.containers?.find((c) => c.exitCode !== undefined && c.exitCode !== 0);
  switch (t.stopCode) {
    case 'EssentialContainerExited':
      return essentialExit
        ? `An essential container (${essentialExit.name}) exited with code ${essentialExit.exitCode}${exitMeaning(essentialExit.exitCode)}, so ECS stopped the whole task.`
        : 'An essential container exited, so ECS stopped the whole task.';
    case 'UserInitiated':
      return 'Someone stopped this task (StopTask or a service scaling in / replacing it).';
    case 'ServiceSchedulerInitiated':
      return 'The service scheduler stopped this task (a deployment replaced it, it failed health checks, or the service scaled in).';
    case 'TaskFailedToStart':
      return 'The task never started: its image could not be pulled or its containers could not be created.';
    case 'SpotInterruption':
      return 'The capacity under this task was taken back.';
    case 'TerminationNotice':
      return 'The instance running this task is shutting down.';
    default:
      return undefined;
  }
}

export function exitMeaning(code: number | undefined): string {
  switch (code) {
    case 137: return ' (killed: SIGKILL, often out of memory or a stop timeout)';
    case 143: return ' (terminated: SIGTERM)';
    case 139: return ' (segmentation fault)';
    case 126: return ' (command not executable)';
    case 127: return ' (command not found)';
    case 1: return ' (application error)';
    default: return '';
  }
}
