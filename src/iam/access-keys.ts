/**
 * Access keys, stored under /iam/access-keys/<AccessKeyId>. The first start of a fresh install creates
 * one admin key. Lookups are served from a cache kept fresh by a store watch, so verifying a signature
 * costs no store read.
 */
import { randomBytes, randomInt } from 'node:crypto';
import type { Store } from '../store/store.js';
import { createOnly } from '../store/store.js';

export interface AccessKey {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly userName: string;
  readonly status: 'Active' | 'Inactive';
  readonly createDate: number;
}

const PREFIX = '/iam/access-keys/';
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function newAccessKey(userName: string, now: Date): AccessKey {
  // AWS's shape: AKIA + 16 base32 characters; a 40-character secret.
  let id = 'AKIA';
  for (let i = 0; i < 16; i++) id += ALNUM[randomInt(ALNUM.length)];
  const secret = randomBytes(30).toString('base64').replace(/\+/g, 'a').replace(/\//g, 'b');
  return { accessKeyId: id, secretAccessKey: secret, userName, status: 'Active', createDate: now.getTime() };
}

export class AccessKeys {
  private readonly cache = new Map<string, AccessKey>();
  private readonly abort = new AbortController();
  private loaded?: Promise<void>;

  constructor(private readonly store: Store) {}

  private load(): Promise<void> {
    this.loaded ??= (async () => {
      this.store.watch(PREFIX, (events) => {
        for (const e of events) {
          const id = e.kv.key.slice(PREFIX.length);
          if (e.type === 'delete') this.cache.delete(id);
          else this.cache.set(id, JSON.parse(e.kv.value) as AccessKey);
        }
      }, { signal: this.abort.signal });
      const { kvs } = await this.store.range(PREFIX);
      for (const kv of kvs) this.cache.set(kv.key.slice(PREFIX.length), JSON.parse(kv.value) as AccessKey);
    })();
    return this.loaded;
  }

  async find(accessKeyId: string): Promise<AccessKey | undefined> {
    await this.load();
    const k = this.cache.get(accessKeyId);
    return k && k.status === 'Active' ? k : undefined;
  }

  async list(): Promise<AccessKey[]> {
    await this.load();
    return [...this.cache.values()];
  }

  async create(key: AccessKey): Promise<void> {
    const r = await this.store.txn(createOnly(PREFIX + key.accessKeyId, JSON.stringify(key)));
    if (!r.succeeded) throw new Error(`access key ${key.accessKeyId} already exists`);
    this.cache.set(key.accessKeyId, key);
  }

  /** Creates the admin key when the store has no key at all. Returns it when it was created. */
  async bootstrap(now: Date): Promise<AccessKey | undefined> {
    const { kvs } = await this.store.range(PREFIX, { limit: 1 });
    if (kvs.length > 0) return undefined;
    const key = newAccessKey('admin', now);
    // Guard on a marker so two servers starting on one fresh store create one admin key between them.
    const r = await this.store.txn({
      compare: [{ key: '/iam/bootstrapped', target: 'createRevision', op: '==', value: 0 }],
      success: [{ type: 'put', key: '/iam/bootstrapped', value: String(now.getTime()) }, { type: 'put', key: PREFIX + key.accessKeyId, value: JSON.stringify(key) }],
    });
    if (!r.succeeded) return undefined;
    this.cache.set(key.accessKeyId, key);
    return key;
  }

  close(): void {
    this.abort.abort();
  }
}
