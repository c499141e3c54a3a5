import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateLifecycle, parseLifecyclePolicy, LifecyclePolicyError } from './lifecycle.js';

const DAY = 86_400_000;
const now = new Date(100 * DAY);
const img = (d: string, tags: string[], daysAgo: number) => ({ digest: d, tags, pushedAt: now.getTime() - daysAgo * DAY });
const policy = (rules: unknown[]) => parseLifecyclePolicy(JSON.stringify({ rules }));

test('imageCountMoreThan keeps the newest N of the selection', () => {
  const p = policy([{ rulePriority: 1, selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 2 }, action: { type: 'expire' } }]);
  const out = evaluateLifecycle(p, [img('a', ['1'], 5), img('b', ['2'], 4), img('c', [], 3), img('d', ['4'], 1)], now);
  assert.deepEqual(out.map((e) => e.digest).sort(), ['a', 'b']);
});

test('sinceImagePushed expires images older than N days; untagged only selects untagged', () => {
  const p = policy([{ rulePriority: 1, selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 7 }, action: { type: 'expire' } }]);
  const out = evaluateLifecycle(p, [img('a', [], 8), img('b', [], 6), img('c', ['x'], 30)], now);
  assert.deepEqual(out.map((e) => e.digest), ['a']);
});

test('tagPrefixList needs every prefix; higher-priority selections are protected from lower rules', () => {
  const p = policy([
    { rulePriority: 1, selection: { tagStatus: 'tagged', tagPrefixList: ['prod'], countType: 'imageCountMoreThan', countNumber: 1 }, action: { type: 'expire' } },
    { rulePriority: 2, selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 1 }, action: { type: 'expire' } },
  ]);
  const images = [img('p1', ['prod-1'], 10), img('p2', ['prod-2'], 9), img('d1', ['dev-1'], 2), img('d2', ['dev-2'], 1)];
  const out = evaluateLifecycle(p, images, now);
  // Rule 1 keeps p2, expires p1. Rule 2 ranks all four (d2 newest, kept); p2 is protected by rule 1.
  assert.deepEqual(Object.fromEntries(out.map((e) => [e.digest, e.rule.rulePriority])), { p1: 1, d1: 2 });
});

test('tagPatternList wildcards', () => {
  const p = policy([{ rulePriority: 1, selection: { tagStatus: 'tagged', tagPatternList: ['*-rc*'], countType: 'sinceImagePushed', countUnit: 'days', countNumber: 1 }, action: { type: 'expire' } }]);
  const out = evaluateLifecycle(p, [img('a', ['v1-rc1'], 3), img('b', ['v1'], 3)], now);
  assert.deepEqual(out.map((e) => e.digest), ['a']);
});

test('bad policies are rejected with a reason', () => {
  assert.throws(() => parseLifecyclePolicy('{'), LifecyclePolicyError);
  assert.throws(() => policy([{ rulePriority: 1, selection: { tagStatus: 'tagged', countType: 'imageCountMoreThan', countNumber: 1 }, action: { type: 'expire' } }]), /tagPrefixList/);
  assert.throws(() => policy([
    { rulePriority: 1, selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 1 }, action: { type: 'expire' } },
    { rulePriority: 2, selection: { tagStatus: 'untagged', countType: 'imageCountMoreThan', countNumber: 1 }, action: { type: 'expire' } },
  ]), /highest rulePriority/);
});
