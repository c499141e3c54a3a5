import type { SetAlarmStateInput } from '@aws-sdk/client-cloudwatch';
import { ApiError } from '../../model/errors.js';
import type { Handler } from '../types.js';

/** Temporary, as in AWS: the next evaluation sets the state the data calls for. */
export const setAlarmState: Handler<SetAlarmStateInput, object> = async (input, ctx) => {
  if (input.StateReasonData !== undefined) {
    try {
      JSON.parse(input.StateReasonData);
    } catch {
      throw new ApiError('InvalidFormat', 'StateReasonData is not valid JSON.');
    }
  }
  ctx.metrics.setAlarmState(input, ctx.now);
  return {};
};
