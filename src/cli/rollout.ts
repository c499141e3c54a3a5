/**
 * Watching a service's rolling deployment until it is done, through DescribeServices and
 * DescribeTargetHealth only. Shared by `wharf deploy` and `wharf services deploy|rollback|scale`.
 *
 * Done: the PRIMARY deployment runs the wanted task definition, is the only deployment, its rolloutState
 * is COMPLETED, runningCount = desiredCount, and (behind a load balancer) that many targets are healthy.
 * Failed: a deployment of the wanted task definition is FAILED (the circuit breaker stopped it, and with
 * rollback on, the previous revision is PRIMARY again and keeps serving), or the deadline passed.
 */
import { DescribeServicesCommand, type ECSClient, type Service } from '@aws-sdk/client-ecs';
import { DescribeTargetHealthCommand, type ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';

export interface RolloutTarget { cluster: string; service: string; taskDefinitionArn?: string }
export interface RolloutResult { service: string; ok: boolean; reason?: string }

/** One line per service: tasks running/desired, healthy targets, draining, and the deployment's state. */
export function progressLine(s: Service, healthy?: number, draining?: number): string {
  const primary = s.deployments?.find((d) => d.status === 'PRIMARY');
  const old = (s.deployments ?? []).filter((d) => d.status !== 'PRIMARY').reduce((n, d) => n + (d.runningCount ?? 0), 0);
  return `${s.serviceName}: ${primary?.runningCount ?? 0}/${primary?.desiredCount ?? s.desiredCount} new running`
    + `${healthy !== undefined ? `, ${healthy} healthy` : ''}${old ? `, ${old} old` : ''}${draining ? `, ${draining} draining` : ''}`
    + ` — ${primary?.rolloutState ?? s.status}`;
}

export async function watchRollouts(
  ecs: ECSClient,
  elb: ElasticLoadBalancingV2Client | undefined,
  targets: RolloutTarget[],
  o: { timeoutMs: number; onProgress?: (lines: string[]) => void; pollMs?: number },
): Promise<RolloutResult[]> {
  const deadline = Date.now() + o.timeoutMs;
  const results = new Map<string, RolloutResult>();
  const lines = new Map<string, string>();
  while (results.size < targets.length) {
    for (const t of targets) {
      if (results.has(t.service)) continue;
      const s = (await ecs.send(new DescribeServicesCommand({ cluster: t.cluster, services: [t.service] }))).services?.[0];
      if (!s) { results.set(t.service, { service: t.service, ok: false, reason: 'the service is gone' }); continue; }
      const want = t.taskDefinitionArn ?? s.taskDefinition;
      const primary = s.deployments?.find((d) => d.status === 'PRIMARY');
      let healthy: number | undefined, draining: number | undefined;
      if (elb && s.loadBalancers?.length) {
        healthy = 0; draining = 0;
        for (const lb of s.loadBalancers) {
          const th = (await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: lb.targetGroupArn })).catch(() => undefined))?.TargetHealthDescriptions ?? [];
          healthy += th.filter((h) => h.TargetHealth?.State === 'healthy').length;
          draining += th.filter((h) => h.TargetHealth?.State === 'draining').length;
        }
        healthy = Math.floor(healthy / s.loadBalancers.length);
      }
      lines.set(t.service, progressLine(s, healthy, draining));
      const failed = (s.deployments ?? []).find((d) => d.taskDefinition === want && d.rolloutState === 'FAILED');
      if (failed || (primary && primary.taskDefinition !== want && t.taskDefinitionArn)) {
        const reason = failed?.rolloutStateReason ?? primary?.rolloutStateReason ?? 'the deployment was rolled back';
        const back = primary && primary.taskDefinition !== want ? `; ${primary.taskDefinition?.split('/').pop()} keeps serving` : '';
        results.set(t.service, { service: t.service, ok: false, reason: `${reason}${back}` });
        continue;
      }
      const done = primary && primary.taskDefinition === want && s.deployments?.length === 1 && primary.rolloutState === 'COMPLETED'
        && (s.runningCount ?? 0) === (s.desiredCount ?? 0) && (healthy === undefined || healthy >= (s.desiredCount ?? 0));
      if (done) results.set(t.service, { service: t.service, ok: true });
    }
    o.onProgress?.([...lines.values()]);
    if (results.size >= targets.length) break;
    if (Date.now() > deadline) {
      for (const t of targets) if (!results.has(t.service)) results.set(t.service, { service: t.service, ok: false, reason: `not stable after ${Math.round(o.timeoutMs / 1000)} s (${lines.get(t.service) ?? 'no status'})` });
      break;
    }
    await new Promise((r) => setTimeout(r, o.pollMs ?? 1000));
  }
  return targets.map((t) => results.get(t.service)!);
}
