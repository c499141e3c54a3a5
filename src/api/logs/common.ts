/** Shared by the CloudWatch Logs handlers. */
import { ApiError } from '../../model/errors.js';

/** AWS's allowed retention periods, in days. */
export const RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

/** logGroupName or logGroupIdentifier (a name or an ARN), exactly one of them. */
export function groupName(input: { logGroupName?: string; logGroupIdentifier?: string }): string {
  if (input.logGroupName !== undefined && input.logGroupIdentifier !== undefined) {
    throw new ApiError('InvalidParameterException', 'LogGroup name and LogGroup ARN are mutually exclusive parameters.');
  }
  const id = input.logGroupName ?? input.logGroupIdentifier;
  if (id === undefined) throw new ApiError('InvalidParameterException', 'Should provide either name or ARN of the log group.');
  const m = /^arn:aws[\w-]*:logs:[^:]*:\d*:log-group:(.+?)(:\*)?$/.exec(id);
  return m ? m[1] : id;
}
