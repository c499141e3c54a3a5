import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileFilterPattern, FilterPatternError, splitFields } from './filter-pattern.js';

const m = (p: string, msg: string) => compileFilterPattern(p)(msg);

test('empty pattern matches everything', () => {
  assert.equal(m('', 'anything'), true);
  assert.equal(m('   ', ''), true);
});

test('terms: all plain terms, quoted phrases, case-sensitive', () => {
  assert.equal(m('ERROR', '[ERROR] disk'), true);
  assert.equal(m('ERROR', 'error'), false);
  assert.equal(m('ERROR disk', 'ERROR: disk full'), true);
  assert.equal(m('ERROR disk', 'ERROR: net down'), false);
  assert.equal(m('"disk full"', 'ERROR: disk full now'), true);
  assert.equal(m('"disk full"', 'disk is full'), false);
  assert.equal(m('"a \\"q\\" b"', 'x a "q" b y'), true);
});

test('terms: ?any and -exclusions', () => {
  assert.equal(m('?ERROR ?WARN', 'WARN low'), true);
  assert.equal(m('?ERROR ?WARN', 'INFO ok'), false);
  assert.equal(m('ERROR -Exiting', 'ERROR Exiting now'), false);
  assert.equal(m('ERROR -Exiting', 'ERROR retrying'), true);
  assert.equal(m('-DEBUG', 'INFO x'), true);
});

test('terms: %regex%', () => {
  assert.equal(m('%user-\\d+%', 'login user-42'), true);
  assert.equal(m('%user-\\d+%', 'login user-x'), false);
});

test('JSON patterns', () => {
  const ev = JSON.stringify({ level: 'error', ms: 150, user: { id: 7, name: 'ann' }, tags: ['a', 'b'], ok: true, gone: null });
  assert.equal(m('{ $.level = "error" }', ev), true);
  assert.equal(m('{ $.level = "info" }', ev), false);
  assert.equal(m('{ $.level != "info" }', ev), true);
  assert.equal(m('{ $.ms > 100 }', ev), true);
  assert.equal(m('{ $.ms <= 100 }', ev), false);
  assert.equal(m('{ $.user.id = 7 && $.user.name = "a*" }', ev), true);
  assert.equal(m('{ ($.ms < 10) || ($.tags[1] = "b") }', ev), true);
  assert.equal(m('{ $.tags[*] = "a" }', ev), true);
  assert.equal(m('{ $.ok IS TRUE }', ev), true);
  assert.equal(m('{ $.gone IS NULL }', ev), true);
  assert.equal(m('{ $.missing NOT EXISTS }', ev), true);
  assert.equal(m('{ $.level NOT EXISTS }', ev), false);
  assert.equal(m('{ $.level = %err.r% }', ev), true);
  assert.equal(m('{ $.level = "error" }', 'not json level error'), false);
});

test('space-delimited patterns', () => {
  const line = '127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /apache_pb.gif HTTP/1.0" 404 1534';
  assert.deepEqual(splitFields(line).length, 7);
  assert.equal(m('[ip, user, username, timestamp, request, status_code, bytes]', line), true);
  assert.equal(m('[ip, user, username, timestamp, request, status_code = 4*, bytes > 1000]', line), true);
  assert.equal(m('[ip, user, username, timestamp, request, status_code = 5*, bytes]', line), false);
  assert.equal(m('[ip, ..., status_code = 404, bytes]', line), true);
  assert.equal(m('[ip, user]', line), false);
  assert.equal(m('[..., status_code != 200 && status_code != 500, bytes]', line), true);
  assert.equal(m('[ip = 127.*, ...]', line), true);
  assert.equal(m('[ip, user, username = frank || username = bob, ...]', line), true);
});

test('malformed patterns throw', () => {
  for (const bad of ['"unterminated', '{ $.a = ', '{ $.a = 1', '{ a = 1 }', '[a, b', '{ $.a > "x" }', '%unterminated', '[a, , b]', '{ $.a = 1 ) }', 'foo{bar']) {
    assert.throws(() => compileFilterPattern(bad), FilterPatternError, bad);
  }
});
