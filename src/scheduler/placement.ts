/**
 * Task placement: a pure function from (cluster snapshot, demand, strategy) to a plan.
 *
 *   candidates = ACTIVE instances with a connected agent
 *     → feasibility   CPU, memory, static host ports (tcp/udp), required attributes (requiresAttributes)
 *     → constraints   distinctInstance, memberOf (ECS's whole cluster query language, model/cluster-query)
 *     → strategies    applied in order as sort keys: binpack(cpu|memory), spread(field), random
 *     → pick the best; subtract its resources from the snapshot; repeat for the next task
 *
 * The caller commits the plan with a compare on every instance record version it read, so two
 * placements racing for the same capacity cannot both win (STYLE.md 3: decide pure, commit checked).
 * When a task fits nowhere, each instance contributes the first reason it failed, in ECS's words
 * (RESOURCE:CPU, RESOURCE:MEMORY, RESOURCE:PORTS, RESOURCE:PORTS_UDP, ATTRIBUTE, AGENT, …).
 *
 * Cost. The naive loop (copy the snapshot, then for every task re-filter every instance and recount
 * every spread value over every task in the cluster) is O(count × tasks): at 5,000 instances and
 * 150,000 placed tasks that is 1.5 million steps per RunTask of ten. Instead the snapshot is never
 * copied (the few instances this plan changes get an overlay), spread counts per value are built once
 * per call from per-instance group counts and updated as tasks are placed, and memberOf results are
 * cached per instance (dropped for an instance when it receives a task, since `task:group` and
 * `runningTasksCount` can change its answer). One call is O(count × instances).
 */
import { evaluate, parseQuery, QuerySyntaxError, type Query, type QueryTarget } from '../model/cluster-query.js';

export interface Resources {
  cpu: number;
  memory: number;
  ports: number[];
  udpPorts: number[];
}

export interface Attr { name: string; value?: string }

export interface InstanceView {
  arn: string;
  id: string;
  status: string;
  agentConnected: boolean;
  remaining: Resources;
  attributes: readonly Attr[];
  /** Live (not stopped) tasks already on this instance, counted per task group. */
  groups: ReadonlyMap<string, number>;
  /** For the cluster query language; defaults: id, 0, unknown. */
  ec2InstanceId?: string;
  registeredAt?: number;
  agentVersion?: string;
  /** Registered totals, for binpack scale-in ("most remaining after termination"). */
  registered?: { cpu: number; memory: number };
}

export interface Demand {
  cpu: number;
  memory: number;
  ports: number[];
  udpPorts: number[];
  requiresAttributes: readonly Attr[];
}

export interface Strategy { type: 'random' | 'spread' | 'binpack'; field?: string }
export interface Constraint { type: 'distinctInstance' | 'memberOf'; expression?: string }

/** ECS's defaults: services spread across availability zones, then instances; RunTask is random. */
export const SERVICE_DEFAULT_STRATEGY: readonly Strategy[] = [{ type: 'spread', field: 'attribute:ecs.availability-zone' }, { type: 'spread', field: 'instanceId' }];
export const RUN_TASK_DEFAULT_STRATEGY: readonly Strategy[] = [{ type: 'random' }];
/** ECS limits: at most 10 constraints (task definition + request) and 5 strategies. */
export const MAX_CONSTRAINTS = 10;
export const MAX_STRATEGIES = 5;

export interface PlacementRequest {
  demand: Demand;
  count: number;
  group: string;
  strategies: readonly Strategy[];
  constraints: readonly Constraint[];
  /** Evaluates a memberOf expression against an instance. Default: the cluster query language. */
  matches?: (expression: string, instance: InstanceView) => boolean;
  /** A deterministic source of randomness in [0, 1). */
  random: () => number;
}

export interface PlacementFailure { arn: string; reason: string; detail?: string }
export interface PlacementPlan {
  /** Instance ARN per placed task, in order. */
  placements: string[];
  failures: PlacementFailure[];
}

/** A placement request that cannot be valid (ECS answers InvalidParameterException / ClientException). */
export class PlacementSpecError extends Error {}

/**
 * Checks strategies and constraints the way ECS does before anything is placed: limits, binpack fields,
 * spread fields, constraint types, and that every memberOf expression parses. Returns parsed queries.
 */
export function checkPlacementSpec(strategies: readonly Strategy[], constraints: readonly Constraint[]): Map<string, Query> {
  if (strategies.length > MAX_STRATEGIES) throw new PlacementSpecError(`Too many placement strategies: at most ${MAX_STRATEGIES} are allowed.`);
  if (constraints.length > MAX_CONSTRAINTS) throw new PlacementSpecError(`Too many placement constraints: at most ${MAX_CONSTRAINTS} are allowed.`);
  for (const s of strategies) {
    if (s.type === 'binpack' && s.field !== 'cpu' && s.field !== 'memory') throw new PlacementSpecError(`Invalid field for binpack placement strategy: '${s.field ?? ''}'. Valid fields: cpu, memory.`);
    if (s.type === 'spread' && !s.field) throw new PlacementSpecError('The spread placement strategy requires a field.');
    if (s.type === 'spread' && !/^(instanceId|host|attribute:[A-Za-z0-9_.\-/:]+)$/.test(s.field!)) throw new PlacementSpecError(`Invalid field for spread placement strategy: '${s.field}'. Use instanceId, host or attribute:<name>.`);
    if (s.type === 'random' && s.field) throw new PlacementSpecError('The random placement strategy takes no field.');
    if (!['random', 'spread', 'binpack'].includes(s.type)) throw new PlacementSpecError(`Invalid placement strategy type: '${s.type}'.`);
  }
  const queries = new Map<string, Query>();
  for (const c of constraints) {
    if (c.type === 'distinctInstance') {
      if (c.expression) throw new PlacementSpecError('A distinctInstance placement constraint takes no expression.');
    } else if (c.type === 'memberOf') {
      if (!c.expression) throw new PlacementSpecError('A memberOf placement constraint requires an expression.');
      try {
        queries.set(c.expression, parseQuery(c.expression));
      } catch (e) {
        if (e instanceof QuerySyntaxError) throw new PlacementSpecError(`The placement constraint expression is not valid: ${c.expression} (${e.message}).`);
        throw e;
      }
    } else {
      throw new PlacementSpecError(`Invalid placement constraint type: '${(c as Constraint).type}'.`);
    }
  }
  return queries;
}

export function attrValue(i: Pick<InstanceView, 'id' | 'attributes'>, name: string): string | undefined {
  if (name === 'instanceId' || name === 'host') return i.id;
  const attr = name.startsWith('attribute:') ? name.slice('attribute:'.length) : name;
  return i.attributes.find((a) => a.name === attr)?.value;
}

const taskCount = (groups: ReadonlyMap<string, number>) => { let n = 0; for (const v of groups.values()) n += v; return n; };

/** The instance as the cluster query language sees it. */
export function queryTarget(i: InstanceView): QueryTarget {
  return {
    agentConnected: i.agentConnected, agentVersion: i.agentVersion, attributes: i.attributes, ec2InstanceId: i.ec2InstanceId ?? i.id,
    registeredAt: i.registeredAt ?? 0, runningTasksCount: taskCount(i.groups), taskGroups: [...i.groups.keys()],
  };
}

/** Why `i` cannot take the task, or undefined when it can. */
export function infeasibleReason(i: Pick<InstanceView, 'status' | 'agentConnected' | 'remaining' | 'attributes'>, d: Demand): string | undefined {
  if (i.status !== 'ACTIVE' || !i.agentConnected) return 'AGENT';
  if (i.remaining.cpu < d.cpu) return 'RESOURCE:CPU';
  if (i.remaining.memory < d.memory) return 'RESOURCE:MEMORY';
  if (d.ports.some((p) => i.remaining.ports.includes(p))) return 'RESOURCE:PORTS';
  if (d.udpPorts.some((p) => i.remaining.udpPorts.includes(p))) return 'RESOURCE:PORTS_UDP';
  for (const ra of d.requiresAttributes) {
    const has = i.attributes.some((a) => a.name === ra.name && (ra.value === undefined || a.value === ra.value));
    if (!has) return 'ATTRIBUTE';
  }
  return undefined;
}

interface Overlay { remaining: Resources; groups: Map<string, number> }

/** A small deterministic generator (xorshift32) seeded once per call from req.random: tie-breaking
 *  needs thousands of draws per placement, and a crypto-grade draw per instance dominated the cost. */
function generator(seed: number): () => number {
  let x = (Math.floor(seed * 0xffffffff) ^ 0x9e3779b9) >>> 0 || 1;
  return () => { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; return x / 0x100000000; };
}

export function place(req: PlacementRequest, snapshot: readonly InstanceView[]): PlacementPlan & { indices: number[] } {
  const queries = new Map<string, Query>();
  const matches = req.matches ?? ((expr: string, inst: InstanceView) => {
    let q = queries.get(expr);
    if (!q) { q = parseQuery(expr); queries.set(expr, q); }
    return evaluate(q, queryTarget(inst));
  });
  const rng = generator(req.random());
  const overlays = new Map<number, Overlay>();
  const view = (idx: number): InstanceView => {
    const o = overlays.get(idx);
    return o ? { ...snapshot[idx], remaining: o.remaining, groups: o.groups } : snapshot[idx];
  };
  const memberOf = req.constraints.filter((c) => c.type === 'memberOf').map((c) => c.expression ?? '');
  const distinct = req.constraints.some((c) => c.type === 'distinctInstance');
  const memberCache = new Map<number, boolean>();
  const passesMemberOf = (idx: number): boolean => {
    if (memberOf.length === 0) return true;
    let r = memberCache.get(idx);
    if (r === undefined) { const v = view(idx); r = memberOf.every((e) => matches(e, v)); memberCache.set(idx, r); }
    return r;
  };
  const reasonOf = (idx: number): string | undefined => {
    const v = view(idx);
    let reason = infeasibleReason(v, req.demand);
    if (!reason && distinct && (v.groups.get(req.group) ?? 0) > 0) reason = 'DistinctInstance placement constraint unsatisfied.';
    if (!reason && !passesMemberOf(idx)) reason = 'MemberOf placement constraint unsatisfied.';
    return reason;
  };
  // Everything the per-placement loop reads lives in flat arrays indexed like the snapshot: feasibility
  // is computed once per call and re-checked only for the instance that just took a task; spread
  // values become small integers; binpack reads remaining resources from typed arrays.
  const N = snapshot.length;
  const ok = new Uint8Array(N);
  for (let idx = 0; idx < N; idx++) ok[idx] = reasonOf(idx) ? 0 : 1;
  const remaining = { cpu: new Float64Array(N), memory: new Float64Array(N) };
  snapshot.forEach((i, idx) => { remaining.cpu[idx] = i.remaining.cpu; remaining.memory[idx] = i.remaining.memory; });
  const spreads = req.strategies.map((s) => {
    if (s.type !== 'spread') return undefined;
    const field = s.field ?? 'instanceId';
    const ids = new Map<string, number>();
    const valueOf = new Int32Array(N);
    snapshot.forEach((i, idx) => {
      const v = attrValue(i, field) ?? '';
      let id = ids.get(v);
      if (id === undefined) { id = ids.size; ids.set(v, id); }
      valueOf[idx] = id;
    });
    const count = new Float64Array(ids.size);
    snapshot.forEach((i, idx) => { count[valueOf[idx]] += i.groups.get(req.group) ?? 0; });
    return { valueOf, count };
  });
  const kinds = req.strategies.map((s) => (s.type === 'binpack' ? (s.field === 'cpu' ? 0 : 1) : s.type === 'spread' ? 2 : 3));
  const m = req.strategies.length + 1;
  let cur = new Float64Array(m);
  let bestKeys = new Float64Array(m);

  const placements: string[] = [];
  const indices: number[] = [];
  for (let n = 0; n < req.count; n++) {
    let best = -1;
    for (let idx = 0; idx < N; idx++) {
      if (!ok[idx]) continue;
      for (let k = 0; k < kinds.length; k++) {
        const kind = kinds[k];
        cur[k] = kind === 0 ? remaining.cpu[idx] : kind === 1 ? remaining.memory[idx] : kind === 2 ? spreads[k]!.count[spreads[k]!.valueOf[idx]] : rng();
      }
      cur[m - 1] = rng(); // ECS: random is the implicit last tie-breaker
      if (best < 0 || lessKeys(cur, bestKeys)) { best = idx; const t = bestKeys; bestKeys = cur; cur = t; }
    }
    if (best < 0) {
      const failures: PlacementFailure[] = [];
      for (let idx = 0; idx < N; idx++) { const r = reasonOf(idx); if (r) failures.push({ arn: snapshot[idx].arn, reason: r }); }
      return { placements, failures, indices };
    }
    const chosen = view(best);
    const groups = new Map(chosen.groups);
    groups.set(req.group, (groups.get(req.group) ?? 0) + 1);
    overlays.set(best, {
      remaining: {
        cpu: chosen.remaining.cpu - req.demand.cpu,
        memory: chosen.remaining.memory - req.demand.memory,
        ports: [...chosen.remaining.ports, ...req.demand.ports],
        udpPorts: [...chosen.remaining.udpPorts, ...req.demand.udpPorts],
      },
      groups,
    });
    remaining.cpu[best] -= req.demand.cpu;
    remaining.memory[best] -= req.demand.memory;
    memberCache.delete(best);
    ok[best] = reasonOf(best) ? 0 : 1;
    for (const sp of spreads) if (sp) sp.count[sp.valueOf[best]] += 1;
    placements.push(chosen.arn);
    indices.push(best);
  }
  return { placements, failures: [], indices };
}

function lessKeys(a: Float64Array, b: Float64Array): boolean {
  for (let x = 0; x < a.length; x++) if (a[x] !== b[x]) return a[x] < b[x];
  return false;
}
