import type { DeleteAlarmsInput } from '@aws-sdk/client-cloudwatch';
import { ApiError } from '../../model/errors.js';
import type { Handler } from '../types.js';
import type { CloudWatchBackend } from './backend.js';

export const deleteAlarms = (b: CloudWatchBackend): Handler<DeleteAlarmsInput, object> => async (input) => {
  const names = input.AlarmNames ?? [];
  if (names.length > 100) throw new ApiError('InvalidParameterValue', 'The collection AlarmNames must not have a size greater than 100.');
  b.deleteAlarms(names);
  return {};
};
