/**
 * RunTask: place `count` (1–10) copies of a task definition on the cluster's container instances.
 *
 * Placement is decided and committed before the reply (ECS returns the placed tasks and, for what did
 * not fit, `failures[{arn, reason}]` such as RESOURCE:MEMORY). RunTask's default strategy is random.
 *
 * clientToken (exactly once). The naive way — look the token up, and if it is absent place the tasks
 * and write the token afterwards — starts two task sets when two retries of one request both look
 * before either writes (a lost reply retried at once, or two servers on one etcd). Instead the token
 * record is created in the SAME transaction as the tasks, guarded by "token absent"
 * (createRevision == 0): exactly one transaction can commit it, every other one fails as a whole
 * (no task written) and replays what the winner recorded. The record holds the whole reply, failures
 * included (a reply of only failures is recorded too), so a replay answers as the original did; a
 * different request under the same token is ECS's ConflictException naming the original tasks.
 * Tokens are scoped to the cluster, as ECS scopes them.
 */
import { randomBytes, randomInt, randomUUID, createHash } from 'node:crypto';
import type { RunTaskRequest, RunTaskResponse, StartTaskRequest, StartTaskResponse, Failure, PlacementStrategy, PlacementConstraint } from '@aws-sdk/client-ecs';
import { ApiError, invalidParameter } from '../../model/errors.js';
import { keys } from '../../model/ecs/keys.js';
import type { TaskRecord } from '../../model/ecs/task-records.js';
import { newTaskRecord } from '../../model/ecs/task-factory.js';
import { placementAttributes } from '../../model/ecs/task-definition.js';
import { containerInstanceArn } from '../../model/arn.js';
import { getJson } from '../../store/json.js';
import { createUnplaced, placeAndCommit } from '../../controllers/shared/placement-commit.js';
import { chooseLaunch, FARGATE_CAPACITY_UNAVAILABLE, poolRoomFor, resolvePlatformVersion, spreadOverStrategy, type StrategyItem } from '../../model/ecs/capacity.js';
import { liveFargateDemand } from '../../controllers/shared/fargate-demand.js';
import type { TaskDefinitionRecord } from '../../model/ecs/records.js';
import { checkPlacementSpec, PlacementSpecError, RUN_TASK_DEFAULT_STRATEGY, type Strategy, type Constraint } from '../../scheduler/placement.js';
import type { Handler, RequestContext } from '../types.js';
import { activeCluster, validateTags } from './common.js';
import { taskDefinitionForRun } from './tasks-common.js';
import { taskView } from './task-view.js';
import { resolveNetworkConfiguration, zoneConstraint } from './network-config.js';
import { allocateInterfaces } from '../../controllers/shared/network-allocation.js';

/** The stored reply of a RunTask with a clientToken: the tasks as placed (rendered by taskView) and the failures. */
interface IdempotencyRecord { hash: string; tasks: TaskRecord[]; failures: Failure[] }

/** ECS: a RunTask client token is 1–64 ASCII characters in the range 33–126. */
const RUN_TASK_TOKEN = /^[\x21-\x7e]{1,64}$/;

const hashOf = (v: unknown) => createHash('sha256').update(JSON.stringify(v)).digest('hex');
const random = () => randomInt(0, 2 ** 31) / 2 ** 31;

export function validatePlacement(strategies: readonly PlacementStrategy[] | undefined, constraints: readonly PlacementConstraint[] | undefined): { strategies: Strategy[]; constraints: Constraint[] } {
  const s = (strategies ?? []).map((x): Strategy => ({ type: x.type as Strategy['type'], field: x.field }));
  const c = (constraints ?? []).map((x): Constraint => ({ type: x.type as Constraint['type'], expression: x.expression }));
  try {
    checkPlacementSpec(s, c);
  } catch (e) {
    if (e instanceof PlacementSpecError) throw invalidParameter(e.message);
    throw e;
  }
  return { strategies: s, constraints: c };
}

async function launch(ctx: RequestContext, input: RunTaskRequest & { containerInstances?: string[] }, opts: { defaultStrategy: Strategy[]; onlyInstances?: string[] }): Promise<RunTaskResponse> {
  const cluster = (await activeCluster(ctx, input.cluster)).value;
  const count = input.count ?? 1;
  if (count < 1 || count > 10) throw invalidParameter('count must be between 1 and 10.');
  const launchChoice = opts.onlyInstances ? { launchType: 'EC2' as const } : chooseLaunch(input, cluster);
  if (input.startedBy && input.startedBy.length > 128) throw invalidParameter('startedBy can be at most 128 characters.');
  if (input.group && !/^[A-Za-z0-9_:.\-]{1,255}$/.test(input.group)) throw invalidParameter('Invalid group: up to 255 letters, numbers, hyphens, underscores, colons and periods.');
  const tags = validateTags(input.tags);
  if (input.clientToken !== undefined && !RUN_TASK_TOKEN.test(input.clientToken)) {
    throw invalidParameter('clientToken must be 1 to 64 ASCII characters (33–126).');
  }
  const def = await taskDefinitionForRun(ctx.store, input.taskDefinition!);
  const containerNames = new Set(def.containerDefinitions.map((c) => c.name));
  for (const o of input.overrides?.containerOverrides ?? []) {
    if (!o.name || !containerNames.has(o.name)) throw invalidParameter(`Container override names a container that is not in the task definition: ${o.name ?? '(none)'}`);
  }
  if (launchChoice.launchType === 'FARGATE') return launchFargate(ctx, input, { cluster, def, count, tags, strategy: launchChoice.strategy });
  if (input.platformVersion !== undefined) throw invalidParameter('The platform version must be null when specifying an EC2 launch type.');
  if (!def.compatibilities.includes('EC2')) throw invalidParameter('Task definition does not support launch_type EC2.');
  const network = await resolveNetworkConfiguration(ctx.store, def.networkMode, input.networkConfiguration, input.launchType);
  const placement = validatePlacement(input.placementStrategy, [...(def.placementConstraints as PlacementConstraint[]), ...(input.placementConstraints ?? [])]);
  if (network) placement.constraints.push(zoneConstraint(network));

  const idemKey = input.clientToken ? keys.idempotency('RunTask', `${cluster.clusterName}/${input.clientToken}`) : undefined;
  const requestHash = hashOf({ ...input, clientToken: undefined });
  if (idemKey) {
    const prior = await getJson<IdempotencyRecord>(ctx.store, idemKey);
    if (prior) return replay(prior.value, requestHash);
  }

  const tasks: TaskRecord[] = Array.from({ length: count }, () => newTaskRecord({
    scope: ctx, cluster: cluster.clusterName, clusterArn: cluster.clusterArn, def,
    id: randomBytes(16).toString('hex'), containerIds: def.containerDefinitions.map(() => randomUUID()),
    overrides: input.overrides, group: input.group, startedBy: input.startedBy, tags,
    enableExecuteCommand: input.enableExecuteCommand, network, now: ctx.now.getTime(),
  }));
  const result = await placeAndCommit(ctx.store, ctx.placement.forRegion(ctx.region), {
    cluster: cluster.clusterName,
    tasks,
    strategies: placement.strategies.length ? placement.strategies : opts.defaultStrategy,
    constraints: placement.constraints,
    requiresAttributes: placementAttributes(def),
    random,
    onlyInstances: opts.onlyInstances,
    allocate: network ? (placed) => allocateInterfaces(ctx.store, placed, { region: ctx.region, random, now: ctx.now.getTime() }) : undefined,
    ...(idemKey && {
      // The guard that makes the token exactly-once: only the transaction that creates it commits.
      extraCompare: [{ key: idemKey, target: 'createRevision', op: '==', value: 0 }],
      extraOps: (placed, failures) => [{ type: 'put', key: idemKey, value: JSON.stringify({ hash: requestHash, tasks: placed, failures: failures.map((f) => ({ arn: f.arn, reason: f.reason, ...(f.detail ? { detail: f.detail } : {}) })) } satisfies IdempotencyRecord) }],
      commitWhenNonePlaced: true,
    }),
  });
  if (result.preconditionFailed && idemKey) {
    // Another request with this token committed first: answer with its reply.
    const prior = await getJson<IdempotencyRecord>(ctx.store, idemKey);
    if (!prior) throw new ApiError('ServerException', 'The client token kept changing while the request ran. Retry the request.');
    return replay(prior.value, requestHash);
  }
  if (result.noInstances) throw invalidParameter('No Container Instances were found in your cluster.');
  ctx.faultPoint?.('RunTask:after-commit');
  const failures: Failure[] = result.failures.map((f) => ({ arn: f.arn, reason: f.reason, ...(f.detail ? { detail: f.detail } : {}) }));
  return { tasks: result.placed.map((t) => taskView(t, true)), failures };
}

/** Checks a definition and request against Fargate's contract (launch-time half; registration did the rest). */
export function checkFargateRun(def: TaskDefinitionRecord, input: { placementStrategy?: unknown[]; placementConstraints?: unknown[] }): void {
  if (!def.compatibilities.includes('FARGATE')) throw invalidParameter('Task definition does not support launch_type FARGATE.');
  if (input.placementStrategy?.length) throw invalidParameter('Task placement strategies are not supported for the FARGATE launch type.');
  if (input.placementConstraints?.length) throw invalidParameter('Task placement constraints are not supported for the FARGATE launch type.');
}

/**
 * FARGATE: the tasks are committed unplaced (PROVISIONING, as ECS returns them) with the idempotency
 * record; the capacity controller places them on the managed pool.
 */
async function launchFargate(ctx: RequestContext, input: RunTaskRequest, o: { cluster: { clusterName: string; clusterArn: string }; def: TaskDefinitionRecord; count: number; tags: ReturnType<typeof validateTags>; strategy?: StrategyItem[] }): Promise<RunTaskResponse> {
  const { def, count } = o;
  checkFargateRun(def, input);
  // Subnets and security groups are looked up in the VPC model as for EC2 tasks; the address is leased
  // when the capacity controller places the task on a pool host.
  const network = await resolveNetworkConfiguration(ctx.store, def.networkMode, input.networkConfiguration, 'FARGATE');
  const platformVersion = resolvePlatformVersion(input.platformVersion);
  const providers = o.strategy ? spreadOverStrategy(o.strategy, count) : [];
  const idemKey = input.clientToken ? keys.idempotency('RunTask', `${o.cluster.clusterName}/${input.clientToken}`) : undefined;
  const requestHash = hashOf({ ...input, clientToken: undefined });
  if (idemKey) {
    const prior = await getJson<IdempotencyRecord>(ctx.store, idemKey);
    if (prior) return replay(prior.value, requestHash);
  }
  const tasks: TaskRecord[] = Array.from({ length: count }, (_, i) => newTaskRecord({
    scope: ctx, cluster: o.cluster.clusterName, clusterArn: o.cluster.clusterArn, def,
    id: randomBytes(16).toString('hex'), containerIds: def.containerDefinitions.map(() => randomUUID()),
    overrides: input.overrides, group: input.group, startedBy: input.startedBy, tags: o.tags,
    enableExecuteCommand: input.enableExecuteCommand, network, now: ctx.now.getTime(),
    fargate: { capacityProviderName: providers[i], platformVersion },
  }));
  // Tasks the pool could never hold, even grown to its limit, are refused as Fargate refuses them.
  const failures: Failure[] = [];
  if (ctx.fargatePool) {
    const limits = ctx.region === ctx.fargatePool.region ? ctx.fargatePool : { ...ctx.fargatePool, maxHosts: 0 };
    const room = poolRoomFor(limits, await liveFargateDemand(ctx.store, o.cluster.clusterName), tasks.map((t) => t.reserved));
    for (let refused = tasks.splice(room).length; refused > 0; refused--) failures.push({ reason: FARGATE_CAPACITY_UNAVAILABLE });
  }
  const extraOps = idemKey ? [{ type: 'put' as const, key: idemKey, value: JSON.stringify({ hash: requestHash, tasks, failures } satisfies IdempotencyRecord) }] : [];
  const ok = await createUnplaced(ctx.store, ctx.placement.forRegion(ctx.region), o.cluster.clusterName, tasks, { extraOps, extraCompare: idemKey ? [{ key: idemKey, target: 'createRevision', op: '==', value: 0 }] : [] });
  if (!ok) {
    const prior = idemKey ? await getJson<IdempotencyRecord>(ctx.store, idemKey) : undefined;
    if (prior) return replay(prior.value, requestHash);
    throw new ApiError('ServerException', 'The tasks could not be created. Retry the request.');
  }
  return { tasks: tasks.map((t) => taskView(t, true)), failures };
}

function replay(prior: IdempotencyRecord, hash: string): RunTaskResponse {
  if (prior.hash !== hash) {
    throw new ApiError('ConflictException', 'The RunTask request could not be processed due to conflicts. The provided clientToken is already in use with a different RunTask request.', { resourceIds: prior.tasks.map((t) => t.taskArn) });
  }
  return { tasks: prior.tasks.map((t) => taskView(t, true)), failures: prior.failures };
}

export const runTask: Handler<RunTaskRequest, RunTaskResponse> = (input, ctx) => launch(ctx, input, { defaultStrategy: [...RUN_TASK_DEFAULT_STRATEGY] });

/** StartTask: like RunTask, on the container instances the caller names (up to 10). */
export const startTask: Handler<StartTaskRequest, StartTaskResponse> = async (input, ctx) => {
  const refs = input.containerInstances ?? [];
  if (refs.length === 0) throw new ApiError('ClientException', 'Container Instances cannot be empty.');
  const cluster = (await activeCluster(ctx, input.cluster)).value;
  if (refs.length > 10) throw invalidParameter('containerInstances must name between 1 and 10 container instances.');
  const ids = refs.map((r) => (r.startsWith('arn:') ? r.split('/').pop()! : r));
  for (const [i, id] of ids.entries()) {
    const inst = await getJson<{ fargatePool?: boolean }>(ctx.store, keys.containerInstance(cluster.clusterName, id)).then((r) => (r?.value.fargatePool ? undefined : r));
    if (!inst) throw invalidParameter(`Container instance not found: ${refs[i]} (expected ${containerInstanceArn(ctx, cluster.clusterName, id)})`);
  }
  const out: RunTaskResponse = { tasks: [], failures: [] };
  for (const id of ids) {
    const r = await launch(ctx, { ...input, count: 1 }, { defaultStrategy: [], onlyInstances: [id] });
    out.tasks!.push(...(r.tasks ?? []));
    out.failures!.push(...(r.failures ?? []));
  }
  return out;
};
