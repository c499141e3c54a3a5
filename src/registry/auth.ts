/**
 * Registry credentials, as ECR issues them. GetAuthorizationToken returns base64("AWS:" + password);
 * clients send HTTP Basic with that pair to /v2/.
 *
 * The password is stateless: `<payload>.<mac>` where payload = base64url(JSON {k: accessKeyId, e: expiry
 * ms}) and mac = HMAC-SHA256(server secret, payload). Verifying costs one HMAC, no store write per token,
 * and works on every server of an HA group (the secret lives in the store, created once). A token dies
 * with its access key: verification also checks that the key is still active.
 *
 * Also accepted: Basic with an access key pair (`AKIA…:secret`), so `skopeo --creds` works with the
 * admin key and no token step. Like the token, it travels in the clear over plain HTTP — serve TLS (or
 * stay on loopback) when that matters.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Store } from '../store/store.js';
import { createOnly } from '../store/store.js';
import type { AccessKeys } from '../iam/access-keys.js';
import { ecrKeys } from './metadata.js';

/** ECR's token lifetime: 12 hours. */
export const TOKEN_TTL_MS = 12 * 60 * 60 * 1000;

export interface RegistryPrincipal {
  accessKeyId: string;
  userName: string;
  /** The region the token was issued in (undefined: the default region, as for an access key pair). */
  region?: string;
}

export class RegistryAuth {
  private secret?: Promise<Buffer>;

  constructor(private readonly store: Store, private readonly keys: AccessKeys) {}

  private getSecret(): Promise<Buffer> {
    this.secret ??= (async () => {
      const existing = await this.store.get(ecrKeys.authSecret());
      if (existing) return Buffer.from(existing.value, 'hex');
      const fresh = randomBytes(32).toString('hex');
      await this.store.txn(createOnly(ecrKeys.authSecret(), fresh));
      // Another server may have won the race: use whatever is stored.
      return Buffer.from((await this.store.get(ecrKeys.authSecret()))!.value, 'hex');
    })();
    return this.secret;
  }

  /** A password for `AWS:<password>`, valid until now + 12 h. */
  async issue(accessKeyId: string, now: Date, region?: string): Promise<{ password: string; expiresAt: Date }> {
    const expiresAt = new Date(now.getTime() + TOKEN_TTL_MS);
    const payload = Buffer.from(JSON.stringify({ k: accessKeyId, e: expiresAt.getTime(), ...(region ? { r: region } : {}) })).toString('base64url');
    const mac = createHmac('sha256', await this.getSecret()).update(payload).digest('base64url');
    return { password: `${payload}.${mac}`, expiresAt };
  }

  /** The principal an Authorization header proves, or undefined. */
  async verify(authorization: string | undefined, now: Date): Promise<RegistryPrincipal | undefined> {
    if (!authorization || !/^basic /i.test(authorization)) return undefined;
    const decoded = Buffer.from(authorization.slice(6).trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return undefined;
    const user = decoded.slice(0, colon);
    const pass = decoded.slice(colon + 1);
    if (user === 'AWS') {
      const dot = pass.indexOf('.');
      if (dot < 0) return undefined;
      const payload = pass.slice(0, dot);
      const mac = Buffer.from(pass.slice(dot + 1), 'base64url');
      const want = createHmac('sha256', await this.getSecret()).update(payload).digest();
      if (mac.length !== want.length || !timingSafeEqual(mac, want)) return undefined;
      let claims: { k?: string; e?: number; r?: string };
      try { claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')); } catch { return undefined; }
      if (typeof claims.k !== 'string' || typeof claims.e !== 'number' || claims.e <= now.getTime()) return undefined;
      const key = await this.keys.find(claims.k);
      if (claims.r !== undefined && typeof claims.r !== 'string') return undefined;
      return key ? { accessKeyId: key.accessKeyId, userName: key.userName, ...(claims.r ? { region: claims.r } : {}) } : undefined;
    }
    const key = await this.keys.find(user);
    if (!key) return undefined;
    const a = Buffer.from(pass), b = Buffer.from(key.secretAccessKey);
    return a.length === b.length && timingSafeEqual(a, b) ? { accessKeyId: key.accessKeyId, userName: key.userName } : undefined;
  }
}
