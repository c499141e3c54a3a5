/**
 * findTaskDefinition's two ways of parsing a stored record: fresh objects a caller owns (the default), and
 * the shared, deep-frozen record of its stored text (frozenRecord, DescribeTaskDefinition) — which must
 * never serve a record that changed in the store.
 */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../../store/sqlite/sqlite-store.js';
import { keys } from '../../model/ecs/keys.js';
import type { TaskDefinitionRecord } from '../../model/ecs/records.js';
import { findTaskDefinition, frozenRecord } from './task-definition-store.js';

const dir = mkdtempSync(join(tmpdir(), 'wharf-tdstore-'));
const store = new SqliteStore(join(dir, 'state.db'));
after(async () => { await store.close(); rmSync(dir, { recursive: true, force: true }); });

const record = (revision: number, status: 'ACTIVE' | 'INACTIVE') => ({
  family: 'web', revision, status, taskDefinitionArn: `arn:aws:ecs:us-east-1:000000000000:task-definition/web:${revision}`,
  containerDefinitions: [{ name: 'app', image: 'busybox', environment: [{ name: 'A', value: String(revision) }] }],
  tags: [{ key: 'team', value: 'a' }], registeredAt: 1_700_000_000_000,
}) as unknown as TaskDefinitionRecord;
const put = (r: TaskDefinitionRecord) => store.txn({ success: [{ type: 'put', key: keys.taskDefinition(r.family, r.revision), value: JSON.stringify(r) }] });

describe('findTaskDefinition', () => {
  it('by default parses a fresh object for each caller, which the caller may change', async () => {
    await put(record(1, 'ACTIVE'));
    const a = (await findTaskDefinition(store, 'web'))!.value;
    const b = (await findTaskDefinition(store, 'web'))!.value;
    assert.notEqual(a, b);
    a.containerDefinitions[0]!.image = 'changed';
    assert.equal((await findTaskDefinition(store, 'web:1'))!.value.containerDefinitions[0]!.image, 'busybox');
  });

  it('with frozenRecord shares one deep-frozen record per stored text: changing it throws', async () => {
    const a = (await findTaskDefinition(store, 'web', frozenRecord))!.value;
    const b = (await findTaskDefinition(store, 'web:1', frozenRecord))!.value;
    assert.equal(a, b);
    assert.ok(Object.isFrozen(a) && Object.isFrozen(a.containerDefinitions) && Object.isFrozen(a.containerDefinitions[0]!.environment![0]));
    assert.throws(() => { (a.containerDefinitions[0] as { image: string }).image = 'x'; }, TypeError);
    assert.throws(() => { a.tags!.push({ key: 'k', value: 'v' }); }, TypeError);
  });

  it('with frozenRecord follows the store: a changed status and a new revision are never served stale', async () => {
    assert.equal((await findTaskDefinition(store, 'web', frozenRecord))!.value.revision, 1);
    await put(record(2, 'ACTIVE'));
    assert.equal((await findTaskDefinition(store, 'web', frozenRecord))!.value.revision, 2);
    await put(record(2, 'INACTIVE'));
    const latest = (await findTaskDefinition(store, 'web', frozenRecord))!.value;
    assert.equal(latest.revision, 1, 'the latest ACTIVE revision once 2 is INACTIVE');
    assert.equal((await findTaskDefinition(store, 'web:2', frozenRecord))!.value.status, 'INACTIVE');
  });

  it('frozenRecord parses any number of texts (its memo is bounded) and shares a repeated one', () => {
    for (let i = 0; i < 300; i++) assert.equal(frozenRecord(JSON.stringify({ ...record(i + 10, 'ACTIVE') })).revision, i + 10);
    const text = JSON.stringify(record(3, 'ACTIVE'));
    assert.equal(frozenRecord(text), frozenRecord(text));
  });
});
