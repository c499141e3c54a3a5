/** Resolving task definitions and tasks the way RunTask, StartTask, StopTask and DescribeTasks need. */
import { ApiError, clientError, invalidParameter } from '../../model/errors.js';
import { parseTaskDefinitionRef, parseTaskRef } from '../../model/arn.js';
import { keys } from '../../model/ecs/keys.js';
import type { TaskDefinitionRecord } from '../../model/ecs/records.js';
import type { TaskRecord } from '../../model/ecs/task-records.js';
import { getJson, type Versioned } from '../../store/json.js';
import { findTaskDefinition } from './task-definition-store.js';
import type { Store } from '../../store/store.js';

/**
 * `family` (latest ACTIVE revision), `family:revision` or an ARN. New tasks may not use an INACTIVE
 * revision (ECS: existing tasks keep running, new ones are refused).
 */
export async function taskDefinitionForRun(store: Store, ref: string): Promise<TaskDefinitionRecord> {
  if (!parseTaskDefinitionRef(ref)) throw invalidParameter(`Invalid revision number. Number: ${ref.split(':').pop()}`);
  const rec = (await findTaskDefinition(store, ref))?.value;
  if (!rec) throw clientError('Unable to describe task definition.');
  if (rec.status !== 'ACTIVE') throw clientError(`TaskDefinition is inactive: ${rec.taskDefinitionArn}`);
  return rec;
}

/** The task a `task` parameter names within `cluster`, or undefined. */
export async function findTask(store: Store, cluster: string, ref: string): Promise<Versioned<TaskRecord> | undefined> {
  const parsed = parseTaskRef(ref);
  if (!parsed) return undefined;
  if (parsed.cluster !== undefined && parsed.cluster !== cluster) return undefined;
  return getJson<TaskRecord>(store, keys.task(cluster, parsed.id));
}

export function taskNotFound(ref: string): ApiError {
  return invalidParameter(`The referenced task was not found: ${ref}`);
}

/** Parses ECS cpu/memory strings ("512", "1 vCPU", "1GB") to units/MiB. */
export function parseCpu(v: string | undefined): number | undefined {
  if (v === undefined || v === '') return undefined;
  const m = /^\s*([\d.]+)\s*(vcpu)?\s*$/i.exec(v);
  if (!m) return undefined;
  return m[2] ? Math.round(Number(m[1]) * 1024) : Number(m[1]);
}

export function parseMemory(v: string | undefined): number | undefined {
  if (v === undefined || v === '') return undefined;
  const m = /^\s*([\d.]+)\s*(gb|mb|mib|gib)?\s*$/i.exec(v);
  if (!m) return undefined;
  return m[2] && m[2].toLowerCase().startsWith('g') ? Math.round(Number(m[1]) * 1024) : Number(m[1]);
}
