import type { PutRetentionPolicyRequest } from '@aws-sdk/client-cloudwatch-logs';
import { ApiError } from '../../model/errors.js';
import type { Handler } from '../types.js';
import { RETENTION_DAYS } from './common.js';

/** Enforced: the server's retention sweep deletes older events (src/telemetry/telemetry.ts schedules it). */
export const putRetentionPolicy: Handler<PutRetentionPolicyRequest, object> = async (input, ctx) => {
  const days = input.retentionInDays!;
  if (!(RETENTION_DAYS as readonly number[]).includes(days)) {
    throw new ApiError('InvalidParameterException', `1 validation error detected: Value '${days}' at 'retentionInDays' failed to satisfy constraint: Member must satisfy enum value set: [${RETENTION_DAYS.join(', ')}]`);
  }
  ctx.logs.putRetentionPolicy(input.logGroupName!, days);
  return {};
};
