/** TagResource, UntagResource, ListTagsForResource on rules (rule/… ARNs) and event buses (event-bus/… ARNs). */
import type {
  ListTagsForResourceRequest, ListTagsForResourceResponse, TagResourceRequest, TagResourceResponse, UntagResourceRequest, UntagResourceResponse,
} from '@aws-sdk/client-eventbridge';
import { ApiError } from '../../model/errors.js';
import { DEFAULT_BUS, type EventBusRecord } from '../../model/events/records.js';
import type { Handler, RequestContext } from '../types.js';
import { concurrent, mergeTags, noBus, requireBus, requireRule, updateRule } from './common.js';

type Resource = { kind: 'rule'; bus: string; name: string } | { kind: 'bus'; name: string };

function parseArn(arn: string, ctx: RequestContext): Resource {
  const m = /^arn:aws[\w-]*:events:([^:]+):(\d{12}):(rule|event-bus)\/(.+)$/.exec(arn);
  if (!m) throw new ApiError('ValidationException', `Parameter ResourceARN is not valid: ${arn} is not an EventBridge rule or event bus ARN.`);
  const [, region, account, kind, rest] = m;
  if (kind === 'event-bus') {
    if (region !== ctx.region || account !== ctx.accountId) throw noBus(rest);
    return { kind: 'bus', name: rest };
  }
  const slash = rest.lastIndexOf('/');
  const r: Resource = { kind: 'rule', bus: slash < 0 ? DEFAULT_BUS : rest.slice(0, slash), name: rest.slice(slash + 1) };
  if (region !== ctx.region || account !== ctx.accountId) throw new ApiError('ResourceNotFoundException', `Rule ${r.name} does not exist on EventBus ${r.bus}.`);
  return r;
}

async function updateTags(ctx: RequestContext, res: Resource, fn: (tags: Record<string, string>) => Record<string, string>): Promise<void> {
  if (res.kind === 'rule') {
    await updateRule(ctx, res.bus, res.name, (r) => ({ ...r, tags: fn(r.tags) }));
    return;
  }
  for (let attempt = 0; attempt < 10; attempt++) {
    const b = await requireBus(ctx, res.name);
    const next: EventBusRecord = { ...b.value, tags: fn(b.value.tags), lastModifiedAt: ctx.now.getTime() };
    if (!next.createdAt) next.createdAt = ctx.now.getTime();
    const r = await ctx.store.txn({ compare: [{ key: b.key, target: 'version', op: '==', value: b.version }], success: [{ type: 'put', key: b.key, value: JSON.stringify(next) }] });
    if (r.succeeded) return;
  }
  throw concurrent();
}

export const tagResource: Handler<TagResourceRequest, TagResourceResponse> = async (input, ctx) => {
  await updateTags(ctx, parseArn(input.ResourceARN!, ctx), (t) => mergeTags(t, input.Tags));
  return {};
};

export const untagResource: Handler<UntagResourceRequest, UntagResourceResponse> = async (input, ctx) => {
  const drop = new Set(input.TagKeys);
  await updateTags(ctx, parseArn(input.ResourceARN!, ctx), (t) => Object.fromEntries(Object.entries(t).filter(([k]) => !drop.has(k))));
  return {};
};

export const listTagsForResource: Handler<ListTagsForResourceRequest, ListTagsForResourceResponse> = async (input, ctx) => {
  const res = parseArn(input.ResourceARN!, ctx);
  const tags = res.kind === 'rule' ? (await requireRule(ctx, res.bus, res.name)).value.tags : (await requireBus(ctx, res.name)).value.tags;
  if (!tags) throw noBus(res.name);
  return { Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) };
};
