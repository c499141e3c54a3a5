import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { discoverEndpoint, parseDockerHost } from './endpoint.js';

describe('endpoint discovery', () => {
  it('DOCKER_HOST wins and is parsed', () => {
    assert.deepEqual(discoverEndpoint({ DOCKER_HOST: 'unix:///x.sock' }, { exists: () => true }), { kind: 'unix', socketPath: '/x.sock' });
    assert.deepEqual(parseDockerHost('tcp://127.0.0.1:2375'), { kind: 'tcp', host: '127.0.0.1', port: 2375, protocol: 'http' });
    assert.deepEqual(parseDockerHost('https://[::1]:2376'), { kind: 'tcp', host: '::1', port: 2376, protocol: 'https' });
    assert.throws(() => parseDockerHost('ssh://me@host'), /DOCKER_HOST=ssh/);
  });
  it('falls back to docker.sock, then podman.sock', () => {
    assert.deepEqual(discoverEndpoint({}, { exists: (p) => p === '/run/podman/podman.sock' }), { kind: 'unix', socketPath: '/run/podman/podman.sock' });
    assert.deepEqual(discoverEndpoint({}, { exists: () => true }), { kind: 'unix', socketPath: '/var/run/docker.sock' });
  });
  it('says how to fix a missing socket', () => {
    assert.throws(() => discoverEndpoint({}, { exists: () => false }), /scripts\/setup-runtime\.sh/);
  });
});
