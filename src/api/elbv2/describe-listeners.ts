import type { DescribeListenersInput, DescribeListenersOutput } from '@aws-sdk/client-elastic-load-balancing-v2';
import { elbKeys, type ListenerRecord } from '../../model/elbv2/records.js';
import { findListener, listenerView, listRecs, requireLb } from './common.js';
import { listenerNotFound, page, validation } from '../../model/elbv2/validation.js';
import type { Handler } from '../types.js';

export const describeListeners: Handler<DescribeListenersInput, DescribeListenersOutput> = async (input, ctx) => {
  let selected: ListenerRecord[];
  if (input.LoadBalancerArn && input.ListenerArns?.length) throw validation('Listener ARNs and a load balancer ARN cannot be specified at the same time');
  if (input.LoadBalancerArn) {
    const lb = await requireLb(ctx, input.LoadBalancerArn);
    selected = (await listRecs<ListenerRecord>(ctx, elbKeys.listeners(lb.value.name))).map((r) => r.value).sort((a, b) => a.port - b.port);
  } else if (input.ListenerArns?.length) {
    selected = [];
    for (const arn of input.ListenerArns) {
      const l = await findListener(ctx, arn);
      if (!l) throw listenerNotFound();
      selected.push(l.value);
    }
  } else {
    throw validation('You must specify either listener ARNs or a load balancer ARN');
  }
  const p = page(selected, input.Marker, input.PageSize);
  return { Listeners: p.items.map(listenerView), ...(p.next ? { NextMarker: p.next } : {}) };
};
