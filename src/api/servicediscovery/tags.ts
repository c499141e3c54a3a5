/** TagResource, UntagResource, ListTagsForResource: tags live on namespaces and services, found by ARN. */
import type {
  ListTagsForResourceRequest, ListTagsForResourceResponse, TagResourceRequest, TagResourceResponse, UntagResourceRequest, UntagResourceResponse,
} from '@aws-sdk/client-servicediscovery';
import { ApiError } from '../../model/errors.js';
import { resourceNotFound } from '../../model/servicediscovery/errors.js';
import { sdKeys, type NamespaceRecord, type SdTag, type ServiceRecord } from '../../model/servicediscovery/records.js';
import { getKeyed, putOp, unchangedSince, type Keyed } from '../../store/json.js';
import type { Store } from '../../store/store.js';
import type { Handler } from '../types.js';
import { checkTags, mergeTags } from './common.js';

async function byArn(store: Store, arn: string): Promise<Keyed<NamespaceRecord | ServiceRecord>> {
  const m = /^arn:aws[a-z-]*:servicediscovery:[^:]*:\d{12}:(namespace|service)\/([a-z0-9-]+)$/.exec(arn);
  const rec = m ? await getKeyed<NamespaceRecord | ServiceRecord>(store, m[1] === 'namespace' ? sdKeys.namespace(m[2]!) : sdKeys.service(m[2]!)) : undefined;
  if (!rec || rec.value.arn !== arn) throw resourceNotFound(arn);
  return rec;
}

async function retag(store: Store, arn: string, change: (tags: SdTag[]) => SdTag[]): Promise<void> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const cur = await byArn(store, arn);
    const tags = change(cur.value.tags);
    checkTags(tags, arn);
    const r = await store.txn({ compare: unchangedSince(cur), success: [putOp(cur.key, { ...cur.value, tags })] });
    if (r.succeeded) return;
  }
  throw new ApiError('DuplicateRequest', `Another request is changing the tags of ${arn}; retry.`);
}

export const tagResource: Handler<TagResourceRequest, TagResourceResponse> = async (input, ctx) => {
  await retag(ctx.store, input.ResourceARN!, (tags) => mergeTags(tags, input.Tags));
  return {};
};

export const untagResource: Handler<UntagResourceRequest, UntagResourceResponse> = async (input, ctx) => {
  await retag(ctx.store, input.ResourceARN!, (tags) => tags.filter((t) => !input.TagKeys!.includes(t.Key)));
  return {};
};

export const listTagsForResource: Handler<ListTagsForResourceRequest, ListTagsForResourceResponse> = async (input, ctx) => ({
  Tags: (await byArn(ctx.store, input.ResourceARN!)).value.tags.map((t) => ({ ...t })),
});
