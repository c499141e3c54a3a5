#!/usr/bin/env node
// Source rules that the layering lint (dependency-cruiser) cannot see, over every non-test .ts file in src/.
// Run by `npm run lint`.
//
// 1. Configuration is read in one place: `process.env` may appear only in the server's configuration
//    (src/server/config.ts) and the entry points (src/cli/: the `wharf` commands, including `wharf server`
//    and `wharf agent`, DESIGN.md §6). Everything else gets its settings passed in, so a reader finds every
//    knob in config.ts or a command's options, and a test can set any of them without touching the
//    environment. A child process may inherit the environment whole (`{ ...process.env, … }`).
// 2. One composition root (src/server/server.ts) makes every long-lived object and passes it in. A module
//    that keeps a registry of such objects at its top level — `const x = new WeakMap<Store, …>()` looked up
//    by an `xFor(deps)` function — hides where a dependency is made and shares it between servers in one
//    process. Memo caches keyed by immutable parse artefacts are not dependencies; they are listed below.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(fileURLToPath(import.meta.url), '..', '..');
const MEMO_CACHES = new Map([
  ['src/protocol/codecs/aws-query.ts', 'parsed form fields per raw request, dropped with the request'],
  ['src/protocol/codecs/aws-json.ts', 'whether a model shape needs conversion; shapes are immutable'],
  ['src/protocol/service-model.ts', "a model shape's members in order; shapes are immutable"],
]);
const rules = [
  {
    ok: '✔ process.env is read only in src/server/config.ts and src/cli/',
    fail: 'process.env is read outside src/server/config.ts and src/cli/ (add the setting to ServerConfig/ServerTuning, or a command option, and pass it in)',
    applies: (f) => f !== 'src/server/config.ts' && !f.startsWith('src/cli/'),
    bad: (line) => /\bprocess\.env\b/.test(line.replace(/\.\.\.process\.env\b/g, '')) && !/^\s*(\/\/|\*)/.test(line),
    found: [],
  },
  {
    ok: '✔ no module-level WeakMap registries: dependencies are made in src/server/ and passed in',
    fail: 'module-level WeakMap registries (make the object in src/server/server.ts and pass it in)',
    applies: (f) => !MEMO_CACHES.has(f),
    // Top level only (no indentation): a class field or a local is owned by its instance or call.
    bad: (line) => /^(export\s+)?(const|let)\s+\w+\s*(:[^=]+)?=\s*new\s+WeakMap\b/.test(line),
    found: [],
  },
];
const walk = (d) => {
  for (const e of readdirSync(d)) {
    const p = join(d, e);
    if (statSync(p).isDirectory()) { walk(p); continue; }
    const f = relative(root, p);
    if (!f.endsWith('.ts') || f.endsWith('.test.ts')) continue;
    const lines = readFileSync(p, 'utf8').split('\n');
    for (const r of rules) {
      if (!r.applies(f)) continue;
      lines.forEach((line, i) => { if (r.bad(line)) r.found.push(`${f}:${i + 1}: ${line.trim()}`); });
    }
  }
};
walk(join(root, 'src'));
let failed = false;
for (const r of rules) {
  if (r.found.length > 0) {
    failed = true;
    console.error(`${r.fail}:\n  ${r.found.join('\n  ')}`);
  } else console.log(r.ok);
}
process.exit(failed ? 1 : 0);
