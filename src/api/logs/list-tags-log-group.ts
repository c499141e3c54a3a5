import type { ListTagsLogGroupRequest, ListTagsLogGroupResponse } from '@aws-sdk/client-cloudwatch-logs';
import type { Handler } from '../types.js';
import type { LogsBackend } from './backend.js';

export const listTagsLogGroup = (b: LogsBackend): Handler<ListTagsLogGroupRequest, ListTagsLogGroupResponse> => async (input) => ({ tags: b.tags(input.logGroupName!) });
