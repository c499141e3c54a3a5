/** `wharf image import` from an OCI layout, a docker-archive and `podman save` archives; then pulled back. */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServerProcess, cliEntry, type TestServer } from '../support/server.js';
import { buildBusyboxImage, loadIntoRuntime, type BuiltImage } from '../support/images.js';
import { adminAuth, http } from './registry-helpers.js';

let s: TestServer;
let work: string;
let image: BuiltImage;
before(async () => {
  s = await startServerProcess();
  work = mkdtempSync(join(tmpdir(), 'wharf-import-'));
  image = await buildBusyboxImage(join(work, 'bb'), { tag: 'v7' });
});
after(async () => { await s.stop(); s.cleanup(); rmSync(work, { recursive: true, force: true }); });

const run = (cmd: string, args: string[]) => {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
};

test('imports an OCI layout with its digest and tag', async () => {
  const env = { ...process.env };
  delete env.AWS_ACCESS_KEY_ID; delete env.AWS_SECRET_ACCESS_KEY;
  const r = spawnSync(process.execPath, [cliEntry, 'image', 'import', image.layoutDir, '--repository', 'imp/layout', '--data-dir', s.dataDir, '-o', 'json'], { encoding: 'utf8', env, timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.digest, image.manifestDigest);
  assert.equal(out.imageUri, `127.0.0.1:${s.port}/imp/layout:v7`);
  assert.equal((await http(s, 'HEAD', '/v2/imp/layout/manifests/v7', { auth: adminAuth(s) })).headers['docker-content-digest'], image.manifestDigest);
});

test('imports docker-archive and podman save archives (docker and oci formats), runnable after a pull', async () => {
  const env = { ...process.env };
  delete env.AWS_ACCESS_KEY_ID; delete env.AWS_SECRET_ACCESS_KEY;
  const local = await loadIntoRuntime(image.layoutDir, 'wharf-import-test:v7', { tag: 'v7' });
  const cases: [string, string[]][] = [
    ['skopeo-docker.tar', ['skopeo', 'copy', '-q', image.ociRef.replace(':latest', ':v7'), `docker-archive:${join(work, 'skopeo-docker.tar')}:x/y:v7`]],
    ['podman-docker.tar', ['podman', 'save', '-q', '--format', 'docker-archive', '-o', join(work, 'podman-docker.tar'), local]],
    ['podman-oci.tar', ['podman', 'save', '-q', '--format', 'oci-archive', '-o', join(work, 'podman-oci.tar'), local]],
  ];
  try {
    for (const [file, cmd] of cases) {
      run(cmd[0], cmd.slice(1));
      const repo = 'imp/' + file.replace('.tar', '');
      const r = spawnSync(process.execPath, [cliEntry, 'image', 'import', join(work, file), '--repository', repo, '--tag', 't1', '--data-dir', s.dataDir], { encoding: 'utf8', env, timeout: 120_000 });
      assert.equal(r.status, 0, `${file}: ${r.stderr}`);
      assert.match(r.stdout, new RegExp(`imported 127.0.0.1:${s.port}/${repo}:t1`));
      const ref = `127.0.0.1:${s.port}/${repo}:t1`;
      run('podman', ['pull', '-q', '--tls-verify=false', '--creds', `${s.credentials.accessKeyId}:${s.credentials.secretAccessKey}`, ref]);
      assert.match(run('podman', ['run', '--rm', ref, 'echo', 'imported-ok']), /imported-ok/);
      spawnSync('podman', ['rmi', '-f', ref]);
    }
  } finally {
    spawnSync('podman', ['rmi', '-f', local]);
  }
});
