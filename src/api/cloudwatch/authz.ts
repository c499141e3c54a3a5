/** CloudWatch: alarm actions act on alarm:<name> (SAR); metric actions on '*'. */
import type { Authorizer } from '../types.js';

export const cloudwatchAuthorizer: Authorizer = (_operation, input, ctx) => {
  const names = typeof input.AlarmName === 'string' ? [input.AlarmName] : Array.isArray(input.AlarmNames) ? (input.AlarmNames as string[]) : [];
  if (typeof input.ResourceARN === 'string') return [{ resource: input.ResourceARN }];
  if (!names.length) return [{ resource: '*' }];
  return names.map((n) => ({ resource: `arn:aws:cloudwatch:${ctx.region}:${ctx.accountId}:alarm:${n}` }));
};
