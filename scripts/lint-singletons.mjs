#!/usr/bin/env node
// One composition root (src/server/server.ts) makes every long-lived object and passes it in. A module
// that keeps a registry of such objects at its top level — `const x = new WeakMap<Store, …>()` looked up
// by a `xFor(deps)` function — hides where a dependency is made and shares it between servers in one
// process. This check refuses module-level WeakMap/Map/Set registries keyed by objects in src/ (tests
// aside). Memo caches keyed by immutable parse artefacts (shapes of a service model, a raw request being
// decoded) are not dependencies; they are listed below with the reason. Run by `npm run lint`.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(fileURLToPath(import.meta.url), '..', '..');
const MEMO_CACHES = new Map([
  ['src/protocol/codecs/aws-query.ts', 'parsed form fields per raw request, dropped with the request'],
  ['src/protocol/codecs/aws-json.ts', 'whether a model shape needs conversion; shapes are immutable'],
  ['src/protocol/service-model.ts', 'a model shape\'s members in order; shapes are immutable'],
]);
const bad = [];
const walk = (d) => {
  for (const e of readdirSync(d)) {
    const p = join(d, e);
    if (statSync(p).isDirectory()) { walk(p); continue; }
    const f = relative(root, p);
    if (!f.endsWith('.ts') || f.endsWith('.test.ts') || MEMO_CACHES.has(f)) continue;
    readFileSync(p, 'utf8').split('\n').forEach((line, i) => {
      // Top level only (no indentation): a class field or a local is owned by its instance or call.
      if (/^(export\s+)?(const|let)\s+\w+\s*(:[^=]+)?=\s*new\s+WeakMap\b/.test(line)) bad.push(`${f}:${i + 1}: ${line.trim()}`);
    });
  }
};
walk(join(root, 'src'));
if (bad.length > 0) {
  console.error(`module-level WeakMap registries (make the object in src/server/server.ts and pass it in):\n  ${bad.join('\n  ')}`);
  process.exit(1);
}
console.log('✔ no module-level WeakMap registries: dependencies are made in src/server/ and passed in');
