import type { FilterLogEventsRequest, FilterLogEventsResponse } from '@aws-sdk/client-cloudwatch-logs';
import type { Handler } from '../types.js';
import type { LogsBackend } from './backend.js';
import { groupName } from './common.js';

/** Filter pattern syntax: src/telemetry/filter-pattern.ts (a malformed pattern is InvalidParameterException). */
export const filterLogEvents = (b: LogsBackend): Handler<FilterLogEventsRequest, FilterLogEventsResponse> => async (input) =>
  b.filterLogEvents(groupName(input), input);
