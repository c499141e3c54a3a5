/**
 * Reading secret values: the one place sealed Secrets Manager and Parameter Store values are opened,
 * shared by the API handlers (GetSecretValue, GetParameter…) and the task-start resolver.
 */
import type { Store } from '../store/store.js';
import { parameterNameOf, sealContext, secretKeys, type ParameterRecord, type SecretRecord, type SecretVersion } from '../model/secrets.js';
import type { SecretBox } from './secret-box.js';

/** Finds a secret by name, full ARN, or partial ARN (the ARN without its 6-character suffix). */
export async function findSecret(store: Store, secretId: string): Promise<{ value: SecretRecord; version: number; key: string } | undefined> {
  if (!secretId.startsWith('arn:')) {
    const kv = await store.get(secretKeys.secret(secretId));
    return kv ? { value: JSON.parse(kv.value) as SecretRecord, version: kv.version, key: kv.key } : undefined;
  }
  const m = /^arn:aws:secretsmanager:[^:]*:\d{12}:secret:(.+)$/.exec(secretId);
  if (!m) return undefined;
  const tail = m[1];
  // Full ARN: name-XXXXXX; partial ARN: the name itself.
  for (const name of [tail.replace(/-[A-Za-z0-9]{6}$/, ''), tail]) {
    const kv = await store.get(secretKeys.secret(name));
    if (!kv) continue;
    const rec = JSON.parse(kv.value) as SecretRecord;
    if (rec.arn === secretId || rec.name === tail) return { value: rec, version: kv.version, key: kv.key };
  }
  return undefined;
}

export function pickSecretVersion(rec: SecretRecord, opts: { versionId?: string; versionStage?: string }): SecretVersion | undefined {
  if (opts.versionId) return rec.versions.find((v) => v.versionId === opts.versionId && (!opts.versionStage || v.stages.includes(opts.versionStage)));
  const stage = opts.versionStage ?? 'AWSCURRENT';
  return rec.versions.find((v) => v.stages.includes(stage));
}

export function openSecretVersion(box: SecretBox, rec: SecretRecord, v: SecretVersion): Buffer {
  return box.open(v.sealed, sealContext.secret(rec.arn, v.versionId));
}

export async function findParameter(store: Store, ref: string): Promise<{ value: ParameterRecord; version: number; key: string } | undefined> {
  const name = parameterNameOf(ref);
  const kv = await store.get(secretKeys.parameter(name));
  return kv ? { value: JSON.parse(kv.value) as ParameterRecord, version: kv.version, key: kv.key } : undefined;
}

export function openParameter(box: SecretBox, rec: ParameterRecord, version = rec.history[rec.history.length - 1]): string {
  return box.open(version.sealed, sealContext.parameter(rec.name, version.version)).toString('utf8');
}

/** The server's secret box; a context built without one (a unit test) cannot touch secret values. */
export function secretBoxOf(ctx: { readonly secretBox?: SecretBox }): SecretBox {
  if (!ctx.secretBox) throw new Error('no secrets key configured for this server');
  return ctx.secretBox;
}
