/**
 * The pause image: what holds an awsvpc task's network namespace (ECS's `amazon/amazon-ecs-pause`).
 * Nothing can be pulled here, so the agent makes it itself from Debian's busybox-static (one static
 * binary; `/bin/busybox sleep`), as a `docker save` archive loaded through the runtime's API — the same
 * call works on Docker and on Podman. Reproducible: fixed mtimes and ids, so every agent loads the same
 * image id.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import tarStream from 'tar-stream';
import type { RuntimeDriver } from '../runtime/driver.js';

export const PAUSE_IMAGE = 'localhost/wharf-pause:1';
export const BUSYBOX = '/bin/busybox';

async function tar(entries: { name: string; body?: Buffer; mode?: number; type?: 'file' | 'directory' }[]): Promise<Buffer> {
  const pack = tarStream.pack();
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    pack.on('data', (c: unknown) => chunks.push(c as Buffer));
    pack.on('end', () => resolve(Buffer.concat(chunks)));
    pack.on('error', reject);
  });
  for (const e of entries) {
    await new Promise<void>((resolve, reject) => {
      const header = { name: e.name, mode: e.mode ?? 0o644, mtime: new Date(0), uid: 0, gid: 0, type: e.type ?? 'file' } as const;
      if (header.type === 'directory') pack.entry(header, (err) => (err ? reject(err) : resolve()));
      else pack.entry({ ...header, size: e.body!.length }, e.body!, (err) => (err ? reject(err) : resolve()));
    });
  }
  pack.finalize();
  return done;
}

const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

export async function pauseArchive(busyboxPath = BUSYBOX): Promise<Buffer> {
  const layer = await tar([{ name: 'bin/', type: 'directory', mode: 0o755 }, { name: 'bin/busybox', body: await readFile(busyboxPath), mode: 0o755 }]);
  const arch = ({ x64: 'amd64', arm64: 'arm64' } as Record<string, string>)[process.arch] ?? process.arch;
  const config = JSON.stringify({
    architecture: arch, os: 'linux', created: '1970-01-01T00:00:00Z',
    config: { Entrypoint: ['/bin/busybox', 'sleep', '2147483647'], Env: ['PATH=/bin'], Labels: { 'wharf.pause': 'true' } },
    rootfs: { type: 'layers', diff_ids: [`sha256:${sha(layer)}`] },
  });
  const configName = `${sha(config)}.json`;
  const layerDir = sha(layer);
  const manifest = JSON.stringify([{ Config: configName, RepoTags: [PAUSE_IMAGE], Layers: [`${layerDir}/layer.tar`] }]);
  return tar([
    { name: configName, body: Buffer.from(config) },
    { name: `${layerDir}/`, type: 'directory', mode: 0o755 },
    { name: `${layerDir}/layer.tar`, body: layer },
    { name: 'manifest.json', body: Buffer.from(manifest) },
  ]);
}

/** Loads the pause image unless the runtime already has it. */
export async function ensurePauseImage(driver: RuntimeDriver): Promise<string> {
  if (await driver.inspectImage(PAUSE_IMAGE)) return PAUSE_IMAGE;
  await driver.loadImage(await pauseArchive());
  if (!(await driver.inspectImage(PAUSE_IMAGE))) throw new Error(`the runtime did not keep the pause image ${PAUSE_IMAGE} after loading it`);
  return PAUSE_IMAGE;
}
