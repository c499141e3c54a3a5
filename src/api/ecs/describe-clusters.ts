import type { DescribeClustersRequest, DescribeClustersResponse, Cluster, Failure } from '@aws-sdk/client-ecs';
import { invalidParameter } from '../../model/errors.js';
import { clusterArn, clusterNameOf } from '../../model/arn.js';
import { keys } from '../../model/ecs/keys.js';
import type { ClusterRecord } from '../../model/ecs/records.js';
import { getJson } from '../../store/json.js';
import type { Handler } from '../types.js';
import { clusterCounts, clusterView } from './cluster-view.js';

/** Unknown clusters are failures with reason MISSING, never an exception (the CLI's waiters rely on it). */
export const describeClusters: Handler<DescribeClustersRequest, DescribeClustersResponse> = async (input, ctx) => {
  const names = input.clusters?.length ? input.clusters : ['default'];
  if (names.length > 100) throw invalidParameter('Too many clusters: DescribeClusters takes at most 100.');
  const include = input.include ?? [];
  const clusters: Cluster[] = [];
  const failures: Failure[] = [];
  for (const ref of names) {
    const name = clusterNameOf(ref);
    const rec = name ? await getJson<ClusterRecord>(ctx.store, keys.cluster(name)) : undefined;
    if (!rec || !name) {
      failures.push({ arn: ref.startsWith('arn:') ? ref : clusterArn(ctx, ref), reason: 'MISSING' });
      continue;
    }
    const counts = rec.value.status === 'ACTIVE' ? await clusterCounts(ctx.store, name) : undefined;
    clusters.push(clusterView(rec.value, counts, include));
  }
  return { clusters, failures };
};
