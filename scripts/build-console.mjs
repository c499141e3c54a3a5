#!/usr/bin/env node
// Builds the web console (console/ → console/dist, served by `wharf server` at /console): installs its
// npm packages exactly as locked the first time (or when console/package-lock.json changed), then runs
// its lint, type check and Vite build. Used by `npm test`, `./scripts/quickstart.sh` and `npm run build:console`.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const dir = join(fileURLToPath(import.meta.url), '..', '..', 'console');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const run = (args) => {
  const r = spawnSync(npm, args, { cwd: dir, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
};
const installed = join(dir, 'node_modules', '.package-lock.json');
if (!existsSync(installed) || statSync(join(dir, 'package-lock.json')).mtimeMs > statSync(installed).mtimeMs) {
  console.error('console: installing npm packages (npm ci)…');
  run(['ci', '--no-audit', '--no-fund']);
}
run(['run', '--silent', 'build']);
