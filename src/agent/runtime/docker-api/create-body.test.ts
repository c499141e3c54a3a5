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
  it('maps linux parameters and the other kernel and runtime options', () => {
    const b = createBody({
      name: 'n', image: 'i', memoryMiB: 64, maxSwapMiB: 32, swappiness: 10, shmSizeMiB: 32, hostname: 'h', tty: true, openStdin: true,
      devices: [{ hostPath: '/dev/fuse' }, { hostPath: '/dev/null', containerPath: '/dev/x', permissions: 'r' }],
      tmpfs: [{ containerPath: '/s', sizeMiB: 1, mountOptions: ['noexec'] }], dns: ['10.0.0.2'], dnsSearch: ['a.example'],
      extraHosts: [{ hostname: 'db', ip: '10.1.2.3' }], sysctls: { 'net.core.somaxconn': '1024' }, pidMode: 'host', ipcMode: 'none',
      securityOpt: ['label=disable'],
    });
    assert.equal(b.HostConfig.MemorySwap, 96 << 20);
    assert.equal(b.HostConfig.MemorySwappiness, 10);
    assert.equal(b.HostConfig.ShmSize, 32 << 20);
    assert.deepEqual(b.HostConfig.Devices, [
      { PathOnHost: '/dev/fuse', PathInContainer: '/dev/fuse', CgroupPermissions: 'rwm' },
      { PathOnHost: '/dev/null', PathInContainer: '/dev/x', CgroupPermissions: 'r' },
    ]);
    assert.deepEqual(b.HostConfig.Tmpfs, { '/s': 'size=1m,noexec' });
    assert.deepEqual([b.HostConfig.Dns, b.HostConfig.DnsSearch, b.HostConfig.ExtraHosts], [['10.0.0.2'], ['a.example'], ['db:10.1.2.3']]);
    assert.deepEqual(b.HostConfig.Sysctls, { 'net.core.somaxconn': '1024' });
    assert.deepEqual([b.HostConfig.PidMode, b.HostConfig.IpcMode], ['host', 'none']);
    assert.deepEqual([b.Hostname, b.Tty, b.OpenStdin], ['h', true, true]);
    assert.deepEqual(b.HostConfig.SecurityOpt, ['no-new-privileges', 'label=disable']);
    // swappiness only with maxSwap (ECS ignores it otherwise)
    assert.equal(createBody({ name: 'n', image: 'i', memoryMiB: 64, swappiness: 10 }).HostConfig.MemorySwappiness, undefined);
  });
});
