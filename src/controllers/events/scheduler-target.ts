/**
 * Runs one EventBridge Scheduler invocation (an outbox entry with `invoke`, put there by scheduler.ts)
 * against its target:
 *
 *   ECS cluster ARN + EcsParameters   RunTask on the cluster (ecs-target.ts), exactly once per invocation
 *                                     (its marker), startedBy `scheduler/<group>/<schedule>` (Wharf's choice)
 *   event bus ARN + EventBridgeParameters   PutEvents of one event: Source, DetailType, the Input as
 *                                     `detail`, the schedule's ARN in `resources`
 *
 * The target's Input gets Scheduler's context attributes first: <aws.scheduler.schedule-arn>,
 * <aws.scheduler.scheduled-time>, <aws.scheduler.execution-id>, <aws.scheduler.attempt-number>.
 * Any other target kind is an UnsupportedTarget (skipped with a warning). A failure throws an Error: the
 * delivery controller retries it per the target's RetryPolicy (defaults 185 attempts, 86,400 s).
 */
import type { Logger } from 'pino';
import type { EcsParameters } from '@aws-sdk/client-eventbridge';
import type { Store } from '../../store/store.js';
import { eventsKeys, type OutboxEvent } from '../../model/events/records.js';
import { eventTime } from '../../model/events/route.js';
import type { ClusterCache } from '../shared/placement-commit.js';
import { runEcsTarget, UnsupportedTarget } from './ecs-target.js';

/** The `done` entry (and marker name) of a Scheduler invocation's one target. */
export const INVOCATION_ID = 'scheduler/target';

export interface SchedulerTargetDeps {
  store: Store;
  placement?: ClusterCache;
  scope: { region: string; accountId: string };
  log: Logger;
}

export function contextInput(input: string | undefined, rec: OutboxEvent, attempt: number): string | undefined {
  if (input === undefined || !rec.invoke) return input;
  const values: Record<string, string> = {
    'aws.scheduler.schedule-arn': rec.invoke.scheduleArn,
    'aws.scheduler.scheduled-time': eventTime(rec.invoke.scheduledTime),
    'aws.scheduler.execution-id': rec.event.id,
    'aws.scheduler.attempt-number': String(attempt),
  };
  return input.replace(/<(aws\.scheduler\.[a-z-]+)>/g, (whole, name: string) => values[name] ?? whole);
}

export async function invokeSchedulerTarget(d: SchedulerTargetDeps, rec: OutboxEvent, attempt: number, now: number): Promise<void> {
  const inv = rec.invoke!;
  const t = inv.target;
  const arn = t.Arn!;
  const input = contextInput(t.Input, rec, attempt);
  if (t.EcsParameters && /^arn:aws[\w-]*:ecs:[^:]+:\d{12}:cluster\//.test(arn)) {
    if (!d.placement) throw new UnsupportedTarget('ECS targets are not run by this server');
    const p = t.EcsParameters;
    // Scheduler's EcsParameters are EventBridge's but for Tags, a list of one-entry maps.
    const params: EcsParameters = {
      ...p, TaskDefinitionArn: p.TaskDefinitionArn,
      Tags: (p.Tags ?? []).flatMap((m) => Object.entries(m).map(([Key, Value]) => ({ Key, Value }))),
    } as EcsParameters;
    const started = await runEcsTarget({ store: d.store, placement: d.placement, scope: d.scope }, {
      clusterArn: arn, params, payload: input ?? '{}', startedBy: `scheduler/${inv.groupName}/${inv.scheduleName}`,
      markerKey: eventsKeys.delivered(rec.event.id, 'scheduler', 'target'), now,
    });
    if (started === 'skipped') d.log.info({ schedule: inv.scheduleArn, invocation: rec.event.id }, 'schedule run skipped: a task of its previous run is still going (wharf:overlap skip)');
    else d.log.info({ schedule: inv.scheduleArn, invocation: rec.event.id, started }, 'schedule ran ECS tasks');
    return;
  }
  const bus = /^arn:aws[\w-]*:events:[^:]+:\d{12}:event-bus\/(.+)$/.exec(arn);
  if (bus && t.EventBridgeParameters) {
    const name = bus[1];
    if (name !== 'default' && !(await d.store.get(eventsKeys.bus(name)))) throw new Error(`event bus ${name} does not exist`);
    let detail: unknown = {};
    try {
      detail = input === undefined ? {} : JSON.parse(input);
    } catch {
      throw new UnsupportedTarget('the target Input is not JSON');
    }
    const key = eventsKeys.outbox(name, rec.receivedAt, `${rec.event.id}-scheduler`);
    const copy: OutboxEvent = {
      eventBusName: name, receivedAt: now,
      event: { ...rec.event, source: t.EventBridgeParameters.Source!, 'detail-type': t.EventBridgeParameters.DetailType!, time: eventTime(now), detail },
    };
    await d.store.txn({ compare: [{ key, target: 'createRevision', op: '==', value: 0 }], success: [{ type: 'put', key, value: JSON.stringify(copy) }] });
    return;
  }
  throw new UnsupportedTarget(`Wharf's Scheduler does not invoke this kind of target yet (${arn.split(':')[2] ?? arn}); only ECS clusters (EcsParameters) and event buses (EventBridgeParameters)`);
}
