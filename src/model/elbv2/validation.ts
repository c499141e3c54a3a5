/**
 * ELBv2 input validation and pure helpers (no I/O): actions, conditions, tags and health checks checked
 * and normalised the way ELBv2 answers, AWS's not-found errors, which load balancers route to which target
 * groups, and marker paging. The API handlers (src/api/elbv2) call these before they write anything.
 */
import type { Action, RuleCondition, Tag } from '@aws-sdk/client-elastic-load-balancing-v2';
import { ApiError } from '../errors.js';
import {
  actionTargetGroups, HEALTH_CHECK_DEFAULTS,
  type ActionSpec, type ConditionSpec, type ElbTag, type ListenerRecord, type RuleRecord, type TargetGroupRecord,
} from './records.js';

export const lbNotFound = () => new ApiError('LoadBalancerNotFound', 'One or more load balancers not found');
export const tgNotFound = () => new ApiError('TargetGroupNotFound', 'One or more target groups not found');
export const listenerNotFound = () => new ApiError('ListenerNotFound', 'One or more listeners not found');
export const ruleNotFound = () => new ApiError('RuleNotFound', 'One or more rules not found');

/** LB ARNs whose listeners or rules route to each target group ARN. */
export function lbArnsByTg(listeners: readonly ListenerRecord[], rules: readonly RuleRecord[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  const lbOfListener = new Map(listeners.map((l) => [`${l.lbName}/${l.id}`, l.lbArn]));
  const add = (tg: string, lb: string | undefined) => {
    if (!lb) return;
    const s = out.get(tg) ?? new Set();
    s.add(lb);
    out.set(tg, s);
  };
  for (const l of listeners) for (const a of l.defaultActions) for (const tg of actionTargetGroups(a)) add(tg, l.lbArn);
  for (const r of rules) for (const a of r.actions) for (const tg of actionTargetGroups(a)) add(tg, lbOfListener.get(`${r.lbName}/${r.listenerId}`));
  return out;
}

export const validation = (msg: string) => new ApiError('ValidationError', msg);

export function validateTags(tags: readonly Tag[] | undefined, existing: readonly ElbTag[] = []): ElbTag[] {
  const seen = new Set<string>();
  for (const t of tags ?? []) {
    if (seen.has(t.Key!)) throw new ApiError('DuplicateTagKeys', `Tag key '${t.Key}' is duplicated`);
    seen.add(t.Key!);
    if (t.Key!.startsWith('aws:')) throw validation(`Tag keys starting with 'aws:' are reserved`);
  }
  const merged = [...existing.filter((e) => !seen.has(e.Key)), ...(tags ?? []).map((t) => ({ Key: t.Key!, ...(t.Value !== undefined ? { Value: t.Value } : {}) }))];
  if (merged.length > 50) throw new ApiError('TooManyTags', 'The quota for the number of tags that can be assigned to a load balancer has been reached (50)');
  return merged;
}

const CONTENT_TYPES = ['text/plain', 'text/css', 'text/html', 'application/javascript', 'application/json'];

/**
 * Validates listener/rule actions and normalizes them (redirect defaults, forward to one target group as
 * both TargetGroupArn and ForwardConfig, as AWS shows it). `tgs` resolves target group ARNs.
 */
export function validateActions(actions: readonly Action[], tgs: ReadonlyMap<string, TargetGroupRecord>): ActionSpec[] {
  if (actions.length === 0) throw validation('At least one action must be specified');
  const orders = new Set<number>();
  let terminal = 0;
  const out = actions.map((a, i): ActionSpec => {
    const order = a.Order ?? i + 1;
    if (orders.has(order)) throw validation(`Action order '${order}' is specified more than once`);
    orders.add(order);
    switch (a.Type) {
      case 'forward': {
        terminal++;
        let tuples = a.ForwardConfig?.TargetGroups?.map((t) => ({ TargetGroupArn: t.TargetGroupArn ?? '', Weight: t.Weight ?? 1 })) ?? [];
        if (a.TargetGroupArn) {
          if (tuples.length > 0 && (tuples.length !== 1 || tuples[0].TargetGroupArn !== a.TargetGroupArn)) {
            throw validation('You cannot specify both a target group ARN and a forward config with different target groups');
          }
          tuples = [{ TargetGroupArn: a.TargetGroupArn, Weight: tuples[0]?.Weight ?? 1 }];
        }
        if (tuples.length === 0) throw validation('A target group ARN must be specified for a forward action');
        if (tuples.length > 5) throw new ApiError('TooManyTargetGroups', 'A forward action can route to at most 5 target groups');
        const seen = new Set<string>();
        for (const t of tuples) {
          if (!tgs.has(t.TargetGroupArn)) throw tgNotFound();
          if (seen.has(t.TargetGroupArn)) throw validation(`Target group '${t.TargetGroupArn}' is specified more than once in the forward action`);
          seen.add(t.TargetGroupArn);
          if (!Number.isInteger(t.Weight) || t.Weight < 0 || t.Weight > 999) throw validation(`Target group weight '${t.Weight}' must be between 0 and 999`);
        }
        const sticky = a.ForwardConfig?.TargetGroupStickinessConfig;
        return {
          Type: 'forward', Order: order,
          ...(tuples.length === 1 ? { TargetGroupArn: tuples[0].TargetGroupArn } : {}),
          ForwardConfig: { TargetGroups: tuples, TargetGroupStickinessConfig: { Enabled: sticky?.Enabled ?? false, ...(sticky?.DurationSeconds ? { DurationSeconds: sticky.DurationSeconds } : {}) } },
        };
      }
      case 'fixed-response': {
        terminal++;
        const c = a.FixedResponseConfig;
        if (!c) throw validation('A fixed-response action requires FixedResponseConfig');
        if (c.ContentType !== undefined && !CONTENT_TYPES.includes(c.ContentType)) {
          throw validation(`Content type '${c.ContentType}' is not valid: use one of ${CONTENT_TYPES.join(', ')}`);
        }
        return { Type: 'fixed-response', Order: order, FixedResponseConfig: { StatusCode: c.StatusCode!, ...(c.ContentType ? { ContentType: c.ContentType } : {}), ...(c.MessageBody !== undefined ? { MessageBody: c.MessageBody } : {}) } };
      }
      case 'redirect': {
        terminal++;
        const c = a.RedirectConfig;
        if (!c) throw validation('A redirect action requires RedirectConfig');
        const r = { Protocol: c.Protocol ?? '#{protocol}', Port: c.Port ?? '#{port}', Host: c.Host ?? '#{host}', Path: c.Path ?? '/#{path}', Query: c.Query ?? '#{query}', StatusCode: c.StatusCode as 'HTTP_301' | 'HTTP_302' };
        if (!['HTTP', 'HTTPS', '#{protocol}'].includes(r.Protocol)) throw validation(`Redirect protocol '${r.Protocol}' must be HTTP, HTTPS or #{protocol}`);
        if (!r.Path.startsWith('/')) throw validation('The redirect path must start with a /');
        if (r.Protocol === '#{protocol}' && r.Port === '#{port}' && r.Host === '#{host}' && r.Path === '/#{path}' && r.Query === '#{query}') {
          throw new ApiError('InvalidLoadBalancerAction', 'The redirect configuration is not valid because it creates a loop.');
        }
        return { Type: 'redirect', Order: order, RedirectConfig: r };
      }
      default:
        throw new ApiError('InvalidLoadBalancerAction', `Action type '${a.Type}' is not supported by Wharf's load balancers (supported: forward, fixed-response, redirect)`);
    }
  });
  if (terminal !== 1) throw new ApiError('InvalidLoadBalancerAction', 'Exactly one forward, fixed-response or redirect action must be specified');
  return out;
}

const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,40}$/;
const METHOD = /^[A-Z_-]{1,40}$/;
const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

export function validateConditions(conds: readonly RuleCondition[]): ConditionSpec[] {
  if (conds.length === 0) throw validation('A rule must have at least one condition');
  let values = 0;
  const seenField = new Set<string>();
  const out = conds.map((c): ConditionSpec => {
    const field = c.Field;
    if (!field) throw validation('A condition field must be specified');
    const vals = (list: string[] | undefined, cfg: string[] | undefined, what: string) => {
      if (list?.length && cfg?.length) throw validation(`You cannot specify both Values and ${what}`);
      const v = cfg ?? list ?? [];
      if (v.length === 0) throw validation(`A '${field}' condition requires at least one value`);
      values += v.length;
      return v;
    };
    if (field !== 'http-header' && field !== 'query-string' && seenField.has(field)) throw validation(`A rule can have only one '${field}' condition`);
    seenField.add(field);
    switch (field) {
      case 'path-pattern': {
        const v = vals(c.Values, c.PathPatternConfig?.Values, 'PathPatternConfig');
        for (const x of v) if (x.length > 128) throw validation(`Path pattern '${x}' is longer than 128 characters`);
        return { Field: field, PathPatternConfig: { Values: v }, ...(c.Values ? { Values: c.Values } : {}) };
      }
      case 'host-header': {
        const v = vals(c.Values, c.HostHeaderConfig?.Values, 'HostHeaderConfig');
        for (const x of v) if (!/^[A-Za-z0-9.*?-]{1,128}$/.test(x)) throw validation(`Host header value '${x}' is not valid`);
        return { Field: field, HostHeaderConfig: { Values: v }, ...(c.Values ? { Values: c.Values } : {}) };
      }
      case 'http-header': {
        const h = c.HttpHeaderConfig;
        if (!h?.HttpHeaderName || !HEADER_NAME.test(h.HttpHeaderName)) throw validation(`An http-header condition requires a valid HttpHeaderName`);
        const v = vals(undefined, h.Values, 'HttpHeaderConfig');
        return { Field: field, HttpHeaderConfig: { HttpHeaderName: h.HttpHeaderName, Values: v } };
      }
      case 'query-string': {
        const v = c.QueryStringConfig?.Values ?? [];
        if (v.length === 0) throw validation(`A 'query-string' condition requires at least one key/value pair`);
        values += v.length;
        for (const kv of v) if (!kv.Value) throw validation('Each query-string key/value pair requires a Value');
        return { Field: field, QueryStringConfig: { Values: v.map((kv) => ({ ...(kv.Key !== undefined ? { Key: kv.Key } : {}), Value: kv.Value! })) } };
      }
      case 'http-request-method': {
        const v = vals(c.Values, c.HttpRequestMethodConfig?.Values, 'HttpRequestMethodConfig');
        for (const x of v) if (!METHOD.test(x)) throw validation(`HTTP method '${x}' is not valid`);
        return { Field: field, HttpRequestMethodConfig: { Values: v } };
      }
      case 'source-ip': {
        const v = vals(c.Values, c.SourceIpConfig?.Values, 'SourceIpConfig');
        for (const x of v) {
          const m = CIDR.exec(x);
          if (!m || m.slice(1, 5).some((o) => Number(o) > 255) || Number(m[5]) > 32) throw validation(`Source IP '${x}' is not a valid IPv4 CIDR block`);
        }
        return { Field: field, SourceIpConfig: { Values: v } };
      }
      default:
        throw validation(`Condition field '${field}' is not valid: use path-pattern, host-header, http-header, query-string, http-request-method or source-ip`);
    }
  });
  if (values > 5) throw validation(`A rule can have at most 5 condition values in total; found ${values}`);
  return out;
}

const MATCHER = /^(\d{3}(-\d{3})?)(,\d{3}(-\d{3})?)*$/;

export function validateHealthCheck(base: TargetGroupRecord['healthCheck'], input: {
  HealthCheckProtocol?: string; HealthCheckPort?: string; HealthCheckEnabled?: boolean; HealthCheckPath?: string; HealthCheckIntervalSeconds?: number;
  HealthCheckTimeoutSeconds?: number; HealthyThresholdCount?: number; UnhealthyThresholdCount?: number; Matcher?: { HttpCode?: string; GrpcCode?: string };
}): TargetGroupRecord['healthCheck'] {
  const hc = {
    enabled: input.HealthCheckEnabled ?? base.enabled,
    protocol: (input.HealthCheckProtocol ?? base.protocol) as 'HTTP' | 'HTTPS',
    port: input.HealthCheckPort ?? base.port,
    path: input.HealthCheckPath ?? base.path,
    intervalSeconds: input.HealthCheckIntervalSeconds ?? base.intervalSeconds,
    timeoutSeconds: input.HealthCheckTimeoutSeconds ?? base.timeoutSeconds,
    healthyThreshold: input.HealthyThresholdCount ?? base.healthyThreshold,
    unhealthyThreshold: input.UnhealthyThresholdCount ?? base.unhealthyThreshold,
    matcher: input.Matcher?.HttpCode ?? base.matcher,
  };
  if (input.Matcher?.GrpcCode !== undefined) throw validation('GrpcCode matchers need a GRPC target group, which Wharf does not support');
  if (hc.protocol !== 'HTTP') throw new ApiError('UnsupportedProtocol', `Health check protocol '${hc.protocol}' is not supported: Wharf checks targets over HTTP`);
  if (hc.port !== 'traffic-port' && !(/^\d+$/.test(hc.port) && Number(hc.port) >= 1 && Number(hc.port) <= 65535)) {
    throw validation(`Health check port '${hc.port}' must be 'traffic-port' or a port from 1 to 65535`);
  }
  if (!hc.path.startsWith('/')) throw validation('Health check path must begin with a \'/\' character');
  if (hc.timeoutSeconds >= hc.intervalSeconds) throw validation(`Health check timeout [${hc.timeoutSeconds}] must be smaller than the interval [${hc.intervalSeconds}]`);
  if (!MATCHER.test(hc.matcher)) throw validation(`Health check matcher HTTP code '${hc.matcher}' must be a code, a list (200,202) or a range (200-299) of codes`);
  for (const code of hc.matcher.split(/[,-]/)) {
    if (Number(code) < 200 || Number(code) > 499) throw validation(`Health check matcher HTTP code '${code}' must be between 200 and 499`);
  }
  return hc;
}

export const DEFAULT_HEALTH_CHECK = HEALTH_CHECK_DEFAULTS;

// ---------------------------------------------------------------------------------------------- paging

/** Markers are opaque to clients: the index of the next item, base64. */
export function page<T>(items: readonly T[], marker: string | undefined, pageSize: number | undefined): { items: T[]; next?: string } {
  let start = 0;
  if (marker !== undefined) {
    start = Number(Buffer.from(marker, 'base64').toString('utf8'));
    if (!Number.isInteger(start) || start < 0) throw validation(`The marker '${marker}' is not valid`);
  }
  const size = pageSize ?? 400;
  const slice = items.slice(start, start + size);
  return { items: slice, next: start + size < items.length ? Buffer.from(String(start + size)).toString('base64') : undefined };
}

