#!/usr/bin/env node
// Configuration is read in one place: `process.env` may appear only in the server's configuration
// (src/server/config.ts) and the entry points (src/cli/: the `wharf` commands, including `wharf server` and
// `wharf agent`, DESIGN.md §6). Everything else gets its settings passed in, so a reader finds every knob
// in config.ts or a command's options, and a test can set any of them without touching the environment.
// Tests (*.test.ts) may read it, and a child process may inherit it whole (`{ ...process.env, … }`), which
// passes the environment on without reading a setting from it. Run by `npm run lint`.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(fileURLToPath(import.meta.url), '..', '..');
const allowed = (f) => f === 'src/server/config.ts' || f.startsWith('src/cli/');
const bad = [];
const walk = (d) => {
  for (const e of readdirSync(d)) {
    const p = join(d, e);
    if (statSync(p).isDirectory()) { walk(p); continue; }
    const f = relative(root, p);
    if (!f.endsWith('.ts') || f.endsWith('.test.ts') || allowed(f)) continue;
    readFileSync(p, 'utf8').split('\n').forEach((line, i) => {
      if (/\bprocess\.env\b/.test(line.replace(/\.\.\.process\.env\b/g, '')) && !/^\s*(\/\/|\*)/.test(line)) bad.push(`${f}:${i + 1}: ${line.trim()}`);
    });
  }
};
walk(join(root, 'src'));
if (bad.length > 0) {
  console.error(`process.env is read outside src/server/config.ts and src/cli/ (add the setting to ServerConfig/ServerTuning, or a command option, and pass it in):\n  ${bad.join('\n  ')}`);
  process.exit(1);
}
console.log('✔ process.env is read only in src/server/config.ts and src/cli/');
