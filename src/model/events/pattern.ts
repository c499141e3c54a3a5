/**
 * EventBridge event patterns (pure: no I/O). `compilePattern` checks a pattern the way EventBridge does
 * (AWS's reasons, from its Event Ruler compiler) and returns a matcher; `matches` runs it on an event.
 *
 * The language (docs/events.md has the examples):
 *
 *   { "field": [ v1, v2, … ] }              the field equals one of the values (strings, numbers, true,
 *                                            false, null; numbers compare by value: 300 = 3.0e2)
 *   { "a": { "b": [ … ] } }                  nested fields
 *   [ { "prefix": "x" } ]  [ { "suffix": "x" } ]   (each also with { "equals-ignore-case": "x" } inside)
 *   [ { "equals-ignore-case": "x" } ]  [ { "wildcard": "a*b" } ]  [ { "exactly": "x" } ]
 *   [ { "anything-but": v | [v…] | { "prefix" | "suffix" | "equals-ignore-case" | "wildcard": s | [s…] } } ]
 *   [ { "numeric": [ ">", 0, "<=", 5 ] } ]   [ { "numeric": [ "=", 3.018e2 ] } ]
 *   [ { "exists": true | false } ]            presence of a leaf (an object is not a leaf)
 *   [ { "cidr": "10.0.0.0/24" } ]             IPv4 or IPv6 addresses in a range
 *   { "$or": [ { … }, { … } ] }              any of two or more sub-patterns, at any level
 *
 * All fields of a pattern must match (and), any value in a field's list may match (or). Arrays in the
 * event: a leaf matches when any element matches; objects inside arrays are matched element by element,
 * so two fields of one sub-pattern must hold in the same element ("array-consistent" matching, as
 * Event Ruler's rulesForJSONEvent does): { "employees": { "first": ["Anna"], "last": ["Jones"] } } does
 * not match Anna Smith next to Peter Jones.
 *
 * Naive approach: flatten the event to dotted paths and look each up. That loses which array element a
 * value came from (the Anna/Jones case above matches wrongly), so matching walks the pattern and the
 * event together instead.
 */

/** A pattern EventBridge refuses; `message` is the reason AWS gives after "Event pattern is not valid. Reason: ". */
export class PatternError extends Error {}

type Scalar = string | number | boolean | null;

type Matcher =
  | { kind: 'exact'; value: Scalar }
  | { kind: 'prefix' | 'suffix'; value: string; ignoreCase: boolean }
  | { kind: 'equals-ignore-case'; value: string }
  | { kind: 'wildcard'; re: RegExp }
  | { kind: 'anything-but'; values: Scalar[] }
  | { kind: 'anything-but-set'; test: (s: string) => boolean }
  | { kind: 'numeric'; lo?: { v: number; open: boolean }; hi?: { v: number; open: boolean } }
  | { kind: 'exists'; value: boolean }
  | { kind: 'cidr'; family: 4 | 6; lo: bigint; hi: bigint };

/** One object level of a pattern: its fields (leaves or nested objects) and its `$or` groups. */
interface PatternNode {
  readonly fields: ReadonlyMap<string, PatternNode | readonly Matcher[]>;
  /** Each group matches when any of its branches does; every group must match. */
  readonly ors: readonly (readonly PatternNode[])[];
}

export interface CompiledPattern {
  readonly root: PatternNode;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Parses and checks a pattern; throws PatternError with AWS's reason. */
export function compilePattern(text: string): CompiledPattern {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new PatternError((e as Error).message);
  }
  if (!isObject(parsed)) throw new PatternError('Filter is not an object');
  return { root: compileNode(parsed) };
}

function compileNode(obj: Record<string, unknown>): PatternNode {
  const keys = Object.keys(obj);
  if (keys.length === 0) throw new PatternError('Empty objects are not allowed');
  const fields = new Map<string, PatternNode | Matcher[]>();
  const ors: PatternNode[][] = [];
  for (const k of keys) {
    const v = obj[k];
    if (k === '$or' && Array.isArray(v)) {
      if (!v.every(isObject)) throw new PatternError('Only JSON object is allowed in array of $or relationship.');
      if (v.length < 2) throw new PatternError('There must have at least 2 Objects in $or relationship.');
      ors.push(v.map((b) => compileNode(b)));
    } else if (Array.isArray(v)) {
      fields.set(k, compileValues(v));
    } else if (isObject(v)) {
      fields.set(k, compileNode(v));
    } else {
      throw new PatternError(`"${k}" must be an object or an array`);
    }
  }
  return { fields, ors };
}

function compileValues(list: unknown[]): Matcher[] {
  if (list.length === 0) throw new PatternError('Empty arrays are not allowed');
  return list.map((v) => {
    if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return { kind: 'exact', value: v };
    if (isObject(v)) return compileExpression(v);
    throw new PatternError('Match value must be String, number, true, false, or null');
  });
}

function single(expr: Record<string, unknown>): [string, unknown] {
  const entries = Object.entries(expr);
  if (entries.length === 0) throw new PatternError('Match expression name not found');
  if (entries.length > 1) throw new PatternError('Only one key allowed in match expression');
  return entries[0];
}

function str(v: unknown, what: string): string {
  if (typeof v !== 'string') throw new PatternError(`${what} match pattern must be a string`);
  return v;
}

function compileExpression(expr: Record<string, unknown>): Matcher {
  const [op, v] = single(expr);
  switch (op) {
    case 'exactly': return { kind: 'exact', value: str(v, 'exact') };
    case 'prefix':
    case 'suffix': {
      if (isObject(v)) {
        const [inner, s] = single(v);
        if (inner !== 'equals-ignore-case') throw new PatternError(`Unsupported ${op} pattern: ${inner}`);
        return { kind: op, value: str(s, 'equals-ignore-case'), ignoreCase: true };
      }
      return { kind: op, value: str(v, op), ignoreCase: false };
    }
    case 'equals-ignore-case': return { kind: 'equals-ignore-case', value: str(v, 'equals-ignore-case') };
    case 'wildcard': return { kind: 'wildcard', re: wildcardRegExp(str(v, 'wildcard')) };
    case 'numeric': return compileNumeric(v);
    case 'exists':
      if (typeof v !== 'boolean') throw new PatternError('exists match pattern must be either true or false.');
      return { kind: 'exists', value: v };
    case 'cidr': return compileCidr(str(v, 'prefix'));
    case 'anything-but': return compileAnythingBut(v);
    default: throw new PatternError(`Unrecognized match type ${op}`);
  }
}

function compileAnythingBut(v: unknown): Matcher {
  if (isObject(v)) {
    const [op, arg] = single(v);
    if (!['prefix', 'suffix', 'equals-ignore-case', 'wildcard'].includes(op)) throw new PatternError(`Unsupported anything-but pattern: ${op}`);
    const list = Array.isArray(arg) ? arg : [arg];
    if (Array.isArray(arg) && arg.length === 0) throw new PatternError('Empty arrays are not allowed');
    for (const s of list) {
      if (s === null && (op === 'prefix' || op === 'suffix')) throw new PatternError('Null prefix/suffix not allowed');
      if (typeof s !== 'string') {
        if (op === 'equals-ignore-case') throw new PatternError('Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.');
        throw new PatternError(op === 'wildcard' ? 'wildcard match pattern must be a string' : 'prefix/suffix match pattern must be a string');
      }
    }
    const ss = list as string[];
    const test: (s: string) => boolean = op === 'prefix' ? (s) => ss.some((p) => s.startsWith(p))
      : op === 'suffix' ? (s) => ss.some((p) => s.endsWith(p))
        : op === 'equals-ignore-case' ? (s) => ss.some((p) => p.toLowerCase() === s.toLowerCase())
          : ((res) => (s: string) => res.some((re) => re.test(s)))(ss.map(wildcardRegExp));
    return { kind: 'anything-but-set', test };
  }
  if (Array.isArray(v)) {
    if (v.length === 0) throw new PatternError('Empty arrays are not allowed');
    if (!v.every((x) => typeof x === 'string' || typeof x === 'number')) throw new PatternError('Inside anything but list, start|null|boolean is not supported.');
    if (!(v.every((x) => typeof x === 'string') || v.every((x) => typeof x === 'number'))) {
      throw new PatternError('Inside anything but list, either all values are number or string, mixed type is not supported');
    }
    return { kind: 'anything-but', values: v as Scalar[] };
  }
  if (typeof v === 'string' || typeof v === 'number') return { kind: 'anything-but', values: [v] };
  throw new PatternError('Value of anything-but must be an array or single string/number value.');
}

function compileNumeric(v: unknown): Matcher {
  if (!Array.isArray(v)) throw new PatternError('Value of numeric must be an array.');
  const [op, a, op2, b, ...rest] = v as unknown[];
  if (typeof op !== 'string') throw new PatternError(`Invalid member in numeric match: ${JSON.stringify(op ?? null)}`);
  const num = (x: unknown, o: string): number => {
    if (typeof x !== 'number') throw new PatternError(o === '=' ? 'Value of equals must be numeric' : `Value of ${o} must be numeric`);
    return x;
  };
  switch (op) {
    case '=': {
      const n = num(a, '=');
      if (v.length > 2) throw new PatternError('Too many elements in numeric expression');
      return { kind: 'numeric', lo: { v: n, open: false }, hi: { v: n, open: false } };
    }
    case '<':
    case '<=': {
      const n = num(a, op);
      if (v.length > 2) throw new PatternError('Too many elements in numeric expression');
      return { kind: 'numeric', hi: { v: n, open: op === '<' } };
    }
    case '>':
    case '>=': {
      const lo = { v: num(a, op), open: op === '>' };
      if (v.length === 2) return { kind: 'numeric', lo };
      if (typeof op2 !== 'string') throw new PatternError(`Bad value in numeric range: ${JSON.stringify(op2)}`);
      if (op2 !== '<' && op2 !== '<=') throw new PatternError(`Bad numeric range operator: ${op2}`);
      const hi = { v: num(b, op2), open: op2 === '<' };
      if (rest.length > 0) throw new PatternError('Too many terms in numeric range expression');
      if (hi.v < lo.v || (hi.v === lo.v && (hi.open || lo.open))) throw new PatternError(`Bad range: bottom ${lo.v} must be less than top ${hi.v}`);
      return { kind: 'numeric', lo, hi };
    }
    default: throw new PatternError(`Unrecognized numeric range operator: ${op}`);
  }
}

/** `*` matches any run of characters; `\*` and `\\` are a literal `*` and `\`. */
function wildcardRegExp(s: string): RegExp {
  let re = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '*') {
      // Positions count from the opening quote, as Event Ruler reports them.
      if (s[i + 1] === '*') throw new PatternError(`Consecutive wildcard characters at pos ${i + 1}`);
      re += '[\\s\\S]*';
    } else if (c === '\\') {
      const n = s[i + 1];
      if (n !== '*' && n !== '\\') throw new PatternError(`Invalid escape character at pos ${i + 1}`);
      re += '\\' + n;
      i++;
    } else {
      re += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    }
  }
  return new RegExp(`^${re}$`);
}

// ---- IP addresses ------------------------------------------------------------------------------

function parseIpv4(s: string): bigint | undefined {
  const parts = s.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return undefined;
  return parts.reduce((acc, p) => (acc << 8n) | BigInt(Number(p)), 0n);
}

function parseIpv6(s: string): bigint | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(s) || !s.includes(':')) return undefined;
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const groups = (h: string): number[] | undefined => {
    if (h === '') return [];
    const out: number[] = [];
    const parts = h.split(':');
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i];
      if (i === parts.length - 1 && p.includes('.')) {
        const v4 = parseIpv4(p);
        if (v4 === undefined) return undefined;
        out.push(Number(v4 >> 16n), Number(v4 & 0xffffn));
      } else if (/^[0-9a-fA-F]{1,4}$/.test(p)) {
        out.push(parseInt(p, 16));
      } else {
        return undefined;
      }
    }
    return out;
  };
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const all = [...head, ...new Array<number>(halves.length === 2 ? missing : 0).fill(0), ...tail];
  return all.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n);
}

function parseIp(s: string): { family: 4 | 6; value: bigint } | undefined {
  const v4 = parseIpv4(s);
  if (v4 !== undefined) return { family: 4, value: v4 };
  const v6 = parseIpv6(s);
  return v6 !== undefined ? { family: 6, value: v6 } : undefined;
}

function compileCidr(s: string): Matcher {
  const slash = s.split('/');
  if (slash.length !== 2) throw new PatternError("Malformed CIDR, one '/' required");
  if (!/^-?\d+$/.test(slash[1])) throw new PatternError('Malformed CIDR, mask bits must be an integer');
  const bits = Number(slash[1]);
  if (bits < 0) throw new PatternError('Malformed CIDR, mask bits must not be negative');
  const ip = parseIp(slash[0]);
  if (!ip) throw new PatternError(`Invalid IP address: ${slash[0]}`);
  const width = ip.family === 4 ? 32 : 128;
  if (bits > width) throw new PatternError(ip.family === 4 ? 'IPv4 mask bits must be < 32' : 'IPv6 mask bits must be < 128');
  const hostBits = BigInt(width - bits);
  const lo = (ip.value >> hostBits) << hostBits;
  const hi = lo | ((1n << hostBits) - 1n);
  return { kind: 'cidr', family: ip.family, lo, hi };
}

// ---- matching ----------------------------------------------------------------------------------

/** True when the event (a parsed JSON object) matches the pattern. */
export function matches(p: CompiledPattern, event: unknown): boolean {
  return matchNode(p.root, isObject(event) ? event : {});
}

function matchNode(node: PatternNode, obj: Record<string, unknown>): boolean {
  for (const [k, child] of node.fields) {
    const v = Object.hasOwn(obj, k) ? obj[k] : undefined;
    if (Array.isArray(child)) {
      if (!matchLeaf(child as readonly Matcher[], v)) return false;
    } else if (!matchNested(child as PatternNode, v)) {
      return false;
    }
  }
  return node.ors.every((group) => group.some((branch) => matchNode(branch, obj)));
}

/** A nested pattern against an event value: an object, or each object of an array (any one may match). */
function matchNested(node: PatternNode, v: unknown): boolean {
  if (Array.isArray(v)) {
    const objs = v.flat(Infinity).filter(isObject);
    return objs.length === 0 ? matchNode(node, {}) : objs.some((o) => matchNode(node, o));
  }
  return matchNode(node, isObject(v) ? v : {});
}

function matchLeaf(ms: readonly Matcher[], v: unknown): boolean {
  // A leaf's values: a scalar, or the scalars of an array. An object is not a leaf (exists is false).
  const values: Scalar[] = v === undefined || isObject(v) ? []
    : Array.isArray(v) ? (v.flat(Infinity).filter((x) => !isObject(x)) as Scalar[]) : [v as Scalar];
  return ms.some((m) => (m.kind === 'exists' ? m.value === values.length > 0 : values.some((x) => test(m, x))));
}

function test(m: Exclude<Matcher, { kind: 'exists' }>, x: Scalar): boolean {
  switch (m.kind) {
    case 'exact': return x === m.value;
    case 'prefix': return typeof x === 'string' && (m.ignoreCase ? x.toLowerCase().startsWith(m.value.toLowerCase()) : x.startsWith(m.value));
    case 'suffix': return typeof x === 'string' && (m.ignoreCase ? x.toLowerCase().endsWith(m.value.toLowerCase()) : x.endsWith(m.value));
    case 'equals-ignore-case': return typeof x === 'string' && x.toLowerCase() === m.value.toLowerCase();
    case 'wildcard': return typeof x === 'string' && m.re.test(x);
    case 'anything-but': return !m.values.includes(x as string | number);
    case 'anything-but-set': return typeof x !== 'string' || !m.test(x);
    case 'numeric':
      if (typeof x !== 'number') return false;
      if (m.lo && (m.lo.open ? x <= m.lo.v : x < m.lo.v)) return false;
      if (m.hi && (m.hi.open ? x >= m.hi.v : x > m.hi.v)) return false;
      return true;
    case 'cidr': {
      if (typeof x !== 'string') return false;
      const ip = parseIp(x);
      return ip !== undefined && ip.family === m.family && ip.value >= m.lo && ip.value <= m.hi;
    }
  }
}
