import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chooseRuntime } from './up.js';

describe('wharf up: which container runtime', () => {
  const none = () => false;
  const dockerSocket = (p: string) => p === '/var/run/docker.sock';
  const cases: [string, Record<string, string>, (p: string) => boolean, string, string][] = [
    ['Docker when its socket is there', {}, dockerSocket, 'docker', '/var/run/docker.sock'],
    ['Podman otherwise (setup-runtime.sh starts its socket)', {}, none, 'podman', '/run/podman/podman.sock'],
    ['DOCKER_HOST wins over the default socket', { DOCKER_HOST: 'unix:///run/other/docker.sock' }, dockerSocket, 'docker', '/run/other/docker.sock'],
    ['DOCKER_HOST naming Podman\'s socket is Podman', { DOCKER_HOST: 'unix:///run/podman/podman.sock' }, dockerSocket, 'podman', '/run/podman/podman.sock'],
  ];
  for (const [name, env, exists, kind, socket] of cases) {
    it(name, () => {
      const r = chooseRuntime(env, exists);
      assert.equal(r.kind, kind);
      assert.deepEqual(r.endpoint, { kind: 'unix', socketPath: socket });
    });
  }
});
