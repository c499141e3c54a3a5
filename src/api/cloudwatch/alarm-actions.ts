import type { DisableAlarmActionsInput, EnableAlarmActionsInput } from '@aws-sdk/client-cloudwatch';
import type { Handler } from '../types.js';

export const enableAlarmActions: Handler<EnableAlarmActionsInput, object> = async (input, ctx) => {
  ctx.metrics.setActionsEnabled(input.AlarmNames ?? [], true);
  return {};
};

export const disableAlarmActions: Handler<DisableAlarmActionsInput, object> = async (input, ctx) => {
  ctx.metrics.setActionsEnabled(input.AlarmNames ?? [], false);
  return {};
};
