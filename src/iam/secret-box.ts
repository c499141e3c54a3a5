/**
 * Encryption at rest for Secrets Manager and Parameter Store values: AES-256-GCM under a key kept in
 * a file outside the state database (`<data dir>/secrets.key`, mode 0600), so a copy of state.db alone
 * (a backup, an etcd snapshot) reveals no secret. Each value gets its own 96-bit random IV; the record
 * key is bound in as additional data, so a ciphertext moved to another record fails to open.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';

export interface Sealed {
  readonly iv: string;
  readonly tag: string;
  readonly data: string;
}

export class SecretBox {
  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error('the secrets key must be 32 bytes');
  }

  /** Reads the key file, creating it (32 random bytes, mode 0600) on first use. */
  static fromFile(path: string): SecretBox {
    if (!existsSync(path)) {
      try {
        writeFileSync(path, randomBytes(32).toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
    }
    chmodSync(path, 0o600);
    return new SecretBox(Buffer.from(readFileSync(path, 'utf8').trim(), 'base64'));
  }

  seal(plain: string | Uint8Array, context: string): Sealed {
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.key, iv);
    c.setAAD(Buffer.from(context));
    const data = Buffer.concat([c.update(typeof plain === 'string' ? Buffer.from(plain, 'utf8') : plain), c.final()]);
    return { iv: iv.toString('base64'), tag: c.getAuthTag().toString('base64'), data: data.toString('base64') };
  }

  open(s: Sealed, context: string): Buffer {
    const d = createDecipheriv('aes-256-gcm', this.key, Buffer.from(s.iv, 'base64'));
    d.setAAD(Buffer.from(context));
    d.setAuthTag(Buffer.from(s.tag, 'base64'));
    return Buffer.concat([d.update(Buffer.from(s.data, 'base64')), d.final()]);
  }
}
