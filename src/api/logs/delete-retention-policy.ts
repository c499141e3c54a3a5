import type { DeleteRetentionPolicyRequest } from '@aws-sdk/client-cloudwatch-logs';
import type { Handler } from '../types.js';

export const deleteRetentionPolicy: Handler<DeleteRetentionPolicyRequest, object> = async (input, ctx) => {
  ctx.logs.putRetentionPolicy(input.logGroupName!, undefined);
  return {};
};
