import type { ModifyListenerInput, ModifyListenerOutput } from '@aws-sdk/client-elastic-load-balancing-v2';
import { ApiError } from '../../model/errors.js';
import { elbKeys, type ListenerRecord } from '../../model/elbv2/records.js';
import {
  checkTgAssociation, commit, listRecs, listenerView, requireListener, tgsByArn,
} from './common.js';
import { validateActions } from '../../model/elbv2/validation.js';
import { deleteOp, putOp, unchangedSince } from '../../store/json.js';
import { checkListenerProtocol, claimPort } from './create-listener.js';
import type { Handler } from '../types.js';

export const modifyListener: Handler<ModifyListenerInput, ModifyListenerOutput> = async (input, ctx) => {
  const l = await requireListener(ctx, input.ListenerArn!);
  const protocol = checkListenerProtocol(input.Protocol ?? l.value.protocol, input);
  const tgs = await tgsByArn(ctx);
  const actions = input.DefaultActions ? validateActions(input.DefaultActions, new Map([...tgs].map(([k, v]) => [k, v.value]))) : l.value.defaultActions;
  await checkTgAssociation(ctx, l.value.lbArn, actions);
  const port = input.Port ?? l.value.port;
  const next: ListenerRecord = { ...l.value, protocol, port, defaultActions: actions, bindAddress: port === l.value.port ? l.value.bindAddress : ctx.elb.bindAddress };
  const ops = [putOp(l.key, next)];
  const compare = unchangedSince(l, ...actions.flatMap((a) => a.ForwardConfig?.TargetGroups.map((t) => tgs.get(t.TargetGroupArn)!) ?? []));
  if (port !== l.value.port) {
    const siblings = await listRecs<ListenerRecord>(ctx, elbKeys.listeners(l.value.lbName));
    if (siblings.some((s) => s.value.port === port)) throw new ApiError('DuplicateListener', `A listener already exists on port ${port} for load balancer '${l.value.lbArn}'`);
    await claimPort(ctx, port, l.value.lbArn);
    const claim = elbKeys.port(ctx.elb.bindAddress, port);
    compare.push({ key: claim, target: 'version', op: '==', value: 0 });
    ops.push(deleteOp(elbKeys.port(l.value.bindAddress, l.value.port)), { type: 'put', key: claim, value: l.value.arn });
  }
  await commit(ctx, compare, ops);
  return { Listeners: [listenerView(next)] };
};
