/**
 * CloudWatch metric math for GetMetricData (and alarms on math expressions), pure: the caller fetches
 * each MetricStat query's series; this module parses expressions and evaluates them over those series.
 *
 *   expr   := term (('+' | '-') term)*            series ∘ series  → aligned on timestamps (intersection)
 *   term   := power (('*' | '/') power)*          series ∘ scalar  → every point
 *   power  := unary ('^' unary)*                  array ∘ scalar   → every series of the array
 *   unary  := '-' unary | primary
 *   primary:= number | id | FUNC '(' args ')' | '[' id, … ']' | '(' expr ')' | "string"
 *   FUNC   := SUM | AVG | MIN | MAX   (array → one series, per timestamp; one series → a scalar)
 *           | METRICS( ["filter"] )   (the request's MetricStat series, optionally those whose id or label contains filter)
 *           | ABS | CEIL | FLOOR      (point-wise)
 *
 * Naive approach: evaluate with JavaScript's own `eval` after substituting ids. That runs arbitrary code
 * from a request and has no notion of series alignment; a small parser is shorter than the sandboxing.
 */

export interface Series {
  /** Epoch ms → value; iteration order does not matter (results are sorted by the caller). */
  points: Map<number, number>;
  label: string;
}

export type MathValue = { k: 'scalar'; v: number } | { k: 'series'; s: Series } | { k: 'array'; items: Series[] };

export class MathError extends Error {}

type Node =
  | { t: 'num'; v: number }
  | { t: 'str'; v: string }
  | { t: 'id'; v: string }
  | { t: 'call'; f: string; args: Node[] }
  | { t: 'list'; items: Node[] }
  | { t: 'bin'; op: string; a: Node; b: Node }
  | { t: 'neg'; a: Node };

const FUNCS = new Set(['SUM', 'AVG', 'MIN', 'MAX', 'METRICS', 'ABS', 'CEIL', 'FLOOR']);

export function parseExpression(src: string): Node {
  const toks = src.match(/\s*(\d+\.?\d*(?:[eE][-+]?\d+)?|\.\d+|[A-Za-z_][A-Za-z0-9_]*|"[^"]*"|'[^']*'|[-+*/^(),[\]])/g);
  const joined = (toks ?? []).join('');
  if (!toks || joined.replace(/\s/g, '') !== src.replace(/\s/g, '')) throw new MathError(`cannot parse expression '${src}'`);
  const ts = toks.map((t) => t.trim());
  let i = 0;
  const peek = () => ts[i];
  const eat = (x: string) => {
    if (ts[i] !== x) throw new MathError(`expected '${x}' ${ts[i] === undefined ? 'at the end' : `before '${ts[i]}'`} in '${src}'`);
    i++;
  };
  const expr = (): Node => {
    let a = term();
    while (peek() === '+' || peek() === '-') { const op = ts[i++]; a = { t: 'bin', op, a, b: term() }; }
    return a;
  };
  const term = (): Node => {
    let a = power();
    while (peek() === '*' || peek() === '/') { const op = ts[i++]; a = { t: 'bin', op, a, b: power() }; }
    return a;
  };
  const power = (): Node => {
    let a = unary();
    while (peek() === '^') { i++; a = { t: 'bin', op: '^', a, b: unary() }; }
    return a;
  };
  const unary = (): Node => {
    if (peek() === '-') { i++; return { t: 'neg', a: unary() }; }
    return primary();
  };
  const primary = (): Node => {
    const t = ts[i++];
    if (t === undefined) throw new MathError(`unexpected end of expression '${src}'`);
    if (/^(\d|\.\d)/.test(t)) return { t: 'num', v: Number(t) };
    if (t[0] === '"' || t[0] === "'") return { t: 'str', v: t.slice(1, -1) };
    if (t === '(') { const e = expr(); eat(')'); return e; }
    if (t === '[') {
      const items: Node[] = [];
      if (peek() !== ']') { items.push(expr()); while (peek() === ',') { i++; items.push(expr()); } }
      eat(']');
      return { t: 'list', items };
    }
    if (/^[A-Za-z_]/.test(t)) {
      if (peek() === '(') {
        const f = t.toUpperCase();
        if (!FUNCS.has(f)) throw new MathError(`unsupported function ${t} in '${src}' (supported: ${[...FUNCS].join(', ')})`);
        i++;
        const args: Node[] = [];
        if (peek() !== ')') { args.push(expr()); while (peek() === ',') { i++; args.push(expr()); } }
        eat(')');
        return { t: 'call', f, args };
      }
      return { t: 'id', v: t };
    }
    throw new MathError(`unexpected '${t}' in '${src}'`);
  };
  const root = expr();
  if (i < ts.length) throw new MathError(`unexpected '${ts[i]}' in '${src}'`);
  return root;
}

/** The ids an expression refers to (for ordering and cycle checks). */
export function references(n: Node): string[] {
  switch (n.t) {
    case 'id': return [n.v];
    case 'call': return n.args.flatMap(references);
    case 'list': return n.items.flatMap(references);
    case 'bin': return [...references(n.a), ...references(n.b)];
    case 'neg': return references(n.a);
    default: return [];
  }
}

export interface EvalEnv {
  /** Values of other queries by id (series for MetricStat, whatever an expression returned). */
  lookup(id: string): MathValue | undefined;
  /** Every MetricStat series in the request, for METRICS(). */
  metrics(): { id: string; series: Series }[];
}

export function evaluate(n: Node, env: EvalEnv): MathValue {
  switch (n.t) {
    case 'num': return { k: 'scalar', v: n.v };
    case 'str': throw new MathError('a string is only allowed as the argument of METRICS()');
    case 'id': {
      const v = env.lookup(n.v);
      if (!v) throw new MathError(`Unrecognized id '${n.v}'`);
      return v;
    }
    case 'neg': return pointwise(evaluate(n.a, env), (x) => -x);
    case 'list': {
      const items: Series[] = [];
      for (const it of n.items) {
        const v = evaluate(it, env);
        if (v.k === 'series') items.push(v.s);
        else if (v.k === 'array') items.push(...v.items);
        else throw new MathError('an array may hold only time series');
      }
      return { k: 'array', items };
    }
    case 'bin': return binary(n.op, evaluate(n.a, env), evaluate(n.b, env));
    case 'call': {
      if (n.f === 'METRICS') {
        const filter = n.args[0]?.t === 'str' ? n.args[0].v : undefined;
        if (n.args.length > 1 || (n.args.length === 1 && filter === undefined)) throw new MathError('METRICS() takes no argument or one string');
        return { k: 'array', items: env.metrics().filter((m) => filter === undefined || m.id.includes(filter) || m.series.label.includes(filter)).map((m) => m.series) };
      }
      if (n.args.length !== 1) throw new MathError(`${n.f}() takes one argument`);
      const v = evaluate(n.args[0], env);
      if (n.f === 'ABS') return pointwise(v, Math.abs);
      if (n.f === 'CEIL') return pointwise(v, Math.ceil);
      if (n.f === 'FLOOR') return pointwise(v, Math.floor);
      const agg = AGG[n.f];
      if (v.k === 'scalar') return v;
      if (v.k === 'series') {
        const vals = [...v.s.points.values()];
        return { k: 'scalar', v: vals.length ? agg(vals) : NaN };
      }
      const out = new Map<number, number[]>();
      for (const s of v.items) for (const [t, x] of s.points) (out.get(t) ?? out.set(t, []).get(t)!).push(x);
      return { k: 'series', s: { label: n.f, points: new Map([...out].map(([t, xs]) => [t, agg(xs)])) } };
    }
  }
}

const AGG: Record<string, (xs: number[]) => number> = {
  SUM: (xs) => xs.reduce((a, b) => a + b, 0),
  AVG: (xs) => xs.reduce((a, b) => a + b, 0) / xs.length,
  MIN: (xs) => Math.min(...xs),
  MAX: (xs) => Math.max(...xs),
};

function pointwise(v: MathValue, f: (x: number) => number): MathValue {
  if (v.k === 'scalar') return { k: 'scalar', v: f(v.v) };
  const map = (s: Series): Series => ({ label: s.label, points: new Map([...s.points].map(([t, x]) => [t, f(x)])) });
  return v.k === 'series' ? { k: 'series', s: map(v.s) } : { k: 'array', items: v.items.map(map) };
}

function op(o: string): (a: number, b: number) => number {
  switch (o) {
    case '+': return (a, b) => a + b;
    case '-': return (a, b) => a - b;
    case '*': return (a, b) => a * b;
    case '/': return (a, b) => a / b;
    default: return (a, b) => a ** b;
  }
}

function binary(o: string, a: MathValue, b: MathValue): MathValue {
  const f = op(o);
  if (a.k === 'scalar' && b.k === 'scalar') return { k: 'scalar', v: f(a.v, b.v) };
  if (a.k === 'scalar') return pointwise(b, (x) => f(a.v, x));
  if (b.k === 'scalar') return pointwise(a, (x) => f(x, b.v));
  if (a.k === 'series' && b.k === 'series') {
    const points = new Map<number, number>();
    for (const [t, x] of a.s.points) { const y = b.s.points.get(t); if (y !== undefined) points.set(t, f(x, y)); }
    return { k: 'series', s: { label: '', points } };
  }
  const arr = a.k === 'array' ? a : (b as Extract<MathValue, { k: 'array' }>);
  const other = a.k === 'array' ? b : a;
  if (other.k === 'array') throw new MathError('arithmetic between two arrays is not supported');
  return {
    k: 'array',
    items: arr.items.map((s) => {
      const r = a.k === 'array' ? binary(o, { k: 'series', s }, other) : binary(o, other, { k: 'series', s });
      return (r as Extract<MathValue, { k: 'series' }>).s;
    }),
  };
}
