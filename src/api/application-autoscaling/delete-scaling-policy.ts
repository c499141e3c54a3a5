/** DeleteScalingPolicy: the policy goes, and with a target tracking policy its alarms. */
import type { DeleteScalingPolicyRequest, DeleteScalingPolicyResponse } from '@aws-sdk/client-application-auto-scaling';
import { ApiError } from '../../model/errors.js';
import type { Handler } from '../types.js';
import { checkTargetId, concurrentUpdate, deleteAlarmsQuietly, getTarget, putTarget } from './common.js';

export const deleteScalingPolicy: Handler<DeleteScalingPolicyRequest, DeleteScalingPolicyResponse> = async (input, ctx) => {
  const id = checkTargetId(input);
  const missing = () => new ApiError('ObjectNotFoundException',
    `No scaling policy found for service namespace: ${id.ns}, resource ID: ${id.rid}, scalable dimension: ${id.dim}, policy name: ${input.PolicyName}`);
  for (let attempt = 0; attempt < 10; attempt++) {
    const cur = await getTarget(ctx.store, id);
    const policy = cur?.value.policies.find((p) => p.name === input.PolicyName);
    if (!cur || !policy) throw missing();
    const t = structuredClone(cur.value);
    t.policies = t.policies.filter((p) => p.name !== input.PolicyName);
    t.version += 1;
    if (!(await putTarget(ctx.store, t, cur.version))) continue;
    if (policy.type === 'TargetTrackingScaling') deleteAlarmsQuietly(ctx.metrics, policy.alarms.map((a) => a.AlarmName));
    return {};
  }
  throw concurrentUpdate();
};
