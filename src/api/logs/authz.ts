/**
 * CloudWatch Logs actions act on log-group:<name>:* (SAR; stream-level calls like PutLogEvents on
 * log-group:<name>:log-stream:<stream>); DescribeLogGroups and account-level calls on '*'.
 */
import type { Authorizer } from '../types.js';

export const logsAuthorizer: Authorizer = (operation, input, ctx) => {
  const base = `arn:aws:logs:${ctx.region}:${ctx.accountId}:log-group:`;
  const group = typeof input.logGroupName === 'string' ? input.logGroupName : typeof input.logGroupIdentifier === 'string' ? input.logGroupIdentifier : undefined;
  if (typeof input.resourceArn === 'string') return [{ resource: input.resourceArn }];
  if (!group) return [{ resource: '*' }];
  if (group.startsWith('arn:')) return [{ resource: group }];
  if (typeof input.logStreamName === 'string' && /^(PutLogEvents|GetLogEvents|DeleteLogStream)$/.test(operation)) {
    return [{ resource: `${base}${group}:log-stream:${input.logStreamName}` }];
  }
  return [{ resource: `${base}${group}:*` }];
};
