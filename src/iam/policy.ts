/**
 * The IAM policy language: parsing (with MalformedPolicyDocument reasons) and evaluation. Pure: no
 * clock, no I/O — the request context carries the time and every condition key's value.
 *
 * Evaluation, as AWS documents it for one account (no SCPs, permissions boundaries or session
 * policies — a single-account install has none):
 *
 *   every statement of every policy that applies ──► any matching Deny?  ── yes ─► ExplicitDeny
 *                                                     │ no
 *                                                     ▼
 *                                                   any matching Allow? ── yes ─► Allow
 *                                                     │ no
 *                                                     ▼
 *                                                   ImplicitDeny (the default)
 *
 * A statement matches when its Action (or NotAction) matches the action, its Resource (or NotResource)
 * matches the resource, and every condition holds. Statement order and policy order never matter.
 *
 * Matching rules:
 *   - actions are `service:Name` with `*`/`?` wildcards, compared case-insensitively;
 *   - resources are ARNs with `*`/`?` wildcards, compared case-sensitively, segment by segment for the
 *     first five colon-separated parts (a wildcard in the region cannot swallow the account) and as one
 *     string for the resource part (which may itself contain colons);
 *   - policy variables `${aws:username}`, `${aws:PrincipalTag/k}`, … are replaced from the context in
 *     Resource and condition values; `${*}`, `${?}`, `${$}` stand for the literal characters;
 *   - conditions: operators AND-ed, keys within an operator AND-ed, values for one key OR-ed
 *     (for negated operators: the key matches none of them). A missing key makes a condition false,
 *     except for negated operators (true), `…IfExists` (true) and `Null`.
 *     `ForAllValues:` holds when every request value matches some policy value (also for no values);
 *     `ForAnyValue:` when at least one does.
 */

export type Effect = 'Allow' | 'Deny';

export interface Statement {
  readonly sid?: string;
  readonly effect: Effect;
  /** Exactly one of action / notAction. */
  readonly action?: readonly string[];
  readonly notAction?: readonly string[];
  /** Identity policies carry one of resource / notResource; trust policies carry principal instead. */
  readonly resource?: readonly string[];
  readonly notResource?: readonly string[];
  readonly principal?: PrincipalSpec;
  readonly notPrincipal?: PrincipalSpec;
  readonly condition?: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>;
}

/** `"*"` or `{AWS: […], Service: […], Federated: […]}`. */
export type PrincipalSpec = '*' | Readonly<Record<string, readonly string[]>>;

export interface Policy {
  readonly version: string;
  readonly statements: readonly Statement[];
}

export type ContextValue = string | readonly string[] | undefined;

export interface AuthzRequest {
  readonly action: string;
  readonly resource: string;
  /** Condition keys, lower-cased (`aws:sourceip`, `ecs:cluster`, `aws:resourcetag/env`). */
  readonly context: Readonly<Record<string, ContextValue>>;
}

export type Decision = 'Allow' | 'ExplicitDeny' | 'ImplicitDeny';

/** IAM's sentence for a denied request (AccessDenied messages, ECR's DENIED, ECS's initialization errors). */
export function notAuthorizedMessage(principalArn: string, action: string, resource: string, decision: Exclude<Decision, 'Allow'>): string {
  const why = decision === 'ExplicitDeny' ? 'with an explicit deny in an identity-based policy' : `because no identity-based policy allows the ${action} action`;
  return `User: ${principalArn} is not authorized to perform: ${action} on resource: ${resource} ${why}`;
}

export class MalformedPolicyError extends Error {}

const VERSIONS = new Set(['2012-10-17', '2008-10-17']);

function stringList(v: unknown, what: string): string[] {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string')) return v as string[];
  throw new MalformedPolicyError(`${what} must be a string or a non-empty array of strings`);
}

function conditionValues(v: unknown): string[] {
  const one = (x: unknown): string => {
    if (typeof x === 'string') return x;
    if (typeof x === 'boolean' || typeof x === 'number') return String(x);
    throw new MalformedPolicyError('Condition values must be strings, numbers or booleans');
  };
  return Array.isArray(v) ? v.map(one) : [one(v)];
}

const KNOWN_OPERATORS = new Set([
  'stringequals', 'stringnotequals', 'stringequalsignorecase', 'stringnotequalsignorecase', 'stringlike', 'stringnotlike',
  'numericequals', 'numericnotequals', 'numericlessthan', 'numericlessthanequals', 'numericgreaterthan', 'numericgreaterthanequals',
  'dateequals', 'datenotequals', 'datelessthan', 'datelessthanequals', 'dategreaterthan', 'dategreaterthanequals',
  'bool', 'binaryequals', 'ipaddress', 'notipaddress', 'arnequals', 'arnlike', 'arnnotequals', 'arnnotlike', 'null',
]);

function splitOperator(op: string): { set?: 'all' | 'any'; base: string; ifExists: boolean } {
  let rest = op;
  let set: 'all' | 'any' | undefined;
  const lower = rest.toLowerCase();
  if (lower.startsWith('forallvalues:')) { set = 'all'; rest = rest.slice('forallvalues:'.length); } else if (lower.startsWith('foranyvalue:')) { set = 'any'; rest = rest.slice('foranyvalue:'.length); }
  let base = rest.toLowerCase();
  const ifExists = base.endsWith('ifexists') && base !== 'null';
  if (ifExists) base = base.slice(0, -'ifexists'.length);
  return { set, base, ifExists };
}

function parseStatement(s: unknown, i: number, kind: 'identity' | 'trust' | 'resource'): Statement {
  if (typeof s !== 'object' || s === null || Array.isArray(s)) throw new MalformedPolicyError(`Statement ${i + 1} must be an object`);
  const o = s as Record<string, unknown>;
  const known = new Set(['Sid', 'Effect', 'Action', 'NotAction', 'Resource', 'NotResource', 'Principal', 'NotPrincipal', 'Condition']);
  for (const k of Object.keys(o)) if (!known.has(k)) throw new MalformedPolicyError(`Policy statement has an unknown field: ${k}`);
  if (o.Effect !== 'Allow' && o.Effect !== 'Deny') throw new MalformedPolicyError('Invalid effect: ' + String(o.Effect));
  if ((o.Action === undefined) === (o.NotAction === undefined)) throw new MalformedPolicyError('Policy statement must contain actions.');
  const action = o.Action === undefined ? undefined : stringList(o.Action, 'Action');
  const notAction = o.NotAction === undefined ? undefined : stringList(o.NotAction, 'NotAction');
  for (const a of [...(action ?? []), ...(notAction ?? [])]) {
    if (a !== '*' && !/^[A-Za-z0-9-]+:[A-Za-z0-9*?]*$/.test(a)) throw new MalformedPolicyError(`Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.`);
  }
  let resource: string[] | undefined;
  let notResource: string[] | undefined;
  if (o.Resource !== undefined && o.NotResource !== undefined) throw new MalformedPolicyError('Policy statement must contain only one of Resource and NotResource.');
  if (o.Resource !== undefined) resource = stringList(o.Resource, 'Resource');
  if (o.NotResource !== undefined) notResource = stringList(o.NotResource, 'NotResource');
  for (const r of [...(resource ?? []), ...(notResource ?? [])]) {
    if (r !== '*' && !r.startsWith('arn:')) throw new MalformedPolicyError(`Resource ${r} must be in ARN format or "*".`);
  }
  if (kind === 'identity' && !resource && !notResource) throw new MalformedPolicyError('Policy statement must contain resources.');
  if (kind === 'identity' && (o.Principal !== undefined || o.NotPrincipal !== undefined)) throw new MalformedPolicyError('Policy document should not specify a principal.');
  let principal: PrincipalSpec | undefined;
  let notPrincipal: PrincipalSpec | undefined;
  const readPrincipal = (v: unknown): PrincipalSpec => {
    if (v === '*') return '*';
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new MalformedPolicyError('Invalid principal in policy');
    const out: Record<string, string[]> = {};
    for (const [k, val] of Object.entries(v)) {
      if (!['AWS', 'Service', 'Federated', 'CanonicalUser'].includes(k)) throw new MalformedPolicyError(`Invalid principal in policy: "${k}"`);
      out[k] = stringList(val, 'Principal');
    }
    return out;
  };
  if (o.Principal !== undefined) principal = readPrincipal(o.Principal);
  if (o.NotPrincipal !== undefined) notPrincipal = readPrincipal(o.NotPrincipal);
  if (kind === 'trust' && !principal && !notPrincipal) throw new MalformedPolicyError('Has prohibited field Resource or is missing Principal');
  let condition: Record<string, Record<string, string[]>> | undefined;
  if (o.Condition !== undefined) {
    if (typeof o.Condition !== 'object' || o.Condition === null || Array.isArray(o.Condition)) throw new MalformedPolicyError('Condition must be an object');
    condition = {};
    for (const [op, block] of Object.entries(o.Condition as Record<string, unknown>)) {
      const { base } = splitOperator(op);
      if (!KNOWN_OPERATORS.has(base)) throw new MalformedPolicyError(`Invalid Condition type : ${op}`);
      if (typeof block !== 'object' || block === null || Array.isArray(block)) throw new MalformedPolicyError(`Condition ${op} must map keys to values`);
      const keys: Record<string, string[]> = {};
      for (const [k, v] of Object.entries(block as Record<string, unknown>)) keys[k] = conditionValues(v);
      condition[op] = keys;
    }
  }
  return {
    ...(typeof o.Sid === 'string' ? { sid: o.Sid } : {}), effect: o.Effect,
    ...(action ? { action } : {}), ...(notAction ? { notAction } : {}),
    ...(resource ? { resource } : {}), ...(notResource ? { notResource } : {}),
    ...(principal ? { principal } : {}), ...(notPrincipal ? { notPrincipal } : {}),
    ...(condition ? { condition } : {}),
  };
}

/**
 * Parses a policy document. `kind` 'identity' (the default) requires Resource and forbids Principal;
 * 'trust' (a role's AssumeRolePolicyDocument) requires Principal. Throws MalformedPolicyError with
 * IAM's reason.
 */
export function parsePolicy(text: string, kind: 'identity' | 'trust' | 'resource' = 'identity'): Policy {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new MalformedPolicyError('Syntax errors in policy.');
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new MalformedPolicyError('Syntax errors in policy.');
  const o = doc as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!['Version', 'Id', 'Statement'].includes(k)) throw new MalformedPolicyError(`Policy document has an unknown field: ${k}`);
  const version = o.Version === undefined ? '2008-10-17' : o.Version;
  if (typeof version !== 'string' || !VERSIONS.has(version)) throw new MalformedPolicyError('The policy must contain a valid version string');
  if (o.Statement === undefined) throw new MalformedPolicyError('Missing required field Statement');
  const raw = Array.isArray(o.Statement) ? o.Statement : [o.Statement];
  if (raw.length === 0) throw new MalformedPolicyError('Missing required field Statement');
  return { version, statements: raw.map((s, i) => parseStatement(s, i, kind)) };
}

// ---- matching ---------------------------------------------------------------------------------

const globCache = new Map<string, RegExp>();

/** `*` any run of characters, `?` one character; everything else literal. */
export function globToRegExp(pattern: string, ignoreCase: boolean): RegExp {
  const key = (ignoreCase ? 'i' : 's') + pattern;
  let re = globCache.get(key);
  if (!re) {
    let src = '^';
    for (const ch of pattern) {
      if (ch === '*') src += '[\\s\\S]*';
      else if (ch === '?') src += '[\\s\\S]';
      else src += ch.replace(/[.+^${}()|[\]\\/-]/g, '\\$&');
    }
    re = new RegExp(src + '$', ignoreCase ? 'i' : '');
    if (globCache.size > 10_000) globCache.clear();
    globCache.set(key, re);
  }
  return re;
}

export function globMatch(pattern: string, value: string, ignoreCase = false): boolean {
  if (pattern === '*') return true;
  if (!pattern.includes('*') && !pattern.includes('?')) return ignoreCase ? pattern.toLowerCase() === value.toLowerCase() : pattern === value;
  return globToRegExp(pattern, ignoreCase).test(value);
}

export function actionMatches(pattern: string, action: string): boolean {
  return globMatch(pattern, action, true);
}

/** ARN matching: the first five segments one by one, the resource part (with its colons) as a whole. */
export function arnMatches(pattern: string, arn: string): boolean {
  if (pattern === '*') return true;
  const p = splitArn(pattern);
  const a = splitArn(arn);
  // An ARN pattern with too few segments matches no ARN (its wildcards cannot stand for missing segments).
  if (!p || !a) return !pattern.startsWith('arn:') && !arn.startsWith('arn:') && globMatch(pattern, arn);
  for (let i = 0; i < 6; i++) if (!globMatch(p[i], a[i])) return false;
  return true;
}

function splitArn(s: string): string[] | undefined {
  const parts = s.split(':');
  if (parts.length < 6) return undefined;
  return [...parts.slice(0, 5), parts.slice(5).join(':')];
}

/** Replaces `${key}` policy variables from the context; a variable with no value makes the element match nothing. */
function substitute(text: string, ctx: AuthzRequest['context']): string | undefined {
  if (!text.includes('${')) return text;
  let missing = false;
  const out = text.replace(/\$\{([^}]+)\}/g, (_m, name: string) => {
    if (name === '*') return '\u0000STAR\u0000';
    if (name === '?') return '\u0000QM\u0000';
    if (name === '$') return '$';
    const v = ctx[name.toLowerCase()];
    if (typeof v === 'string') return v;
    missing = true;
    return '';
  });
  return missing ? undefined : out;
}

/** Matches with substituted variables; the literal-escape markers become characters that cannot be wildcards. */
function patternMatches(pattern: string, value: string, ctx: AuthzRequest['context'], match: (p: string, v: string) => boolean): boolean {
  const p = substitute(pattern, ctx);
  if (p === undefined) return false;
  if (!p.includes('\u0000')) return match(p, value);
  // Escaped wildcards: split on the markers and compare those positions literally.
  const literal = p.replace(/\u0000STAR\u0000/g, '\u0001').replace(/\u0000QM\u0000/g, '\u0002');
  const re = globToRegExp(literal, false).source.replace(/\u0001/g, '\\*').replace(/\u0002/g, '\\?');
  return new RegExp(re).test(value);
}

// ---- conditions -------------------------------------------------------------------------------

function parseDate(s: string): number | undefined {
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s) * 1000;
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : t;
}

function parseIp(s: string): { v: 4 | 6; n: bigint } | undefined {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(s)) {
    const parts = s.split('.').map(Number);
    if (parts.some((x) => x > 255)) return undefined;
    return { v: 4, n: parts.reduce((acc, x) => (acc << 8n) | BigInt(x), 0n) };
  }
  if (!s.includes(':') || !/^[0-9a-fA-F:.]+$/.test(s)) return undefined;
  // IPv4-mapped tail.
  let text = s;
  const tail4 = /(\d{1,3}(\.\d{1,3}){3})$/.exec(s);
  if (tail4) {
    const v4 = parseIp(tail4[1]);
    if (!v4) return undefined;
    text = s.slice(0, -tail4[1].length) + ((v4.n >> 16n) & 0xffffn).toString(16) + ':' + (v4.n & 0xffffn).toString(16);
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const fill = 8 - head.length - tail.length;
  if (halves.length === 1 ? head.length !== 8 : fill < 1) return undefined;
  const groups = [...head, ...Array<string>(halves.length === 2 ? fill : 0).fill('0'), ...tail];
  if (groups.some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
  return { v: 6, n: groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n) };
}

export function ipInCidr(ip: string, cidr: string): boolean {
  const [net, bitsText] = cidr.split('/');
  const a = parseIp(ip);
  const n = parseIp(net);
  if (!a || !n || a.v !== n.v) return false;
  const width = a.v === 4 ? 32 : 128;
  const bits = bitsText === undefined ? width : Number(bitsText);
  if (!Number.isInteger(bits) || bits < 0 || bits > width) return false;
  const shift = BigInt(width - bits);
  return (a.n >> shift) === (n.n >> shift);
}

/** One value against one policy value, for the positive form of the operator. */
function valueMatches(base: string, policyValue: string, value: string, ctx: AuthzRequest['context']): boolean {
  switch (base) {
    case 'stringequals': case 'stringnotequals': {
      const p = substitute(policyValue, ctx);
      return p !== undefined && p === value;
    }
    case 'stringequalsignorecase': case 'stringnotequalsignorecase': {
      const p = substitute(policyValue, ctx);
      return p !== undefined && p.toLowerCase() === value.toLowerCase();
    }
    case 'stringlike': case 'stringnotlike':
      return patternMatches(policyValue, value, ctx, (p, v) => globMatch(p, v));
    case 'arnequals': case 'arnlike': case 'arnnotequals': case 'arnnotlike':
      return patternMatches(policyValue, value, ctx, arnMatches);
    case 'numericequals': case 'numericnotequals': case 'numericlessthan': case 'numericlessthanequals': case 'numericgreaterthan': case 'numericgreaterthanequals': {
      const a = Number(value);
      const b = Number(policyValue);
      if (Number.isNaN(a) || Number.isNaN(b)) return false;
      return compare(base.slice('numeric'.length), a, b);
    }
    case 'dateequals': case 'datenotequals': case 'datelessthan': case 'datelessthanequals': case 'dategreaterthan': case 'dategreaterthanequals': {
      const a = parseDate(value);
      const b = parseDate(policyValue);
      if (a === undefined || b === undefined) return false;
      return compare(base.slice('date'.length), a, b);
    }
    case 'bool':
      return policyValue.toLowerCase() === value.toLowerCase();
    case 'binaryequals':
      return policyValue === value;
    case 'ipaddress': case 'notipaddress':
      return ipInCidr(value, policyValue);
    default:
      return false;
  }
}

function compare(op: string, a: number, b: number): boolean {
  switch (op) {
    case 'equals': case 'notequals': return a === b;
    case 'lessthan': return a < b;
    case 'lessthanequals': return a <= b;
    case 'greaterthan': return a > b;
    case 'greaterthanequals': return a >= b;
    default: return false;
  }
}

const NEGATED = new Set(['stringnotequals', 'stringnotequalsignorecase', 'stringnotlike', 'numericnotequals', 'datenotequals', 'notipaddress', 'arnnotequals', 'arnnotlike']);

function conditionHolds(operator: string, key: string, policyValues: readonly string[], ctx: AuthzRequest['context']): boolean {
  const { set, base, ifExists } = splitOperator(operator);
  const raw = ctx[key.toLowerCase()];
  const values = raw === undefined ? [] : typeof raw === 'string' ? [raw] : raw;
  if (base === 'null') {
    const wantMissing = policyValues.some((v) => v.toLowerCase() === 'true');
    const wantPresent = policyValues.some((v) => v.toLowerCase() === 'false');
    return (values.length === 0 && wantMissing) || (values.length > 0 && wantPresent);
  }
  const negated = NEGATED.has(base);
  const positive = (v: string) => policyValues.some((p) => valueMatches(base, p, v, ctx));
  // The operator's verdict for one request value.
  const one = (v: string) => (negated ? !positive(v) : positive(v));
  if (set === 'all') return values.every(one);
  if (set === 'any') return values.some(one);
  if (values.length === 0) return ifExists || negated;
  // A single-valued operator on a multi-valued key: positive forms need one match, negated ones none.
  return negated ? values.every(one) : values.some(one);
}

function statementConditions(s: Statement, ctx: AuthzRequest['context']): boolean {
  if (!s.condition) return true;
  for (const [op, keys] of Object.entries(s.condition)) {
    for (const [key, vals] of Object.entries(keys)) if (!conditionHolds(op, key, vals, ctx)) return false;
  }
  return true;
}

export function statementMatches(s: Statement, req: AuthzRequest): boolean {
  if (s.action ? !s.action.some((a) => actionMatches(a, req.action)) : s.notAction!.some((a) => actionMatches(a, req.action))) return false;
  if (s.resource) {
    if (!s.resource.some((r) => patternMatches(r, req.resource, req.context, arnMatches))) return false;
  } else if (s.notResource) {
    if (s.notResource.some((r) => patternMatches(r, req.resource, req.context, arnMatches))) return false;
  }
  return statementConditions(s, req.context);
}

export interface Evaluation {
  readonly decision: Decision;
  /** The first Deny statement that matched, for the message (which policy denied). */
  readonly deniedBy?: { readonly policy: number; readonly statement: Statement };
}

/** Explicit deny beats allow beats the implicit deny. Order of policies and statements does not matter. */
export function evaluate(policies: readonly Policy[], req: AuthzRequest): Evaluation {
  let allowed = false;
  for (let i = 0; i < policies.length; i++) {
    for (const s of policies[i].statements) {
      if (s.effect === 'Allow' && allowed) continue;
      if (!statementMatches(s, req)) continue;
      if (s.effect === 'Deny') return { decision: 'ExplicitDeny', deniedBy: { policy: i, statement: s } };
      allowed = true;
    }
  }
  return { decision: allowed ? 'Allow' : 'ImplicitDeny' };
}

/** What a trust policy principal element names, for matching a caller. */
export interface CallerIdentity {
  /** The caller's ARN (user ARN, or assumed-role ARN). */
  readonly arn: string;
  readonly accountId: string;
  /** The role ARN behind an assumed-role session. */
  readonly roleArn?: string;
  /** For a service principal (ecs-tasks.amazonaws.com). */
  readonly service?: string;
}

/** Whether a trust policy statement's Principal names the caller. `via` says how: directly, or through the account. */
export function principalMatches(spec: PrincipalSpec, caller: CallerIdentity): 'direct' | 'account' | undefined {
  if (spec === '*') return 'account';
  if (caller.service) return spec.Service?.some((s) => s === caller.service) ? 'direct' : undefined;
  let how: 'direct' | 'account' | undefined;
  for (const p of spec.AWS ?? []) {
    if (p === '*') how ??= 'account';
    else if (p === caller.accountId || p === `arn:aws:iam::${caller.accountId}:root`) how ??= 'account';
    else if (p === caller.arn || (caller.roleArn !== undefined && p === caller.roleArn)) how = 'direct';
  }
  return how;
}

/**
 * Evaluates a trust policy for sts:AssumeRole (or sts:TagSession…): 'direct' when a statement names the
 * caller itself (enough on its own within one account), 'account' when it trusts the caller's account
 * (the caller's identity policy must then allow the action too), undefined when nothing allows it or a
 * Deny matches.
 */
export function evaluateTrust(policy: Policy, action: string, caller: CallerIdentity, ctx: AuthzRequest['context']): 'direct' | 'account' | undefined {
  let result: 'direct' | 'account' | undefined;
  for (const s of policy.statements) {
    if (s.action ? !s.action.some((a) => actionMatches(a, action)) : s.notAction!.some((a) => actionMatches(a, action))) continue;
    const how = s.principal ? principalMatches(s.principal, caller) : s.notPrincipal && !principalMatches(s.notPrincipal, caller) ? 'account' : undefined;
    if (!how || !statementConditions(s, ctx)) continue;
    if (s.effect === 'Deny') return undefined;
    if (how === 'direct' || !result) result = how;
  }
  return result;
}
