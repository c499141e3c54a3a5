/**
 * Secrets Manager secrets and Parameter Store parameters as stored. Values are never stored in the
 * clear: each version holds a sealed value (iam/secret-box.ts). Only the Secrets Manager and SSM
 * handlers write these records; the task-start resolver (iam/task-secrets.ts) only reads them.
 *
 *   /secretsmanager/secrets/<name>   SecretRecord     versions by id, each with its stages
 *   /ssm/parameters/<name>           ParameterRecord  every version (history), newest last
 */

export interface SealedValue { readonly iv: string; readonly tag: string; readonly data: string }

export interface SecretVersion {
  readonly versionId: string;
  /** AWSCURRENT, AWSPREVIOUS, AWSPENDING or custom labels. */
  readonly stages: readonly string[];
  readonly createdDate: number;
  readonly kind: 'string' | 'binary';
  readonly sealed: SealedValue;
}

export interface SecretRecord {
  readonly name: string;
  readonly arn: string;
  readonly description?: string;
  readonly kmsKeyId?: string;
  readonly tags: readonly { Key: string; Value: string }[];
  readonly createdDate: number;
  readonly lastChangedDate: number;
  readonly lastAccessedDate?: number;
  /** When DeleteSecret scheduled it; it is gone for good at deletionDate. */
  readonly deletedDate?: number;
  readonly deletionDate?: number;
  readonly versions: readonly SecretVersion[];
}

export interface ParameterVersion {
  readonly version: number;
  readonly type: 'String' | 'StringList' | 'SecureString';
  readonly sealed: SealedValue;
  readonly lastModifiedDate: number;
  readonly lastModifiedUser: string;
  readonly description?: string;
  readonly keyId?: string;
  readonly labels: readonly string[];
  readonly dataType: string;
  readonly allowedPattern?: string;
}

export interface ParameterRecord {
  readonly name: string;
  readonly tags: readonly { Key: string; Value: string }[];
  /** Oldest first; the last is the current version. */
  readonly history: readonly ParameterVersion[];
}

export const secretKeys = {
  secret: (name: string) => `/secretsmanager/secrets/${name}`,
  secrets: '/secretsmanager/secrets/',
  parameter: (name: string) => `/ssm/parameters/${name}`,
  parameters: '/ssm/parameters/',
};

/** The record key a sealed value is bound to (AES-GCM additional data). */
export const sealContext = {
  secret: (arn: string, versionId: string) => `secret:${arn}:${versionId}`,
  parameter: (name: string, version: number) => `parameter:${name}:${version}`,
};

export const parameterArn = (region: string, accountId: string, name: string) =>
  `arn:aws:ssm:${region}:${accountId}:parameter${name.startsWith('/') ? '' : '/'}${name}`;

/** A parameter name from a name or a parameter ARN. */
export function parameterNameOf(ref: string): string {
  const m = /^arn:aws:ssm:[^:]*:\d{12}:parameter(\/.*)$/.exec(ref);
  if (!m) return ref;
  // ARNs of root-level names (no leading slash in the name) carry one slash after "parameter".
  const rest = m[1];
  return rest.indexOf('/', 1) > 0 ? rest : rest.slice(1);
}

/**
 * A container's `secrets[].valueFrom` for Secrets Manager, as the ECS agent parses it:
 * arn:aws:secretsmanager:region:acct:secret:name[:json-key:version-stage:version-id]. The resource
 * split on ':' has 2 parts (whole secret) or 5 (parameterized); anything else is an invalid ARN.
 */
export interface SecretRef { readonly secretId: string; readonly jsonKey?: string; readonly versionStage?: string; readonly versionId?: string }

export function parseSecretValueFrom(valueFrom: string): SecretRef | undefined {
  const parts = valueFrom.split(':');
  if (parts.length < 7 || parts[0] !== 'arn' || parts[2] !== 'secretsmanager') return undefined;
  const resource = parts.slice(5);
  if (resource[0] !== 'secret') return undefined;
  if (resource.length === 2) return { secretId: valueFrom };
  if (resource.length !== 5) return undefined;
  const base = parts.slice(0, 7).join(':');
  const [, , jsonKey, versionStage, versionId] = resource;
  return { secretId: base, ...(jsonKey ? { jsonKey } : {}), ...(versionStage ? { versionStage } : {}), ...(versionId ? { versionId } : {}) };
}
