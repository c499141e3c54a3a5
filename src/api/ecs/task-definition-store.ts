/**
 * Reading task definitions from the store, shared by the task-definition actions (and later by RunTask,
 * CreateService…): resolve `family`, `family:revision` or an ARN, and render a record for the wire.
 */
import type { TaskDefinition } from '@aws-sdk/client-ecs';
import { ApiError } from '../../model/errors.js';
import { parseTaskDefinitionRef, type TaskDefinitionRef } from '../../model/arn.js';
import { keys } from '../../model/ecs/keys.js';
import type { TaskDefinitionRecord } from '../../model/ecs/records.js';
import { getJson, type Versioned } from '../../store/json.js';
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
 * The record a reference names: `family:revision` / ARN → that revision (any status); bare `family` →
 * its latest ACTIVE revision. Undefined when nothing matches or the reference is malformed.
 */
export async function findTaskDefinition(store: Store, ref: string | TaskDefinitionRef | undefined): Promise<Versioned<TaskDefinitionRecord> | undefined> {
  const parsed = typeof ref === 'string' ? parseTaskDefinitionRef(ref) : ref;
  if (!parsed) return undefined;
  if (parsed.revision !== undefined) return getJson<TaskDefinitionRecord>(store, keys.taskDefinition(parsed.family, parsed.revision));
  // Newest first, a page at a time: the latest revision is almost always the ACTIVE one.
  let after: string | undefined;
  for (;;) {
    const page = await store.range(keys.taskDefinitions(parsed.family), { reverse: true, limit: 16, after });
    for (const kv of page.kvs) {
      const value = JSON.parse(kv.value) as TaskDefinitionRecord;
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
