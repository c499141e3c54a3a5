/**
 * Reads a Compose file the way `docker compose` does before anything else happens:
 *
 *   read (a missing file is a one-line error) → parse YAML (errors with line and column)
 *   → interpolate `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?err}`, `${VAR?err}`, `$VAR`, `$$`
 *     from the environment and the `.env` file beside the Compose file (the environment wins)
 *   → validate against the Compose Specification's JSON schema (compose-spec.json, draft-07, with Ajv);
 *     each error names the path and the line it is on.
 *
 * Interpolation runs on the parsed values, not the text, so a value can never change the YAML structure.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { Ajv, type ErrorObject } from 'ajv';
import { LineCounter, parseDocument, isMap, isSeq, type Document } from 'yaml';
import { CliError, EXIT } from '../client.js';
import schema from './compose-spec.json' with { type: 'json' };

export interface LoadedCompose {
  file: string;
  dir: string;
  /** The validated, interpolated Compose model (as parsed JSON). */
  model: ComposeModel;
  /** Line number (1-based) of a path like `services.web.ports.0`, when the YAML has it. */
  lineOf(path: (string | number)[]): number | undefined;
}

/** The parts of the Compose model `wharf deploy` reads; everything else stays `unknown` and is refused by name. */
export interface ComposeModel {
  name?: string;
  services: Record<string, Record<string, unknown>>;
  [key: string]: unknown;
}

/** Reads a `.env` file: `KEY=value` lines, `#` comments, optional quotes. */
export function parseDotEnv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$/.exec(line);
    if (!m) continue;
    let v = m[2];
    if (/^".*"$/.test(v)) v = v.slice(1, -1).replace(/\\n/g, '\n').replace(/\\"/g, '"');
    else if (/^'.*'$/.test(v)) v = v.slice(1, -1);
    else v = v.replace(/\s+#.*$/, '');
    out[m[1]] = v;
  }
  return out;
}

/** Compose interpolation of one string. Throws with the variable's own message for `${VAR:?message}`. */
export function interpolate(s: string, vars: Record<string, string | undefined>, where: string): string {
  return s.replace(/\$(?:\$|\{([^}]*)\}|([A-Za-z_][A-Za-z0-9_]*))/g, (m, braced: string | undefined, bare: string | undefined) => {
    if (m === '$$') return '$';
    if (bare !== undefined) return vars[bare] ?? '';
    const e = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-?+])(.*))?$/s.exec(braced ?? '');
    if (!e) throw new CliError(`${where}: invalid interpolation format "${m}"`, EXIT.usage);
    const [, name, colon, op, arg = ''] = e;
    const v = vars[name];
    const unset = colon ? v === undefined || v === '' : v === undefined;
    if (!op) return v ?? '';
    if (op === '-') return unset ? interpolate(arg, vars, where) : v!;
    if (op === '+') return unset ? '' : interpolate(arg, vars, where);
    if (unset) throw new CliError(`${where}: required variable ${name} is missing a value${arg ? `: ${arg}` : ''}`, EXIT.usage);
    return v!;
  });
}

function interpolateAll(v: unknown, vars: Record<string, string | undefined>, path: string): unknown {
  if (typeof v === 'string') return interpolate(v, vars, path);
  if (Array.isArray(v)) return v.map((x, i) => interpolateAll(x, vars, `${path}[${i}]`));
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, interpolateAll(x, vars, path ? `${path}.${k}` : k)]));
  }
  return v;
}

let validator: ReturnType<Ajv['compile']> | undefined;
function validate(model: unknown): ErrorObject[] {
  // strict: false — the schema uses keywords Ajv does not know (e.g. "deprecated") and draft-07 idioms
  // that strict mode flags; they are annotations, not constraints.
  // The schema names its draft as https://json-schema.org/draft-07/schema, which Ajv registers under the
  // http://…# spelling; Ajv's default draft is 07, so the declaration is dropped rather than re-registered.
  const { $schema: _draft, ...draft07 } = schema as Record<string, unknown>;
  validator ??= new Ajv({ allErrors: true, strict: false, validateFormats: false }).compile(draft07);
  return validator(model) ? [] : [...(validator.errors ?? [])];
}

/** Ajv reports every branch of a oneOf; keep the errors that explain the most specific path. */
function mostUseful(errors: ErrorObject[]): ErrorObject[] {
  const deepest = new Map<string, ErrorObject>();
  for (const e of errors) {
    if (e.keyword === 'oneOf' || e.keyword === 'anyOf' || e.keyword === 'if') continue;
    const key = `${e.instancePath}|${e.keyword}|${JSON.stringify(e.params)}`;
    if (!deepest.has(key)) deepest.set(key, e);
  }
  const list = [...deepest.values()];
  // For one path, an "additionalProperties" says more than "type" mismatches from other oneOf branches.
  const byPath = new Map<string, ErrorObject[]>();
  for (const e of list) (byPath.get(e.instancePath) ?? byPath.set(e.instancePath, []).get(e.instancePath)!).push(e);
  const out: ErrorObject[] = [];
  for (const es of byPath.values()) {
    const specific = es.filter((e) => e.keyword === 'additionalProperties' || e.keyword === 'enum' || e.keyword === 'required' || e.keyword === 'pattern');
    out.push(...(specific.length ? specific : es.slice(0, 1)));
  }
  return (out.length ? out : errors).slice(0, 8);
}

function describeError(e: ErrorObject): string {
  const p = e.params as Record<string, unknown>;
  if (e.keyword === 'additionalProperties') return `additional property "${String(p.additionalProperty)}" is not allowed`;
  if (e.keyword === 'enum') return `must be one of ${(p.allowedValues as unknown[]).map((x) => JSON.stringify(x)).join(', ')}`;
  if (e.keyword === 'required') return `"${String(p.missingProperty)}" is required`;
  return e.message ?? e.keyword;
}

const pathOf = (pointer: string): string[] => pointer.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));

export function loadCompose(file: string, env: NodeJS.ProcessEnv = process.env): LoadedCompose {
  const path = resolve(file);
  if (!existsSync(path)) {
    throw new CliError(`${file}: no such file → pass the Compose file with -f FILE (default compose.yaml in this directory)`, EXIT.usage);
  }
  const text = readFileSync(path, 'utf8');
  const lines = new LineCounter();
  const doc: Document = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length) {
    const e = doc.errors[0];
    const at = e.linePos?.[0];
    throw new CliError(`${file}${at ? `:${at.line}:${at.col}` : ''}: not valid YAML: ${e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')}`, EXIT.usage);
  }
  const lineOf = (p: (string | number)[]): number | undefined => {
    for (let n = p.length; n > 0; n--) {
      const node = doc.getIn(p.slice(0, n), true) as { range?: [number, number, number] } | undefined;
      if (node?.range) return lines.linePos(node.range[0]).line;
      // A key whose value is null has no node: find the key in the parent map.
      const parent = n > 1 ? doc.getIn(p.slice(0, n - 1), true) : doc.contents;
      if (isMap(parent)) {
        const pair = parent.items.find((it) => String((it.key as { value?: unknown })?.value ?? it.key) === String(p[n - 1]));
        const r = (pair?.key as { range?: [number, number, number] } | undefined)?.range;
        if (r) return lines.linePos(r[0]).line;
      }
      if (isSeq(parent)) continue;
    }
    return undefined;
  };
  const raw = doc.toJS({ maxAliasCount: 1000 }) as unknown;
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new CliError(`${file}: a Compose file is a YAML mapping with a "services" section`, EXIT.usage);
  }
  const dotEnvFile = resolve(dirname(path), '.env');
  const vars = { ...(existsSync(dotEnvFile) ? parseDotEnv(readFileSync(dotEnvFile, 'utf8')) : {}), ...env };
  const model = interpolateAll(raw, vars, '') as ComposeModel;
  const errors = validate(model);
  if (errors.length) {
    const msgs = mostUseful(errors).map((e) => {
      const p = pathOf(e.instancePath);
      const extra = e.keyword === 'additionalProperties' ? [String((e.params as { additionalProperty: string }).additionalProperty)] : [];
      const line = lineOf([...p, ...extra]);
      return `${file}${line ? `:${line}` : ''}: ${p.length ? p.join('.') : '(top level)'}: ${describeError(e)}`;
    });
    throw new CliError(`${msgs.join('\n')}\n  → the file does not follow the Compose Specification (https://compose-spec.io)`, EXIT.usage);
  }
  if (!model.services || Object.keys(model.services).length === 0) {
    throw new CliError(`${file}: no services: a Compose file needs a "services" section with at least one service`, EXIT.usage);
  }
  return { file, dir: dirname(path), model, lineOf };
}

/** The default project name, as Compose picks it: `name:` in the file, else the directory's name. */
export function defaultProjectName(loaded: LoadedCompose): string {
  return (loaded.model.name ?? basename(loaded.dir)).toLowerCase().replace(/[^a-z0-9_-]/g, '');
}
