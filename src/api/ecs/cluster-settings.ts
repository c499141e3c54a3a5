import type { ClusterSetting } from '@aws-sdk/client-ecs';
import { invalidParameter } from '../../model/errors.js';
import { keys } from '../../model/ecs/keys.js';
import { getJson } from '../../store/json.js';
import type { RequestContext } from '../types.js';

const INSIGHTS = ['enabled', 'disabled', 'enhanced'];

/** ECS accepts one setting name today: containerInsights ∈ {enabled, disabled, enhanced}. */
export function validateClusterSettings(settings: readonly ClusterSetting[]): ClusterSetting[] {
  const out = new Map<string, string>();
  for (const s of settings) {
    if (s.name !== 'containerInsights') throw invalidParameter(`Unsupported cluster setting name '${s.name}'. Valid names: containerInsights.`);
    if (!s.value || !INSIGHTS.includes(s.value)) {
      throw invalidParameter(`Invalid value '${s.value ?? ''}' for cluster setting containerInsights. Valid values: ${INSIGHTS.join(', ')}.`);
    }
    out.set(s.name, s.value);
  }
  return [...out].map(([name, value]) => ({ name: name as ClusterSetting['name'], value }));
}

interface SettingRecord { name: string; value: string; principalArn: string; type: string }

/** The account's containerInsights setting (the caller's own, else the account default, else disabled). */
export async function containerInsightsDefault(ctx: RequestContext): Promise<string> {
  const own = await getJson<SettingRecord>(ctx.store, keys.accountSetting(ctx.principal.arn, 'containerInsights'));
  if (own) return own.value.value;
  const def = await getJson<SettingRecord>(ctx.store, keys.accountSettingDefault('containerInsights'));
  return def?.value.value ?? 'disabled';
}
