import type { UpdateClusterRequest, UpdateClusterResponse, UpdateClusterSettingsRequest, UpdateClusterSettingsResponse } from '@aws-sdk/client-ecs';
import { keys } from '../../model/ecs/keys.js';
import type { ClusterRecord } from '../../model/ecs/records.js';
import { update } from '../../store/json.js';
import type { Handler, RequestContext } from '../types.js';
import { activeCluster } from './common.js';
import { clusterCounts, clusterView } from './cluster-view.js';
import { validateClusterSettings } from './cluster-settings.js';

async function apply(ctx: RequestContext, ref: string, change: (c: ClusterRecord) => void) {
  const name = (await activeCluster(ctx, ref)).value.clusterName;
  const rec = await update<ClusterRecord>(ctx.store, keys.cluster(name), (cur) => {
    if (!cur || cur.status !== 'ACTIVE') return undefined;
    change(cur);
    return cur;
  });
  await activeCluster(ctx, ref); // deleted between the two reads: ClusterNotFoundException
  return { cluster: clusterView(rec!, await clusterCounts(ctx.store, name), ['SETTINGS', 'CONFIGURATIONS', 'TAGS']) };
}

const mergeSettings = (c: ClusterRecord, settings: ReturnType<typeof validateClusterSettings>) => {
  const m = new Map(c.settings.map((s) => [s.name, s.value]));
  for (const s of settings) m.set(s.name, s.value);
  c.settings = [...m].map(([name, value]) => ({ name, value }));
};

export const updateCluster: Handler<UpdateClusterRequest, UpdateClusterResponse> = async (input, ctx) => {
  const settings = input.settings ? validateClusterSettings(input.settings) : undefined;
  return apply(ctx, input.cluster!, (c) => {
    if (settings) mergeSettings(c, settings);
    if (input.configuration) c.configuration = input.configuration;
    if (input.serviceConnectDefaults) c.serviceConnectDefaults = input.serviceConnectDefaults.namespace ? { namespace: input.serviceConnectDefaults.namespace } : undefined;
  });
};

export const updateClusterSettings: Handler<UpdateClusterSettingsRequest, UpdateClusterSettingsResponse> = async (input, ctx) => {
  const settings = validateClusterSettings(input.settings ?? []);
  return apply(ctx, input.cluster!, (c) => mergeSettings(c, settings));
};
