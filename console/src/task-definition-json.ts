/** Task definition JSON for "Create new revision": what RegisterTaskDefinition accepts, and checks before sending. */
import type { RegisterTaskDefinitionCommandInput, TaskDefinition } from '@aws-sdk/client-ecs';
import { parse, printParseErrorCode, type ParseError, type ParseErrorCode } from 'jsonc-parser';

/** `CloseBracketExpected` → `close bracket expected`. */
function describeCode(code: ParseErrorCode): string {
  return printParseErrorCode(code).replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase().replace(/^./, (c) => c.toUpperCase());
}

/** The members of a described task definition that RegisterTaskDefinition accepts (drops ARN, revision, status…). */
export function registerInput(d: TaskDefinition): Record<string, unknown> {
  const { taskDefinitionArn: _a, revision: _r, status: _s, requiresAttributes: _q, compatibilities: _c, registeredAt: _t, registeredBy: _b, deregisteredAt: _d, ...rest } = d;
  void _a; void _r; void _s; void _q; void _c; void _t; void _b; void _d;
  return Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined && !(Array.isArray(v) && v.length === 0)));
}

/** Problems found before sending: JSON syntax (with line:column) and required members. */
export function validate(text: string): { input?: RegisterTaskDefinitionCommandInput; errors: string[] } {
  // JSON.parse's messages differ between engines (some give no position): jsonc-parser reports the
  // offset of the first error the same way everywhere.
  const problems: ParseError[] = [];
  const parsed: unknown = parse(text, problems, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  const first = problems[0];
  if (first) {
    const before = text.slice(0, first.offset).split('\n');
    return { errors: [`JSON syntax error at line ${before.length}, column ${(before.at(-1)?.length ?? 0) + 1}: ${describeCode(first.error)}.`] };
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return { errors: ['The task definition must be a JSON object.'] };
  const o = parsed as Record<string, unknown>;
  const errors: string[] = [];
  if (typeof o.family !== 'string' || !o.family) errors.push('family: required (a name of up to 255 letters, numbers, hyphens and underscores).');
  else if (!/^[A-Za-z0-9_-]{1,255}$/.test(o.family)) errors.push('family: up to 255 letters, numbers, hyphens and underscores.');
  if (!Array.isArray(o.containerDefinitions) || o.containerDefinitions.length === 0) errors.push('containerDefinitions: at least one container is required.');
  else o.containerDefinitions.forEach((c: unknown, i) => {
    const cd = (c ?? {}) as Record<string, unknown>;
    if (typeof cd.name !== 'string' || !cd.name) errors.push(`containerDefinitions[${i}].name: required.`);
    if (typeof cd.image !== 'string' || !cd.image) errors.push(`containerDefinitions[${i}].image: required.`);
  });
  return errors.length ? { errors } : { input: o as unknown as RegisterTaskDefinitionCommandInput, errors };
}
