/**
 * CloudWatch Logs (awsJson1_1, target prefix Logs_20140328, signing name `logs`): one file per action,
 * over the LogsBackend port (src/telemetry/logs-store.ts).
 */
import { logsAuthorizer } from './authz.js';
import logsModel from '../../model/aws/logs.json' with { type: 'json' };
import type { ServiceModel } from '../../protocol/service-model.js';
import type { ServiceDefinition } from '../types.js';
import type { LogsBackend } from './backend.js';
import { createLogGroup } from './create-log-group.js';
import { deleteLogGroup } from './delete-log-group.js';
import { describeLogGroups } from './describe-log-groups.js';
import { putRetentionPolicy } from './put-retention-policy.js';
import { deleteRetentionPolicy } from './delete-retention-policy.js';
import { createLogStream } from './create-log-stream.js';
import { deleteLogStream } from './delete-log-stream.js';
import { describeLogStreams } from './describe-log-streams.js';
import { putLogEvents } from './put-log-events.js';
import { getLogEvents } from './get-log-events.js';
import { filterLogEvents } from './filter-log-events.js';
import { tagLogGroup } from './tag-log-group.js';
import { untagLogGroup } from './untag-log-group.js';
import { listTagsLogGroup } from './list-tags-log-group.js';
import { tagResource } from './tag-resource.js';
import { untagResource } from './untag-resource.js';
import { listTagsForResource } from './list-tags-for-resource.js';

export function logsService(backend: LogsBackend): ServiceDefinition {
  return {
    name: 'logs',
    signingName: 'logs',
    authorize: logsAuthorizer,
    model: logsModel as unknown as ServiceModel,
    validationError: 'InvalidParameterException',
    serverError: 'ServiceUnavailableException',
    handlers: {
      CreateLogGroup: createLogGroup(backend),
      DeleteLogGroup: deleteLogGroup(backend),
      DescribeLogGroups: describeLogGroups(backend),
      PutRetentionPolicy: putRetentionPolicy(backend),
      DeleteRetentionPolicy: deleteRetentionPolicy(backend),
      CreateLogStream: createLogStream(backend),
      DeleteLogStream: deleteLogStream(backend),
      DescribeLogStreams: describeLogStreams(backend),
      PutLogEvents: putLogEvents(backend),
      GetLogEvents: getLogEvents(backend),
      FilterLogEvents: filterLogEvents(backend),
      TagLogGroup: tagLogGroup(backend),
      UntagLogGroup: untagLogGroup(backend),
      ListTagsLogGroup: listTagsLogGroup(backend),
      TagResource: tagResource(backend),
      UntagResource: untagResource(backend),
      ListTagsForResource: listTagsForResource(backend),
    },
  };
}
