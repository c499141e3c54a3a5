import type { GetLogEventsRequest, GetLogEventsResponse } from '@aws-sdk/client-cloudwatch-logs';
import type { Handler } from '../types.js';
import type { LogsBackend } from './backend.js';
import { groupName } from './common.js';

/** Tokens are positions (f|b)/timestamp/eventId; at the end the same token comes back (how clients stop paging). */
export const getLogEvents = (b: LogsBackend): Handler<GetLogEventsRequest, GetLogEventsResponse> => async (input) =>
  b.getLogEvents(groupName(input), input);
