import type { GetLogEventsRequest, GetLogEventsResponse } from '@aws-sdk/client-cloudwatch-logs';
import type { Handler } from '../types.js';
import { groupName } from './common.js';

/** Tokens are positions (f|b)/timestamp/eventId; at the end the same token comes back (how clients stop paging). */
export const getLogEvents: Handler<GetLogEventsRequest, GetLogEventsResponse> = async (input, ctx) =>
  ctx.logs.getLogEvents(groupName(input), input);
