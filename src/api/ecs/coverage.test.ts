import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderCoverage } from './coverage.js';

test('docs/ecs-coverage.md is what the code says (rerun scripts/gen-coverage.mjs after a change)', () => {
  const root = join(import.meta.dirname, '..', '..', '..', '..');
  const committed = readFileSync(join(root, 'docs', 'ecs-coverage.md'), 'utf8');
  assert.equal(committed, renderCoverage());
});
