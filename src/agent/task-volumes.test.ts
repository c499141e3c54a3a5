import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TaskSpec } from '../protocol/agent-messages.js';
import { VolumeError, containerMounts, hostPathRefusal, planVolumes, taskVolumeName } from './task-volumes.js';

const spec = (volumes: TaskSpec['volumes']): TaskSpec => ({
  taskArn: 'arn:aws:ecs:us-east-1:000000000000:task/c/0123456789abcdef0123456789abcdef', cluster: 'c', family: 'fam', revision: 3,
  desiredStatus: 'RUNNING', containers: [], networkMode: 'bridge', volumes, version: 1,
});

test('host path policy: sensitive paths, their parents and symlinks to them are refused unless allowed', () => {
  assert.equal(hostPathRefusal('/srv/data', '/srv/data', {}), undefined);
  assert.match(hostPathRefusal('/etc/shadow', '/etc/shadow', {})!, /is \(or is inside\) \/etc\/shadow/);
  assert.match(hostPathRefusal('/etc', '/etc', {})!, /contains \/etc\/shadow/);
  assert.match(hostPathRefusal('/', '/', {})!, /contains/);
  assert.match(hostPathRefusal('/srv/link', '/run/podman/podman.sock', {})!, /podman\.sock/, 'a symlink is judged by its target');
  assert.match(hostPathRefusal('/srv/state', '/srv/state', { sensitive: ['/srv/state'] })!, /\/srv\/state/);
  assert.equal(hostPathRefusal('/etc', '/etc', { allowSensitive: true }), undefined);
  assert.match(hostPathRefusal('/srv/data', '/srv/data', { allow: ['/data'] })!, /only under \/data/);
  assert.equal(hostPathRefusal('/data/x', '/data/x', { allow: ['/data'] }), undefined);
  assert.match(hostPathRefusal('/database', '/database', { allow: ['/data'] })!, /only under/, 'a prefix is a directory, not a string prefix');
});

test('planVolumes: bind, task-scoped and shared volumes; a missing host path fails with Docker\'s words', () => {
  const planned = planVolumes(spec([
    { name: 'h', host: { sourcePath: '/srv/h' } }, { name: 'e', host: {} }, { name: 'n' },
    { name: 't', dockerVolumeConfiguration: { scope: 'task', driver: 'local', driverOpts: { type: 'tmpfs' }, labels: { a: 'b' } } },
    { name: 's', dockerVolumeConfiguration: { scope: 'shared', autoprovision: true } },
  ]), { hostId: 'h1', policy: {}, realpath: (p) => p });
  assert.deepEqual(planned[0], { name: 'h', kind: 'bind', hostPath: '/srv/h' });
  const name = taskVolumeName(spec([]), 'e');
  assert.equal(name, 'ecs-fam-3-e-0123456789abcdef0123');
  assert.equal(planned[1].kind === 'volume' && planned[1].volume.name, name);
  assert.equal(planned[2].kind === 'volume' && planned[2].scope, 'task');
  const t = planned[3];
  assert.ok(t.kind === 'volume');
  assert.deepEqual(t.volume.driverOpts, { type: 'tmpfs' });
  assert.equal(t.volume.labels?.a, 'b');
  assert.equal(t.volume.labels?.['wharf.volume-scope'], 'task');
  const s = planned[4];
  assert.ok(s.kind === 'volume' && s.scope === 'shared' && s.autoprovision && s.volume.name === 's' && s.volume.labels?.['wharf.volume-scope'] === undefined);
  assert.throws(() => planVolumes(spec([{ name: 'h', host: { sourcePath: '/nope' } }]), { hostId: 'h1', policy: {}, realpath: () => { throw new Error('ENOENT'); } }),
    (e: unknown) => e instanceof VolumeError && /bind source path does not exist: \/nope$/.test(e.message));
  assert.deepEqual(containerMounts([{ sourceVolume: 'h', containerPath: '/x', readOnly: true }, { sourceVolume: 's', containerPath: '/y' }], planned), [
    { type: 'bind', source: '/srv/h', target: '/x', readOnly: true }, { type: 'volume', source: 's', target: '/y', readOnly: false },
  ]);
});
