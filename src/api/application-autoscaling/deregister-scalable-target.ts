/**
 * DeregisterScalableTarget: the target, its scaling policies (and the alarms target tracking made)
 * and its scheduled actions go; the service keeps its current desired count.
 */
import type { DeregisterScalableTargetRequest, DeregisterScalableTargetResponse } from '@aws-sdk/client-application-auto-scaling';
import { aasKeys } from '../../model/autoscaling/records.js';
import type { Handler } from '../types.js';
import { checkTargetId, concurrentUpdate, deleteAlarmsQuietly, getTarget, noTarget } from './common.js';

export const deregisterScalableTarget: Handler<DeregisterScalableTargetRequest, DeregisterScalableTargetResponse> = async (input, ctx) => {
  const id = checkTargetId(input);
  for (let attempt = 0; attempt < 10; attempt++) {
    const cur = await getTarget(ctx.store, id);
    if (!cur) throw noTarget(id.ns, id.rid, id.dim, 'found');
    const key = aasKeys.target(id.ns, id.dim, id.rid);
    const r = await ctx.store.txn({
      compare: [{ key, target: 'version', op: '==', value: cur.version }],
      success: [{ type: 'delete', key }, { type: 'delete', key: aasKeys.state(id.ns, id.dim, id.rid) }],
    });
    if (!r.succeeded) continue;
    deleteAlarmsQuietly(ctx.metrics, cur.value.policies.flatMap((p) => (p.type === 'TargetTrackingScaling' ? p.alarms.map((a) => a.AlarmName) : [])));
    return {};
  }
  throw concurrentUpdate();
};
