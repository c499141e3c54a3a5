/**
 * CloudWatch Logs (awsJson1_1, target prefix Logs_20140328, signing name `logs`): one file per action,
 * over the LogsBackend port (src/telemetry/logs-store.ts).
 */
import { logsAuthorizer } from './authz.js';
import logsModel from '../../model/aws/logs.json' with { type: 'json' };
import type { ServiceModel } from '../../protocol/service-model.js';
import type { ServiceDefinition } from '../types.js';
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

export function logsService(): ServiceDefinition {
  return {
    name: 'logs',
    signingName: 'logs',
    authorize: logsAuthorizer,
    model: logsModel as unknown as ServiceModel,
    validationError: 'InvalidParameterException',
    serverError: 'ServiceUnavailableException',
    handlers: {
      CreateLogGroup: createLogGroup,
      DeleteLogGroup: deleteLogGroup,
      DescribeLogGroups: describeLogGroups,
      PutRetentionPolicy: putRetentionPolicy,
      DeleteRetentionPolicy: deleteRetentionPolicy,
      CreateLogStream: createLogStream,
      DeleteLogStream: deleteLogStream,
      DescribeLogStreams: describeLogStreams,
      PutLogEvents: putLogEvents,
      GetLogEvents: getLogEvents,
      FilterLogEvents: filterLogEvents,
      TagLogGroup: tagLogGroup,
      UntagLogGroup: untagLogGroup,
      ListTagsLogGroup: listTagsLogGroup,
      TagResource: tagResource,
      UntagResource: untagResource,
      ListTagsForResource: listTagsForResource,
    },
  };
}
