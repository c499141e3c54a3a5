#!/usr/bin/env node
// Writes docs/ecs-coverage.md (which ECS operations and task definition members Wharf implements,
// honours or refuses) from the built code: run `npm run build` first, then
//   scripts/with-node.sh node scripts/gen-coverage.mjs
// src/api/ecs/coverage.test.ts fails when the committed page is stale.
import { writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { renderCoverage } = await import(join(root, 'dist/src/api/ecs/coverage.js'));
writeFileSync(join(root, 'docs/ecs-coverage.md'), renderCoverage());
console.log('wrote docs/ecs-coverage.md');
