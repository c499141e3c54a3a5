import type { FilterLogEventsRequest, FilterLogEventsResponse } from '@aws-sdk/client-cloudwatch-logs';
import type { Handler } from '../types.js';
import { groupName } from './common.js';

/** Filter pattern syntax: src/telemetry/filter-pattern.ts (a malformed pattern is InvalidParameterException). */
export const filterLogEvents: Handler<FilterLogEventsRequest, FilterLogEventsResponse> = async (input, ctx) =>
  ctx.logs.filterLogEvents(groupName(input), input);
