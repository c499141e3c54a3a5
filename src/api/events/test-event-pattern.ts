/**
 * TestEventPattern: whether a pattern matches an event. The event must be an event in EventBridge's
 * envelope: AWS requires id, account, source, time, region, resources and detail-type.
 */
import type { TestEventPatternRequest, TestEventPatternResponse } from '@aws-sdk/client-eventbridge';
import { ApiError } from '../../model/errors.js';
import { matches } from '../../model/events/pattern.js';
import type { Handler } from '../types.js';
import { checkPattern } from './common.js';

const REQUIRED = ['id', 'account', 'source', 'time', 'region', 'resources', 'detail-type'] as const;

export const testEventPattern: Handler<TestEventPatternRequest, TestEventPatternResponse> = async (input) => {
  const pattern = checkPattern(input.EventPattern!);
  let event: unknown;
  try {
    event = JSON.parse(input.Event!);
  } catch {
    throw new ApiError('ValidationException', 'Parameter Event is not valid.');
  }
  if (typeof event !== 'object' || event === null || Array.isArray(event)) throw new ApiError('ValidationException', 'Parameter Event is not valid.');
  const ev = event as Record<string, unknown>;
  const missing = REQUIRED.filter((k) => ev[k] === undefined);
  if (missing.length > 0 || !Array.isArray(ev.resources)) {
    throw new ApiError('ValidationException', `Parameter Event is not valid. Reason: the event needs ${REQUIRED.join(', ')}${missing.length ? ` (missing: ${missing.join(', ')})` : ' (resources must be an array)'}.`);
  }
  return { Result: matches(pattern, ev) };
};
