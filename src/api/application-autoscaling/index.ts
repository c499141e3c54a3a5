/**
 * Application Auto Scaling (awsJson1_1, X-Amz-Target AnyScaleFrontendService.<Op>, signing name
 * application-autoscaling): scalable targets, scaling policies, scheduled actions, activities and tags
 * for ECS services (docs/autoscaling.md). Records live in the region's store; target tracking alarms
 * in the region's CloudWatch (`ctx.metrics`). The autoscaling controller does the scaling.
 */
import aasModel from '../../model/aws/application-autoscaling.json' with { type: 'json' };
import type { ServiceModel } from '../../protocol/service-model.js';
import type { ServiceDefinition } from '../types.js';
import { registerScalableTarget } from './register-scalable-target.js';
import { describeScalableTargets } from './describe-scalable-targets.js';
import { deregisterScalableTarget } from './deregister-scalable-target.js';
import { putScalingPolicy } from './put-scaling-policy.js';
import { describeScalingPolicies } from './describe-scaling-policies.js';
import { deleteScalingPolicy } from './delete-scaling-policy.js';
import { describeScalingActivities } from './describe-scaling-activities.js';
import { putScheduledAction } from './put-scheduled-action.js';
import { describeScheduledActions } from './describe-scheduled-actions.js';
import { deleteScheduledAction } from './delete-scheduled-action.js';
import { listTagsForResource, tagResource, untagResource } from './tags.js';

export function applicationAutoScalingService(): ServiceDefinition {
  return {
    name: 'application-autoscaling',
    signingName: 'application-autoscaling',
    model: aasModel as unknown as ServiceModel,
    validationError: 'ValidationException',
    serverError: 'InternalServiceException',
    handlers: {
      RegisterScalableTarget: registerScalableTarget,
      DescribeScalableTargets: describeScalableTargets,
      DeregisterScalableTarget: deregisterScalableTarget,
      PutScalingPolicy: putScalingPolicy,
      DescribeScalingPolicies: describeScalingPolicies,
      DeleteScalingPolicy: deleteScalingPolicy,
      DescribeScalingActivities: describeScalingActivities,
      PutScheduledAction: putScheduledAction,
      DescribeScheduledActions: describeScheduledActions,
      DeleteScheduledAction: deleteScheduledAction,
      TagResource: tagResource,
      UntagResource: untagResource,
      ListTagsForResource: listTagsForResource,
    },
  };
}
