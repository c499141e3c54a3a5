import type {
  AddTagsInput, AddTagsOutput, DescribeTagsInput, DescribeTagsOutput, RemoveTagsInput, RemoveTagsOutput,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { commit, requireTagged } from './common.js';
import { validateTags, validation } from '../../model/elbv2/validation.js';
import { putOp, unchangedSince } from '../../store/json.js';
import type { Handler } from '../types.js';

export const addTags: Handler<AddTagsInput, AddTagsOutput> = async (input, ctx) => {
  if ((input.ResourceArns ?? []).length > 20) throw validation('At most 20 resources can be tagged at once');
  const recs = [];
  for (const arn of input.ResourceArns ?? []) recs.push(await requireTagged(ctx, arn));
  const next = recs.map((r) => ({ ...r.value, tags: validateTags(input.Tags, r.value.tags) }));
  await commit(ctx, unchangedSince(...recs), recs.map((r, i) => putOp(r.key, next[i])));
  return {};
};

export const removeTags: Handler<RemoveTagsInput, RemoveTagsOutput> = async (input, ctx) => {
  const recs = [];
  for (const arn of input.ResourceArns ?? []) recs.push(await requireTagged(ctx, arn));
  const drop = new Set(input.TagKeys ?? []);
  await commit(ctx, unchangedSince(...recs), recs.map((r) => putOp(r.key, { ...r.value, tags: r.value.tags.filter((t) => !drop.has(t.Key)) })));
  return {};
};

export const describeTags: Handler<DescribeTagsInput, DescribeTagsOutput> = async (input, ctx) => {
  if ((input.ResourceArns ?? []).length > 20) throw validation('At most 20 resources can be described at once');
  const out = [];
  for (const arn of input.ResourceArns ?? []) out.push({ ResourceArn: arn, Tags: (await requireTagged(ctx, arn)).value.tags });
  return { TagDescriptions: out };
};
