/**
 * The blob-storage port: content-addressed, opaque bytes (layers, configs). Small on purpose, after
 * containerd's content store (`core/content/content.go`): stat, read a range, write through a named
 * *ingest*, delete, list (for garbage collection).
 *
 *   ingest(id) ──append──► append … ──commit(digest)──► visible blob
 *        │                                  │ digest mismatch
 *        └──────────── abort ◄──────────────┘ (nothing stored)
 *
 * An ingest is a partial write: bytes stream to a temp file while SHA-256 is computed on the way. The
 * blob becomes visible only when `commit` has checked the digest, synced the file and renamed it into
 * place atomically — so a crash at any moment leaves either the whole blob or no blob. Ingests are
 * resumable by id: after a restart `ingest(id)` reopens the temp file at its synced length (re-hashing
 * what is there), so an upload whose chunks were acknowledged loses nothing.
 *
 * Every adapter passes `blob-store-conformance.ts`.
 */
import type { Readable } from 'node:stream';

export interface BlobStat {
  readonly digest: string;
  readonly size: number;
  /** Last write or touch, ms since epoch; GC keeps blobs touched within its grace period. */
  readonly modifiedMs: number;
}

export interface ByteRange {
  /** First byte, inclusive. */
  readonly start: number;
  /** Last byte, inclusive. */
  readonly end: number;
}

export interface Ingest {
  readonly id: string;
  /** Bytes written so far (and synced, once `append` resolved). */
  readonly offset: number;
  /**
   * Streams `source` to the end of the ingest and syncs it. Resolves with the new offset. If the source
   * fails or ends short of `expectLength`, the ingest is rolled back to where it was and this rejects.
   */
  append(source: Readable | Buffer, options?: { expectLength?: number }): Promise<number>;
  /** The digest of everything appended so far. */
  digest(): string;
  /**
   * Verifies the digest, makes the blob visible (atomic rename) and removes the ingest. On a mismatch
   * the ingest is removed and nothing is stored: throws DigestMismatchError.
   */
  commit(expected: string): Promise<BlobStat>;
  abort(): Promise<void>;
}

export interface BlobStore {
  stat(digest: string): Promise<BlobStat | undefined>;
  /** A stream of the blob's bytes (or a range of them); undefined when absent. */
  read(digest: string, range?: ByteRange): Promise<Readable | undefined>;
  /** Opens an ingest by id: a new empty one, or the one a previous process left (resumed). */
  ingest(id: string): Promise<Ingest>;
  /** True when an ingest with this id exists (on disk), without opening it. */
  hasIngest(id: string): Promise<boolean>;
  /** Marks a blob as recently used (GC grace). No-op when absent. */
  touch(digest: string): Promise<void>;
  delete(digest: string): Promise<boolean>;
  list(): AsyncIterable<BlobStat>;
  /** Ingests whose last write is older than `beforeMs` (abandoned uploads), for cleanup. */
  staleIngests(beforeMs: number): Promise<string[]>;
}

export class DigestMismatchError extends Error {
  constructor(readonly expected: string, readonly actual: string) {
    super(`digest mismatch: the content hashes to ${actual}, not ${expected}`);
    this.name = 'DigestMismatchError';
  }
}

export class ShortWriteError extends Error {
  constructor(readonly expected: number, readonly actual: number) {
    super(`short write: expected ${expected} bytes, received ${actual}`);
    this.name = 'ShortWriteError';
  }
}

export const DIGEST = /^sha256:[a-f0-9]{64}$/;
export const isDigest = (s: string): boolean => DIGEST.test(s);
