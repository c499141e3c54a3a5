/**
 * ELBv2 (application load balancer) records, their store keys, ARNs and AWS's defaults.
 *
 *   load balancer  /elbv2/lb/{name}                              arn …:loadbalancer/app/{name}/{id}
 *   listener       /elbv2/listener/{lbName}/{listenerId}         arn …:listener/app/{name}/{lbId}/{listenerId}
 *   rule           /elbv2/rule/{lbName}/{listenerId}/{ruleId}     arn …:listener-rule/app/{name}/{lbId}/{listenerId}/{ruleId}
 *   target group   /elbv2/tg/{name}                              arn …:targetgroup/{name}/{id}
 *   target         /elbv2/target/{tgName}/{targetId}:{port}
 *   port claim     /elbv2/port/{bindAddress}:{port} → listener ARN   (one listener per host port, across LBs)
 *
 * Who writes which field (one writer per field):
 *   API (ELBv2 handlers)   every spec field: LBs, listeners, rules, target groups, attributes, tags;
 *                          target records on RegisterTargets (create) and DeregisterTargets
 *                          (`deregisteredAt`, `drainUntil`)
 *   lb controller          target `health` (observed from HAProxy's checks), target `drainUntil`/creation
 *                          for targets it registers on behalf of an ECS service (`task` set), and deletes
 *                          target records once `drainUntil` has passed
 *   nobody else            the services controller only reads `health` (ELB health of its tasks)
 *
 * Target health as DescribeTargetHealth shows it (AWS's states and reasons):
 *
 *   RegisterTargets ─► initial (Elb.RegistrationInProgress → Elb.InitialHealthChecking)
 *        initial ──HealthyThresholdCount passes──► healthy ◄──passes──┐
 *        initial/healthy ──UnhealthyThresholdCount failures──► unhealthy (Target.ResponseCodeMismatch |
 *                                                              Target.Timeout | Target.FailedHealthChecks)
 *   DeregisterTargets ─► draining (Target.DeregistrationInProgress) ──deregistration delay──► (gone)
 *   no listener routes to the target group ─► unused (Target.NotInUse); unknown target ─► unused (Target.NotRegistered)
 */
import type { Scope } from '../arn.js';

export const elbKeys = {
  lb: (name: string) => `/elbv2/lb/${name}`,
  lbs: () => '/elbv2/lb/',
  listener: (lbName: string, id: string) => `/elbv2/listener/${lbName}/${id}`,
  listeners: (lbName?: string) => (lbName === undefined ? '/elbv2/listener/' : `/elbv2/listener/${lbName}/`),
  rule: (lbName: string, listenerId: string, id: string) => `/elbv2/rule/${lbName}/${listenerId}/${id}`,
  rules: (lbName?: string, listenerId?: string) =>
    lbName === undefined ? '/elbv2/rule/' : listenerId === undefined ? `/elbv2/rule/${lbName}/` : `/elbv2/rule/${lbName}/${listenerId}/`,
  tg: (name: string) => `/elbv2/tg/${name}`,
  tgs: () => '/elbv2/tg/',
  target: (tgName: string, targetId: string, port: number) => `/elbv2/target/${tgName}/${targetId}:${port}`,
  targets: (tgName?: string) => (tgName === undefined ? '/elbv2/target/' : `/elbv2/target/${tgName}/`),
  port: (bind: string, port: number) => `/elbv2/port/${bind}:${port}`,
  ports: () => '/elbv2/port/',
};

export interface ElbTag { Key: string; Value?: string }

export interface LoadBalancerRecord {
  arn: string;
  name: string;
  id: string;
  dnsName: string;
  createdTime: number;
  scheme: 'internet-facing' | 'internal';
  type: 'application';
  ipAddressType: string;
  securityGroups: string[];
  subnets: string[];
  vpcId: string;
  state: 'provisioning' | 'active' | 'failed';
  attributes: Record<string, string>;
  tags: ElbTag[];
}

export interface HealthCheckSpec {
  enabled: boolean;
  protocol: 'HTTP' | 'HTTPS';
  /** 'traffic-port' or a port number as a string, as AWS shows it. */
  port: string;
  path: string;
  intervalSeconds: number;
  timeoutSeconds: number;
  healthyThreshold: number;
  unhealthyThreshold: number;
  /** HTTP codes: "200", "200,202", "200-299". */
  matcher: string;
}

export interface TargetGroupRecord {
  arn: string;
  name: string;
  id: string;
  protocol: 'HTTP' | 'HTTPS';
  protocolVersion: string;
  port: number;
  vpcId: string;
  targetType: 'instance' | 'ip';
  ipAddressType: string;
  healthCheck: HealthCheckSpec;
  attributes: Record<string, string>;
  tags: ElbTag[];
  createdTime: number;
}

/** Actions and conditions are stored as the API took them (after defaults and validation). */
export interface ActionSpec {
  Type: 'forward' | 'redirect' | 'fixed-response';
  Order?: number;
  TargetGroupArn?: string;
  ForwardConfig?: { TargetGroups: { TargetGroupArn: string; Weight: number }[]; TargetGroupStickinessConfig?: { Enabled: boolean; DurationSeconds?: number } };
  RedirectConfig?: { Protocol: string; Port: string; Host: string; Path: string; Query: string; StatusCode: 'HTTP_301' | 'HTTP_302' };
  FixedResponseConfig?: { StatusCode: string; ContentType?: string; MessageBody?: string };
}

export interface ConditionSpec {
  Field: 'path-pattern' | 'host-header' | 'http-header' | 'query-string' | 'http-request-method' | 'source-ip';
  Values?: string[];
  PathPatternConfig?: { Values: string[] };
  HostHeaderConfig?: { Values: string[] };
  HttpHeaderConfig?: { HttpHeaderName: string; Values: string[] };
  QueryStringConfig?: { Values: { Key?: string; Value: string }[] };
  HttpRequestMethodConfig?: { Values: string[] };
  SourceIpConfig?: { Values: string[] };
}

export interface ListenerRecord {
  arn: string;
  id: string;
  lbName: string;
  lbArn: string;
  port: number;
  protocol: 'HTTP';
  /** The host address HAProxy binds for this listener. */
  bindAddress: string;
  defaultActions: ActionSpec[];
  tags: ElbTag[];
  /** Bumped by every rule change on this listener, so rule writes serialize on the listener's version. */
  rulesVersion: number;
}

export interface RuleRecord {
  arn: string;
  id: string;
  lbName: string;
  listenerId: string;
  listenerArn: string;
  priority: number;
  conditions: ConditionSpec[];
  actions: ActionSpec[];
  tags: ElbTag[];
}

export type TargetHealthState = 'initial' | 'healthy' | 'unhealthy' | 'unused' | 'draining' | 'unavailable';

export interface TargetHealthObservation {
  state: TargetHealthState;
  reason?: string;
  description?: string;
  /** Epoch ms of the observation that changed `state` last. */
  since: number;
}

export interface TargetRecord {
  tgName: string;
  tgArn: string;
  /** Instance id (i-… / the container instance's ec2InstanceId) or IP address. */
  id: string;
  port: number;
  availabilityZone?: string;
  /** The address HAProxy connects to (resolved from the instance at registration). */
  address: string;
  registeredAt: number;
  deregisteredAt?: number;
  /** Epoch ms when a draining target is removed (deregisteredAt + deregistration delay). */
  drainUntil?: number;
  health?: TargetHealthObservation;
  /** Set when the lb controller registered this target for an ECS service task. */
  task?: { cluster: string; taskId: string; taskArn: string; serviceName: string; containerName: string };
}

export const TG_ATTRIBUTE_DEFAULTS: Readonly<Record<string, string>> = {
  'deregistration_delay.timeout_seconds': '300',
  'slow_start.duration_seconds': '0',
  'stickiness.enabled': 'false',
  'stickiness.type': 'lb_cookie',
  'stickiness.lb_cookie.duration_seconds': '86400',
  'stickiness.app_cookie.cookie_name': '',
  'stickiness.app_cookie.duration_seconds': '86400',
  'load_balancing.algorithm.type': 'round_robin',
  'load_balancing.algorithm.anomaly_mitigation': 'off',
  'load_balancing.cross_zone.enabled': 'use_load_balancer_configuration',
  'target_group_health.dns_failover.minimum_healthy_targets.count': '1',
  'target_group_health.dns_failover.minimum_healthy_targets.percentage': 'off',
  'target_group_health.unhealthy_state_routing.minimum_healthy_targets.count': '1',
  'target_group_health.unhealthy_state_routing.minimum_healthy_targets.percentage': 'off',
};

export const LB_ATTRIBUTE_DEFAULTS: Readonly<Record<string, string>> = {
  'access_logs.s3.enabled': 'false',
  'access_logs.s3.bucket': '',
  'access_logs.s3.prefix': '',
  'deletion_protection.enabled': 'false',
  'idle_timeout.timeout_seconds': '60',
  'routing.http.desync_mitigation_mode': 'defensive',
  'routing.http.drop_invalid_header_fields.enabled': 'false',
  'routing.http.preserve_host_header.enabled': 'false',
  'routing.http.x_amzn_tls_version_and_cipher_suite.enabled': 'false',
  'routing.http.xff_client_port.enabled': 'false',
  'routing.http.xff_header_processing.mode': 'append',
  'routing.http2.enabled': 'true',
  'waf.fail_open.enabled': 'false',
};

/** AWS's health check defaults for HTTP target groups of type instance/ip. */
export const HEALTH_CHECK_DEFAULTS: HealthCheckSpec = {
  enabled: true, protocol: 'HTTP', port: 'traffic-port', path: '/', intervalSeconds: 30, timeoutSeconds: 5,
  healthyThreshold: 5, unhealthyThreshold: 2, matcher: '200',
};

export const elbArn = (s: Scope, resource: string) => `arn:aws:elasticloadbalancing:${s.region}:${s.accountId}:${resource}`;
export const loadBalancerArn = (s: Scope, name: string, id: string) => elbArn(s, `loadbalancer/app/${name}/${id}`);
export const listenerArn = (s: Scope, lbName: string, lbId: string, id: string) => elbArn(s, `listener/app/${lbName}/${lbId}/${id}`);
export const ruleArn = (s: Scope, lbName: string, lbId: string, listenerId: string, id: string) => elbArn(s, `listener-rule/app/${lbName}/${lbId}/${listenerId}/${id}`);
export const targetGroupArn = (s: Scope, name: string, id: string) => elbArn(s, `targetgroup/${name}/${id}`);

export type ElbResource =
  | { kind: 'loadbalancer'; lbName: string; lbId: string }
  | { kind: 'listener'; lbName: string; lbId: string; listenerId: string }
  | { kind: 'rule'; lbName: string; lbId: string; listenerId: string; ruleId: string }
  | { kind: 'targetgroup'; tgName: string; tgId: string };

/** Parses any ELBv2 ARN Wharf issues; undefined for anything else. */
export function parseElbArn(arn: string): ElbResource | undefined {
  const parts = arn.split(':');
  if (parts.length !== 6 || parts[0] !== 'arn' || parts[2] !== 'elasticloadbalancing') return undefined;
  const r = parts[5].split('/');
  if (r[0] === 'loadbalancer' && r[1] === 'app' && r.length === 4) return { kind: 'loadbalancer', lbName: r[2], lbId: r[3] };
  if (r[0] === 'listener' && r[1] === 'app' && r.length === 5) return { kind: 'listener', lbName: r[2], lbId: r[3], listenerId: r[4] };
  if (r[0] === 'listener-rule' && r[1] === 'app' && r.length === 6) return { kind: 'rule', lbName: r[2], lbId: r[3], listenerId: r[4], ruleId: r[5] };
  if (r[0] === 'targetgroup' && r.length === 3) return { kind: 'targetgroup', tgName: r[1], tgId: r[2] };
  return undefined;
}

/** Load balancer and target group names: 1–32 alphanumerics and hyphens, not starting or ending with a hyphen. */
export const ELB_NAME = /^(?!-)[A-Za-z0-9-]{1,32}(?<!-)$/;

/** The target group ARNs an action routes to. */
export function actionTargetGroups(a: ActionSpec): string[] {
  if (a.Type !== 'forward') return [];
  if (a.ForwardConfig) return a.ForwardConfig.TargetGroups.map((t) => t.TargetGroupArn);
  return a.TargetGroupArn ? [a.TargetGroupArn] : [];
}

/** A name safe in HAProxy configs and CLI commands for a target: `i-0abc_8080`, `10_0_0_5_80`. */
export const serverName = (t: { id: string; port: number }) => `${t.id.replace(/[^A-Za-z0-9-]/g, '_')}_${t.port}`;
/** The HAProxy backend name for a target group (names are unique and HAProxy-safe already). */
export const backendName = (tgName: string) => `tg_${tgName}`;
