import type { CreateListenerInput, CreateListenerOutput } from '@aws-sdk/client-elastic-load-balancing-v2';
import { ApiError } from '../../model/errors.js';
import { elbKeys, listenerArn, type ListenerRecord } from '../../model/elbv2/records.js';
import {
  checkTgAssociation, commit, listRecs, listenerView, newId, requireLb, tgsByArn,
} from './common.js';
import { validateActions, validateTags, validation } from '../../model/elbv2/validation.js';
import { putOp, unchangedSince } from '../../store/json.js';
import type { RequestContext, Handler } from '../types.js';

export function checkListenerProtocol(protocol: string | undefined, input: { Certificates?: unknown[]; SslPolicy?: string }): 'HTTP' {
  const p = protocol ?? 'HTTP';
  if (p === 'HTTPS') throw new ApiError('UnsupportedProtocol', 'HTTPS listeners are not supported by Wharf yet: use HTTP (terminate TLS in front of the load balancer)');
  if (p !== 'HTTP') throw new ApiError('UnsupportedProtocol', `Protocol '${p}' is not supported by application load balancers: use HTTP`);
  if (input.Certificates?.length || input.SslPolicy) throw validation('Certificates and SSL policies apply only to HTTPS listeners');
  return p;
}

/** The port claim key must be free (or ours), and the host port bindable. Throws AWS-style errors. */
export async function claimPort(ctx: RequestContext, port: number, lbArn: string): Promise<void> {
  const claim = await ctx.store.get(elbKeys.port(ctx.elb.bindAddress, port));
  if (claim) {
    const owner = claim.value;
    throw new ApiError('DuplicateListener', owner.startsWith(lbArn)
      ? `A listener already exists on port ${port} for load balancer '${lbArn}'`
      : `Port ${port} on ${ctx.elb.bindAddress} is already used by a listener of another load balancer ('${owner}'): Wharf's load balancers share this host's ports`);
  }
  if (!(await ctx.elb.portFree(ctx.elb.bindAddress, port))) {
    throw new ApiError('InvalidConfigurationRequest', `Port ${port} on ${ctx.elb.bindAddress} is in use by another process on this host; choose another listener port`);
  }
}

export const createListener: Handler<CreateListenerInput, CreateListenerOutput> = async (input, ctx) => {
  const lb = await requireLb(ctx, input.LoadBalancerArn!);
  const protocol = checkListenerProtocol(input.Protocol, input);
  if (input.Port === undefined) throw validation('A listener port must be specified');
  const tgs = await tgsByArn(ctx);
  const actions = validateActions(input.DefaultActions ?? [], new Map([...tgs].map(([k, v]) => [k, v.value])));
  const tags = validateTags(input.Tags);
  const listeners = await listRecs<ListenerRecord>(ctx, elbKeys.listeners(lb.value.name));
  const same = listeners.find((l) => l.value.port === input.Port);
  if (same) {
    if (JSON.stringify(same.value.defaultActions) === JSON.stringify(actions)) return { Listeners: [listenerView(same.value)] };
    throw new ApiError('DuplicateListener', `A listener already exists on port ${input.Port} for load balancer '${lb.value.arn}'`);
  }
  if (listeners.length >= 50) throw new ApiError('TooManyListeners', 'You have reached the limit on the number of listeners per load balancer (50)');
  await checkTgAssociation(ctx, lb.value.arn, actions);
  await claimPort(ctx, input.Port, lb.value.arn);
  const id = newId();
  const rec: ListenerRecord = {
    arn: listenerArn(ctx, lb.value.name, lb.value.id, id), id, lbName: lb.value.name, lbArn: lb.value.arn, port: input.Port, protocol,
    bindAddress: ctx.elb.bindAddress, defaultActions: actions, tags, rulesVersion: 0,
  };
  const used = actions.flatMap((a) => a.ForwardConfig?.TargetGroups.map((t) => tgs.get(t.TargetGroupArn)!) ?? []);
  const claimKey = elbKeys.port(ctx.elb.bindAddress, input.Port);
  await commit(ctx, [...unchangedSince(lb, ...used), { key: claimKey, target: 'version', op: '==', value: 0 }], [putOp(elbKeys.listener(lb.value.name, id), rec), { type: 'put', key: claimKey, value: rec.arn }]);
  return { Listeners: [listenerView(rec)] };
};
