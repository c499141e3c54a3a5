import type { CreateLogStreamRequest } from '@aws-sdk/client-cloudwatch-logs';
import { ApiError } from '../../model/errors.js';
import type { Handler } from '../types.js';
import type { LogsBackend } from './backend.js';

export const createLogStream = (b: LogsBackend): Handler<CreateLogStreamRequest, object> => async (input, ctx) => {
  if (input.logStreamName!.includes(':') || input.logStreamName!.includes('*')) {
    throw new ApiError('InvalidParameterException', `Log stream name '${input.logStreamName}' may not contain ':' or '*'.`);
  }
  b.createLogStream(input.logGroupName!, input.logStreamName!, ctx.now.getTime());
  return {};
};
