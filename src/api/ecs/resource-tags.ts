/**
 * Which ECS resources carry tags, and where each lives in the store: a small table from the resource
 * type in an ARN (`cluster/…`, `task-definition/…`) to its record key and its not-found error.
 * TagResource, UntagResource and ListTagsForResource work on any record with a `tags` array, so a new
 * taggable type (task, service, container-instance, capacity-provider…) is one more row here.
 */
import type { Tag } from '@aws-sdk/client-ecs';
import { ApiError } from '../../model/errors.js';
import { CLUSTER_NAME, parseArn, parseTaskDefinitionRef } from '../../model/arn.js';
import { keys } from '../../model/ecs/keys.js';
import type { RequestContext } from '../types.js';

export interface TaggableType {
  /** The store key of the record the ARN's resource part (after `type/`) names; undefined if malformed. */
  keyOf(id: string): string | undefined;
  /** Whether the stored record still accepts tags (e.g. a deleted cluster does not). */
  isLive(record: { status?: string }): boolean;
  /** What ECS answers when the resource is missing or not live. */
  notFound(): ApiError;
}

export const TAGGABLE: Record<string, TaggableType> = {
  cluster: {
    keyOf: (id) => (CLUSTER_NAME.test(id) ? keys.cluster(id) : undefined),
    isLive: (r) => r.status === 'ACTIVE',
    notFound: () => new ApiError('InvalidParameterException', 'The specified cluster is inactive. Specify an active cluster and try again.'),
  },
  'task-definition': {
    keyOf: (id) => {
      const ref = parseTaskDefinitionRef(id);
      return ref?.revision === undefined ? undefined : keys.taskDefinition(ref.family, ref.revision);
    },
    isLive: (r) => r.status !== 'DELETE_IN_PROGRESS',
    notFound: () => new ApiError('ResourceNotFoundException', 'The specified task definition does not exist.'),
  },
  service: {
    keyOf: (id) => {
      const [cluster, name, extra] = id.split('/');
      return extra === undefined && name && CLUSTER_NAME.test(cluster) && CLUSTER_NAME.test(name) ? keys.service(cluster, name) : undefined;
    },
    isLive: (r) => r.status === 'ACTIVE' || r.status === 'DRAINING',
    notFound: () => new ApiError('InvalidParameterException', 'The specified service is not active. Specify an active service and try again.'),
  },
  task: {
    keyOf: (id) => {
      const [cluster, taskId, extra] = id.split('/');
      return extra === undefined && taskId && CLUSTER_NAME.test(cluster) && /^[A-Za-z0-9-]{1,64}$/.test(taskId) ? keys.task(cluster, taskId) : undefined;
    },
    isLive: () => true,
    notFound: () => new ApiError('InvalidParameterException', 'The specified task was not found.'),
  },
};

export interface TaggedResource {
  readonly key: string;
  readonly type: TaggableType;
}

/** Resolves a resourceArn to its record key, or throws what ECS throws for ARNs it cannot tag. */
export function taggedResource(ctx: RequestContext, resourceArn: string | undefined): TaggedResource {
  const invalid = () => new ApiError('InvalidParameterException', 'The ARN provided is invalid.');
  const p = resourceArn ? parseArn(resourceArn) : undefined;
  if (!p || p.service !== 'ecs') throw invalid();
  if (p.region !== ctx.region || p.accountId !== ctx.accountId) {
    throw new ApiError('InvalidParameterException', `The resource ${resourceArn} is not in this account (${ctx.accountId}) and region (${ctx.region}).`);
  }
  const slash = p.resource.indexOf('/');
  const type = slash < 0 ? undefined : TAGGABLE[p.resource.slice(0, slash)];
  if (!type) throw invalid();
  const key = type.keyOf(p.resource.slice(slash + 1));
  if (!key) throw invalid();
  return { key, type };
}

export type WithTags = { tags?: Tag[]; status?: string };
