/**
 * Reading task definitions from the store, shared by the task-definition actions (and later by RunTask,
 * CreateService…): resolve `family`, `family:revision` or an ARN, and render a record for the wire.
 */
import type { TaskDefinition } from '@aws-sdk/client-ecs';
import { ApiError } from '../../model/errors.js';
import { parseTaskDefinitionRef, type TaskDefinitionRef } from '../../model/arn.js';
import { keys } from '../../model/ecs/keys.js';
import type { TaskDefinitionRecord } from '../../model/ecs/records.js';
import type { Versioned } from '../../store/json.js';
import type { Store } from '../../store/store.js';
import { toDate } from './common.js';

export function taskDefinitionView(r: TaskDefinitionRecord): TaskDefinition {
  const { tags: _tags, registeredAt, deregisteredAt, deleteRequestedAt, ...rest } = r;
  void _tags;
  return {
    ...rest,
    registeredAt: toDate(registeredAt),
    deregisteredAt: toDate(deregisteredAt),
    deleteRequestedAt: toDate(deleteRequestedAt),
  };
}

/**
 * Task definition records parsed once, by their stored JSON text, for readers that only render them
 * (DescribeTaskDefinition). The naive read — JSON.parse of the ≈ 1–2 KB record on every request — was the
 * largest item of DescribeTaskDefinition's own CPU after SigV4 (≈ 6 % of the server's samples, docs/api-read-path.md).
 * A record's text is immutable (a new revision or a status change is a new text), so the text is the key:
 * nothing to invalidate, and a changed record simply misses. The parsed records are deep-frozen, because
 * every caller shares them: a reader that tried to change one would throw instead of corrupting the next
 * reader's answer. Bounded: the oldest entry goes when 256 are held.
 */
const frozenRecords = new Map<string, TaskDefinitionRecord>();
const FROZEN_RECORDS_MAX = 256;

function deepFreeze<T>(v: T): T {
  if (v !== null && typeof v === 'object' && !Object.isFrozen(v)) {
    for (const k of Object.keys(v)) deepFreeze((v as Record<string, unknown>)[k]);
    Object.freeze(v);
  }
  return v;
}

/** The shared, frozen record of this stored text (see frozenRecords). */
export function frozenRecord(text: string): TaskDefinitionRecord {
  let v = frozenRecords.get(text);
  if (v === undefined) {
    v = deepFreeze(JSON.parse(text) as TaskDefinitionRecord);
    if (frozenRecords.size >= FROZEN_RECORDS_MAX) frozenRecords.delete(frozenRecords.keys().next().value!);
    frozenRecords.set(text, v);
  }
  return v;
}

/**
 * The record a reference names: `family:revision` / ARN → that revision (any status); bare `family` →
 * its latest ACTIVE revision. Undefined when nothing matches or the reference is malformed. `parse` turns
 * the stored text into the record: a fresh object the caller owns (JSON.parse, the default), or
 * `frozenRecord` for readers that never change it.
 */
export async function findTaskDefinition(store: Store, ref: string | TaskDefinitionRef | undefined,
  parse: (text: string) => TaskDefinitionRecord = (t) => JSON.parse(t) as TaskDefinitionRecord): Promise<Versioned<TaskDefinitionRecord> | undefined> {
  const parsed = typeof ref === 'string' ? parseTaskDefinitionRef(ref) : ref;
  if (!parsed) return undefined;
  if (parsed.revision !== undefined) {
    const kv = await store.get(keys.taskDefinition(parsed.family, parsed.revision));
    return kv ? { value: parse(kv.value), version: kv.version, modRevision: kv.modRevision } : undefined;
  }
  // Newest first, a page at a time: the latest revision is almost always the ACTIVE one.
  let after: string | undefined;
  for (;;) {
    const page = await store.range(keys.taskDefinitions(parsed.family), { reverse: true, limit: 16, after });
    for (const kv of page.kvs) {
      const value = parse(kv.value);
      if (value.status === 'ACTIVE') return { value, version: kv.version, modRevision: kv.modRevision };
    }
    if (!page.more) return undefined;
    after = page.kvs[page.kvs.length - 1].key;
  }
}

/** Like findTaskDefinition, but a reference that must carry a revision (Deregister, Delete). */
export function parseRevisionRef(ref: string | undefined): TaskDefinitionRef | { error: string } {
  const parsed = ref === undefined ? undefined : parseTaskDefinitionRef(ref);
  if (!parsed) return { error: 'Invalid task definition: use family:revision or the task definition ARN.' };
  if (parsed.revision === undefined) return { error: 'Invalid revision number: a task definition revision is required (family:revision or the task definition ARN).' };
  return parsed;
}

export const unableToDescribe = () => new ApiError('ClientException', 'Unable to describe task definition.');
