import type { ListTagsForResourceRequest, ListTagsForResourceResponse } from '@aws-sdk/client-cloudwatch-logs';
import type { Handler } from '../types.js';
import type { LogsBackend } from './backend.js';

export const listTagsForResource = (b: LogsBackend): Handler<ListTagsForResourceRequest, ListTagsForResourceResponse> => async (input) =>
  ({ tags: b.tags(b.groupOfArn(input.resourceArn!)) });
