import type { DeleteLoadBalancerInput, DeleteLoadBalancerOutput } from '@aws-sdk/client-elastic-load-balancing-v2';
import { ApiError } from '../../model/errors.js';
import { elbKeys, parseElbArn, type ListenerRecord } from '../../model/elbv2/records.js';
import { commit, findLb, listRecs } from './common.js';
import { lbNotFound } from '../../model/elbv2/validation.js';
import { deleteOp, unchangedSince } from '../../store/json.js';
import type { Handler } from '../types.js';

/** Deletes the load balancer with its listeners, rules and port claims. Deleting one that is gone succeeds (AWS). */
export const deleteLoadBalancer: Handler<DeleteLoadBalancerInput, DeleteLoadBalancerOutput> = async (input, ctx) => {
  const arn = input.LoadBalancerArn!;
  if (parseElbArn(arn)?.kind !== 'loadbalancer') throw lbNotFound();
  const lb = await findLb(ctx, arn);
  if (!lb) return {};
  if (lb.value.attributes['deletion_protection.enabled'] === 'true') {
    throw new ApiError('OperationNotPermitted', `Load balancer '${arn}' cannot be deleted because deletion protection is enabled`);
  }
  const listeners = await listRecs<ListenerRecord>(ctx, elbKeys.listeners(lb.value.name));
  const rules = await listRecs(ctx, elbKeys.rules(lb.value.name));
  await commit(ctx, unchangedSince(lb, ...listeners, ...rules), [
    deleteOp(lb.key), ...listeners.map((l) => deleteOp(l.key)), ...rules.map((r) => deleteOp(r.key)),
    ...listeners.map((l) => deleteOp(elbKeys.port(l.value.bindAddress, l.value.port))),
  ]);
  return {};
};
