/**
 * The ECS RunTask target: a rule whose target is a cluster ARN with `EcsParameters` runs tasks there,
 * as EventBridge does (startedBy `events-rule/<rule>`, group `family:<family>` unless `Group` says).
 * The target's input, when it is a JSON object, is the RunTask `overrides` (containerOverrides, cpu,
 * memory, taskRoleArn, executionRoleArn), so an InputTransformer can hand a value of the event to the
 * task (the stopped task's ARN in an environment variable, …).
 *
 * Exactly once per (event, rule, target), not just at least once: the placement commit also writes a
 * marker for the delivery, guarded on its absence, so a retry after a crash between the commit and the
 * outbox update finds the marker and starts nothing again. The markers go with the outbox entry.
 *
 * Placement is the services controller's (controllers/shared/placement-commit.ts) on the user's
 * container instances: launch type EC2, bridge/host/none networking. FARGATE, capacity provider
 * strategies and awsvpc (NetworkConfiguration) are not run yet: such targets are skipped with a warning.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { EcsParameters } from '@aws-sdk/client-eventbridge';
import type { Tag, TaskOverride } from '@aws-sdk/client-ecs';
import type { Store } from '../../store/store.js';
import { keys } from '../../model/ecs/keys.js';
import type { ClusterRecord, TaskDefinitionRecord } from '../../model/ecs/records.js';
import type { TaskRecord } from '../../model/ecs/task-records.js';
import { newTaskRecord } from '../../model/ecs/task-factory.js';
import { placementAttributes } from '../../model/ecs/task-definition.js';
import { RUN_TASK_DEFAULT_STRATEGY, type Constraint, type Strategy } from '../../scheduler/placement.js';
import { placeAndCommit, type ClusterCache } from '../shared/placement-commit.js';

/** A target this server does not run (yet): skipped, not retried. */
export class UnsupportedTarget extends Error {}

export interface EcsTargetDeps {
  store: Store;
  placement: ClusterCache;
  scope: { region: string; accountId: string };
}

async function taskDefinitionOf(store: Store, ref: string): Promise<TaskDefinitionRecord | undefined> {
  const m = /^(?:arn:aws[\w-]*:ecs:[^:]+:\d{12}:task-definition\/)?([A-Za-z0-9_-]+)(?::(\d+))?$/.exec(ref);
  if (!m) return undefined;
  if (m[2] !== undefined) {
    const kv = await store.get(keys.taskDefinition(m[1], Number(m[2])));
    return kv ? (JSON.parse(kv.value) as TaskDefinitionRecord) : undefined;
  }
  // A family alone: its latest ACTIVE revision, as RunTask takes it.
  const all = (await store.range(keys.taskDefinitions(m[1]))).kvs.map((kv) => JSON.parse(kv.value) as TaskDefinitionRecord);
  return all.filter((d) => d.status === 'ACTIVE').pop();
}

/** The RunTask overrides a target's input carries (a JSON object with those members), else none. */
export function overridesOf(payload: string): TaskOverride | undefined {
  let v: unknown;
  try {
    v = JSON.parse(payload);
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
  const o = v as Record<string, unknown>;
  const out: TaskOverride = {};
  if (Array.isArray(o.containerOverrides)) out.containerOverrides = o.containerOverrides as TaskOverride['containerOverrides'];
  for (const k of ['cpu', 'memory', 'taskRoleArn', 'executionRoleArn'] as const) if (typeof o[k] === 'string') out[k] = o[k] as string;
  return Object.keys(out).length > 0 ? out : undefined;
}

/** Wharf's extension tags on a target's tasks (docs/events.md, "Wharf extensions"). */
export const OVERLAP_TAG = 'wharf:overlap';
export const TIMEOUT_TAG = 'wharf:timeout-seconds';

/**
 * Runs the target's tasks. Returns how many were started (0 when the marker shows an earlier attempt
 * already started them), or 'skipped' when the target's tasks carry `wharf:overlap` = `skip` and a task
 * of an earlier run (same startedBy) has not stopped yet; throws an Error to retry (no cluster, no
 * definition, nothing placed) or UnsupportedTarget.
 */
export async function runEcsTarget(d: EcsTargetDeps, o: { clusterArn: string; params: EcsParameters; payload: string; startedBy: string; markerKey: string; now: number }): Promise<number | 'skipped'> {
  const p = o.params;
  if (p.LaunchType === 'FARGATE' || p.LaunchType === 'EXTERNAL' || (p.CapacityProviderStrategy?.length ?? 0) > 0 || p.NetworkConfiguration) {
    throw new UnsupportedTarget('Wharf runs ECS targets with launch type EC2 on bridge/host networking only (no FARGATE, capacity provider strategy or awsvpc NetworkConfiguration yet)');
  }
  const m = /^arn:aws[\w-]*:ecs:[^:]+:\d{12}:cluster\/(.+)$/.exec(o.clusterArn);
  if (!m) throw new UnsupportedTarget(`${o.clusterArn} is not an ECS cluster ARN`);
  const cluster = m[1];
  const ckv = await d.store.get(keys.cluster(cluster));
  const c = ckv ? (JSON.parse(ckv.value) as ClusterRecord) : undefined;
  if (!c || c.status !== 'ACTIVE') throw new Error(`RunTask failed: cluster ${cluster} not found`);
  const def = await taskDefinitionOf(d.store, p.TaskDefinitionArn ?? '');
  if (!def) throw new Error(`RunTask failed: task definition ${p.TaskDefinitionArn} not found`);
  if (def.networkMode === 'awsvpc') throw new UnsupportedTarget('Wharf does not run awsvpc task definitions from EventBridge targets yet');
  if (p.Tags?.some((t) => t.Key === OVERLAP_TAG && t.Value === 'skip')) {
    const startedBy = o.startedBy.slice(0, 128);
    const going = (await d.store.range(keys.tasks(cluster))).kvs.some((kv) => {
      const t = JSON.parse(kv.value) as TaskRecord;
      return t.startedBy === startedBy && t.lastStatus !== 'STOPPED' && t.lastStatus !== 'DELETED';
    });
    if (going) return 'skipped';
  }
  const count = p.TaskCount ?? 1;
  const tags: Tag[] = [
    ...(p.Tags ?? []).map((t) => ({ key: t.Key, value: t.Value })),
    ...(p.PropagateTags === 'TASK_DEFINITION' ? def.tags : []),
  ];
  const overrides = overridesOf(o.payload);
  const tasks = Array.from({ length: count }, () => newTaskRecord({
    scope: d.scope, cluster, clusterArn: c.clusterArn, def, id: randomBytes(16).toString('hex'), containerIds: def.containerDefinitions.map(() => randomUUID()),
    overrides, group: p.Group ?? `family:${def.family}`, startedBy: o.startedBy.slice(0, 128), tags,
    enableExecuteCommand: p.EnableExecuteCommand ?? false, now: o.now,
  }));
  const result = await placeAndCommit(d.store, d.placement, {
    cluster, tasks,
    strategies: p.PlacementStrategy?.length ? p.PlacementStrategy.map((s) => ({ type: s.type, field: s.field }) as Strategy) : RUN_TASK_DEFAULT_STRATEGY,
    constraints: [...(p.PlacementConstraints ?? []).map((x) => ({ type: x.type, expression: x.expression }) as Constraint), ...(def.placementConstraints as Constraint[])],
    requiresAttributes: placementAttributes(def),
    random: Math.random,
    extraCompare: [{ key: o.markerKey, target: 'createRevision', op: '==', value: 0 }],
    extraOps: (placed) => [{ type: 'put', key: o.markerKey, value: JSON.stringify({ tasks: placed.map((t) => t.taskArn), at: o.now }) }],
  });
  if (result.preconditionFailed) return 0;
  if (result.placed.length === 0) {
    const why = result.noInstances ? 'no container instances in the cluster' : result.failures.map((f) => `${f.reason}${f.detail ? ` (${f.detail})` : ''}`).join(', ');
    throw new Error(`RunTask placed no task: ${why}`);
  }
  return result.placed.length;
}
