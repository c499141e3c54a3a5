import type { ListTagsForResourceRequest, ListTagsForResourceResponse } from '@aws-sdk/client-ecs';
import { getJson } from '../../store/json.js';
import type { Handler } from '../types.js';
import { taggedResource, type WithTags } from './resource-tags.js';

export const listTagsForResource: Handler<ListTagsForResourceRequest, ListTagsForResourceResponse> = async (input, ctx) => {
  const res = taggedResource(ctx, input.resourceArn);
  const rec = await getJson<WithTags>(ctx.store, res.key);
  if (!rec || !res.type.isLive(rec.value)) throw res.type.notFound();
  return { tags: rec.value.tags ?? [] };
};
