import type { TagResourceRequest, TagResourceResponse } from '@aws-sdk/client-ecs';
import { update } from '../../store/json.js';
import type { Handler } from '../types.js';
import { mergeTags, validateTags } from './common.js';
import { taggedResource, type WithTags } from './resource-tags.js';

/** Adds tags (a key already present gets the new value); the resource keeps at most 50. */
export const tagResource: Handler<TagResourceRequest, TagResourceResponse> = async (input, ctx) => {
  const res = taggedResource(ctx, input.resourceArn);
  const add = validateTags(input.tags);
  let missing = false;
  await update<WithTags>(ctx.store, res.key, (cur) => {
    missing = !cur || !res.type.isLive(cur);
    if (missing) return undefined;
    return { ...cur, tags: mergeTags(cur!.tags ?? [], add) };
  });
  if (missing) throw res.type.notFound();
  return {};
};
