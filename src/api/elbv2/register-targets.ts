import { isIP } from 'node:net';
import type { RegisterTargetsInput, RegisterTargetsOutput } from '@aws-sdk/client-elastic-load-balancing-v2';
import { ApiError } from '../../model/errors.js';
import { keys } from '../../model/ecs/keys.js';
import type { ContainerInstanceRecord } from '../../model/ecs/task-records.js';
import { elbKeys, type TargetRecord } from '../../model/elbv2/records.js';
import { commit, listRecs, requireTg } from './common.js';
import { putOp, unchangedSince } from '../../store/json.js';
import type { Handler } from '../types.js';

/**
 * The address HAProxy reaches an instance target at. Agents run on the hosts whose ports tasks bind;
 * an instance may say where it is reachable with the custom attribute `wharf.host-address`
 * (`aws ecs put-attributes`); otherwise it is this host's loopback (single-host installs).
 */
export function instanceAddress(i: ContainerInstanceRecord): string {
  return i.attributes.find((a) => a.name === 'wharf.host-address')?.value ?? '127.0.0.1';
}

/** Registers targets: all or nothing, validated first, written in one transaction. */
export const registerTargets: Handler<RegisterTargetsInput, RegisterTargetsOutput> = async (input, ctx) => {
  const tg = await requireTg(ctx, input.TargetGroupArn!);
  const targets = input.Targets ?? [];
  if (targets.length === 0) throw new ApiError('ValidationError', 'At least one target must be specified');
  let instances: ContainerInstanceRecord[] = [];
  if (tg.value.targetType === 'instance') instances = (await listRecs<ContainerInstanceRecord>(ctx, keys.containerInstances())).map((r) => r.value);
  const resolved: { id: string; port: number; address: string; az?: string }[] = [];
  const invalid: string[] = [];
  const notRunning: string[] = [];
  for (const t of targets) {
    const port = t.Port ?? tg.value.port;
    if (tg.value.targetType === 'ip') {
      if (!isIP(t.Id!)) { invalid.push(t.Id!); continue; }
      resolved.push({ id: t.Id!, port, address: t.Id!, az: t.AvailabilityZone });
    } else {
      const inst = instances.find((i) => i.ec2InstanceId === t.Id || i.id === t.Id);
      if (!inst) { invalid.push(t.Id!); continue; }
      if (inst.status !== 'ACTIVE' && inst.status !== 'DRAINING') { notRunning.push(t.Id!); continue; }
      resolved.push({ id: t.Id!, port, address: instanceAddress(inst), az: inst.attributes.find((a) => a.name === 'ecs.availability-zone')?.value });
    }
  }
  if (invalid.length) {
    throw new ApiError('InvalidTarget', tg.value.targetType === 'ip'
      ? `The following targets are not valid IP addresses: ${invalid.map((x) => `'${x}'`).join(', ')}`
      : `The following targets are not valid instances: ${invalid.map((x) => `'${x}'`).join(', ')}`);
  }
  if (notRunning.length) throw new ApiError('InvalidTarget', `The following targets are not in a running state and cannot be registered: ${notRunning.map((x) => `'${x}'`).join(', ')}`);
  const existing = new Map((await listRecs<TargetRecord>(ctx, elbKeys.targets(tg.value.name))).map((r) => [r.key, r]));
  if (existing.size + resolved.length > 1000) throw new ApiError('TooManyTargets', 'You have reached the limit on the number of targets per target group (1000)');
  const now = ctx.now.getTime();
  const ops = [];
  const guards = [];
  for (const t of resolved) {
    const key = elbKeys.target(tg.value.name, t.id, t.port);
    const cur = existing.get(key);
    if (cur) {
      guards.push(cur);
      // Registering a draining target again cancels the deregistration (AWS); a registered one is a no-op.
      if (cur.value.drainUntil !== undefined) {
        const { drainUntil: _d, deregisteredAt: _r, health: _h, ...rest } = cur.value;
        ops.push(putOp(key, { ...rest, registeredAt: now }));
      }
      continue;
    }
    const rec: TargetRecord = { tgName: tg.value.name, tgArn: tg.value.arn, id: t.id, port: t.port, address: t.address, registeredAt: now, ...(t.az ? { availabilityZone: t.az } : {}) };
    ops.push(putOp(key, rec));
  }
  await commit(ctx, [...unchangedSince(tg, ...guards), ...resolved.filter((t) => !existing.has(elbKeys.target(tg.value.name, t.id, t.port))).map((t) => ({ key: elbKeys.target(tg.value.name, t.id, t.port), target: 'version' as const, op: '==' as const, value: 0 }))], ops);
  return {};
};
