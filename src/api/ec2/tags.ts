/** CreateTags, DeleteTags, DescribeTags on VPCs, subnets and security groups. */
import type { CreateTagsRequest, DeleteTagsRequest, DescribeTagsRequest, DescribeTagsResult, TagDescription } from '@aws-sdk/client-ec2';
import { ec2Keys, type Ec2Tag } from '../../model/ec2/records.js';
import type { Store } from '../../store/store.js';
import type { Handler } from '../types.js';
import { ec2Error, filterBy, findGroup, findSubnet, findVpc } from './common.js';

type Tagged = { tags: Ec2Tag[] };
const TYPES = [
  { prefix: 'vpc-', type: 'vpc', key: ec2Keys.vpc, find: (s: Store, id: string) => findVpc(s, id) },
  { prefix: 'subnet-', type: 'subnet', key: ec2Keys.subnet, find: (s: Store, id: string) => findSubnet(s, id) },
  { prefix: 'sg-', type: 'security-group', key: ec2Keys.securityGroup, find: (s: Store, id: string) => findGroup(s, { id }) },
] as const;

function typeOf(id: string) {
  const t = TYPES.find((x) => id.startsWith(x.prefix));
  if (!t) throw ec2Error('InvalidID', `The ID '${id}' is not valid`);
  return t;
}

async function retag(store: Store, ids: readonly string[], fn: (tags: Ec2Tag[]) => Ec2Tag[]): Promise<void> {
  // Check every resource first: a bad id changes nothing.
  for (const id of ids) await typeOf(id).find(store, id);
  for (const id of ids) {
    const t = typeOf(id);
    for (let attempt = 0; ; attempt++) {
      const cur = await t.find(store, id);
      const next = { ...(cur.value as Tagged), tags: fn((cur.value as Tagged).tags) };
      const r = await store.txn({ compare: [{ key: t.key(id), target: 'version', op: '==', value: cur.version }], success: [{ type: 'put', key: t.key(id), value: JSON.stringify(next) }] });
      if (r.succeeded) break;
      if (attempt > 10) throw ec2Error('InternalError', `The resource ${id} kept changing. Retry the request.`);
    }
  }
}

export const createTags: Handler<CreateTagsRequest, Record<string, never>> = async (input, ctx) => {
  const tags = (input.Tags ?? []).map((t) => ({ Key: t.Key ?? '', Value: t.Value ?? '' }));
  if (!input.Resources?.length) throw ec2Error('MissingParameter', 'The request must contain the parameter resourceIdSet');
  for (const t of tags) if (!t.Key || t.Key.length > 127 || t.Key.startsWith('aws:')) throw ec2Error('InvalidParameterValue', `Tag key '${t.Key}' is invalid: 1 to 127 characters, not starting with aws:.`);
  await retag(ctx.store, input.Resources, (cur) => [...cur.filter((c) => !tags.some((t) => t.Key === c.Key)), ...tags]);
  return {};
};

export const deleteTags: Handler<DeleteTagsRequest, Record<string, never>> = async (input, ctx) => {
  if (!input.Resources?.length) throw ec2Error('MissingParameter', 'The request must contain the parameter resourceIdSet');
  const drop = input.Tags ?? [];
  await retag(ctx.store, input.Resources, (cur) => (drop.length === 0 ? [] : cur.filter((c) => !drop.some((d) => d.Key === c.Key && (d.Value === undefined || d.Value === c.Value)))));
  return {};
};

export const describeTags: Handler<DescribeTagsRequest, DescribeTagsResult> = async (input, ctx) => {
  const all: TagDescription[] = [];
  for (const t of TYPES) {
    const prefix = t.type === 'vpc' ? ec2Keys.vpcs() : t.type === 'subnet' ? ec2Keys.subnets() : ec2Keys.securityGroups();
    for (const kv of (await ctx.store.range(prefix)).kvs) {
      const rec = JSON.parse(kv.value) as Tagged & Record<string, unknown>;
      const id = String(rec.vpcId && t.type === 'vpc' ? rec.vpcId : t.type === 'subnet' ? rec.subnetId : t.type === 'security-group' ? rec.groupId : rec.vpcId);
      for (const tag of rec.tags) all.push({ ResourceId: id, ResourceType: t.type, Key: tag.Key, Value: tag.Value });
    }
  }
  const tags = filterBy(all, input.Filters, (d) => ({ 'resource-id': [d.ResourceId], 'resource-type': [d.ResourceType], key: [d.Key], value: [d.Value] }), () => []);
  return { Tags: tags };
};
