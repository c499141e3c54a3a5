/** Shared by the CloudWatch handlers. */
import type { Dimension } from '@aws-sdk/client-cloudwatch';
import { ApiError } from '../../model/errors.js';

/** 1, 5, 10, 30 (high resolution) or a multiple of 60 seconds. */
export function checkPeriod(p: number, where: string): void {
  if (![1, 5, 10, 30].includes(p) && p % 60 !== 0) {
    throw new ApiError('InvalidParameterValue', `The parameter ${where} must be 1, 5, 10, 30, or a multiple of 60.`);
  }
}

export function checkDimensions(d: Dimension[] | undefined, where: string): void {
  const seen = new Set<string>();
  for (const x of d ?? []) {
    if (seen.has(x.Name ?? '')) throw new ApiError('InvalidParameterValue', `The collection ${where} must not have duplicate dimension names (${x.Name}).`);
    seen.add(x.Name ?? '');
  }
}

export const STATISTICS = ['SampleCount', 'Average', 'Sum', 'Minimum', 'Maximum'];
export const isStat = (s: string) => STATISTICS.includes(s) || /^p(\d{1,2}(\.\d{1,2})?|100)$/.test(s);
