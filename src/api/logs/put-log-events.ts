import type { PutLogEventsRequest, PutLogEventsResponse } from '@aws-sdk/client-cloudwatch-logs';
import { ApiError } from '../../model/errors.js';
import type { Handler } from '../types.js';

/** AWS's PutLogEvents limits (API reference, "constraints"). */
export const MAX_BATCH_BYTES = 1_048_576;
export const PER_EVENT_OVERHEAD = 26;
export const MAX_BATCH_EVENTS = 10_000;
export const MAX_SPAN_MS = 24 * 3_600_000;

/**
 * Whole-batch rules fail the call (InvalidParameterException); per-event age rules (more than 2 h in the
 * future, more than 14 days or the retention period in the past) reject only those events and are
 * reported in rejectedLogEventsInfo. The sequence token is ignored, as AWS has done since 2023.
 */
export const putLogEvents: Handler<PutLogEventsRequest, PutLogEventsResponse> = async (input, ctx) => {
  const events = input.logEvents ?? [];
  if (events.length === 0) throw new ApiError('InvalidParameterException', 'The log events batch must contain at least one event.');
  if (events.length > MAX_BATCH_EVENTS) throw new ApiError('InvalidParameterException', `Too many log events: ${events.length} exceeds the limit of ${MAX_BATCH_EVENTS} per PutLogEvents request.`);
  let bytes = 0;
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    if (i > 0 && e.timestamp! < events[i - 1].timestamp!) {
      throw new ApiError('InvalidParameterException', 'Log events in a single PutLogEvents request must be in chronological order.');
    }
    bytes += Buffer.byteLength(e.message!) + PER_EVENT_OVERHEAD;
  }
  if (bytes > MAX_BATCH_BYTES) throw new ApiError('InvalidParameterException', `Upload too large: ${bytes} bytes exceeds limit of ${MAX_BATCH_BYTES}`);
  if (events[events.length - 1].timestamp! - events[0].timestamp! > MAX_SPAN_MS) {
    throw new ApiError('InvalidParameterException', 'The batch of log events in a single PutLogEvents request cannot span more than 24 hours.');
  }
  const r = ctx.logs.putLogEvents(input.logGroupName!, input.logStreamName!, events, ctx.now.getTime());
  return { nextSequenceToken: r.nextSequenceToken, ...(r.rejected ? { rejectedLogEventsInfo: r.rejected } : {}) };
};
