import type { CreateLoadBalancerInput, CreateLoadBalancerOutput } from '@aws-sdk/client-elastic-load-balancing-v2';
import { ApiError } from '../../model/errors.js';
import { ELB_NAME, elbKeys, loadBalancerArn, LB_ATTRIBUTE_DEFAULTS, type LoadBalancerRecord } from '../../model/elbv2/records.js';
import { createOnly } from '../../store/store.js';
import { findLbByName, lbView, newId, type ElbConfig } from './common.js';
import { validateTags, validation } from '../../model/elbv2/validation.js';
import type { Handler } from '../types.js';

/**
 * DNS names: `<name>-<id>.<region>.elb.localhost` while listeners bind a loopback address — curl and
 * browsers resolve every `*.localhost` name to 127.0.0.1, so `curl http://$DNS:PORT/` just works. With a
 * non-loopback bind address the DNS name is that address (there is no DNS server to publish names in).
 */
export function dnsNameFor(cfg: ElbConfig, name: string, id: string, region: string): string {
  if (cfg.bindAddress.startsWith('127.') || cfg.bindAddress === 'localhost') return `${name}-${parseInt(id.slice(0, 8), 16)}.${region}.elb.localhost`.toLowerCase();
  return cfg.bindAddress;
}

export const createLoadBalancer: Handler<CreateLoadBalancerInput, CreateLoadBalancerOutput> = async (input, ctx) => {
  const name = input.Name!;
  if (!ELB_NAME.test(name) || name.toLowerCase().startsWith('internal-')) {
    throw validation(`Load balancer name '${name}' is not valid: up to 32 letters, digits and hyphens, not beginning or ending with a hyphen, not beginning with 'internal-'`);
  }
  const type = input.Type ?? 'application';
  if (type !== 'application') throw new ApiError('InvalidConfigurationRequest', `Load balancer type '${type}' is not supported by Wharf: only application load balancers`);
  if (input.CustomerOwnedIpv4Pool) throw validation('Customer-owned IP pools are not supported');
  const scheme = input.Scheme ?? 'internet-facing';
  const subnets = [...(input.Subnets ?? []), ...(input.SubnetMappings ?? []).map((m) => m.SubnetId!).filter(Boolean)];
  const tags = validateTags(input.Tags);
  const existing = await findLbByName(ctx, name);
  if (existing) {
    // CreateLoadBalancer is idempotent for the same settings (AWS); anything else is a duplicate.
    if (existing.value.scheme === scheme && existing.value.type === type) return { LoadBalancers: [lbView(existing.value, ctx.region)] };
    throw new ApiError('DuplicateLoadBalancerName', 'A load balancer with the same name \'' + name + '\' exists, but with different settings');
  }
  const id = newId();
  const rec: LoadBalancerRecord = {
    arn: loadBalancerArn(ctx, name, id), name, id, dnsName: dnsNameFor(ctx.elb, name, id, ctx.region), createdTime: ctx.now.getTime(),
    scheme, type: 'application', ipAddressType: input.IpAddressType ?? 'ipv4', securityGroups: input.SecurityGroups ?? [], subnets,
    vpcId: 'vpc-wharf', state: 'active', attributes: { ...LB_ATTRIBUTE_DEFAULTS }, tags,
  };
  const r = await ctx.store.txn(createOnly(elbKeys.lb(name), JSON.stringify(rec)));
  if (!r.succeeded) throw new ApiError('DuplicateLoadBalancerName', `A load balancer with the same name '${name}' exists`);
  return { LoadBalancers: [lbView(rec, ctx.region)] };
};
