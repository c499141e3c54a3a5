import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveToken, serverDataDir } from './agent.js';

describe('wharf agent: join token', () => {
  it('prefers --token, then WHARF_JOIN_TOKEN, then <server data dir>/join-token, else says how to get one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wharf-tok-'));
    assert.equal(resolveToken('flag', { WHARF_JOIN_TOKEN: 'env', WHARF_DATA_DIR: dir }), 'flag');
    assert.equal(resolveToken(undefined, { WHARF_JOIN_TOKEN: 'env', WHARF_DATA_DIR: dir }), 'env');
    assert.throws(() => resolveToken(undefined, { WHARF_DATA_DIR: dir }), /--token.*wharf server.*join-token/);
    writeFileSync(join(dir, 'join-token'), 'from-file\n');
    assert.equal(resolveToken(undefined, { WHARF_DATA_DIR: dir }), 'from-file');
    assert.equal(serverDataDir({ XDG_DATA_HOME: '/x' }), '/x/wharf');
    assert.match(serverDataDir({ XDG_DATA_HOME: 'relative' }), /\.local\/share\/wharf$/);
  });
});
