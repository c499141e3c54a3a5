import type { PutMetricDataInput } from '@aws-sdk/client-cloudwatch';
import { ApiError } from '../../model/errors.js';
import type { Handler } from '../types.js';

/** CloudWatch's PutMetricData limits (API reference and service quotas). */
const MAX_DATUMS = 1000;
const MAX_VALUES = 150;
const MIN_ABS = 8.515920e-109;
const MAX_ABS = 1.174271e+108;
const PAST_MS = 14 * 86_400_000;
const FUTURE_MS = 2 * 3_600_000;

function checkNumber(v: number, where: string): void {
  if (!Number.isFinite(v) || (v !== 0 && (Math.abs(v) < MIN_ABS || Math.abs(v) > MAX_ABS))) {
    throw new ApiError('InvalidParameterValue', `The value ${v} for parameter ${where} is invalid: values must be finite and between ${MIN_ABS} and ${MAX_ABS} in magnitude (or 0).`);
  }
}

export const putMetricData: Handler<PutMetricDataInput, object> = async (input, ctx) => {
  const ns = input.Namespace!;
  if (ns.startsWith('AWS/')) throw new ApiError('InvalidParameterValue', `The value AWS/ for parameter Namespace is invalid.`);
  const data = input.MetricData ?? [];
  if (data.length === 0) throw new ApiError('MissingParameter', 'The parameter MetricData is required.');
  if (data.length > MAX_DATUMS) throw new ApiError('InvalidParameterValue', `The collection MetricData must not have a size greater than ${MAX_DATUMS}.`);
  const now = ctx.now.getTime();
  data.forEach((d, i) => {
    const at = `MetricData.member.${i + 1}`;
    const kinds = [d.Value !== undefined, d.StatisticValues !== undefined, d.Values !== undefined].filter(Boolean).length;
    if (kinds > 1) throw new ApiError('InvalidParameterCombination', `The parameters ${at}.Value, ${at}.StatisticValues and ${at}.Values are mutually exclusive and you have specified more than one of them.`);
    if (d.Value !== undefined) checkNumber(d.Value, `${at}.Value`);
    if (d.Values) {
      if (d.Values.length > MAX_VALUES) throw new ApiError('InvalidParameterValue', `The collection ${at}.Values must not have a size greater than ${MAX_VALUES}.`);
      d.Values.forEach((v, j) => checkNumber(v, `${at}.Values.member.${j + 1}`));
      if (d.Counts && d.Counts.length !== d.Values.length) throw new ApiError('InvalidParameterValue', `The parameters ${at}.Values and ${at}.Counts must be of the same size.`);
    } else if (d.Counts) throw new ApiError('InvalidParameterCombination', `The parameter ${at}.Counts requires ${at}.Values.`);
    if (d.StatisticValues) {
      const s = d.StatisticValues;
      for (const k of ['SampleCount', 'Sum', 'Minimum', 'Maximum'] as const) {
        if (s[k] === undefined) throw new ApiError('MissingParameter', `The parameter ${at}.StatisticValues.${k} is required.`);
        checkNumber(s[k]!, `${at}.StatisticValues.${k}`);
      }
      if (s.Minimum! > s.Maximum!) throw new ApiError('InvalidParameterValue', `The value for parameter ${at}.StatisticValues.Minimum must not be greater than Maximum.`);
    }
    if (d.StorageResolution !== undefined && d.StorageResolution !== 1 && d.StorageResolution !== 60) {
      throw new ApiError('InvalidParameterValue', `The value ${d.StorageResolution} for parameter ${at}.StorageResolution is invalid: use 1 or 60.`);
    }
    if (d.Timestamp) {
      const t = d.Timestamp.getTime();
      if (t < now - PAST_MS || t > now + FUTURE_MS) {
        throw new ApiError('InvalidParameterValue', `The parameter ${at}.Timestamp must specify a time no more than two weeks in the past and no more than two hours in the future.`);
      }
    }
    for (const [j, dim] of (d.Dimensions ?? []).entries()) {
      if (!dim.Name || dim.Value === undefined || dim.Value === '') throw new ApiError('InvalidParameterValue', `The parameter ${at}.Dimensions.member.${j + 1} needs a Name and a non-empty Value.`);
    }
  });
  ctx.metrics.putMetricData(ns, data, ctx.now);
  return {};
};
