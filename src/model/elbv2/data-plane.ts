/**
 * What the load balancer data plane must look like (pure), and what it reports back.
 *
 * The lb controller turns ELBv2 records into a DataPlaneSpec with `buildDataPlaneSpec`; a data plane
 * adapter (src/lb: HAProxy) makes itself match it and reports one ServerObservation per server. The
 * controller turns observations into AWS target health with `targetHealthFrom`. Neither side knows the
 * other's internals: HAProxy words stay in src/lb, AWS words stay here.
 */
import {
  backendName, serverName, TG_ATTRIBUTE_DEFAULTS,
  type ActionSpec, type ConditionSpec, type HealthCheckSpec, type ListenerRecord, type LoadBalancerRecord, type RuleRecord,
  type TargetGroupRecord, type TargetHealthObservation, type TargetRecord,
} from './records.js';

export interface DpServer {
  name: string;
  address: string;
  port: number;
  /** Deregistered: finish what is in flight, take nothing new. */
  draining: boolean;
  /** The target record's key, for reporting health back. */
  targetKey: string;
}

export interface DpBackend {
  name: string;
  tgName: string;
  healthCheck: HealthCheckSpec;
  slowStartSeconds: number;
  stickiness?: { durationSeconds: number };
  servers: DpServer[];
}

/** A terminal action with its target groups resolved to backend names. */
export type DpAction =
  | { type: 'forward'; backends: { backend: string; weight: number }[] }
  | { type: 'fixed-response'; statusCode: number; contentType?: string; body?: string }
  | { type: 'redirect'; protocol: string; host: string; port: string; path: string; query: string; statusCode: 301 | 302 };

export interface DpRule {
  /** 0 for the default rule, which comes last. */
  priority: number;
  conditions: ConditionSpec[];
  action: DpAction;
}

export interface DpListener {
  name: string;
  bindAddress: string;
  port: number;
  /** In evaluation order: ascending priority, the default rule last. */
  rules: DpRule[];
}

export interface DataPlaneSpec {
  listeners: DpListener[];
  backends: DpBackend[];
}

/** What the data plane saw of one server at its last health check. */
export interface ServerObservation {
  backend: string;
  server: string;
  /** The data plane's current verdict: passing (routable) or not. */
  up: boolean;
  /** The last check's result; 'none' before the first check has completed. */
  lastCheck: 'none' | 'ok' | 'bad-status' | 'timeout' | 'connect' | 'other';
  /** The HTTP status of the last check, when it got one. */
  lastCode?: number;
  /** Failed checks since the server was added. */
  failedChecks: number;
  /** False when health checking is off for this server. */
  checked: boolean;
}

export interface ElbState {
  lbs: readonly LoadBalancerRecord[];
  listeners: readonly ListenerRecord[];
  rules: readonly RuleRecord[];
  tgs: readonly TargetGroupRecord[];
  /** Target records with their store keys. */
  targets: readonly { key: string; value: TargetRecord }[];
}

const terminal = (actions: readonly ActionSpec[]): ActionSpec | undefined =>
  [...actions].sort((a, b) => (a.Order ?? 0) - (b.Order ?? 0)).find((a) => a.Type === 'forward' || a.Type === 'redirect' || a.Type === 'fixed-response');

function toDpAction(a: ActionSpec | undefined, tgByArn: ReadonlyMap<string, TargetGroupRecord>): DpAction {
  if (!a) return { type: 'fixed-response', statusCode: 503 };
  switch (a.Type) {
    case 'forward': {
      const tuples = a.ForwardConfig?.TargetGroups ?? (a.TargetGroupArn ? [{ TargetGroupArn: a.TargetGroupArn, Weight: 1 }] : []);
      const backends = tuples
        .filter((t) => tgByArn.has(t.TargetGroupArn))
        .map((t) => ({ backend: backendName(tgByArn.get(t.TargetGroupArn)!.name), weight: tuples.length === 1 ? 1 : t.Weight }));
      return backends.length === 0 ? { type: 'fixed-response', statusCode: 503 } : { type: 'forward', backends };
    }
    case 'fixed-response': {
      const c = a.FixedResponseConfig!;
      return { type: 'fixed-response', statusCode: Number(c.StatusCode), contentType: c.ContentType, body: c.MessageBody };
    }
    case 'redirect': {
      const r = a.RedirectConfig!;
      return { type: 'redirect', protocol: r.Protocol, host: r.Host, port: r.Port, path: r.Path, query: r.Query, statusCode: r.StatusCode === 'HTTP_301' ? 301 : 302 };
    }
  }
}

/** The data plane's name for a listener (HAProxy: its frontend). */
export const listenerName = (l: Pick<ListenerRecord, 'lbName' | 'id'>): string => `l_${l.lbName}_${l.id}`;

/**
 * What the data plane has counted since it started (cumulative; a restart or reload of the data plane
 * may start them again from zero). `listener` rows count what clients sent (including responses the
 * load balancer made itself: fixed responses, redirects, 503 without targets); `backend` rows what went
 * to a target group's targets; `server` rows one target each.
 */
export interface TrafficCounters {
  kind: 'listener' | 'backend' | 'server';
  /** DpListener.name, DpBackend.name, or `<backend>/<server>`. */
  name: string;
  /** HTTP requests (listener: received; backend/server: sent to targets). */
  requests: number;
  /** Responses by class: [1xx, 2xx, 3xx, 4xx, 5xx]. */
  responses: [number, number, number, number, number];
  /** TCP connections accepted (listener) or opened to targets (backend/server). */
  connections: number;
  /** Bytes in + out. */
  bytes: number;
  /** Connections open now. */
  active: number;
  /** Recent average response time of targets in ms (backend/server; 0 when unknown). */
  responseTimeMs: number;
}

/** The data plane as the records describe it. Deterministic: same records, same spec, same order. */
export function buildDataPlaneSpec(state: ElbState): DataPlaneSpec {
  const tgByArn = new Map(state.tgs.map((t) => [t.arn, t]));
  const lbNames = new Set(state.lbs.map((l) => l.name));
  const listeners: DpListener[] = state.listeners
    .filter((l) => lbNames.has(l.lbName))
    .map((l) => {
      const rules = state.rules
        .filter((r) => r.lbName === l.lbName && r.listenerId === l.id)
        .sort((a, b) => a.priority - b.priority)
        .map((r): DpRule => ({ priority: r.priority, conditions: r.conditions, action: toDpAction(terminal(r.actions), tgByArn) }));
      rules.push({ priority: 0, conditions: [], action: toDpAction(terminal(l.defaultActions), tgByArn) });
      return { name: listenerName(l), bindAddress: l.bindAddress, port: l.port, rules };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
  const byTg = new Map<string, DpServer[]>();
  for (const { key, value: t } of state.targets) {
    const list = byTg.get(t.tgName) ?? [];
    list.push({ name: serverName(t), address: t.address, port: t.port, draining: t.drainUntil !== undefined, targetKey: key });
    byTg.set(t.tgName, list);
  }
  const backends: DpBackend[] = state.tgs
    .map((tg) => {
      const attr = (k: string) => tg.attributes[k] ?? TG_ATTRIBUTE_DEFAULTS[k];
      return {
        name: backendName(tg.name),
        tgName: tg.name,
        healthCheck: tg.healthCheck,
        slowStartSeconds: Number(attr('slow_start.duration_seconds')),
        stickiness: attr('stickiness.enabled') === 'true' ? { durationSeconds: Number(attr('stickiness.lb_cookie.duration_seconds')) } : undefined,
        servers: (byTg.get(tg.name) ?? []).sort((a, b) => a.name.localeCompare(b.name)),
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
  return { listeners, backends };
}

/** Target groups some listener of some load balancer routes to (AWS's "in use"). */
export function targetGroupsInUse(state: Pick<ElbState, 'listeners' | 'rules' | 'tgs'>): Set<string> {
  const used = new Set<string>();
  const add = (actions: readonly ActionSpec[]) => {
    for (const a of actions) {
      if (a.Type !== 'forward') continue;
      for (const t of a.ForwardConfig?.TargetGroups ?? []) used.add(t.TargetGroupArn);
      if (a.TargetGroupArn) used.add(a.TargetGroupArn);
    }
  };
  for (const l of state.listeners) add(l.defaultActions);
  for (const r of state.rules) add(r.actions);
  return used;
}

/**
 * AWS target health from the data plane's observation (pure).
 *   draining record                       → draining / Target.DeregistrationInProgress
 *   target group not routed to            → unused / Target.NotInUse
 *   not yet seen by the data plane        → initial / Elb.RegistrationInProgress
 *   health checks off                     → unavailable / Target.HealthCheckDisabled
 *   up                                    → healthy
 *   down, never healthy, < unhealthy threshold failures → initial / Elb.InitialHealthChecking
 *   down otherwise                        → unhealthy / Target.ResponseCodeMismatch | Target.Timeout | Target.FailedHealthChecks
 */
export function targetHealthFrom(
  target: TargetRecord, tg: TargetGroupRecord, inUse: boolean, obs: ServerObservation | undefined, now: number,
): TargetHealthObservation {
  const prev = target.health;
  const make = (state: TargetHealthObservation['state'], reason?: string, description?: string): TargetHealthObservation => ({
    state, reason, description, since: prev && prev.state === state && prev.reason === reason ? prev.since : now,
  });
  if (target.drainUntil !== undefined) return make('draining', 'Target.DeregistrationInProgress', 'Target deregistration is in progress');
  if (!inUse) return make('unused', 'Target.NotInUse', 'Target group is not configured to receive traffic from the load balancer');
  if (!obs) return make('initial', 'Elb.RegistrationInProgress', 'Target registration is in progress');
  if (!obs.checked) return make('unavailable', 'Target.HealthCheckDisabled', 'Health checks are disabled');
  if (obs.up) return make('healthy');
  const everHealthy = prev !== undefined && (prev.state === 'healthy' || prev.state === 'unhealthy');
  if (!everHealthy && (obs.lastCheck === 'none' || obs.failedChecks < tg.healthCheck.unhealthyThreshold || obs.lastCheck === 'ok')) {
    return make('initial', 'Elb.InitialHealthChecking', 'Initial health checking in progress');
  }
  switch (obs.lastCheck) {
    case 'bad-status':
      return make('unhealthy', 'Target.ResponseCodeMismatch', `Health checks failed with these codes: [${obs.lastCode ?? ''}]`);
    case 'timeout':
      return make('unhealthy', 'Target.Timeout', 'Request timed out');
    default:
      return make('unhealthy', 'Target.FailedHealthChecks', 'Health checks failed');
  }
}

/** The port the lb controller drives; src/lb/haproxy.ts is the adapter. */
export interface LbDataPlane {
  /** Makes the data plane match `spec` (idempotent; call again after a failure). */
  apply(spec: DataPlaneSpec): Promise<void>;
  /** One observation per server the data plane currently has. */
  observe(): Promise<ServerObservation[]>;
  /** Cumulative traffic counters per listener, backend and server (for AWS/ApplicationELB metrics). */
  traffic(): Promise<TrafficCounters[]>;
  close(): Promise<void>;
}
