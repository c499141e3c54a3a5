/** Elastic Load Balancing v2 (awsQuery, 2015-12-01): the operation table. Application load balancers on HAProxy. */
import { elbv2Authorizer } from './authz.js';
import elbv2Model from '../../model/aws/elbv2.json' with { type: 'json' };
import type { ServiceModel } from '../../protocol/service-model.js';
import type { Handler, ServiceDefinition } from '../types.js';
import { createLoadBalancer } from './create-load-balancer.js';
import { describeLoadBalancers } from './describe-load-balancers.js';
import { deleteLoadBalancer } from './delete-load-balancer.js';
import { describeLoadBalancerAttributes, modifyLoadBalancerAttributes } from './load-balancer-attributes.js';
import { createTargetGroup } from './create-target-group.js';
import { describeTargetGroups } from './describe-target-groups.js';
import { modifyTargetGroup } from './modify-target-group.js';
import { deleteTargetGroup } from './delete-target-group.js';
import { describeTargetGroupAttributes, modifyTargetGroupAttributes } from './target-group-attributes.js';
import { registerTargets } from './register-targets.js';
import { deregisterTargets } from './deregister-targets.js';
import { describeTargetHealth } from './describe-target-health.js';
import { createListener } from './create-listener.js';
import { describeListeners } from './describe-listeners.js';
import { modifyListener } from './modify-listener.js';
import { deleteListener } from './delete-listener.js';
import { createRule } from './create-rule.js';
import { describeRules } from './describe-rules.js';
import { modifyRule } from './modify-rule.js';
import { deleteRule } from './delete-rule.js';
import { setRulePriorities } from './set-rule-priorities.js';
import { addTags, describeTags, removeTags } from './tags.js';
import { describeAccountLimits } from './describe-account-limits.js';

const table = {
  CreateLoadBalancer: createLoadBalancer,
  DescribeLoadBalancers: describeLoadBalancers,
  DeleteLoadBalancer: deleteLoadBalancer,
  DescribeLoadBalancerAttributes: describeLoadBalancerAttributes,
  ModifyLoadBalancerAttributes: modifyLoadBalancerAttributes,
  CreateTargetGroup: createTargetGroup,
  DescribeTargetGroups: describeTargetGroups,
  ModifyTargetGroup: modifyTargetGroup,
  DeleteTargetGroup: deleteTargetGroup,
  DescribeTargetGroupAttributes: describeTargetGroupAttributes,
  ModifyTargetGroupAttributes: modifyTargetGroupAttributes,
  RegisterTargets: registerTargets,
  DeregisterTargets: deregisterTargets,
  DescribeTargetHealth: describeTargetHealth,
  CreateListener: createListener,
  DescribeListeners: describeListeners,
  ModifyListener: modifyListener,
  DeleteListener: deleteListener,
  CreateRule: createRule,
  DescribeRules: describeRules,
  ModifyRule: modifyRule,
  DeleteRule: deleteRule,
  SetRulePriorities: setRulePriorities,
  AddTags: addTags,
  RemoveTags: removeTags,
  DescribeTags: describeTags,
  DescribeAccountLimits: describeAccountLimits,
} as const;

export function elbv2Service(): ServiceDefinition {
  const handlers: Record<string, Handler> = { ...table };
  return {
    name: 'elbv2',
    signingName: 'elasticloadbalancing',
    authorize: elbv2Authorizer,
    model: elbv2Model as unknown as ServiceModel,
    validationError: 'ValidationError',
    serverError: 'InternalFailure',
    handlers,
  };
}
