/** TagResource, UntagResource, ListTagsForResource: tags live on scalable targets (by ScalableTargetARN). */
import type {
  ListTagsForResourceRequest, ListTagsForResourceResponse, TagResourceRequest, TagResourceResponse, UntagResourceRequest, UntagResourceResponse,
} from '@aws-sdk/client-application-auto-scaling';
import { ApiError } from '../../model/errors.js';
import type { Store } from '../../store/store.js';
import type { Handler } from '../types.js';
import { allTargets, concurrentUpdate, putTarget } from './common.js';

const MAX_TAGS = 50;

export function checkTags(tags: Record<string, string>): void {
  if (Object.keys(tags).length > MAX_TAGS) throw new ApiError('TooManyTagsException', `A scalable target can have at most ${MAX_TAGS} tags.`);
  for (const k of Object.keys(tags)) if (k.toLowerCase().startsWith('aws:')) throw new ApiError('ValidationException', `Tag keys starting with aws: are reserved (${k}).`);
}

async function byArn(store: Store, arn: string) {
  const ns = /^arn:aws:application-autoscaling:[^:]+:\d{12}:scalable-target\/[0-9a-f]+$/.test(arn) ? 'ecs' : undefined;
  const t = ns ? (await allTargets(store, ns)).find((x) => x.value.arn === arn) : undefined;
  if (!t) throw new ApiError('ResourceNotFoundException', `Scalable target with ARN ${arn} not found.`, { ResourceName: arn });
  return t;
}

export const tagResource: Handler<TagResourceRequest, TagResourceResponse> = async (input, ctx) => {
  for (let attempt = 0; attempt < 10; attempt++) {
    const cur = await byArn(ctx.store, input.ResourceARN!);
    const t = structuredClone(cur.value);
    t.tags = { ...t.tags, ...input.Tags };
    checkTags(t.tags);
    t.version += 1;
    if (await putTarget(ctx.store, t, cur.version)) return {};
  }
  throw concurrentUpdate();
};

export const untagResource: Handler<UntagResourceRequest, UntagResourceResponse> = async (input, ctx) => {
  for (let attempt = 0; attempt < 10; attempt++) {
    const cur = await byArn(ctx.store, input.ResourceARN!);
    const t = structuredClone(cur.value);
    for (const k of input.TagKeys ?? []) delete t.tags[k];
    t.version += 1;
    if (await putTarget(ctx.store, t, cur.version)) return {};
  }
  throw concurrentUpdate();
};

export const listTagsForResource: Handler<ListTagsForResourceRequest, ListTagsForResourceResponse> = async (input, ctx) => {
  const t = await byArn(ctx.store, input.ResourceARN!);
  return { Tags: { ...t.value.tags } };
};
