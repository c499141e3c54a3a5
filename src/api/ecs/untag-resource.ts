import type { UntagResourceRequest, UntagResourceResponse } from '@aws-sdk/client-ecs';
import { update } from '../../store/json.js';
import type { Handler } from '../types.js';
import { taggedResource, type WithTags } from './resource-tags.js';

/** Removes the named tag keys; keys the resource does not have are ignored, as ECS does. */
export const untagResource: Handler<UntagResourceRequest, UntagResourceResponse> = async (input, ctx) => {
  const res = taggedResource(ctx, input.resourceArn);
  const drop = new Set(input.tagKeys ?? []);
  let missing = false;
  await update<WithTags>(ctx.store, res.key, (cur) => {
    missing = !cur || !res.type.isLive(cur);
    if (missing) return undefined;
    const tags = cur!.tags ?? [];
    if (!tags.some((t) => drop.has(t.key!))) return undefined;
    return { ...cur, tags: tags.filter((t) => !drop.has(t.key!)) };
  });
  if (missing) throw res.type.notFound();
  return {};
};
