import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { blobStoreConformance } from './blob-store-conformance.js';
import { FsBlobStore } from './fs-blob-store.js';

blobStoreConformance('FsBlobStore', {
  async create() {
    const dir = await mkdtemp(join(tmpdir(), 'wharf-blobs-'));
    return { store: new FsBlobStore(dir), reopen: () => new FsBlobStore(dir), cleanup: () => rm(dir, { recursive: true, force: true }) };
  },
});
