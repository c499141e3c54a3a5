/**
 * PutEvents: each entry is checked on its own (a bad one is a failed entry with AWS's ErrorCode, the
 * others go through), becomes an event in EventBridge's envelope with a new EventId, and is matched
 * against the enabled rules of its bus. Events that some rule with targets matched are written to the
 * bus's outbox (model/events/records.ts) in one transaction, durable before the reply; events nothing
 * matches are dropped, as EventBridge drops them.
 *
 * One deliberate difference: an entry naming a bus that does not exist is a failed entry
 * (ResourceNotFoundException) here; AWS accepts it and drops the event silently.
 */
import { randomUUID } from 'node:crypto';
import type { PutEventsRequest, PutEventsRequestEntry, PutEventsResponse, PutEventsResultEntry } from '@aws-sdk/client-eventbridge';
import { ApiError } from '../../model/errors.js';
import { eventsKeys, type BusEvent, type OutboxEvent, type RuleRecord } from '../../model/events/records.js';
import { eventTime, rulesMatching } from '../../model/events/route.js';
import type { Op } from '../../store/store.js';
import type { Handler, RequestContext } from '../types.js';
import { busNameOf, getBus, rulesOf } from './common.js';

/** EventBridge's limit on the entries of one PutEvents request, in bytes (256 KiB). */
const MAX_REQUEST_BYTES = 256 * 1024;

/** An entry's size as AWS counts it: Time (14 bytes if given), Source, DetailType, Detail, Resources (UTF-8). */
function entrySize(e: PutEventsRequestEntry): number {
  const b = (s: string | undefined) => (s === undefined ? 0 : Buffer.byteLength(s, 'utf8'));
  return (e.Time ? 14 : 0) + b(e.Source) + b(e.DetailType) + b(e.Detail) + (e.Resources ?? []).reduce((n, r) => n + b(r), 0);
}

const fail = (code: string, message: string): PutEventsResultEntry => ({ ErrorCode: code, ErrorMessage: message });
const refuse = (code: string, message: string) => ({ error: fail(code, message) });

function checkEntry(e: PutEventsRequestEntry): { error: PutEventsResultEntry } | { detail: unknown } {
  if (!e.Source) return refuse('InvalidArgument', 'Parameter Source is not valid. Reason: Source is a required argument.');
  if (!e.DetailType) return refuse('InvalidArgument', 'Parameter DetailType is not valid. Reason: DetailType is a required argument.');
  if (!e.Detail) return refuse('InvalidArgument', 'Parameter Detail is not valid. Reason: Detail is a required argument.');
  let detail: unknown;
  try {
    detail = JSON.parse(e.Detail);
  } catch {
    return refuse('MalformedDetail', 'Detail is malformed.');
  }
  if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) return refuse('MalformedDetail', 'Detail is malformed.');
  // Sources starting with aws. belong to AWS services; here, to Wharf's own events (ECS task state changes…).
  if (e.Source.startsWith('aws.')) return refuse('NotAuthorizedForSourceException', 'Not authorized for the source.');
  return { detail };
}

export const putEvents: Handler<PutEventsRequest, PutEventsResponse> = async (input, ctx) => {
  const entries = input.Entries!;
  if (entries.reduce((n, e) => n + entrySize(e), 0) > MAX_REQUEST_BYTES) {
    throw new ApiError('ValidationException', 'Total size of the entries in the request is over the limit.');
  }
  if (input.EndpointId !== undefined) throw new ApiError('ValidationException', 'Wharf has no global endpoints: leave EndpointId out.');
  const rulesByBus = new Map<string, RuleRecord[] | undefined>();
  const rulesFor = async (bus: string): Promise<RuleRecord[] | undefined> => {
    if (!rulesByBus.has(bus)) rulesByBus.set(bus, (await getBus(ctx, bus)) ? (await rulesOf(ctx.store, bus)).map((k) => k.value) : undefined);
    return rulesByBus.get(bus);
  };
  const results: PutEventsResultEntry[] = [];
  const ops: Op[] = [];
  const receivedAt = ctx.now.getTime();
  for (const e of entries) {
    const checked = checkEntry(e);
    if ('error' in checked) { results.push(checked.error); continue; }
    const bus = busNameOf(e.EventBusName);
    const rules = await rulesFor(bus);
    if (!rules) { results.push(fail('ResourceNotFoundException', `Event bus ${bus} does not exist.`)); continue; }
    const event = toBusEvent(ctx, e, checked.detail);
    if (rulesMatching(rules, event).some((r) => r.targets.length > 0)) {
      const rec: OutboxEvent = { eventBusName: bus, event, receivedAt };
      ops.push({ type: 'put', key: eventsKeys.outbox(bus, receivedAt, event.id), value: JSON.stringify(rec) });
    }
    results.push({ EventId: event.id });
  }
  if (ops.length > 0) await ctx.store.txn({ success: ops });
  return { FailedEntryCount: results.filter((r) => r.ErrorCode !== undefined).length, Entries: results };
};

function toBusEvent(ctx: RequestContext, e: PutEventsRequestEntry, detail: unknown): BusEvent {
  return {
    version: '0', id: randomUUID(), 'detail-type': e.DetailType!, source: e.Source!, account: ctx.accountId,
    time: eventTime(e.Time ? e.Time.getTime() : ctx.now.getTime()), region: ctx.region, resources: e.Resources ?? [], detail,
  };
}
