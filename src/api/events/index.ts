/**
 * Amazon EventBridge (awsJson1_1, X-Amz-Target AWSEvents.<Op>, signing name events): event buses,
 * rules with event patterns or schedules, targets, PutEvents, TestEventPattern and tags
 * (docs/events.md). Records live in the region's store (model/events/records.ts); the pattern language
 * is model/events/pattern.ts.
 */
import eventsModel from '../../model/aws/events.json' with { type: 'json' };
import type { ServiceModel } from '../../protocol/service-model.js';
import type { ServiceDefinition } from '../types.js';
import { createEventBus, deleteEventBus, describeEventBus, listEventBuses } from './event-buses.js';
import { deleteRule, describeRule, disableRule, enableRule, listRules, putRule } from './rules.js';
import { listRuleNamesByTarget, listTargetsByRule, putTargets, removeTargets } from './targets.js';
import { putEvents } from './put-events.js';
import { testEventPattern } from './test-event-pattern.js';
import { listTagsForResource, tagResource, untagResource } from './tags.js';

export function eventsService(): ServiceDefinition {
  return {
    name: 'events',
    signingName: 'events',
    model: eventsModel as unknown as ServiceModel,
    validationError: 'ValidationException',
    serverError: 'InternalException',
    handlers: {
      CreateEventBus: createEventBus,
      DescribeEventBus: describeEventBus,
      ListEventBuses: listEventBuses,
      DeleteEventBus: deleteEventBus,
      PutRule: putRule,
      DescribeRule: describeRule,
      ListRules: listRules,
      EnableRule: enableRule,
      DisableRule: disableRule,
      DeleteRule: deleteRule,
      PutTargets: putTargets,
      RemoveTargets: removeTargets,
      ListTargetsByRule: listTargetsByRule,
      ListRuleNamesByTarget: listRuleNamesByTarget,
      PutEvents: putEvents,
      TestEventPattern: testEventPattern,
      TagResource: tagResource,
      UntagResource: untagResource,
      ListTagsForResource: listTagsForResource,
    },
  };
}
