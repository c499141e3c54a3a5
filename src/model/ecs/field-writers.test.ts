/**
 * The writer table is checked, not trusted: every control-plane module that handles task or container
 * instance records is scanned for writes of an owned field — an assignment (`x.field = …`, `??=`,
 * `delete x.field`) or a rewrite in a copy (`{ ...record, field: … }`) — and any module other than the
 * field's writer in TASK_FIELD_WRITERS fails the test. Creating a record (task-factory.ts, a plain
 * object literal) sets first values and is not a write. The first test shows the check catching a
 * deliberate violation, so a green run means something.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { INSTANCE_FIELD_WRITERS, TASK_FIELD_WRITERS } from './task-records.js';

export interface Violation { file: string; field: string; owner: string; line: number }

/** Modules that never write these records (their own types reuse field names) or that create them. */
const EXEMPT = [/^src\/agent\//, /^src\/cli\//, /^src\/model\/ecs\/task-factory\.ts$/, /^src\/model\/ecs\/task-records\.ts$/];

/** Does this module handle task/instance records at all? (Only those are scanned.) */
const handlesRecords = (text: string) => /task-records\.js'/.test(text) || /keys\.(task|containerInstance)\(/.test(text);

function stripComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, (m) => m.replace(/[^\n]/g, ' ')).replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
}

/** Does this module handle container instance records? (For fields other records share, like `status`.) */
const handlesInstances = (text: string) => /\bContainerInstanceRecord\b/.test(text) || /keys\.containerInstance\(/.test(text);

export function foreignWrites(files: readonly { path: string; text: string }[], table: Readonly<Record<string, string>>, handles = handlesRecords): Violation[] {
  const out: Violation[] = [];
  for (const f of files) {
    if (EXEMPT.some((re) => re.test(f.path)) || !handles(f.text)) continue;
    const text = stripComments(f.text);
    const lineOf = (i: number) => text.slice(0, i).split('\n').length;
    const check = (field: string, at: number) => {
      const owner = table[field];
      if (owner !== undefined && owner !== f.path) out.push({ file: f.path, field, owner, line: lineOf(at) });
    };
    for (const m of text.matchAll(/\.(\w+)\s*(?:\?\?=|\|\|=|\+=|-=|=(?![=>]))/g)) check(m[1], m.index!);
    for (const m of text.matchAll(/\bdelete\s+[\w.!?[\]'"]+\.(\w+)/g)) check(m[1], m.index!);
    // `{ ...record, a, b: …, c }`: the keys after a spread rewrite those fields of a copied record (a
    // spread of a call result, `{ ...view(…) }`, builds a fresh object and is not a record copy).
    for (const m of text.matchAll(/\{\s*\.\.\.[\w.!?[\]]+\s*,([^{}]*)\}/g)) {
      for (const k of m[1].matchAll(/(?:^|,)\s*(\w+)\s*(?=[:,]|$)/g)) check(k[1], m.index!);
    }
  }
  return out;
}

function sourceFiles(root: string): { path: string; text: string }[] {
  const out: { path: string; text: string }[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d)) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (p.endsWith('.ts') && !p.endsWith('.test.ts') && !p.endsWith('.d.ts')) out.push({ path: relative(root, p).split('\\').join('/'), text: readFileSync(p, 'utf8') });
    }
  };
  walk(join(root, 'src'));
  return out;
}

// dist/src/model/ecs → the repository root.
const repoRoot = join(fileURLToPath(import.meta.url), '..', '..', '..', '..', '..');

describe('one writer per field (TASK_FIELD_WRITERS)', () => {
  it('catches a second writer: a deliberate violation in a fixture fails the check', () => {
    const fixture = [
      { path: 'src/api/ecs/bad-handler.ts', text: "import type { TaskRecord } from '../../model/ecs/task-records.js';\nexport function f(t: TaskRecord) {\n  t.lastStatus = 'RUNNING';\n  return { ...t, stopCode: 'UserInitiated', elb: undefined };\n}\n" },
      { path: 'src/dispatcher/gateway.ts', text: "import type { TaskRecord } from '../model/ecs/task-records.js';\nexport function g(t: TaskRecord) { t.lastStatus = 'STOPPED'; delete t.protectedUntil; }\n" },
      { path: 'src/other/unrelated.ts', text: 'export function h(x: { lastStatus: string }) { x.lastStatus = "x"; }\n' },
    ];
    const v = foreignWrites(fixture, TASK_FIELD_WRITERS);
    assert.deepEqual(v.map((x) => `${x.file}:${x.line} ${x.field}`).sort(), [
      'src/api/ecs/bad-handler.ts:3 lastStatus',
      'src/api/ecs/bad-handler.ts:4 elb',
      'src/api/ecs/bad-handler.ts:4 stopCode',
      'src/dispatcher/gateway.ts:2 protectedUntil',
    ]);
  });

  it('the source has exactly one writer per owned field', () => {
    const files = sourceFiles(repoRoot);
    assert.ok(files.some((f) => f.path === 'src/dispatcher/gateway.ts'), `scanning the source under ${repoRoot}`);
    const v = foreignWrites(files, TASK_FIELD_WRITERS);
    assert.deepEqual(v, [], v.map((x) => `${x.file}:${x.line} writes ${x.field}, which only ${x.owner} may write`).join('\n'));
  });

  it("a container instance's status has one writer (INSTANCE_FIELD_WRITERS, in modules handling instances)", () => {
    const fixture = [{ path: 'src/api/ecs/bad-drain.ts', text: "import type { ContainerInstanceRecord } from '../../model/ecs/task-records.js';\nexport function f(i: ContainerInstanceRecord) {\n  i.status = 'DRAINING';\n}\n" }];
    assert.deepEqual(foreignWrites(fixture, INSTANCE_FIELD_WRITERS, handlesInstances).map((x) => `${x.file}:${x.line} ${x.field}`), ['src/api/ecs/bad-drain.ts:3 status']);
    const v = foreignWrites(sourceFiles(repoRoot), INSTANCE_FIELD_WRITERS, handlesInstances);
    assert.deepEqual(v, [], v.map((x) => `${x.file}:${x.line} writes ${x.field}, which only ${x.owner} may write`).join('\n'));
  });

  it('every writer named in the table exists (or is marked derived)', () => {
    for (const [field, owner] of Object.entries(TASK_FIELD_WRITERS)) {
      if (owner.startsWith('(derived')) continue;
      assert.ok(statSync(join(repoRoot, owner)).isFile(), `${field}: ${owner} does not exist`);
    }
  });
});
