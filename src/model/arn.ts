/**
 * ARNs in ECS's long format, and the "short name or full ARN" rule ECS applies to every identifier.
 *   cluster          arn:aws:ecs:{region}:{account}:cluster/{name}
 *   task definition  arn:aws:ecs:{region}:{account}:task-definition/{family}:{revision}
 *   task             arn:aws:ecs:{region}:{account}:task/{cluster}/{taskId}
 *   container inst.  arn:aws:ecs:{region}:{account}:container-instance/{cluster}/{id}
 *   service          arn:aws:ecs:{region}:{account}:service/{cluster}/{name}
 */
export interface Scope {
  readonly region: string;
  readonly accountId: string;
}

export interface ParsedArn {
  readonly partition: string;
  readonly service: string;
  readonly region: string;
  readonly accountId: string;
  /** The part after the account, e.g. "cluster/demo". */
  readonly resource: string;
}

export function parseArn(arn: string): ParsedArn | undefined {
  if (!arn.startsWith('arn:')) return undefined;
  const parts = arn.split(':');
  if (parts.length < 6) return undefined;
  return { partition: parts[1], service: parts[2], region: parts[3], accountId: parts[4], resource: parts.slice(5).join(':') };
}

export const ecsArn = (s: Scope, resource: string) => `arn:aws:ecs:${s.region}:${s.accountId}:${resource}`;
export const clusterArn = (s: Scope, name: string) => ecsArn(s, `cluster/${name}`);
export const taskDefinitionArn = (s: Scope, family: string, revision: number) => ecsArn(s, `task-definition/${family}:${revision}`);
export const taskArn = (s: Scope, cluster: string, id: string) => ecsArn(s, `task/${cluster}/${id}`);
export const containerInstanceArn = (s: Scope, cluster: string, id: string) => ecsArn(s, `container-instance/${cluster}/${id}`);
export const serviceArn = (s: Scope, cluster: string, name: string) => ecsArn(s, `service/${cluster}/${name}`);
export const containerArn = (s: Scope, cluster: string, taskId: string, id: string) => ecsArn(s, `container/${cluster}/${taskId}/${id}`);

/** Cluster names: up to 255 letters, numbers, hyphens and underscores. */
export const CLUSTER_NAME = /^[A-Za-z0-9_-]{1,255}$/;

/**
 * The cluster name from a `cluster` parameter (short name or ARN). Undefined input means `default`.
 * Returns undefined when the value is neither a valid name nor a cluster ARN.
 */
export function clusterNameOf(value: string | undefined): string | undefined {
  if (value === undefined || value === '') return 'default';
  if (value.startsWith('arn:')) {
    const p = parseArn(value);
    if (!p || p.service !== 'ecs' || !p.resource.startsWith('cluster/')) return undefined;
    const name = p.resource.slice('cluster/'.length);
    return CLUSTER_NAME.test(name) ? name : undefined;
  }
  return CLUSTER_NAME.test(value) ? value : undefined;
}

/** Task definition reference: `family`, `family:revision`, or a full ARN. */
export interface TaskDefinitionRef {
  readonly family: string;
  readonly revision?: number;
}

export const FAMILY_NAME = /^[A-Za-z0-9_-]{1,255}$/;

export function parseTaskDefinitionRef(value: string): TaskDefinitionRef | undefined {
  let v = value;
  if (v.startsWith('arn:')) {
    const p = parseArn(v);
    if (!p || p.service !== 'ecs' || !p.resource.startsWith('task-definition/')) return undefined;
    v = p.resource.slice('task-definition/'.length);
  }
  const colon = v.lastIndexOf(':');
  if (colon < 0) return FAMILY_NAME.test(v) ? { family: v } : undefined;
  const family = v.slice(0, colon);
  const rev = v.slice(colon + 1);
  if (!FAMILY_NAME.test(family) || !/^[1-9][0-9]*$/.test(rev)) return undefined;
  return { family, revision: Number(rev) };
}

/** Task id (32 hex) or task ARN (`task/{cluster}/{id}` or legacy `task/{id}`). */
export function parseTaskRef(value: string): { cluster?: string; id: string } | undefined {
  if (value.startsWith('arn:')) {
    const p = parseArn(value);
    if (!p || p.service !== 'ecs' || !p.resource.startsWith('task/')) return undefined;
    const rest = p.resource.slice('task/'.length).split('/');
    return rest.length === 2 ? { cluster: rest[0], id: rest[1] } : rest.length === 1 ? { id: rest[0] } : undefined;
  }
  return /^[A-Za-z0-9-]{1,64}$/.test(value) ? { id: value } : undefined;
}
