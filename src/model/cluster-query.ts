/**
 * ECS's cluster query language: ListContainerInstances' `filter` and memberOf placement constraints.
 *
 *   expression := or
 *   or         := and (("or" | "||") and)*
 *   and        := unary (("and" | "&&") unary)*
 *   unary      := ("not" | "!") unary | "(" expression ")" | simple
 *   simple     := subject operator [argument]
 *   subject    := agentConnected | agentVersion | attribute:<name> | ec2InstanceId | registeredAt
 *                 | runningTasksCount | task:group
 *   operator   := == equals != not_equals > greater_than >= greater_than_equal < less_than
 *                 <= less_than_equal exists !exists not_exists in !in not_in =~ matches !~ not_matches
 *   argument   := value | "[" value ("," value)* "]"      values may be quoted with ' or "
 *
 * Pure: parse once, evaluate against any number of instances.
 */

export interface QueryTarget {
  agentConnected: boolean;
  agentVersion?: string;
  attributes: readonly { name: string; value?: string }[];
  ec2InstanceId: string;
  registeredAt: number;
  runningTasksCount: number;
  taskGroups: readonly string[];
}

export class QuerySyntaxError extends Error {}

type Op = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le' | 'exists' | 'notExists' | 'in' | 'notIn' | 'match' | 'notMatch';
export type Query =
  | { kind: 'and' | 'or'; left: Query; right: Query }
  | { kind: 'not'; inner: Query }
  | { kind: 'cmp'; subject: string; op: Op; args: string[] };

const OPS: Record<string, Op> = {
  '==': 'eq', equals: 'eq', '!=': 'ne', not_equals: 'ne', '>': 'gt', greater_than: 'gt', '>=': 'ge', greater_than_equal: 'ge',
  '<': 'lt', less_than: 'lt', '<=': 'le', less_than_equal: 'le', exists: 'exists', '!exists': 'notExists', not_exists: 'notExists',
  in: 'in', '!in': 'notIn', not_in: 'notIn', '=~': 'match', matches: 'match', '!~': 'notMatch', not_matches: 'notMatch',
};
const SUBJECT = /^(agentConnected|agentVersion|ec2InstanceId|registeredAt|runningTasksCount|task:group|attribute:[A-Za-z0-9_.\-/:]+)$/;

function tokenize(src: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) { i++; continue; }
    if (c === "'" || c === '"') {
      const end = src.indexOf(c, i + 1);
      if (end < 0) throw new QuerySyntaxError(`unterminated quote at position ${i + 1}`);
      out.push(c + src.slice(i + 1, end));
      i = end + 1;
      continue;
    }
    const two = src.slice(i, i + 2);
    if (['&&', '||', '==', '!=', '>=', '<=', '=~', '!~'].includes(two)) { out.push(two); i += 2; continue; }
    if (src.startsWith('!exists', i)) { out.push('!exists'); i += 7; continue; }
    if (src.startsWith('!in', i) && /[\s[]/.test(src[i + 3] ?? ' ')) { out.push('!in'); i += 3; continue; }
    if ('()[],!<>'.includes(c)) { out.push(c); i++; continue; }
    let j = i;
    while (j < src.length && !/[\s()[\],]/.test(src[j]) && !(src[j] === '!' && j === i)) j++;
    out.push(src.slice(i, j));
    i = j;
  }
  return out;
}

export function parseQuery(src: string): Query {
  if (src.trim() === '') throw new QuerySyntaxError('empty expression');
  if (src.length > 2000) throw new QuerySyntaxError('expression longer than 2000 characters');
  const toks = tokenize(src);
  let p = 0;
  const peek = () => toks[p];
  const next = () => toks[p++];
  const expect = (t: string) => { if (next() !== t) throw new QuerySyntaxError(`expected '${t}' near '${toks[p - 1] ?? 'end of expression'}'`); };
  const isWord = (t: string | undefined, ...w: string[]) => t !== undefined && w.includes(t.toLowerCase());

  function or(): Query {
    let left = and();
    while (isWord(peek(), 'or', '||')) { next(); left = { kind: 'or', left, right: and() }; }
    return left;
  }
  function and(): Query {
    let left = unary();
    while (isWord(peek(), 'and', '&&')) { next(); left = { kind: 'and', left, right: unary() }; }
    return left;
  }
  function unary(): Query {
    const t = peek();
    if (t === undefined) throw new QuerySyntaxError('expression ends too early');
    if (isWord(t, 'not', '!')) { next(); return { kind: 'not', inner: unary() }; }
    if (t === '(') { next(); const e = or(); expect(')'); return e; }
    return simple();
  }
  function value(): string {
    const t = next();
    if (t === undefined || '()[],'.includes(t)) throw new QuerySyntaxError(`expected a value near '${t ?? 'end of expression'}'`);
    return t.startsWith("'") || t.startsWith('"') ? t.slice(1) : t;
  }
  function simple(): Query {
    const subject = next();
    if (!SUBJECT.test(subject)) throw new QuerySyntaxError(`unknown subject '${subject}': use agentConnected, agentVersion, attribute:<name>, ec2InstanceId, registeredAt, runningTasksCount or task:group`);
    const opTok = next();
    const op = opTok === undefined ? undefined : OPS[opTok] ?? OPS[opTok.toLowerCase()];
    if (!op) throw new QuerySyntaxError(`unknown operator '${opTok ?? '(none)'}' after ${subject}`);
    if (op === 'exists' || op === 'notExists') return { kind: 'cmp', subject, op, args: [] };
    if (op === 'in' || op === 'notIn') {
      expect('[');
      const args = [value()];
      while (peek() === ',') { next(); args.push(value()); }
      expect(']');
      return { kind: 'cmp', subject, op, args };
    }
    const arg = value();
    if (op === 'match' || op === 'notMatch') {
      try { new RegExp(arg); } catch { throw new QuerySyntaxError(`invalid regular expression '${arg}'`); }
    }
    return { kind: 'cmp', subject, op, args: [arg] };
  }
  const q = or();
  if (p < toks.length) throw new QuerySyntaxError(`unexpected '${toks[p]}'`);
  return q;
}

function compareValues(subject: string, a: string, b: string): number {
  if (subject === 'registeredAt') return Date.parse(a) - Date.parse(b);
  if (subject === 'agentVersion') {
    const pa = a.split('.').map(Number), pb = b.split('.').map(Number);
    for (let i = 0; i < Math.max(pa.length, pb.length); i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0);
    return 0;
  }
  const na = Number(a), nb = Number(b);
  if (a !== '' && b !== '' && !Number.isNaN(na) && !Number.isNaN(nb)) return na - nb;
  return a < b ? -1 : a > b ? 1 : 0;
}

function values(t: QueryTarget, subject: string): string[] {
  switch (subject) {
    case 'agentConnected': return [String(t.agentConnected)];
    case 'agentVersion': return t.agentVersion ? [t.agentVersion] : [];
    case 'ec2InstanceId': return [t.ec2InstanceId];
    case 'registeredAt': return [new Date(t.registeredAt).toISOString()];
    case 'runningTasksCount': return [String(t.runningTasksCount)];
    case 'task:group': return [...t.taskGroups];
    default: {
      const name = subject.slice('attribute:'.length);
      const a = t.attributes.find((x) => x.name === name);
      return a ? [a.value ?? ''] : [];
    }
  }
}

export function evaluate(q: Query, t: QueryTarget): boolean {
  switch (q.kind) {
    case 'and': return evaluate(q.left, t) && evaluate(q.right, t);
    case 'or': return evaluate(q.left, t) || evaluate(q.right, t);
    case 'not': return !evaluate(q.inner, t);
    case 'cmp': {
      const vs = values(t, q.subject);
      const arg = q.args[0];
      const one = (pred: (v: string) => boolean) => vs.some(pred);
      switch (q.op) {
        case 'exists': return vs.length > 0;
        case 'notExists': return vs.length === 0;
        case 'eq': return one((v) => compareValues(q.subject, v, arg) === 0);
        case 'ne': return vs.length > 0 && !one((v) => compareValues(q.subject, v, arg) === 0);
        case 'gt': return one((v) => compareValues(q.subject, v, arg) > 0);
        case 'ge': return one((v) => compareValues(q.subject, v, arg) >= 0);
        case 'lt': return one((v) => compareValues(q.subject, v, arg) < 0);
        case 'le': return one((v) => compareValues(q.subject, v, arg) <= 0);
        case 'in': return one((v) => q.args.includes(v));
        case 'notIn': return !one((v) => q.args.includes(v));
        case 'match': return one((v) => new RegExp(`^(?:${arg})$`).test(v));
        case 'notMatch': return !one((v) => new RegExp(`^(?:${arg})$`).test(v));
      }
    }
  }
}
