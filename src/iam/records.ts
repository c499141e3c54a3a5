/**
 * IAM's records in the store. One record per entity; every IAM handler is its only writer (through the
 * IAM API), and the directory (directory.ts) reads them all from a watch so authorization never reads
 * the store on the request path.
 *
 *   /iam/users/<name>        UserRecord       (group membership lives on the user: evaluation reads one record)
 *   /iam/groups/<name>       GroupRecord
 *   /iam/roles/<name>        RoleRecord       (trust policy = AssumeRolePolicyDocument)
 *   /iam/policies/<name>     ManagedPolicyRecord (customer managed; versions v1…v5, one default)
 *   /iam/access-keys/<id>    AccessKey        (access-keys.ts; long-term keys, AKIA…)
 *   /iam/sessions/<id>       SessionRecord    (STS credentials, ASIA…, with their expiry)
 *
 * AWS managed policies (arn:aws:iam::aws:policy/…) are not records: they are constants
 * (managed-policies.ts) that every account sees.
 */

export interface Tag { readonly Key: string; readonly Value: string }

/** Policies attached to a principal: managed by ARN, inline by name → JSON document. */
export interface PolicyHolder {
  readonly attached: readonly string[];
  readonly inline: Readonly<Record<string, string>>;
}

export interface UserRecord extends PolicyHolder {
  readonly userName: string;
  readonly userId: string;
  readonly arn: string;
  readonly path: string;
  readonly createDate: number;
  readonly tags: readonly Tag[];
  readonly groups: readonly string[];
  /** The installation's bootstrap administrator: full access whatever its policies say. */
  readonly bootstrap?: boolean;
}

export interface GroupRecord extends PolicyHolder {
  readonly groupName: string;
  readonly groupId: string;
  readonly arn: string;
  readonly path: string;
  readonly createDate: number;
}

export interface RoleRecord extends PolicyHolder {
  readonly roleName: string;
  readonly roleId: string;
  readonly arn: string;
  readonly path: string;
  readonly createDate: number;
  readonly assumeRolePolicyDocument: string;
  readonly description?: string;
  readonly maxSessionDuration: number;
  readonly tags: readonly Tag[];
}

export interface PolicyVersion {
  readonly versionId: string;
  readonly document: string;
  readonly createDate: number;
}

export interface ManagedPolicyRecord {
  readonly policyName: string;
  readonly policyId: string;
  readonly arn: string;
  readonly path: string;
  readonly description?: string;
  readonly createDate: number;
  readonly updateDate: number;
  readonly defaultVersionId: string;
  readonly versions: readonly PolicyVersion[];
  readonly nextVersion: number;
  readonly tags: readonly Tag[];
}

export interface SessionRecord {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  /** Epoch milliseconds. */
  readonly expiration: number;
  readonly issued: number;
  /** 'role': AssumeRole (and the task-role credentials the agent hands out); 'user': GetSessionToken. */
  readonly kind: 'role' | 'user';
  readonly roleName?: string;
  readonly sessionName?: string;
  readonly userName?: string;
  readonly tags?: readonly Tag[];
}

export const iamKeys = {
  user: (name: string) => `/iam/users/${name}`,
  group: (name: string) => `/iam/groups/${name}`,
  role: (name: string) => `/iam/roles/${name}`,
  policy: (name: string) => `/iam/policies/${name}`,
  accessKey: (id: string) => `/iam/access-keys/${id}`,
  session: (id: string) => `/iam/sessions/${id}`,
};

export const iamArn = (accountId: string, kind: 'user' | 'group' | 'role' | 'policy', path: string, name: string) =>
  `arn:aws:iam::${accountId}:${kind}${path}${name}`;

export const assumedRoleArn = (accountId: string, roleName: string, sessionName: string) =>
  `arn:aws:sts::${accountId}:assumed-role/${roleName}/${sessionName}`;
