import type { DeleteAlarmsInput } from '@aws-sdk/client-cloudwatch';
import { ApiError } from '../../model/errors.js';
import type { Handler } from '../types.js';

export const deleteAlarms: Handler<DeleteAlarmsInput, object> = async (input, ctx) => {
  const names = input.AlarmNames ?? [];
  if (names.length > 100) throw new ApiError('InvalidParameterValue', 'The collection AlarmNames must not have a size greater than 100.');
  ctx.metrics.deleteAlarms(names);
  return {};
};
