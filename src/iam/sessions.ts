/**
 * STS sessions: temporary credentials (ASIA… key id, secret, session token, expiry) for a role
 * (AssumeRole, and the task-role credentials agents hand to containers) or a user (GetSessionToken).
 * Stored under /iam/sessions/<id> so every server of an HA install verifies them; expired sessions
 * are removed by the next issue (a few at a time), so the table stays the size of the live set.
 */
import { randomBytes, randomInt } from 'node:crypto';
import type { Store } from '../store/store.js';
import type { IamDirectory } from './directory.js';
import { iamKeys, type SessionRecord, type Tag } from './records.js';

const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
/** Expired sessions are kept this long (a client with a clock a little behind still gets "expired", not "invalid"). */
const KEEP_EXPIRED_MS = 60 * 60_000;

export interface SessionRequest {
  readonly kind: 'role' | 'user';
  readonly roleName?: string;
  readonly sessionName?: string;
  readonly userName?: string;
  readonly durationSeconds: number;
  readonly tags?: readonly Tag[];
}

export async function issueSession(store: Store, iam: IamDirectory, req: SessionRequest, now: Date): Promise<SessionRecord> {
  let id = 'ASIA';
  for (let i = 0; i < 16; i++) id += B32[randomInt(B32.length)];
  const s: SessionRecord = {
    accessKeyId: id,
    secretAccessKey: randomBytes(30).toString('base64').replace(/\+/g, 'a').replace(/\//g, 'b'),
    sessionToken: 'IQoJb3JpZ2luX2VjE' + randomBytes(96).toString('base64'),
    expiration: now.getTime() + req.durationSeconds * 1000,
    issued: now.getTime(),
    kind: req.kind,
    ...(req.roleName !== undefined ? { roleName: req.roleName } : {}),
    ...(req.sessionName !== undefined ? { sessionName: req.sessionName } : {}),
    ...(req.userName !== undefined ? { userName: req.userName } : {}),
    ...(req.tags?.length ? { tags: req.tags } : {}),
  };
  const stale = [...iam.sessions.values()].filter((x) => x.expiration + KEEP_EXPIRED_MS < now.getTime()).slice(0, 50);
  const r = await store.txn({
    compare: [{ key: iamKeys.session(id), target: 'createRevision', op: '==', value: 0 }],
    success: [{ type: 'put', key: iamKeys.session(id), value: JSON.stringify(s) }, ...stale.map((x) => ({ type: 'delete' as const, key: iamKeys.session(x.accessKeyId) }))],
  });
  if (!r.succeeded) return issueSession(store, iam, req, now);
  return s;
}
