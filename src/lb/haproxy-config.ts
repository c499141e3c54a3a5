/**
 * Renders a DataPlaneSpec as an HAProxy 2.6 configuration (pure: text in, text out).
 *
 * One frontend per listener, one backend per target group. ALB rules become ordered `http-request`
 * lines, because HAProxy evaluates every `http-request` line before any `use_backend`: a naive
 * rendering (fixed-response as `http-request return`, forward as `use_backend … if`) would let a
 * fixed-response rule at priority 50 win over a forward rule at priority 10. So every rule is an
 * `http-request` line guarded by "no earlier rule chose a backend" (`!be_set`): forward rules set
 * `txn.be`, fixed-response and redirect rules answer at once, and one `use_backend %[var(txn.be)]`
 * comes last. A listener whose only rule is a plain forward renders as `default_backend` (the fast path
 * the benchmark compares with a hand-written config).
 *
 * Servers (targets) are rendered too, so a reload keeps them, but they are otherwise managed at run time
 * through the runtime API (`serverArgs` is shared by both, so a target added at run time and one
 * rendered at reload have the same settings). `structuralConfig` leaves servers out: when it is
 * unchanged, target churn needs no reload.
 */
import type { ConditionSpec } from '../model/elbv2/records.js';
import type { DataPlaneSpec, DpAction, DpBackend, DpListener, DpRule, DpServer } from '../model/elbv2/data-plane.js';

export interface RenderOptions {
  /** Runtime API socket (level admin, `expose-fd listeners` for seamless reloads). */
  readonly statsSocket: string;
  readonly serverStateFile: string;
  readonly maxconn?: number;
  /** Threads; undefined lets HAProxy pick (one per CPU). */
  readonly nbthread?: number;
}

/**
 * How often a target that is not healthy is checked. AWS checks every HealthCheckIntervalSeconds in
 * every state, so a new target with the defaults (30 s × 5) waits 2.5 minutes for traffic (10 s at the
 * minimum, 5 s × 2). Wharf checks healthy targets on the interval and targets that are down or changing
 * state every 250 ms (HAProxy `downinter` for a target that is down, `fastinter` for one that has passed
 * or failed some but not enough checks). HAProxy runs a new target's first check one `downinter` after
 * it is added, so a new target gets traffic after
 *     TRANSITION_CHECK_MS + (HealthyThresholdCount − 1) × FAST_CHECK_MS  (+ one lb controller pass)
 * = 250 + 250 = 500 ms with HealthyThresholdCount 2 (bench/lb.ts measures it; the goal is p99 ≤ 1 s from
 * task RUNNING). A healthy target that starts failing is confirmed unhealthy
 * (UnhealthyThresholdCount − 1) × 250 ms after its first failed check instead of (count − 1) × interval;
 * each failure still has to be a real one (refused, bad status, or no answer within the timeout).
 * A target that stays down costs 4 checks a second. docs/lb.md says so.
 */
export const TRANSITION_CHECK_MS = 250;
/** Checks of a target that has passed (or, while healthy, failed) some but not enough checks (`fastinter`). */
export const FAST_CHECK_MS = 250;

/** Double-quotes a config word; HAProxy unescapes \\ \" \$ inside quotes and expands ${ENV} otherwise. */
export function q(s: string): string {
  return '"' + s.replace(/[\\"$]/g, (c) => '\\' + c) + '"';
}

/** Escapes literal text for a log-format string (`%` starts a sample expression). */
const lf = (s: string) => s.replace(/%/g, '%%');

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** ALB wildcard (`*` any run, `?` one character) to an anchored regex. */
export function wildcardRegex(pattern: string, anyChar = '.'): string {
  let out = '';
  for (const ch of pattern) out += ch === '*' ? `${anyChar}*` : ch === '?' ? anyChar : escapeRegex(ch);
  return out;
}

/** "200", "200,202", "200-299" → a regex over the status code. */
export function matcherRegex(matcher: string): string {
  const alts: string[] = [];
  for (const part of matcher.split(',').map((p) => p.trim()).filter(Boolean)) {
    const m = /^(\d{3})-(\d{3})$/.exec(part);
    if (!m) { alts.push(part); continue; }
    for (let c = Number(m[1]); c <= Number(m[2]); c++) alts.push(String(c));
  }
  return `^(${alts.join('|')})$`;
}

export function serverArgs(b: DpBackend, s: Pick<DpServer, 'address' | 'port'>): string {
  const hc = b.healthCheck;
  // HAProxy's defaults for idle server connections, spelled out: a server added at run time (`add
  // server`, how every target arrives) gets pool-purge-delay 0 instead of 5 s in HAProxy 2.6, so its
  // idle connections are closed at once and every request opens a new one — 3× the CPU per request
  // (bench/lb.ts: 0.41× a hand-written config whose servers are in the file).
  const parts = [`${s.address}:${s.port}`, 'pool-max-conn -1', 'pool-purge-delay 5s'];
  if (hc.enabled) {
    const inter = hc.intervalSeconds * 1000;
    parts.push('check', `inter ${hc.intervalSeconds}s`, `fastinter ${Math.min(inter, FAST_CHECK_MS)}`, `downinter ${Math.min(inter, TRANSITION_CHECK_MS)}`, `rise ${hc.healthyThreshold}`, `fall ${hc.unhealthyThreshold}`);
    if (hc.port !== 'traffic-port') parts.push(`port ${hc.port}`);
  }
  if (b.slowStartSeconds > 0) parts.push(`slowstart ${b.slowStartSeconds}s`);
  if (b.stickiness) parts.push(`cookie ${s.address.replace(/[^A-Za-z0-9]/g, '')}${s.port}`);
  return parts.join(' ');
}

function renderCondition(name: string, c: ConditionSpec): string[] {
  const lines: string[] = [];
  switch (c.Field) {
    case 'path-pattern':
      for (const v of c.PathPatternConfig?.Values ?? c.Values ?? []) lines.push(`acl ${name} path -m reg ${q('^' + wildcardRegex(v) + '$')}`);
      break;
    case 'host-header':
      for (const v of c.HostHeaderConfig?.Values ?? c.Values ?? []) lines.push(`acl ${name} req.hdr(host),field(1,:) -m reg -i ${q('^' + wildcardRegex(v) + '$')}`);
      break;
    case 'http-header': {
      const h = c.HttpHeaderConfig!;
      for (const v of h.Values) lines.push(`acl ${name} req.hdr(${h.HttpHeaderName}) -m reg -i ${q('^' + wildcardRegex(v) + '$')}`);
      break;
    }
    case 'query-string':
      for (const kv of c.QueryStringConfig?.Values ?? []) {
        if (kv.Key !== undefined && kv.Key !== '') {
          lines.push(`acl ${name} url_param(${q(kv.Key)}) -m reg -i ${q('^' + wildcardRegex(kv.Value, '[^&]') + '$')}`);
        } else {
          lines.push(`acl ${name} query -m reg -i ${q('(^|&)([^&=]*=)?' + wildcardRegex(kv.Value, '[^&]') + '(&|$)')}`);
        }
      }
      break;
    case 'http-request-method':
      for (const v of c.HttpRequestMethodConfig?.Values ?? c.Values ?? []) lines.push(`acl ${name} method ${v}`);
      break;
    case 'source-ip':
      for (const v of c.SourceIpConfig?.Values ?? c.Values ?? []) lines.push(`acl ${name} src ${v}`);
      break;
  }
  return lines;
}

function redirectLocation(a: Extract<DpAction, { type: 'redirect' }>, listenerPort: number, withQuery: boolean): string {
  const sub = (s: string) => lf(s)
    .replace(/#\{protocol\}/g, 'http')
    .replace(/#\{host\}/g, '%[req.hdr(host),field(1,:)]')
    .replace(/#\{port\}/g, String(listenerPort))
    .replace(/#\{path\}/g, '%[path,regsub(^/,)]')
    .replace(/#\{query\}/g, '%[query]');
  const proto = a.protocol === '#{protocol}' ? 'http' : a.protocol.toLowerCase();
  const port = a.port === '#{port}' ? String(listenerPort) : a.port;
  const defaultPort = (proto === 'http' && port === '80') || (proto === 'https' && port === '443');
  let loc = `${proto}://${sub(a.host)}${defaultPort ? '' : ':' + sub(port)}${sub(a.path)}`;
  if (withQuery) loc += '?' + sub(a.query);
  return loc;
}

function renderRule(i: number, r: DpRule, l: DpListener, lines: string[]): void {
  const acls: string[] = [];
  r.conditions.forEach((c, j) => {
    const name = `r${i}_c${j}`;
    const rendered = renderCondition(name, c);
    if (rendered.length === 0) return;
    lines.push(...rendered.map((x) => '  ' + x));
    acls.push(name);
  });
  const cond = ['!be_set', ...acls].join(' ');
  const a = r.action;
  switch (a.type) {
    case 'forward': {
      const live = a.backends.filter((b) => b.weight > 0);
      const chosen = live.length > 0 ? live : a.backends;
      if (chosen.length === 1) {
        lines.push(`  http-request set-var(txn.be) str(${chosen[0].backend}) if ${cond}`);
        break;
      }
      const weights = chosen.map((b) => (live.length > 0 ? b.weight : 1));
      const total = weights.reduce((x, y) => x + y, 0);
      lines.push(`  http-request set-var(txn.w) rand(${total}) if ${cond}`);
      let cum = 0;
      chosen.forEach((b, k) => {
        cum += weights[k];
        const last = k === chosen.length - 1;
        lines.push(`  http-request set-var(txn.be) str(${b.backend}) if ${cond}${last ? '' : ` { var(txn.w) -m int lt ${cum} }`}`);
      });
      break;
    }
    case 'fixed-response': {
      const body = a.body !== undefined && a.body !== '' ? ` content-type ${q(a.contentType ?? 'text/plain')} string ${q(a.body)}` : '';
      lines.push(`  http-request return status ${a.statusCode}${body} if ${cond}`);
      break;
    }
    case 'redirect': {
      if (a.query !== '') {
        lines.push(`  http-request redirect location ${q(redirectLocation(a, l.port, true))} code ${a.statusCode} if ${cond} { query -m len gt 0 }`);
      }
      lines.push(`  http-request redirect location ${q(redirectLocation(a, l.port, false))} code ${a.statusCode} if ${cond}`);
      break;
    }
  }
}

function renderListener(l: DpListener): string[] {
  const lines = [`frontend ${l.name}`, `  bind ${l.bindAddress}:${l.port}`,
    '  option forwardfor',
    '  http-request set-header X-Forwarded-Proto http',
    `  http-request set-header X-Forwarded-Port ${l.port}`];
  const only = l.rules.length === 1 ? l.rules[0] : undefined;
  if (only && only.action.type === 'forward' && only.action.backends.length === 1) {
    lines.push(`  default_backend ${only.action.backends[0].backend}`);
    return lines;
  }
  lines.push('  acl be_set var(txn.be) -m found');
  l.rules.forEach((r, i) => renderRule(i, r, l, lines));
  lines.push('  use_backend %[var(txn.be)] if be_set');
  return lines;
}

function renderBackend(b: DpBackend, withServers: boolean): string[] {
  const hc = b.healthCheck;
  const lines = [`backend ${b.name}`, '  balance roundrobin'];
  if (hc.enabled) {
    lines.push('  option httpchk',
      `  http-check send meth GET uri ${q(hc.path)} ver HTTP/1.1 hdr Host localhost hdr User-Agent ELB-HealthChecker/2.0`,
      /^\d{3}$/.test(hc.matcher) ? `  http-check expect status ${hc.matcher}` : `  http-check expect rstatus ${q(matcherRegex(hc.matcher))}`,
      `  timeout check ${hc.timeoutSeconds}s`);
  }
  if (b.stickiness) lines.push(`  cookie AWSALB insert indirect nocache maxlife ${b.stickiness.durationSeconds}s`);
  if (withServers) for (const s of b.servers) lines.push(`  server ${s.name} ${serverArgs(b, s)}`);
  return lines;
}

export function renderConfig(spec: DataPlaneSpec, o: RenderOptions, withServers = true): string {
  const lines = [
    '# Written by Wharf from the ELBv2 records in its store. Edits are overwritten.',
    'global',
    `  stats socket ${o.statsSocket} mode 600 level admin expose-fd listeners`,
    `  server-state-file ${o.serverStateFile}`,
    `  maxconn ${o.maxconn ?? 4000}`,
    ...(o.nbthread ? [`  nbthread ${o.nbthread}`] : []),
    // An old worker keeps serving its connections after a reload; AWS's longest deregistration delay.
    '  hard-stop-after 3600s',
    'defaults',
    '  mode http',
    '  option http-keep-alive',
    '  timeout connect 5s',
    '  timeout client 60s',
    '  timeout server 60s',
    '  timeout http-request 10s',
    '  timeout queue 30s',
    '  load-server-state-from-file global',
    // A request whose connection to a target fails (target just stopped) is retried on another one.
    // Only connection failures: layer-7 retries (`empty-response`, `response-timeout`) make HAProxy keep
    // a copy of every request (bench/lb.ts measured +7–11 % CPU per request) and would resend a POST a
    // target may already have acted on. Targets are drained before they stop, so none is needed for a
    // deployment (bench/lb.ts D: 0 failed requests); ALB does not retry either.
    '  option redispatch 1',
    '  retries 3',
    '  retry-on conn-failure',
    '  http-reuse safe',
    // On a reload, an idle keep-alive connection to the old worker is closed only after answering one
    // more request (with Connection: close), as before HAProxy 2.4: a client that does not retry a
    // request on a connection closed under it would otherwise see an error.
    '  option idle-close-on-response',
    '',
  ];
  for (const l of spec.listeners) lines.push(...renderListener(l), '');
  for (const b of spec.backends) lines.push(...renderBackend(b, withServers), '');
  return lines.join('\n');
}

/** The config without servers: equal when only targets changed (no reload needed). */
export const structuralConfig = (spec: DataPlaneSpec, o: RenderOptions) => renderConfig(spec, o, false);
