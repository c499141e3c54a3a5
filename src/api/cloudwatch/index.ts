/**
 * CloudWatch (signing name `monitoring`) in all three protocols current clients speak: awsQuery
 * (Action=…&Version=2010-08-01), awsJson1_0 (X-Amz-Target: GraniteServiceVersion20100801.<Op>) and
 * rpcv2Cbor (/service/GraniteServiceVersion20100801/operation/<Op>). The codec is chosen per request;
 * the handlers below are the same for all three. The model's own metadata says `query`; the JSON/CBOR
 * service name is set as its targetPrefix here so the dispatcher accepts it.
 */
import { cloudwatchAuthorizer } from './authz.js';
import cloudwatchModel from '../../model/aws/cloudwatch.json' with { type: 'json' };
import type { ServiceModel } from '../../protocol/service-model.js';
import type { ServiceDefinition } from '../types.js';
import { putMetricData } from './put-metric-data.js';
import { getMetricData } from './get-metric-data.js';
import { getMetricStatistics } from './get-metric-statistics.js';
import { listMetrics } from './list-metrics.js';
import { putMetricAlarm } from './put-metric-alarm.js';
import { describeAlarms } from './describe-alarms.js';
import { describeAlarmsForMetric } from './describe-alarms-for-metric.js';
import { describeAlarmHistory } from './describe-alarm-history.js';
import { deleteAlarms } from './delete-alarms.js';
import { setAlarmState } from './set-alarm-state.js';
import { disableAlarmActions, enableAlarmActions } from './alarm-actions.js';

export const CLOUDWATCH_TARGET_PREFIX = 'GraniteServiceVersion20100801';

const base = cloudwatchModel as unknown as ServiceModel;
const model: ServiceModel = { ...base, metadata: { ...base.metadata, targetPrefix: CLOUDWATCH_TARGET_PREFIX } };

export function cloudwatchService(): ServiceDefinition {
  return {
    name: 'cloudwatch',
    signingName: 'monitoring',
    iamPrefix: 'cloudwatch',
    authorize: cloudwatchAuthorizer,
    model,
    validationError: 'ValidationError',
    serverError: 'InternalServiceError',
    handlers: {
      PutMetricData: putMetricData,
      GetMetricData: getMetricData,
      GetMetricStatistics: getMetricStatistics,
      ListMetrics: listMetrics,
      PutMetricAlarm: putMetricAlarm,
      DescribeAlarms: describeAlarms,
      DescribeAlarmsForMetric: describeAlarmsForMetric,
      DescribeAlarmHistory: describeAlarmHistory,
      DeleteAlarms: deleteAlarms,
      SetAlarmState: setAlarmState,
      EnableAlarmActions: enableAlarmActions,
      DisableAlarmActions: disableAlarmActions,
    },
  };
}
