/** ELBv2 actions act on the load balancer, listener, rule or target group ARN the request names (SAR); Describe* on '*'. */
import type { Authorizer } from '../types.js';

export const elbv2Authorizer: Authorizer = (operation, input, ctx) => {
  if (operation.startsWith('Describe')) return [{ resource: '*' }];
  const arns: string[] = [];
  for (const k of ['LoadBalancerArn', 'ListenerArn', 'RuleArn', 'TargetGroupArn']) if (typeof input[k] === 'string') arns.push(input[k] as string);
  if (Array.isArray(input.ResourceArns)) arns.push(...(input.ResourceArns as string[]));
  if (operation === 'CreateLoadBalancer' && typeof input.Name === 'string') arns.push(`arn:aws:elasticloadbalancing:${ctx.region}:${ctx.accountId}:loadbalancer/app/${input.Name}/*`);
  if (operation === 'CreateTargetGroup' && typeof input.Name === 'string') arns.push(`arn:aws:elasticloadbalancing:${ctx.region}:${ctx.accountId}:targetgroup/${input.Name}/*`);
  // CreateListener/CreateRule are authorized on the load balancer / listener they attach to (above).
  return arns.length ? [...new Set(arns)].map((resource) => ({ resource })) : [{ resource: '*' }];
};
