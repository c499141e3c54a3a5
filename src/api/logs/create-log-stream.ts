import type { CreateLogStreamRequest } from '@aws-sdk/client-cloudwatch-logs';
import { ApiError } from '../../model/errors.js';
import type { Handler } from '../types.js';

export const createLogStream: Handler<CreateLogStreamRequest, object> = async (input, ctx) => {
  if (input.logStreamName!.includes(':') || input.logStreamName!.includes('*')) {
    throw new ApiError('InvalidParameterException', `Log stream name '${input.logStreamName}' may not contain ':' or '*'.`);
  }
  ctx.logs.createLogStream(input.logGroupName!, input.logStreamName!, ctx.now.getTime());
  return {};
};
