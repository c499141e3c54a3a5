/**
 * The IAM directory: every IAM record (users, groups, roles, managed policies, access keys, STS
 * sessions) held in memory from one store watch, and the authorization decision made from it.
 *
 * Naive approach: read the caller's user, groups and policies from the store on every request. That
 * is four to ten reads per API call (a DescribeTaskDefinition is one read), so authorization would cost
 * more than the action. Instead the directory keeps a parsed copy, and a caller's effective policy set
 * is cached per principal until any IAM record changes (an `epoch` bumped by the watch): a change is
 * seen by the next request after the store's watch delivers it, as it is in AWS after propagation.
 */
import type { Store } from '../store/store.js';
import { evaluate, parsePolicy, type AuthzRequest, type Evaluation, type Policy } from './policy.js';
import { AWS_MANAGED_POLICIES } from './managed-policies.js';
import type { AccessKey } from './access-keys.js';
import {
  assumedRoleArn, iamKeys, type GroupRecord, type ManagedPolicyRecord, type PolicyHolder, type RoleRecord, type SessionRecord, type Tag, type UserRecord,
} from './records.js';

/** Who is calling, as authentication found it. */
export interface Caller {
  readonly accessKeyId: string;
  readonly arn: string;
  /** UserId as GetCallerIdentity shows it (AIDA… for users, AROA…:session for roles). */
  readonly userId: string;
  readonly type: 'user' | 'assumed-role';
  readonly userName?: string;
  readonly roleName?: string;
  readonly sessionName?: string;
  /** The bootstrap administrator: never denied. */
  readonly bootstrap: boolean;
  /** Session tags and principal tags (aws:PrincipalTag/…). */
  readonly tags: readonly Tag[];
  readonly session?: SessionRecord;
}

export type CredentialLookup =
  | { readonly kind: 'key'; readonly secretAccessKey: string; readonly caller: Caller }
  | { readonly kind: 'session'; readonly secretAccessKey: string; readonly sessionToken: string; readonly expired: boolean; readonly caller: Caller }
  | { readonly kind: 'unknown' };

const PREFIX = '/iam/';

export class IamDirectory {
  readonly users = new Map<string, UserRecord>();
  readonly groups = new Map<string, GroupRecord>();
  readonly roles = new Map<string, RoleRecord>();
  readonly policies = new Map<string, ManagedPolicyRecord>();
  readonly keys = new Map<string, AccessKey>();
  readonly sessions = new Map<string, SessionRecord>();
  /** Access key id → when it was last used (GetAccessKeyLastUsed), in memory only. */
  readonly lastUsed = new Map<string, { at: number; service: string; region: string }>();
  private epoch = 0;
  private readonly effective = new Map<string, { epoch: number; policies: Policy[] }>();
  private readonly parsed = new Map<string, Policy>();
  private readonly abort = new AbortController();
  private loaded?: Promise<void>;

  constructor(private readonly store: Store, private readonly accountId: string) {}

  load(): Promise<void> {
    this.loaded ??= (async () => {
      this.store.watch(PREFIX, (events) => {
        for (const e of events) this.apply(e.kv.key, e.type === 'delete' ? undefined : e.kv.value);
      }, { signal: this.abort.signal });
      const { kvs } = await this.store.range(PREFIX);
      for (const kv of kvs) this.apply(kv.key, kv.value);
    })();
    return this.loaded;
  }

  private apply(key: string, value: string | undefined): void {
    this.epoch++;
    const slash = key.indexOf('/', PREFIX.length);
    if (slash < 0) return;
    const kind = key.slice(PREFIX.length, slash);
    const id = key.slice(slash + 1);
    const maps: Record<string, Map<string, unknown>> = {
      users: this.users, groups: this.groups, roles: this.roles, policies: this.policies, 'access-keys': this.keys, sessions: this.sessions,
    };
    const m = maps[kind];
    if (!m) return;
    if (value === undefined) m.delete(id);
    else m.set(id, JSON.parse(value));
  }

  close(): void {
    this.abort.abort();
  }

  /** Finds the credential an access key id names, and who it belongs to. */
  async credential(accessKeyId: string, now: Date): Promise<CredentialLookup> {
    await this.load();
    const key = this.keys.get(accessKeyId);
    if (key) {
      if (key.status !== 'Active') return { kind: 'unknown' };
      const user = this.users.get(key.userName);
      return {
        kind: 'key', secretAccessKey: key.secretAccessKey,
        caller: {
          accessKeyId, arn: user?.arn ?? `arn:aws:iam::${this.accountId}:user/${key.userName}`, userId: user?.userId ?? accessKeyId, type: 'user',
          userName: key.userName, bootstrap: user?.bootstrap === true || (!user && key.userName === 'admin'), tags: user?.tags ?? [],
        },
      };
    }
    const s = this.sessions.get(accessKeyId);
    if (!s) return { kind: 'unknown' };
    return { kind: 'session', secretAccessKey: s.secretAccessKey, sessionToken: s.sessionToken, expired: s.expiration <= now.getTime(), caller: this.sessionCaller(s) };
  }

  sessionCaller(s: SessionRecord): Caller {
    if (s.kind === 'role') {
      const role = this.roles.get(s.roleName!);
      const tags = [...(role?.tags ?? []).filter((t) => !s.tags?.some((x) => x.Key.toLowerCase() === t.Key.toLowerCase())), ...(s.tags ?? [])];
      return {
        accessKeyId: s.accessKeyId, arn: assumedRoleArn(this.accountId, s.roleName!, s.sessionName!), userId: `${role?.roleId ?? 'AROA'}:${s.sessionName}`,
        type: 'assumed-role', roleName: s.roleName, sessionName: s.sessionName, bootstrap: false, tags, session: s,
      };
    }
    const user = this.users.get(s.userName!);
    return {
      accessKeyId: s.accessKeyId, arn: user?.arn ?? `arn:aws:iam::${this.accountId}:user/${s.userName}`, userId: user?.userId ?? s.accessKeyId, type: 'user',
      userName: s.userName, bootstrap: user?.bootstrap === true || (!user && s.userName === 'admin'), tags: user?.tags ?? [], session: s,
    };
  }

  /** A managed policy's default document: AWS managed or customer managed. */
  managedPolicyDocument(arn: string): string | undefined {
    const aws = AWS_MANAGED_POLICIES.get(arn);
    if (aws) return aws.document;
    const name = arn.slice(arn.lastIndexOf('/') + 1);
    const p = this.policies.get(name);
    if (!p || p.arn !== arn) return undefined;
    return p.versions.find((v) => v.versionId === p.defaultVersionId)?.document;
  }

  private parse(text: string): Policy | undefined {
    let p = this.parsed.get(text);
    if (!p) {
      try {
        p = parsePolicy(text);
      } catch {
        return undefined; // stored documents were validated on write; an unreadable one grants nothing
      }
      if (this.parsed.size > 5000) this.parsed.clear();
      this.parsed.set(text, p);
    }
    return p;
  }

  private holderPolicies(h: PolicyHolder | undefined, out: Policy[]): void {
    if (!h) return;
    for (const arn of h.attached) {
      const d = this.managedPolicyDocument(arn);
      const p = d === undefined ? undefined : this.parse(d);
      if (p) out.push(p);
    }
    for (const d of Object.values(h.inline)) {
      const p = this.parse(d);
      if (p) out.push(p);
    }
  }

  /** The identity-based policies that apply to a caller (user + its groups, or the session's role). */
  policiesOf(caller: Caller): Policy[] {
    const cached = this.effective.get(caller.arn);
    if (cached && cached.epoch === this.epoch) return cached.policies;
    const out: Policy[] = [];
    if (caller.type === 'assumed-role') {
      this.holderPolicies(this.roles.get(caller.roleName!), out);
    } else {
      const user = this.users.get(caller.userName!);
      this.holderPolicies(user, out);
      for (const g of user?.groups ?? []) this.holderPolicies(this.groups.get(g), out);
    }
    this.effective.set(caller.arn, { epoch: this.epoch, policies: out });
    return out;
  }

  /** The decision for one action on one resource. The bootstrap administrator is always allowed. */
  authorize(caller: Caller, req: AuthzRequest): Evaluation {
    if (caller.bootstrap) return { decision: 'Allow' };
    return evaluate(this.policiesOf(caller), req);
  }

  /** The condition keys every request carries (aws:username, aws:PrincipalTag/…, aws:CurrentTime …). */
  globalContext(caller: Caller, now: Date, extra: { sourceIp?: string; region: string }): Record<string, string | string[]> {
    const ctx: Record<string, string | string[]> = {
      'aws:currenttime': now.toISOString(),
      'aws:epochtime': String(Math.floor(now.getTime() / 1000)),
      'aws:principalarn': caller.type === 'assumed-role' ? this.roles.get(caller.roleName!)?.arn ?? caller.arn : caller.arn,
      'aws:principalaccount': this.accountId,
      'aws:principaltype': caller.type === 'assumed-role' ? 'AssumedRole' : 'User',
      'aws:userid': caller.userId,
      'aws:requestedregion': extra.region,
      'aws:securetransport': 'false',
    };
    if (caller.userName) ctx['aws:username'] = caller.userName;
    if (extra.sourceIp) ctx['aws:sourceip'] = extra.sourceIp;
    if (caller.session) ctx['aws:tokenissuetime'] = new Date(caller.session.issued).toISOString();
    for (const t of caller.tags) ctx[`aws:principaltag/${t.Key.toLowerCase()}`] = t.Value;
    return ctx;
  }
}

/**
 * The bootstrap administrator as an IAM user record (`admin`, AdministratorAccess attached, flagged
 * bootstrap so detaching policies cannot lock the installation out). Idempotent: created only when
 * missing, so a restart or a second server changes nothing.
 */
export async function ensureBootstrapUser(store: Store, accountId: string, now: Date): Promise<void> {
  const key = iamKeys.user('admin');
  const user: UserRecord = {
    userName: 'admin', userId: 'AIDA' + 'WHARFBOOTSTRAPADM'.slice(0, 17), arn: `arn:aws:iam::${accountId}:user/admin`, path: '/',
    createDate: now.getTime(), tags: [], groups: [], attached: ['arn:aws:iam::aws:policy/AdministratorAccess'], inline: {}, bootstrap: true,
  };
  await store.txn({ compare: [{ key, target: 'createRevision', op: '==', value: 0 }], success: [{ type: 'put', key, value: JSON.stringify(user) }] });
}
