/**
 * Fargate metering, as AWS bills Fargate (pure).
 *
 * A task is billed from the moment its image pull starts (pullStartedAt) until it stops (stoppedAt;
 * executionStoppedAt if that is all there is), per second rounded up, with a one-minute minimum. Its
 * vCPU and memory are the task-level sizes (cpu units / 1024, MiB / 1024 = GB as AWS counts them);
 * ephemeral storage is billed only above the 20 GB every task gets.
 *
 * Worked example: a 0.25 vCPU / 0.5 GB task that pulls at 12:00:00.400 and stops at 12:01:30.100 ran
 * 89.7 s → 90 billed seconds → 22.5 vCPU-seconds and 45 GB-seconds; at us-east-1 prices that is
 * 22.5/3600 × 0.04048 + 45/3600 × 0.004445 = $0.000309. A task that ran 10 s is billed 60 s.
 *
 * While a task runs, usage "so far" is what it would be billed if it stopped now — never less than a
 * minute, never decreasing — so publishing the difference since the last publication is always ≥ 0.
 */

export interface Usage {
  billedSeconds: number;
  vcpuSeconds: number;
  gbSeconds: number;
  /** GB-seconds of ephemeral storage above the free 20 GB. */
  storageGbSeconds: number;
}

export const ZERO_USAGE: Usage = { billedSeconds: 0, vcpuSeconds: 0, gbSeconds: 0, storageGbSeconds: 0 };

export interface MeteredTask {
  cpu?: string;
  memory?: string;
  ephemeralStorageGiB?: number;
  pullStartedAt?: number;
  stoppedAt?: number;
  executionStoppedAt?: number;
  lastStatus: string;
}

export const FREE_STORAGE_GB = 20;
export const MINIMUM_BILLED_SECONDS = 60;

/** The task's usage so far (or in full, once stopped); zero until its pull started. */
export function taskUsage(t: MeteredTask, now: number): Usage {
  if (t.pullStartedAt === undefined) return ZERO_USAGE;
  const end = t.stoppedAt ?? t.executionStoppedAt ?? (t.lastStatus === 'STOPPED' ? t.pullStartedAt : now);
  const billedSeconds = Math.max(MINIMUM_BILLED_SECONDS, Math.ceil(Math.max(0, end - t.pullStartedAt) / 1000));
  const vcpu = Number(t.cpu ?? 0) / 1024;
  const gb = Number(t.memory ?? 0) / 1024;
  const extra = Math.max(0, (t.ephemeralStorageGiB ?? FREE_STORAGE_GB) - FREE_STORAGE_GB);
  return { billedSeconds, vcpuSeconds: billedSeconds * vcpu, gbSeconds: billedSeconds * gb, storageGbSeconds: billedSeconds * extra };
}

export const subtract = (a: Usage, b: Usage): Usage => ({
  billedSeconds: a.billedSeconds - b.billedSeconds, vcpuSeconds: a.vcpuSeconds - b.vcpuSeconds,
  gbSeconds: a.gbSeconds - b.gbSeconds, storageGbSeconds: a.storageGbSeconds - b.storageGbSeconds,
});

/** Prices per hour in USD. */
export interface FargatePrices {
  vcpuHour: number;
  gbHour: number;
  storageGbHour: number;
  /** Fargate Spot, as a fraction of the on-demand price (Spot prices move; AWS advertises up to 70 % off). */
  spotFactor: number;
  /** Where the figures come from, printed with every estimate. */
  source: string;
}

/**
 * AWS's published Linux/x86 Fargate prices for us-east-1 (aws.amazon.com/fargate/pricing), unchanged
 * since the January 2019 price reduction and restated as current in March 2026. Other regions differ by
 * a few percent: configure them (`wharf usage --price-…` or WHARF_FARGATE_PRICES).
 */
export const US_EAST_1_PRICES: FargatePrices = {
  vcpuHour: 0.04048, gbHour: 0.004445, storageGbHour: 0.000111, spotFactor: 0.3,
  source: 'AWS Fargate Linux/x86 on-demand prices, us-east-1, as published 2019-01-07 and still listed 2026-03 (Spot: 30 % of on-demand, an assumption)',
};

export function cost(u: Usage, p: FargatePrices, spot = false): number {
  const onDemand = (u.vcpuSeconds * p.vcpuHour + u.gbSeconds * p.gbHour + u.storageGbSeconds * p.storageGbHour) / 3600;
  return spot ? onDemand * p.spotFactor : onDemand;
}
