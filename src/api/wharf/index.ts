/**
 * Wharf's own small API (DESIGN.md §3: extensions cannot ride in ECS request bodies). awsJson1_1,
 * SigV4 signing name `wharf`, target prefix `Wharf_20261201`. The `wharf` CLI is its client.
 *
 *   InterruptSpotTasks {cluster?, tasks[1..10], graceSeconds? (1–120, default 120)}
 *     → {tasks: [{taskArn, interruptedAt, stopAt}], failures: [{arn, reason}]}
 *     What AWS does when it takes Fargate Spot capacity back: the task's desiredStatus turns STOPPED with
 *     stopCode TerminationNotice and stoppedReason "Your Spot Task was interrupted.", the agent sends
 *     SIGTERM at once and stops the task `graceSeconds` later (AWS: two minutes), and a service starts a
 *     replacement. Only FARGATE_SPOT tasks can be interrupted (reason NOT_SPOT otherwise).
 */
import type { ServiceModel } from '../../protocol/service-model.js';
import type { ServiceDefinition } from '../types.js';
import { interruptSpotTasks } from './interrupt-spot-tasks.js';

const str = { type: 'string' } as const;
export const wharfModel: ServiceModel = {
  metadata: { apiVersion: '2026-12-01', endpointPrefix: 'wharf', protocol: 'json', jsonVersion: '1.1', targetPrefix: 'Wharf_20261201', signingName: 'wharf', serviceId: 'Wharf' },
  operations: {
    InterruptSpotTasks: { input: 'InterruptSpotTasksRequest', output: 'InterruptSpotTasksResponse', errors: ['InvalidParameterException', 'ClusterNotFoundException', 'ServerException'] },
  },
  shapes: {
    String: str,
    Integer: { type: 'integer' },
    StringList: { type: 'list', member: { shape: 'String' } },
    TaskList: { type: 'list', member: { shape: 'String' }, min: 1, max: 10 },
    Grace: { type: 'integer', min: 1, max: 120 },
    InterruptSpotTasksRequest: { type: 'structure', required: ['tasks'], members: { cluster: { shape: 'String' }, tasks: { shape: 'TaskList' }, graceSeconds: { shape: 'Grace' } } },
    Interrupted: { type: 'structure', members: { taskArn: { shape: 'String' }, interruptedAt: { shape: 'Integer' }, stopAt: { shape: 'Integer' } } },
    InterruptedList: { type: 'list', member: { shape: 'Interrupted' } },
    Failure: { type: 'structure', members: { arn: { shape: 'String' }, reason: { shape: 'String' } } },
    Failures: { type: 'list', member: { shape: 'Failure' } },
    InterruptSpotTasksResponse: { type: 'structure', members: { tasks: { shape: 'InterruptedList' }, failures: { shape: 'Failures' } } },
  },
};

export function wharfService(): ServiceDefinition {
  return { name: 'wharf', signingName: 'wharf', model: wharfModel, validationError: 'InvalidParameterException', serverError: 'ServerException', handlers: { InterruptSpotTasks: interruptSpotTasks } };
}
