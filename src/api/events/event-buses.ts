/**
 * CreateEventBus, DescribeEventBus, ListEventBuses, DeleteEventBus. The `default` bus always exists
 * and cannot be made or deleted; a custom bus is deleted only once it has no rules, as AWS refuses.
 */
import type {
  CreateEventBusRequest, CreateEventBusResponse, DeleteEventBusRequest, DescribeEventBusRequest, DescribeEventBusResponse,
  ListEventBusesRequest, ListEventBusesResponse,
} from '@aws-sdk/client-eventbridge';
import { ApiError } from '../../model/errors.js';
import { busArn, DEFAULT_BUS, eventsKeys, type EventBusRecord } from '../../model/events/records.js';
import { createOnly } from '../../store/store.js';
import { listJson } from '../../store/json.js';
import type { Handler } from '../types.js';
import { busNameOf, busView, concurrent, defaultBus, getBus, mergeTags, page, requireBus, rulesOf } from './common.js';

export const createEventBus: Handler<CreateEventBusRequest, CreateEventBusResponse> = async (input, ctx) => {
  const name = input.Name!;
  if (input.EventSourceName !== undefined || name.startsWith('aws.')) {
    throw new ApiError('ValidationException', 'Wharf has no partner event sources: a bus name cannot start with aws. and EventSourceName is not supported.');
  }
  if (name.includes('/')) throw new ApiError('ValidationException', `Event bus name ${name} is not valid: only partner event buses have / in their names.`);
  if (name === DEFAULT_BUS) throw new ApiError('ResourceAlreadyExistsException', `Event bus ${name} already exists.`);
  if (input.KmsKeyIdentifier !== undefined || input.DeadLetterConfig !== undefined || input.LogConfig !== undefined) {
    throw new ApiError('ValidationException', 'Wharf does not support KmsKeyIdentifier, DeadLetterConfig or LogConfig on event buses yet.');
  }
  const now = ctx.now.getTime();
  const bus: EventBusRecord = {
    name, arn: busArn(ctx.region, ctx.accountId, name), ...(input.Description !== undefined ? { description: input.Description } : {}),
    createdAt: now, lastModifiedAt: now, tags: mergeTags({}, input.Tags),
  };
  const r = await ctx.store.txn(createOnly(eventsKeys.bus(name), JSON.stringify(bus)));
  if (!r.succeeded) throw new ApiError('ResourceAlreadyExistsException', `Event bus ${name} already exists.`);
  return { EventBusArn: bus.arn, ...(bus.description !== undefined ? { Description: bus.description } : {}) };
};

export const describeEventBus: Handler<DescribeEventBusRequest, DescribeEventBusResponse> = async (input, ctx) => {
  const b = await requireBus(ctx, busNameOf(input.Name));
  return busView(b.value);
};

export const listEventBuses: Handler<ListEventBusesRequest, ListEventBusesResponse> = async (input, ctx) => {
  const stored = await listJson<EventBusRecord>(ctx.store, eventsKeys.buses());
  const all = stored.some((b) => b.name === DEFAULT_BUS) ? stored : [defaultBus(ctx), ...stored];
  all.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const matching = all.filter((b) => input.NamePrefix === undefined || b.name.startsWith(input.NamePrefix));
  const p = page(matching, input.Limit, input.NextToken);
  return { EventBuses: p.items.map(busView), ...(p.NextToken ? { NextToken: p.NextToken } : {}) };
};

export const deleteEventBus: Handler<DeleteEventBusRequest, Record<string, never>> = async (input, ctx) => {
  const name = busNameOf(input.Name);
  if (name === DEFAULT_BUS) throw new ApiError('ValidationException', 'Cannot delete event bus default.');
  for (let attempt = 0; attempt < 10; attempt++) {
    const b = await getBus(ctx, name);
    if (!b) return {}; // deleting a bus that is not there succeeds, as at AWS
    // PutRule touches the bus record when it creates a rule, so the guard on its version also catches
    // a rule made between this listing and the delete.
    if ((await rulesOf(ctx.store, name)).length > 0) throw new ApiError('ValidationException', "EventBus can't be deleted since it has rules.");
    const r = await ctx.store.txn({
      compare: [{ key: b.key, target: 'version', op: '==', value: b.version }],
      success: [{ type: 'delete', key: b.key }],
    });
    if (r.succeeded) return {};
  }
  throw concurrent();
};
