/**
 * Capacity providers and launch types (pure).
 *
 * Where a task runs is decided once, when it is created, from the request and the cluster:
 *
 *   launchType given ─────────────► EC2 (the user's container instances) or FARGATE (Wharf's own pool)
 *   capacityProviderStrategy given ► one provider per task, by base then weight (spreadOverStrategy)
 *   neither ──────────────────────► the cluster's defaultCapacityProviderStrategy, if it has one,
 *                                   else launch type EC2 (as ECS does)
 *
 * Only FARGATE and FARGATE_SPOT exist as providers here (Auto Scaling group providers need EC2 Auto
 * Scaling, which Wharf does not model). Both pre-exist in every account, cannot be deleted, and must be
 * associated with the cluster (PutClusterCapacityProviders) before a strategy may name them.
 *
 * Base and weight, with the arithmetic (ECS: cluster-capacity-providers.md). Strategy A{base 2, weight 1},
 * B{weight 3}, 10 tasks: A takes its base first (2); the other 8 go by weight 1:3, so A gets 2 and B 6;
 * in all A 4, B 6. Each task goes to the provider whose share after taking it, (n_i − base_i + 1) / w_i,
 * is smallest (ties: the order of the strategy), which gives exactly the weight ratio at every multiple
 * of Σw and the closest split in between. Tasks that already run on a provider (a service's) count, so a
 * service that scales from 4 to 8 lands the new four where the ratio needs them.
 */
import type { CapacityProvider, CapacityProviderStrategyItem } from '@aws-sdk/client-ecs';
import type { Scope } from '../arn.js';
import { ecsArn } from '../arn.js';
import { invalidParameter } from '../errors.js';

export const FARGATE_PROVIDERS = ['FARGATE', 'FARGATE_SPOT'] as const;
export type FargateProvider = (typeof FARGATE_PROVIDERS)[number];
export const isFargateProvider = (n: string | undefined): n is FargateProvider => n === 'FARGATE' || n === 'FARGATE_SPOT';

/** Linux platform version LATEST (DG platform-linux-fargate.md). */
export const FARGATE_LATEST_PLATFORM_VERSION = '1.4.0';
export const FARGATE_PLATFORM_VERSIONS = ['1.3.0', '1.4.0'] as const;

/** Fargate's default and bounds for a task's ephemeral storage (GiB). */
export const FARGATE_EPHEMERAL_DEFAULT_GIB = 20;

/** A strategy item with its defaults filled in (base 0, weight 0 through the API). */
export interface StrategyItem { capacityProvider: string; base: number; weight: number }

export type LaunchChoice =
  | { launchType: 'EC2' }
  | { launchType: 'FARGATE'; strategy?: StrategyItem[] };

const invalid = invalidParameter;

/** Validates a strategy as ECS does (shape and association) and fills in the defaults. */
export function checkStrategy(items: readonly CapacityProviderStrategyItem[], associated: readonly string[]): StrategyItem[] {
  if (items.length > 20) throw invalid('The capacity provider strategy cannot contain more than 20 capacity providers.');
  const seen = new Set<string>();
  const out: StrategyItem[] = [];
  for (const i of items) {
    const name = i.capacityProvider ?? '';
    if (seen.has(name)) throw invalid('The capacity provider strategy cannot contain duplicate capacity providers.');
    seen.add(name);
    const base = i.base ?? 0;
    const weight = i.weight ?? 0;
    if (!Number.isInteger(base) || base < 0 || base > 100000) throw invalid('The capacity provider strategy base must be between 0 and 100000.');
    if (!Number.isInteger(weight) || weight < 0 || weight > 1000) throw invalid('The capacity provider strategy weight must be between 0 and 1000.');
    out.push({ capacityProvider: name, base, weight });
  }
  if (out.filter((i) => i.base > 0).length > 1) throw invalid('Only one capacity provider in a capacity provider strategy can have a base value greater than 0.');
  for (const i of out) {
    if (!isFargateProvider(i.capacityProvider) && !associated.includes(i.capacityProvider)) {
      throw invalid(`The specified capacity provider '${i.capacityProvider}' does not exist. Specify a valid capacity provider and try again.`);
    }
    if (!associated.includes(i.capacityProvider)) {
      throw invalid('The specified capacity provider strategy cannot contain a capacity provider that is not associated with the cluster. Associate the capacity provider with the cluster or specify a valid capacity provider and try again.');
    }
  }
  if (out.length > 0 && out.every((i) => i.weight === 0)) {
    throw invalid('The specified capacity provider strategy must contain at least one capacity provider with a weight greater than 0.');
  }
  return out;
}

/** The launch a RunTask/CreateService/UpdateService request asks for, on this cluster. */
export function chooseLaunch(
  input: { launchType?: string; capacityProviderStrategy?: readonly CapacityProviderStrategyItem[] },
  cluster: { capacityProviders: readonly string[]; defaultCapacityProviderStrategy: readonly CapacityProviderStrategyItem[] },
): LaunchChoice {
  const given = input.capacityProviderStrategy;
  if (input.launchType && given?.length) {
    throw invalid('Specifying both a launch type and capacity provider strategy is not supported. Remove one and try again.');
  }
  if (input.launchType === 'FARGATE') return { launchType: 'FARGATE' };
  if (input.launchType === 'EC2') return { launchType: 'EC2' };
  if (input.launchType) throw invalid(`Launch type ${input.launchType} is not supported on this cluster: use EC2 or FARGATE.`);
  const items = given?.length ? given : cluster.defaultCapacityProviderStrategy;
  if (!items.length) return { launchType: 'EC2' };
  return { launchType: 'FARGATE', strategy: checkStrategy(items, cluster.capacityProviders) };
}

/**
 * Providers for `count` new tasks given how many already run on each (see the header for the rule).
 * Returns one provider name per task, in order.
 */
export function spreadOverStrategy(strategy: readonly StrategyItem[], count: number, running: ReadonlyMap<string, number> = new Map()): string[] {
  const n = new Map(strategy.map((s) => [s.capacityProvider, running.get(s.capacityProvider) ?? 0]));
  const out: string[] = [];
  for (let k = 0; k < count; k++) {
    const underBase = strategy.find((s) => s.base > (n.get(s.capacityProvider) ?? 0));
    let pick = underBase;
    if (!pick) {
      let best = Infinity;
      for (const s of strategy) {
        if (s.weight <= 0) continue;
        const share = (Math.max(0, (n.get(s.capacityProvider) ?? 0) - s.base) + 1) / s.weight;
        if (share < best) { best = share; pick = s; }
      }
    }
    if (!pick) break; // unreachable: checkStrategy guarantees a positive weight
    out.push(pick.capacityProvider);
    n.set(pick.capacityProvider, (n.get(pick.capacityProvider) ?? 0) + 1);
  }
  return out;
}

/** PutClusterCapacityProviders: the providers to associate and a default strategy over them. */
export function checkClusterProviders(providers: readonly string[], strategy: readonly CapacityProviderStrategyItem[]): { providers: string[]; strategy: StrategyItem[] } {
  const unknown = providers.find((p) => !isFargateProvider(p));
  if (unknown !== undefined) throw invalid(`The specified capacity provider '${unknown}' does not exist. Specify a valid capacity provider and try again.`);
  if (new Set(providers).size !== providers.length) throw invalid('The capacity providers list cannot contain duplicate capacity providers.');
  const items = strategy.length ? checkStrategy(strategy, providers) : [];
  return { providers: [...providers], strategy: items };
}

/** The platform version a FARGATE task runs: LATEST (or none) resolves to 1.4.0. */
export function resolvePlatformVersion(v: string | undefined): string {
  if (v === undefined || v === 'LATEST') return FARGATE_LATEST_PLATFORM_VERSION;
  if (!(FARGATE_PLATFORM_VERSIONS as readonly string[]).includes(v)) {
    throw invalid(`The specified platform version does not exist: ${v}. Specify a valid platform version (LATEST, 1.4.0 or 1.3.0) and try again.`);
  }
  return v;
}

/** DescribeCapacityProviders' view of the two Fargate providers (what ECS returns for them). */
export function fargateProviderView(scope: Scope, name: FargateProvider): CapacityProvider {
  return { capacityProviderArn: ecsArn(scope, `capacity-provider/${name}`), name, status: 'ACTIVE', tags: [] };
}

/** The managed pool's bounds (ServerTuning: WHARF_FARGATE_HOST_CPU, _HOST_MEMORY, _MAX_HOSTS). */
export interface FargatePoolLimits { hostCpu: number; hostMemory: number; maxHosts: number }

/** ECS's words when Fargate has no capacity for a task (RunTask failure, service event). */
export const FARGATE_CAPACITY_UNAVAILABLE = 'Capacity is unavailable at this time. Please try again later or in a different availability zone';

/**
 * How many of `add` (in order) the cluster's pool can hold next to its live Fargate tasks, with the pool
 * grown to `maxHosts` hosts — the check RunTask and the service controller make before creating Fargate
 * tasks, so a task that can never be placed is refused as ECS refuses it instead of waiting forever.
 * The packing is the pool's own (controllers/capacity/pool.ts): first fit, largest first, a host of the
 * configured size or of the task's size when the task is larger. Example: hosts 1024/4096, at most 2, 5
 * live tasks of 256/512 (two hosts, 1024 + 256 used) → 3 more of 256 fit, the 4th does not.
 */
export function poolRoomFor(limits: FargatePoolLimits, live: readonly { cpu: number; memory: number }[], add: readonly { cpu: number; memory: number }[]): number {
  const bins: { cpu: number; memory: number }[] = [];
  const put = (t: { cpu: number; memory: number }): boolean => {
    let b = bins.find((x) => x.cpu >= t.cpu && x.memory >= t.memory);
    if (!b) {
      if (bins.length >= limits.maxHosts) return false;
      b = { cpu: Math.max(limits.hostCpu, t.cpu), memory: Math.max(limits.hostMemory, t.memory) };
      bins.push(b);
    }
    b.cpu -= t.cpu;
    b.memory -= t.memory;
    return true;
  };
  for (const t of [...live].sort((a, b) => b.memory - a.memory || b.cpu - a.cpu)) put(t);
  let n = 0;
  for (const t of add) { if (!put(t)) break; n++; }
  return n;
}
