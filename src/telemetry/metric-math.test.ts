import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluate, MathError, parseExpression, type MathValue, type Series } from './metric-math.js';

const s = (label: string, pts: [number, number][]): Series => ({ label, points: new Map(pts) });
const env = (vals: Record<string, Series>) => ({
  lookup: (id: string): MathValue | undefined => (vals[id] ? { k: 'series', s: vals[id] } : undefined),
  metrics: () => Object.entries(vals).map(([id, series]) => ({ id, series })),
});
const run = (expr: string, vals: Record<string, Series>) => evaluate(parseExpression(expr), env(vals));
const pts = (v: MathValue) => (v.k === 'series' ? [...v.s.points].sort((a, b) => a[0] - b[0]) : v);

test('aggregates across series per timestamp; one series gives a scalar', () => {
  const a = s('a', [[0, 1], [60, 2]]);
  const b = s('b', [[0, 10], [60, 20], [120, 5]]);
  assert.deepEqual(pts(run('SUM([a, b])', { a, b })), [[0, 11], [60, 22], [120, 5]]);
  assert.deepEqual(pts(run('SUM(METRICS())', { a, b })), [[0, 11], [60, 22], [120, 5]]);
  assert.deepEqual(pts(run('AVG([a,b])', { a, b })), [[0, 5.5], [60, 11], [120, 5]]);
  assert.deepEqual(pts(run('MIN([a,b])', { a, b })), [[0, 1], [60, 2], [120, 5]]);
  assert.deepEqual(pts(run('MAX([a,b])', { a, b })), [[0, 10], [60, 20], [120, 5]]);
  assert.deepEqual(run('AVG(b)', { a, b }), { k: 'scalar', v: 35 / 3 });
});

test('arithmetic aligns series on timestamps and broadcasts scalars, with precedence', () => {
  const a = s('a', [[0, 4], [60, 8]]);
  const b = s('b', [[0, 2], [120, 1]]);
  assert.deepEqual(pts(run('a / b', { a, b })), [[0, 2]]);
  assert.deepEqual(pts(run('a * 100 / 4 - 1', { a, b })), [[0, 99], [60, 199]]);
  assert.deepEqual(pts(run('-a + 2 ^ 3', { a, b })), [[0, 4], [60, 0]]);
  assert.deepEqual(pts(run('ABS(b - a)', { a, b })), [[0, 2]]);
});

test('bad expressions fail with a message', () => {
  for (const bad of ['SUM(', 'a +', 'FOO(a)', 'a $ b', '[a', 'nope']) {
    assert.throws(() => run(bad, { a: s('a', []) }), MathError, bad);
  }
});
