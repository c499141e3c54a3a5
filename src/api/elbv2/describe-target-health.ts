import type { DescribeTargetHealthInput, DescribeTargetHealthOutput, TargetHealthDescription } from '@aws-sdk/client-elastic-load-balancing-v2';
import { elbKeys, type ListenerRecord, type RuleRecord, type TargetRecord } from '../../model/elbv2/records.js';
import { targetGroupsInUse } from '../../model/elbv2/data-plane.js';
import { listRecs, requireTg, targetView } from './common.js';
import type { Handler } from '../types.js';

/**
 * Target health as the lb controller last observed it from HAProxy's checks (see
 * model/elbv2/records.ts for the states), with the facts the API knows better applied on top:
 * draining after DeregisterTargets, unused while no listener routes to the group, NotRegistered for
 * targets asked about that are not in the group.
 */
export const describeTargetHealth: Handler<DescribeTargetHealthInput, DescribeTargetHealthOutput> = async (input, ctx) => {
  const tg = await requireTg(ctx, input.TargetGroupArn!);
  const targets = (await listRecs<TargetRecord>(ctx, elbKeys.targets(tg.value.name))).map((r) => r.value);
  const listeners = (await listRecs<ListenerRecord>(ctx, elbKeys.listeners())).map((r) => r.value);
  const rules = (await listRecs<RuleRecord>(ctx, elbKeys.rules())).map((r) => r.value);
  const inUse = targetGroupsInUse({ listeners, rules, tgs: [tg.value] }).has(tg.value.arn);
  const hcPort = (t: { port: number }) => (tg.value.healthCheck.port === 'traffic-port' ? String(t.port) : tg.value.healthCheck.port);
  const describe = (t: TargetRecord): TargetHealthDescription => {
    let health: TargetHealthDescription['TargetHealth'];
    if (t.drainUntil !== undefined) health = { State: 'draining', Reason: 'Target.DeregistrationInProgress', Description: 'Target deregistration is in progress' };
    else if (!inUse) health = { State: 'unused', Reason: 'Target.NotInUse', Description: 'Target group is not configured to receive traffic from the load balancer' };
    else if (!t.health || t.health.state === 'unused' || t.health.state === 'draining') health = { State: 'initial', Reason: 'Elb.RegistrationInProgress', Description: 'Target registration is in progress' };
    else health = { State: t.health.state, ...(t.health.reason ? { Reason: t.health.reason as never } : {}), ...(t.health.description ? { Description: t.health.description } : {}) };
    return { Target: targetView(t), HealthCheckPort: hcPort(t), TargetHealth: health };
  };
  if (input.Targets?.length) {
    return {
      TargetHealthDescriptions: input.Targets.map((q) => {
        const port = q.Port ?? tg.value.port;
        const t = targets.find((x) => x.id === q.Id && x.port === port);
        return t ? describe(t) : {
          Target: { Id: q.Id, Port: port }, HealthCheckPort: hcPort({ port }),
          TargetHealth: { State: 'unused', Reason: 'Target.NotRegistered', Description: 'Target is not registered to the target group' },
        };
      }),
    };
  }
  return { TargetHealthDescriptions: targets.map(describe) };
};
