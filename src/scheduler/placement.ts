/**
 * Task placement: a pure function from (cluster snapshot, demand, strategy) to a plan.
 *
 *   candidates = ACTIVE instances with a connected agent
 *     → feasibility   CPU, memory, static host ports (tcp/udp), required attributes
 *     → constraints   distinctInstance, memberOf (expressions evaluated by the caller-supplied matcher)
 *     → strategies    applied in order as sort keys: binpack(cpu|memory), spread(field), random
 *     → pick the first; subtract its resources from the snapshot; repeat for the next task
 *
 * The caller commits the plan with a compare on every instance record version it read, so two
 * placements racing for the same capacity cannot both win (STYLE.md 3: decide pure, commit checked).
 * When a task fits nowhere, each instance contributes the first reason it failed, in ECS's words
 * (RESOURCE:CPU, RESOURCE:MEMORY, RESOURCE:PORTS, RESOURCE:PORTS_UDP, ATTRIBUTE, …).
 */

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
  /** Tasks already on this instance, for spread and distinctInstance: their groups. */
  taskGroups: readonly string[];
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

export interface PlacementRequest {
  demand: Demand;
  count: number;
  group: string;
  strategies: readonly Strategy[];
  constraints: readonly Constraint[];
  /** Evaluates a memberOf expression against an instance (the cluster query language). */
  matches?: (expression: string, instance: InstanceView) => boolean;
  /** A deterministic source of randomness in [0, 1). */
  random: () => number;
}

export interface PlacementFailure { arn: string; reason: string }
export interface PlacementPlan {
  /** Instance ARN per placed task, in order. */
  placements: string[];
  failures: PlacementFailure[];
}

function attrValue(i: InstanceView, name: string): string | undefined {
  if (name === 'instanceId' || name === 'host') return i.id;
  return i.attributes.find((a) => a.name === name)?.value;
}

/** Why `i` cannot take the task, or undefined when it can. */
export function infeasibleReason(i: InstanceView, d: Demand): string | undefined {
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

export function place(req: PlacementRequest, snapshot: readonly InstanceView[]): PlacementPlan {
  const instances = snapshot.map((i) => ({ ...i, remaining: { ...i.remaining, ports: [...i.remaining.ports], udpPorts: [...i.remaining.udpPorts] }, taskGroups: [...i.taskGroups] }));
  const placements: string[] = [];
  for (let n = 0; n < req.count; n++) {
    const reasons = new Map<string, string>();
    let candidates = instances.filter((i) => {
      const r = infeasibleReason(i, req.demand);
      if (r) reasons.set(i.arn, r);
      return !r;
    });
    for (const c of req.constraints) {
      candidates = candidates.filter((i) => {
        const ok = c.type === 'distinctInstance' ? !i.taskGroups.includes(req.group) : req.matches ? req.matches(c.expression ?? '', i) : true;
        if (!ok) reasons.set(i.arn, c.type === 'distinctInstance' ? 'DistinctInstance placement constraint unsatisfied.' : 'MemberOf placement constraint unsatisfied.');
        return ok;
      });
    }
    if (candidates.length === 0) {
      return { placements, failures: instances.filter((i) => reasons.has(i.arn)).map((i) => ({ arn: i.arn, reason: reasons.get(i.arn)! })) };
    }
    const chosen = choose(candidates, req, instances);
    chosen.remaining.cpu -= req.demand.cpu;
    chosen.remaining.memory -= req.demand.memory;
    chosen.remaining.ports.push(...req.demand.ports);
    chosen.remaining.udpPorts.push(...req.demand.udpPorts);
    chosen.taskGroups.push(req.group);
    placements.push(chosen.arn);
  }
  return { placements, failures: [] };
}

type Mutable = InstanceView & { remaining: Resources; taskGroups: string[] };

/**
 * Strategies are sort keys in order; later strategies break ties of earlier ones. A final random key
 * breaks the remaining ties (ECS: "random" is also the implicit tie-breaker).
 */
function choose(candidates: Mutable[], req: PlacementRequest, all: readonly Mutable[]): Mutable {
  const keyed = candidates.map((i) => ({ i, keys: [] as number[] }));
  for (const s of req.strategies) {
    if (s.type === 'binpack') {
      const field = s.field === 'cpu' ? 'cpu' : 'memory';
      for (const k of keyed) k.keys.push(k.i.remaining[field]);
    } else if (s.type === 'spread') {
      const field = s.field ?? 'instanceId';
      // Count the group's tasks per value of the field over the whole cluster, then prefer the least used value.
      const perValue = new Map<string, number>();
      for (const i of all) {
        const v = attrValue(i, field) ?? '';
        perValue.set(v, (perValue.get(v) ?? 0) + i.taskGroups.filter((g) => g === req.group).length);
      }
      for (const k of keyed) k.keys.push(perValue.get(attrValue(k.i, field) ?? '') ?? 0);
    } else {
      for (const k of keyed) k.keys.push(req.random());
    }
  }
  for (const k of keyed) k.keys.push(req.random());
  keyed.sort((a, b) => {
    for (let x = 0; x < a.keys.length; x++) if (a.keys[x] !== b.keys[x]) return a.keys[x] - b.keys[x];
    return 0;
  });
  return keyed[0].i;
}
