/**
 * ListServiceDeployments. This action (with DescribeServiceDeployments and StopServiceDeployment) is
 * newer than the botocore model Wharf generates its validation from (src/model/aws/ecs.json), so the
 * dispatcher finds no input shape for it: these handlers validate their input by hand, and timestamps
 * (createdAt.before/after) arrive as the epoch seconds the JSON protocol sends.
 */
import type { ListServiceDeploymentsRequest, ListServiceDeploymentsResponse } from '@aws-sdk/client-ecs';
import { invalidParameter } from '../../model/errors.js';
import type { Handler } from '../types.js';
import { activeCluster, paginate } from './common.js';
import { allDeployments, findService, serviceDeploymentBrief, serviceDeploymentStatus, serviceNotFound } from './service-common.js';

const STATUSES = ['PENDING', 'SUCCESSFUL', 'STOPPED', 'STOP_REQUESTED', 'IN_PROGRESS', 'ROLLBACK_REQUESTED', 'ROLLBACK_IN_PROGRESS', 'ROLLBACK_SUCCESSFUL', 'ROLLBACK_FAILED'];

export function epochOf(v: unknown, name: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (v instanceof Date) return v.getTime();
  if (typeof v === 'number') return v * 1000;
  if (typeof v === 'string' && !Number.isNaN(Date.parse(v))) return Date.parse(v);
  throw invalidParameter(`${name} must be a timestamp.`);
}

export const listServiceDeployments: Handler<ListServiceDeploymentsRequest, ListServiceDeploymentsResponse> = async (input, ctx) => {
  if (typeof input.service !== 'string' || input.service === '') throw invalidParameter("1 validation error detected: Value null at 'service' failed to satisfy constraint: Member must not be null");
  if (input.status !== undefined && (!Array.isArray(input.status) || input.status.some((x) => !STATUSES.includes(x)))) throw invalidParameter(`status values must be among: ${STATUSES.join(', ')}.`);
  if (input.maxResults !== undefined && (!Number.isInteger(input.maxResults) || input.maxResults < 1 || input.maxResults > 100)) throw invalidParameter('maxResults must be between 1 and 100.');
  const cluster = (await activeCluster(ctx, input.cluster)).value.clusterName;
  const s = await findService(ctx.store, cluster, input.service);
  if (!s) throw serviceNotFound();
  const after = epochOf(input.createdAt?.after, 'createdAt.after');
  const before = epochOf(input.createdAt?.before, 'createdAt.before');
  const list = allDeployments(s.value).filter((d) => (!input.status?.length || input.status.includes(serviceDeploymentStatus(d)))
    && (after === undefined || d.createdAt >= after) && (before === undefined || d.createdAt <= before));
  const key = (d: { createdAt: number; id: string }) => `${String(9e15 - d.createdAt).padStart(16, '0')}/${d.id}`;
  const page = paginate(list, key, input.maxResults, input.nextToken, 20);
  return { serviceDeployments: page.items.map((d) => serviceDeploymentBrief(ctx, s.value, d)), nextToken: page.nextToken };
};
