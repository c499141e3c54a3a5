import type { DisableAlarmActionsInput, EnableAlarmActionsInput } from '@aws-sdk/client-cloudwatch';
import type { Handler } from '../types.js';
import type { CloudWatchBackend } from './backend.js';

export const enableAlarmActions = (b: CloudWatchBackend): Handler<EnableAlarmActionsInput, object> => async (input) => {
  b.setActionsEnabled(input.AlarmNames ?? [], true);
  return {};
};

export const disableAlarmActions = (b: CloudWatchBackend): Handler<DisableAlarmActionsInput, object> => async (input) => {
  b.setActionsEnabled(input.AlarmNames ?? [], false);
  return {};
};
