import type { DeleteListenerInput, DeleteListenerOutput } from '@aws-sdk/client-elastic-load-balancing-v2';
import { elbKeys } from '../../model/elbv2/records.js';
import { commit, del, listRecs, requireListener, unchanged, type ElbHandler } from './common.js';

export const deleteListener: ElbHandler<DeleteListenerInput, DeleteListenerOutput> = () => async (input, ctx) => {
  const l = await requireListener(ctx, input.ListenerArn!);
  const rules = await listRecs(ctx, elbKeys.rules(l.value.lbName, l.value.id));
  await commit(ctx, unchanged(l, ...rules), [del(l.key), ...rules.map((r) => del(r.key)), del(elbKeys.port(l.value.bindAddress, l.value.port))]);
  return {};
};
