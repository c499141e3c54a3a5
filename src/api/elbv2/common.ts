/**
 * What the ELBv2 handlers share: record lookup with AWS's not-found errors, guarded commits, and the wire
 * views. Validation lives in src/model/elbv2/validation.ts, typed records in src/store/json.ts, and the
 * host-port probe behind the load balancer data plane (ElbConfig.portFree). Every handler validates its
 * whole input first and then writes in one store transaction guarded on the versions it read, so bad
 * input changes nothing and a concurrent change makes the request fail cleanly rather than half-apply.
 */
import { randomBytes } from 'node:crypto';
import type { Action, Listener, LoadBalancer, Rule, RuleCondition, TargetGroup } from '@aws-sdk/client-elastic-load-balancing-v2';
import { ApiError } from '../../model/errors.js';
import {
  elbKeys, parseElbArn, actionTargetGroups,
  type ActionSpec, type ElbTag, type ListenerRecord, type LoadBalancerRecord, type RuleRecord, type TargetGroupRecord, type TargetRecord,
} from '../../model/elbv2/records.js';
import { lbArnsByTg, lbNotFound, listenerNotFound, ruleNotFound, tgNotFound, validation } from '../../model/elbv2/validation.js';
import { getKeyed, rangeKeyed, type Keyed } from '../../store/json.js';
import type { Op, Compare } from '../../store/store.js';
import type { RequestContext } from '../types.js';

/** What the server's composition root decides for the load balancer API. */
export interface ElbConfig {
  /** Host address listeners bind (default 127.0.0.1). */
  readonly bindAddress: string;
  /** Whether the data plane could bind address:port now (nothing else on the host holds it). */
  readonly portFree: (address: string, port: number) => Promise<boolean>;
}


export const newId = () => randomBytes(8).toString('hex');

export const listRecs = <T>(ctx: RequestContext, prefix: string): Promise<Keyed<T>[]> => rangeKeyed<T>(ctx.store, prefix);
const getRec = <T>(ctx: RequestContext, key: string): Promise<Keyed<T> | undefined> => getKeyed<T>(ctx.store, key);

export async function findLb(ctx: RequestContext, arn: string): Promise<Keyed<LoadBalancerRecord> | undefined> {
  const p = parseElbArn(arn);
  if (p?.kind !== 'loadbalancer') return undefined;
  const r = await getRec<LoadBalancerRecord>(ctx, elbKeys.lb(p.lbName));
  return r && r.value.arn === arn ? r : undefined;
}
export async function requireLb(ctx: RequestContext, arn: string): Promise<Keyed<LoadBalancerRecord>> {
  const r = await findLb(ctx, arn);
  if (!r) throw lbNotFound();
  return r;
}

export async function findTg(ctx: RequestContext, arn: string): Promise<Keyed<TargetGroupRecord> | undefined> {
  const p = parseElbArn(arn);
  if (p?.kind !== 'targetgroup') return undefined;
  const r = await getRec<TargetGroupRecord>(ctx, elbKeys.tg(p.tgName));
  return r && r.value.arn === arn ? r : undefined;
}
export async function requireTg(ctx: RequestContext, arn: string): Promise<Keyed<TargetGroupRecord>> {
  const r = await findTg(ctx, arn);
  if (!r) throw tgNotFound();
  return r;
}

export async function findListener(ctx: RequestContext, arn: string): Promise<Keyed<ListenerRecord> | undefined> {
  const p = parseElbArn(arn);
  if (p?.kind !== 'listener') return undefined;
  const r = await getRec<ListenerRecord>(ctx, elbKeys.listener(p.lbName, p.listenerId));
  return r && r.value.arn === arn ? r : undefined;
}
export async function requireListener(ctx: RequestContext, arn: string): Promise<Keyed<ListenerRecord>> {
  const r = await findListener(ctx, arn);
  if (!r) throw listenerNotFound();
  return r;
}

/** A rule by ARN: a stored rule, or a listener's default rule. */
export type RuleRef = { kind: 'rule'; rule: Keyed<RuleRecord>; listener: Keyed<ListenerRecord> } | { kind: 'default'; listener: Keyed<ListenerRecord> };

export async function requireRule(ctx: RequestContext, arn: string): Promise<RuleRef> {
  const p = parseElbArn(arn);
  if (p?.kind !== 'rule') throw ruleNotFound();
  const listener = await getRec<ListenerRecord>(ctx, elbKeys.listener(p.lbName, p.listenerId));
  if (!listener) throw ruleNotFound();
  if (defaultRuleArn(listener.value) === arn) return { kind: 'default', listener };
  const rule = await getRec<RuleRecord>(ctx, elbKeys.rule(p.lbName, p.listenerId, p.ruleId));
  if (!rule || rule.value.arn !== arn) throw ruleNotFound();
  return { kind: 'rule', rule, listener };
}

export const defaultRuleArn = (l: ListenerRecord) => l.arn.replace(':listener/', ':listener-rule/') + '/' + defaultRuleId(l);
/** A stable id for a listener's default rule, derived from the listener's (no record of its own). */
export const defaultRuleId = (l: ListenerRecord) => [...l.id].reverse().join('');

export async function commit(ctx: RequestContext, compare: Compare[], success: Op[]): Promise<void> {
  const r = await ctx.store.txn({ compare, success });
  if (!r.succeeded) {
    throw new ApiError('ServiceUnavailable', 'A concurrent change touched the same load balancer resources; nothing was changed. Retry the request.');
  }
}

// ----------------------------------------------------------------------------------------------- views

export function lbView(r: LoadBalancerRecord, region: string): LoadBalancer {
  const zones = r.subnets.length > 0
    ? r.subnets.map((s, i) => ({ ZoneName: `${region}${'abcdef'[i % 6]}`, SubnetId: s, LoadBalancerAddresses: [] }))
    : [{ ZoneName: `${region}a`, SubnetId: 'subnet-wharf', LoadBalancerAddresses: [] }];
  return {
    LoadBalancerArn: r.arn, DNSName: r.dnsName, CanonicalHostedZoneId: 'Z35SXDOTRQ7X7K', CreatedTime: new Date(r.createdTime),
    LoadBalancerName: r.name, Scheme: r.scheme, VpcId: r.vpcId, State: { Code: r.state }, Type: r.type,
    AvailabilityZones: zones, SecurityGroups: r.securityGroups, IpAddressType: r.ipAddressType as LoadBalancer['IpAddressType'],
  };
}

export function tgView(r: TargetGroupRecord, lbArns: string[]): TargetGroup {
  const hc = r.healthCheck;
  return {
    TargetGroupArn: r.arn, TargetGroupName: r.name, Protocol: r.protocol, Port: r.port, VpcId: r.vpcId,
    HealthCheckProtocol: hc.protocol, HealthCheckPort: hc.port, HealthCheckEnabled: hc.enabled,
    HealthCheckIntervalSeconds: hc.intervalSeconds, HealthCheckTimeoutSeconds: hc.timeoutSeconds,
    HealthyThresholdCount: hc.healthyThreshold, UnhealthyThresholdCount: hc.unhealthyThreshold,
    HealthCheckPath: hc.path, Matcher: { HttpCode: hc.matcher }, LoadBalancerArns: lbArns, TargetType: r.targetType,
    ProtocolVersion: r.protocolVersion, IpAddressType: r.ipAddressType as TargetGroup['IpAddressType'],
  };
}

export const actionView = (a: ActionSpec): Action => a as Action;

export function listenerView(r: ListenerRecord): Listener {
  return { ListenerArn: r.arn, LoadBalancerArn: r.lbArn, Port: r.port, Protocol: r.protocol, DefaultActions: r.defaultActions.map(actionView) };
}

export function ruleView(r: RuleRecord): Rule {
  return { RuleArn: r.arn, Priority: String(r.priority), Conditions: r.conditions as RuleCondition[], Actions: r.actions.map(actionView), IsDefault: false };
}

export function defaultRuleView(l: ListenerRecord): Rule {
  return { RuleArn: defaultRuleArn(l), Priority: 'default', Conditions: [], Actions: l.defaultActions.map(actionView), IsDefault: true };
}


export function targetView(t: TargetRecord) {
  return { Id: t.id, Port: t.port, ...(t.availabilityZone ? { AvailabilityZone: t.availabilityZone } : {}) };
}

export async function findLbByName(ctx: RequestContext, name: string): Promise<Keyed<LoadBalancerRecord> | undefined> {
  return getRec<LoadBalancerRecord>(ctx, elbKeys.lb(name));
}

/** Every target group by ARN (actions resolve against it). */
export async function tgsByArn(ctx: RequestContext): Promise<Map<string, Keyed<TargetGroupRecord>>> {
  return new Map((await listRecs<TargetGroupRecord>(ctx, elbKeys.tgs())).map((r) => [r.value.arn, r]));
}

/**
 * An application load balancer's target groups belong to it alone (AWS: TargetGroupAssociationLimit).
 * Throws when an action routes to a group some other load balancer already routes to.
 */
export async function checkTgAssociation(ctx: RequestContext, lbArn: string, actions: readonly ActionSpec[]): Promise<void> {
  const listeners = (await listRecs<ListenerRecord>(ctx, elbKeys.listeners())).map((r) => r.value);
  const rules = (await listRecs<RuleRecord>(ctx, elbKeys.rules())).map((r) => r.value);
  const byTg = lbArnsByTg(listeners, rules);
  const clash = actions.flatMap(actionTargetGroups).filter((tg) => [...(byTg.get(tg) ?? [])].some((lb) => lb !== lbArn));
  if (clash.length) throw new ApiError('TargetGroupAssociationLimit', `The following target groups cannot be associated with more than one load balancer: ${[...new Set(clash)].map((a) => `'${a}'`).join(', ')}`);
}

/** A record that carries tags, found by ARN, with the not-found error of its kind. */
export async function requireTagged(ctx: RequestContext, arn: string): Promise<Keyed<{ tags: ElbTag[] }>> {
  const p = parseElbArn(arn);
  switch (p?.kind) {
    case 'loadbalancer': return requireLb(ctx, arn);
    case 'targetgroup': return requireTg(ctx, arn);
    case 'listener': return requireListener(ctx, arn);
    case 'rule': {
      const r = await requireRule(ctx, arn);
      if (r.kind === 'default') throw validation('Tags cannot be set on a default rule');
      return r.rule;
    }
    default: throw validation(`'${arn}' is not a valid load balancer, target group, listener or rule ARN`);
  }
}
