/**
 * CloudWatch Logs filter patterns (FilterLogEvents, metric and subscription filters), pure: a parser
 * that turns the pattern text into a matcher, and nothing else. Four forms, as AWS documents them:
 *
 *   ""                               every event
 *   ERROR "disk full" -Exiting        terms: every plain/quoted term must occur, no `-term` may occur,
 *   ?ERROR ?WARN                        and when there are `?term`s at least one of them must occur;
 *   %user-\d+%                          a `%…%` term is a regular expression (case-sensitive like the rest)
 *   { $.level = "error" && $.ms > 100 }   JSON: selectors ($.a.b, $.list[0], $.list[*], $.*), operators
 *                                       = != < <= > >=, IS NULL | IS TRUE | IS FALSE, NOT EXISTS,
 *                                       && || and parentheses; string values may use * wildcards or %regex%
 *   [ip, user, ..., status = 4*, bytes > 1000]
 *                                     space-delimited: the message split on spaces ("…" and […] keep
 *                                       spaces inside one field), fields bound by position, `...` binds
 *                                       any number of fields, conditions with && / || per field
 *
 * Naive approach: match every pattern as a substring or turn it into one big regex. That gets quoting,
 * exclusions and the JSON form wrong, and a malformed pattern then matches nothing silently instead of
 * failing the call the way AWS does (InvalidParameterException). A real parser reports where it broke.
 */

export type Matcher = (message: string) => boolean;

export class FilterPatternError extends Error {}

export function compileFilterPattern(pattern: string | undefined): Matcher {
  const p = (pattern ?? '').trim();
  if (p === '') return () => true;
  if (p.startsWith('{')) return compileJson(p);
  if (p.startsWith('[')) return compileSpaceDelimited(p);
  return compileTerms(p);
}

// ------------------------------------------------------------------------------------------- terms

interface Term { kind: 'and' | 'or' | 'not'; test: (m: string) => boolean }

function compileTerms(p: string): Matcher {
  const terms: Term[] = [];
  let i = 0;
  while (i < p.length) {
    while (p[i] === ' ' || p[i] === '\t') i++;
    if (i >= p.length) break;
    let kind: Term['kind'] = 'and';
    if (p[i] === '?') { kind = 'or'; i++; } else if (p[i] === '-') { kind = 'not'; i++; }
    let text: string;
    let test: (m: string) => boolean;
    if (p[i] === '"') {
      const end = closingQuote(p, i);
      text = unescapeQuoted(p.slice(i + 1, end));
      i = end + 1;
      const t = text;
      test = (m) => m.includes(t);
    } else if (p[i] === '%') {
      const end = p.indexOf('%', i + 1);
      if (end < 0) throw new FilterPatternError(`unterminated regular expression starting at position ${i + 1}`);
      const re = regex(p.slice(i + 1, end));
      i = end + 1;
      test = (m) => re.test(m);
    } else {
      const start = i;
      while (i < p.length && p[i] !== ' ' && p[i] !== '\t') i++;
      text = p.slice(start, i);
      if (text === '') throw new FilterPatternError(`empty term at position ${start + 1}`);
      if (/["{}[\]]/.test(text)) throw new FilterPatternError(`Invalid character(s) in term '${text}': put terms with characters other than letters, digits and _ in double quotes`);
      const t = text;
      test = (m) => m.includes(t);
    }
    terms.push({ kind, test });
  }
  const ands = terms.filter((t) => t.kind === 'and');
  const ors = terms.filter((t) => t.kind === 'or');
  const nots = terms.filter((t) => t.kind === 'not');
  return (m) => ands.every((t) => t.test(m)) && (ors.length === 0 || ors.some((t) => t.test(m))) && !nots.some((t) => t.test(m));
}

function closingQuote(p: string, open: number): number {
  for (let j = open + 1; j < p.length; j++) {
    if (p[j] === '\\') { j++; continue; }
    if (p[j] === '"') return j;
  }
  throw new FilterPatternError(`unterminated quoted string starting at position ${open + 1}`);
}

const unescapeQuoted = (s: string) => s.replace(/\\(.)/g, '$1');

function regex(src: string): RegExp {
  try {
    return new RegExp(src);
  } catch (e) {
    throw new FilterPatternError(`invalid regular expression %${src}%: ${(e as Error).message}`);
  }
}

/** `*` wildcards (and nothing else special) → an anchored RegExp. */
function wildcard(s: string): RegExp {
  return new RegExp('^' + s.split('*').map((x) => x.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*') + '$', 's');
}

// ------------------------------------------------------------------------------------- tokenizer

type Tok =
  | { t: 'sel'; v: string; pos: number }
  | { t: 'op'; v: '=' | '!=' | '<' | '<=' | '>' | '>='; pos: number }
  | { t: 'and' | 'or' | '(' | ')' | ',' | 'ellipsis'; pos: number }
  | { t: 'str'; v: string; pos: number }
  | { t: 're'; v: string; pos: number }
  | { t: 'word'; v: string; pos: number };

function tokenize(src: string, offset: number): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    const pos = offset + i + 1;
    if (c === ' ' || c === '\t' || c === '\n') { i++; continue; }
    if (src.startsWith('&&', i)) { out.push({ t: 'and', pos }); i += 2; continue; }
    if (src.startsWith('||', i)) { out.push({ t: 'or', pos }); i += 2; continue; }
    if (src.startsWith('...', i)) { out.push({ t: 'ellipsis', pos }); i += 3; continue; }
    if (src.startsWith('!=', i) || src.startsWith('<=', i) || src.startsWith('>=', i)) { out.push({ t: 'op', v: src.slice(i, i + 2) as '!=', pos }); i += 2; continue; }
    if (c === '=' || c === '<' || c === '>') { out.push({ t: 'op', v: c, pos }); i++; continue; }
    if (c === '(' || c === ')' || c === ',') { out.push({ t: c, pos }); i++; continue; }
    if (c === '"') {
      const end = closingQuote(src, i);
      out.push({ t: 'str', v: unescapeQuoted(src.slice(i + 1, end)), pos });
      i = end + 1;
      continue;
    }
    if (c === '%') {
      const end = src.indexOf('%', i + 1);
      if (end < 0) throw new FilterPatternError(`unterminated regular expression at position ${pos}`);
      out.push({ t: 're', v: src.slice(i + 1, end), pos });
      i = end + 1;
      continue;
    }
    if (c === '$') {
      let j = i + 1;
      while (j < src.length && /[A-Za-z0-9_.\-*[\]@]/.test(src[j])) j++;
      out.push({ t: 'sel', v: src.slice(i, j), pos });
      i = j;
      continue;
    }
    let j = i;
    while (j < src.length && !/[\s=!<>(),&|"]/.test(src[j])) j++;
    if (j === i) throw new FilterPatternError(`unexpected character '${c}' at position ${pos}`);
    out.push({ t: 'word', v: src.slice(i, j), pos });
    i = j;
  }
  return out;
}

class Parser {
  i = 0;
  constructor(readonly toks: Tok[], readonly what: string) {}
  peek(): Tok | undefined { return this.toks[this.i]; }
  next(): Tok | undefined { return this.toks[this.i++]; }
  fail(msg: string): never {
    const t = this.peek();
    throw new FilterPatternError(`${msg}${t ? ` at position ${t.pos}` : ' at the end of the pattern'} in ${this.what}`);
  }
}

// ------------------------------------------------------------------------------------------ values

type Value = { kind: 'num'; n: number } | { kind: 'str'; s: string } | { kind: 're'; re: RegExp };

function parseValue(p: Parser): Value {
  const t = p.next();
  if (!t) return p.fail('expected a value');
  if (t.t === 'str') return { kind: 'str', s: t.v };
  if (t.t === 're') return { kind: 're', re: regex(t.v) };
  if (t.t === 'word') {
    if (/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(t.v)) return { kind: 'num', n: Number(t.v) };
    return { kind: 'str', s: t.v };
  }
  p.i--;
  return p.fail('expected a value');
}

/** Compares an actual value (from JSON or a field) with the pattern's. */
function compare(actual: unknown, op: string, v: Value): boolean {
  if (v.kind === 're') {
    if (typeof actual !== 'string' && typeof actual !== 'number') return false;
    const ok = v.re.test(String(actual));
    return op === '!=' ? !ok : op === '=' ? ok : false;
  }
  if (v.kind === 'num') {
    const n = typeof actual === 'number' ? actual : typeof actual === 'string' && actual.trim() !== '' ? Number(actual) : NaN;
    if (Number.isNaN(n)) return op === '!=';
    switch (op) {
      case '=': return n === v.n;
      case '!=': return n !== v.n;
      case '<': return n < v.n;
      case '<=': return n <= v.n;
      case '>': return n > v.n;
      case '>=': return n >= v.n;
    }
    return false;
  }
  if (op !== '=' && op !== '!=') throw new FilterPatternError(`operator ${op} needs a number, not the string "${v.s}"`);
  if (typeof actual !== 'string' && typeof actual !== 'number' && typeof actual !== 'boolean') return op === '!=';
  const ok = v.s.includes('*') ? wildcard(v.s).test(String(actual)) : String(actual) === v.s;
  return op === '=' ? ok : !ok;
}

// -------------------------------------------------------------------------------------------- JSON

type JsonExpr =
  | { k: 'and' | 'or'; a: JsonExpr; b: JsonExpr }
  | { k: 'cmp'; path: PathStep[]; op: string; v: Value }
  | { k: 'is'; path: PathStep[]; what: 'NULL' | 'TRUE' | 'FALSE' | 'NOTEXISTS' | 'EXISTS' };

type PathStep = { key: string } | { index: number } | { any: true };

function compileJson(p: string): Matcher {
  if (!p.endsWith('}')) throw new FilterPatternError('a JSON filter pattern must end with }');
  const inner = p.slice(1, -1);
  const parser = new Parser(tokenize(inner, 1), 'the JSON filter pattern');
  if (parser.toks.length === 0) throw new FilterPatternError('empty JSON filter pattern {}');
  const expr = parseOr(parser);
  if (parser.peek()) parser.fail('unexpected token');
  return (m) => {
    const s = m.trimStart();
    if (s[0] !== '{' && s[0] !== '[') return false;
    let doc: unknown;
    try { doc = JSON.parse(m); } catch { return false; }
    return evalJson(expr, doc);
  };
}

function parseOr(p: Parser): JsonExpr {
  let a = parseAnd(p);
  while (p.peek()?.t === 'or') { p.next(); a = { k: 'or', a, b: parseAnd(p) }; }
  return a;
}
function parseAnd(p: Parser): JsonExpr {
  let a = parseUnary(p);
  while (p.peek()?.t === 'and') { p.next(); a = { k: 'and', a, b: parseUnary(p) }; }
  return a;
}
function parseUnary(p: Parser): JsonExpr {
  const t = p.peek();
  if (t?.t === '(') {
    p.next();
    const e = parseOr(p);
    if (p.next()?.t !== ')') { p.i--; p.fail('expected )'); }
    return e;
  }
  if (t?.t !== 'sel') return p.fail('expected a selector such as $.field');
  p.next();
  const path = parseSelector(t.v, t.pos);
  const n = p.peek();
  if (n?.t === 'word' && n.v.toUpperCase() === 'IS') {
    p.next();
    const w = p.next();
    const what = w?.t === 'word' ? w.v.toUpperCase() : '';
    if (what !== 'NULL' && what !== 'TRUE' && what !== 'FALSE') { p.i--; p.fail('expected NULL, TRUE or FALSE after IS'); }
    return { k: 'is', path, what: what as 'NULL' };
  }
  if (n?.t === 'word' && n.v.toUpperCase() === 'NOT') {
    p.next();
    const w = p.next();
    if (w?.t !== 'word' || w.v.toUpperCase() !== 'EXISTS') { p.i--; p.fail('expected EXISTS after NOT'); }
    return { k: 'is', path, what: 'NOTEXISTS' };
  }
  if (n?.t !== 'op') return p.fail('expected a comparison operator (=, !=, <, <=, >, >=)');
  p.next();
  const v = parseValue(p);
  if (v.kind === 'str' && n.v !== '=' && n.v !== '!=') throw new FilterPatternError(`operator ${n.v} needs a number, not the string "${v.s}", at position ${n.pos}`);
  return { k: 'cmp', path, op: n.v, v };
}

function parseSelector(sel: string, pos: number): PathStep[] {
  const steps: PathStep[] = [];
  let i = 1;
  const bad = () => { throw new FilterPatternError(`invalid selector '${sel}' at position ${pos}`); };
  while (i < sel.length) {
    if (sel[i] === '.') {
      i++;
      if (sel[i] === '*') { steps.push({ any: true }); i++; continue; }
      const m = /^[A-Za-z0-9_\-@]+/.exec(sel.slice(i));
      if (!m) bad();
      steps.push({ key: m![0] });
      i += m![0].length;
    } else if (sel[i] === '[') {
      const end = sel.indexOf(']', i);
      if (end < 0) bad();
      const inside = sel.slice(i + 1, end);
      if (inside === '*') steps.push({ any: true });
      else if (/^\d+$/.test(inside)) steps.push({ index: Number(inside) });
      else bad();
      i = end + 1;
    } else bad();
  }
  if (steps.length === 0) bad();
  return steps;
}

function resolve(doc: unknown, path: PathStep[]): unknown[] {
  let cur: unknown[] = [doc];
  for (const s of path) {
    const next: unknown[] = [];
    for (const c of cur) {
      if (c === null || typeof c !== 'object') continue;
      if ('any' in s) next.push(...(Array.isArray(c) ? c : Object.values(c as object)));
      else if ('index' in s) { if (Array.isArray(c) && s.index < c.length) next.push(c[s.index]); }
      else if (!Array.isArray(c) && Object.prototype.hasOwnProperty.call(c, s.key)) next.push((c as Record<string, unknown>)[s.key]);
    }
    cur = next;
  }
  return cur;
}

function evalJson(e: JsonExpr, doc: unknown): boolean {
  switch (e.k) {
    case 'and': return evalJson(e.a, doc) && evalJson(e.b, doc);
    case 'or': return evalJson(e.a, doc) || evalJson(e.b, doc);
    case 'is': {
      const vals = resolve(doc, e.path);
      if (e.what === 'NOTEXISTS') return vals.length === 0;
      if (e.what === 'EXISTS') return vals.length > 0;
      const want = e.what === 'NULL' ? null : e.what === 'TRUE';
      return vals.some((v) => v === want);
    }
    case 'cmp': {
      const vals = resolve(doc, e.path).filter((v) => v === null || typeof v !== 'object');
      if (vals.length === 0) return false;
      return vals.some((v) => compare(v, e.op, e.v));
    }
  }
}

// ------------------------------------------------------------------------------- space-delimited

type FieldCond = { k: 'and' | 'or'; a: FieldCond; b: FieldCond } | { k: 'cmp'; field: string; op: string; v: Value };
interface Field { ellipsis: boolean; name?: string }

function compileSpaceDelimited(p: string): Matcher {
  if (!p.endsWith(']')) throw new FilterPatternError('a space-delimited filter pattern must end with ]');
  const parser = new Parser(tokenize(p.slice(1, -1), 1), 'the space-delimited filter pattern');
  const fields: Field[] = [];
  const conds: FieldCond[] = [];
  let anon = 0;
  for (;;) {
    const t = parser.peek();
    if (!t) break;
    if (t.t === 'ellipsis') {
      parser.next();
      fields.push({ ellipsis: true });
    } else if (t.t === 'word' || t.t === 'str') {
      const name = t.v;
      if (fields.some((f) => f.name === name)) throw new FilterPatternError(`duplicate field name '${name}' at position ${t.pos}`);
      fields.push({ ellipsis: false, name });
      parser.next();
      if (parser.peek()?.t === 'op') {
        parser.i--; // re-read the name as the first condition's field
        conds.push(parseFieldOr(parser));
      }
    } else if (t.t === 'op') {
      // A condition without a name: [= ERROR, ...] binds an anonymous field.
      const name = `$${++anon}`;
      fields.push({ ellipsis: false, name });
      parser.next();
      conds.push({ k: 'cmp', field: name, op: (t as { v: string }).v, v: parseValue(parser) });
    } else parser.fail('expected a field name, a condition or ...');
    const sep = parser.next();
    if (!sep) break;
    if (sep.t !== ',') { parser.i--; parser.fail('expected , between fields'); }
  }
  if (fields.length === 0) throw new FilterPatternError('empty space-delimited filter pattern []');
  return (m) => {
    const toks = splitFields(m);
    const bound = bind(fields, toks);
    if (!bound) return false;
    return conds.every((c) => evalField(c, bound));
  };
}

function parseFieldOr(p: Parser): FieldCond {
  let a = parseFieldCmp(p);
  for (;;) {
    const t = p.peek();
    if (t?.t !== 'or' && t?.t !== 'and') return a;
    p.next();
    a = { k: t.t, a, b: parseFieldCmp(p) };
  }
}
function parseFieldCmp(p: Parser): FieldCond {
  const f = p.next();
  if (f?.t !== 'word' && f?.t !== 'str') { p.i--; return p.fail('expected a field name'); }
  const op = p.next();
  if (op?.t !== 'op') { p.i--; return p.fail('expected a comparison operator'); }
  const v = parseValue(p);
  if (v.kind === 'str' && op.v !== '=' && op.v !== '!=') throw new FilterPatternError(`operator ${op.v} needs a number, not the string "${v.s}", at position ${op.pos}`);
  return { k: 'cmp', field: f.v, op: op.v, v };
}

/** Splits a message on spaces; "…" and […] group. Enclosing quotes/brackets are kept off the value. */
export function splitFields(m: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < m.length) {
    while (m[i] === ' ' || m[i] === '\t') i++;
    if (i >= m.length) break;
    const c = m[i];
    if (c === '"' || c === '[') {
      const close = c === '"' ? '"' : ']';
      const end = m.indexOf(close, i + 1);
      if (end > 0) {
        out.push(m.slice(i + 1, end));
        i = end + 1;
        continue;
      }
    }
    let j = i;
    while (j < m.length && m[j] !== ' ' && m[j] !== '\t') j++;
    out.push(m.slice(i, j));
    i = j;
  }
  return out;
}

function bind(fields: Field[], toks: string[]): Map<string, string> | null {
  const go = (fi: number, ti: number, acc: Map<string, string>): Map<string, string> | null => {
    if (fi === fields.length) return ti === toks.length ? acc : null;
    const f = fields[fi];
    if (f.ellipsis) {
      for (let k = ti; k <= toks.length; k++) {
        const r = go(fi + 1, k, acc);
        if (r) return r;
      }
      return null;
    }
    if (ti >= toks.length) return null;
    const next = new Map(acc);
    next.set(f.name!, toks[ti]);
    return go(fi + 1, ti + 1, next);
  };
  return go(0, 0, new Map());
}

function evalField(c: FieldCond, bound: Map<string, string>): boolean {
  if (c.k === 'and') return evalField(c.a, bound) && evalField(c.b, bound);
  if (c.k === 'or') return evalField(c.a, bound) || evalField(c.b, bound);
  if (c.k !== 'cmp') return false;
  const v = bound.get(c.field);
  if (v === undefined) return false;
  return compare(v, c.op, c.v);
}
