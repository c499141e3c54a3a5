import type { DeleteListenerInput, DeleteListenerOutput } from '@aws-sdk/client-elastic-load-balancing-v2';
import { elbKeys } from '../../model/elbv2/records.js';
import { commit, listRecs, requireListener } from './common.js';
import { deleteOp, unchangedSince } from '../../store/json.js';
import type { Handler } from '../types.js';

export const deleteListener: Handler<DeleteListenerInput, DeleteListenerOutput> = async (input, ctx) => {
  const l = await requireListener(ctx, input.ListenerArn!);
  const rules = await listRecs(ctx, elbKeys.rules(l.value.lbName, l.value.id));
  await commit(ctx, unchangedSince(l, ...rules), [deleteOp(l.key), ...rules.map((r) => deleteOp(r.key)), deleteOp(elbKeys.port(l.value.bindAddress, l.value.port))]);
  return {};
};
