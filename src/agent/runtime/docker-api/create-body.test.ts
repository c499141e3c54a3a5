import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createBody } from './create-body.js';

describe('createBody', () => {
  it('maps a full spec', () => {
    const b = createBody({
      name: 'n', image: 'img:1', command: ['c'], entryPoint: ['e'], env: { A: '1' }, workingDir: '/w', user: '1:2',
      labels: { own: 'x' }, dockerLabels: { own: 'forged', u: 'y' }, cpuShares: 256, memoryMiB: 64, memoryReservationMiB: 32,
      ulimits: [{ name: 'nofile', soft: 10, hard: 20 }], portBindings: [{ containerPort: 80, hostPort: 0 }, { containerPort: 53, hostPort: 5353, protocol: 'udp', hostIp: '127.0.0.1' }],
      readonlyRootfs: true, init: true, capAdd: ['NET_ADMIN'], capDrop: ['ALL'], stopSignal: 'SIGQUIT',
    });
    assert.deepEqual(b.Labels, { own: 'x', u: 'y' });
    assert.deepEqual(b.Env, ['A=1']);
    assert.equal(b.HostConfig.Memory, 64 << 20);
    assert.equal(b.HostConfig.MemorySwap, 64 << 20);
    assert.equal(b.HostConfig.MemoryReservation, 32 << 20);
    assert.deepEqual(b.HostConfig.Ulimits, [{ Name: 'nofile', Soft: 10, Hard: 20 }, { Name: 'nproc', Soft: 4096, Hard: 4096 }]);
    assert.deepEqual(b.HostConfig.PortBindings, { '80/tcp': [{ HostIp: '', HostPort: '' }], '53/udp': [{ HostIp: '127.0.0.1', HostPort: '5353' }] });
    assert.deepEqual(Object.keys(b.ExposedPorts!), ['80/tcp', '53/udp']);
    assert.deepEqual(b.HostConfig.SecurityOpt, ['no-new-privileges']);
    assert.equal(b.HostConfig.Privileged, false);
    assert.equal(b.HostConfig.NetworkMode, 'bridge');
  });
  it('no-new-privileges can be turned off; ports need bridge', () => {
    assert.deepEqual(createBody({ name: 'n', image: 'i', noNewPrivileges: false }).HostConfig.SecurityOpt, []);
    assert.throws(() => createBody({ name: 'n', image: 'i', networkMode: 'host', portBindings: [{ containerPort: 1, hostPort: 1 }] }), /bridge/);
  });
});
