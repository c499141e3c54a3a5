import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import type { ContainerDefinition } from '@aws-sdk/client-ecs';
import { translate, type TranslateOptions } from './translate.js';

const opts = (o: Partial<TranslateOptions> = {}): TranslateOptions => ({
  project: 'p', region: 'us-east-1', env: { HOME: '/home/u' }, readFile: () => { throw new Error('ENOENT: no file'); }, resolvePath: (x) => resolve('/d', x), ...o,
});
/** One service `s` with these keys (and top-level keys) → its task definition, container and refusals. */
function one(svc: Record<string, unknown>, top: Record<string, unknown> = {}) {
  const t = translate({ services: { s: { image: 'x', ...svc } }, ...top }, opts());
  const td = t.services[0].taskDefinition;
  return { td, c: td.containerDefinitions![0] as ContainerDefinition, refusals: t.refusals };
}
const refusal = (r: string[], field: string) => r.find((x) => x.startsWith(`services.s.${field}:`));

describe('compose volumes → task volumes and mountPoints', () => {
  it('a named volume is a shared, autoprovisioned runtime volume named like Compose names it (project_volume); :ro is readOnly', () => {
    const { td, c, refusals } = one({ volumes: ['data:/var/data', 'data:/ro:ro'] }, { volumes: { data: { driver_opts: { type: 'tmpfs', device: 'tmpfs' }, labels: ['a=b'] } } });
    assert.deepEqual(refusals, []);
    assert.deepEqual(td.volumes, [{ name: 'p_data', dockerVolumeConfiguration: { scope: 'shared', autoprovision: true, driver: 'local', driverOpts: { type: 'tmpfs', device: 'tmpfs' }, labels: { a: 'b' } } }]);
    assert.deepEqual(c.mountPoints, [{ sourceVolume: 'p_data', containerPath: '/var/data', readOnly: false }, { sourceVolume: 'p_data', containerPath: '/ro', readOnly: true }]);
  });
  it('external volumes must exist (autoprovision false); name: sets the runtime name; two services share one', () => {
    const t = translate({ services: { a: { image: 'x', volumes: ['ext:/e'] }, b: { image: 'x', volumes: [{ type: 'volume', source: 'n', target: '/n', read_only: true }] } },
      volumes: { ext: { external: true }, n: { name: 'my-vol' } } }, opts());
    assert.deepEqual(t.refusals, []);
    assert.deepEqual(t.services[0].taskDefinition.volumes, [{ name: 'ext', dockerVolumeConfiguration: { scope: 'shared', autoprovision: false, driver: 'local' } }]);
    assert.deepEqual(t.services[1].taskDefinition.volumes, [{ name: 'my-vol', dockerVolumeConfiguration: { scope: 'shared', autoprovision: true, driver: 'local' } }]);
    assert.deepEqual(t.services[1].taskDefinition.containerDefinitions![0].mountPoints, [{ sourceVolume: 'my-vol', containerPath: '/n', readOnly: true }]);
  });
  it('an anonymous volume lives with the task; bind mounts are host volumes with an absolute sourcePath', () => {
    const { td, c, refusals } = one({ volumes: ['/cache', './site:/www:ro', '~/conf:/conf', { type: 'bind', source: '/srv', target: '/srv', bind: { create_host_path: true } }, './site:/www2'] });
    assert.deepEqual(refusals, []);
    assert.deepEqual(td.volumes, [
      { name: 'anon-0', dockerVolumeConfiguration: { scope: 'task', driver: 'local' } },
      { name: 'host-0', host: { sourcePath: '/d/site' } }, { name: 'host-1', host: { sourcePath: '/home/u/conf' } }, { name: 'host-2', host: { sourcePath: '/srv' } },
    ]);
    assert.deepEqual(c.mountPoints!.map((m) => `${m.sourceVolume}:${m.containerPath}:${m.readOnly ? 'ro' : 'rw'}`), ['anon-0:/cache:rw', 'host-0:/www:ro', 'host-1:/conf:rw', 'host-2:/srv:rw', 'host-0:/www2:rw']);
  });
  it('refuses what ECS mounts cannot say, by name', () => {
    const { refusals } = one({ volumes: ['undeclared:/u', 'v:/z:z', 'v:/n:nocopy', { type: 'bind', source: '/a', target: '/a', bind: { propagation: 'rshared' } },
      { type: 'volume', source: 'v', target: '/s', volume: { subpath: 'sub' } }, { type: 'image', source: 'img', target: '/i' }, 'v:relative', 'o:/o'] },
    { volumes: { v: {}, o: { driver: 'nfs-plugin' } } });
    assert.match(refusal(refusals, 'volumes[0]')!, /volume undeclared is not declared/);
    assert.match(refusal(refusals, 'volumes[1]')!, /cannot relabel mounts for SELinux/);
    assert.match(refusal(refusals, 'volumes[2]')!, /nocopy/);
    assert.match(refusal(refusals, 'volumes[3].bind.propagation')!, /no propagation/);
    assert.match(refusal(refusals, 'volumes[4].volume.subpath')!, /whole volume/);
    assert.match(refusal(refusals, 'volumes[5]')!, /mount type image/);
    assert.match(refusal(refusals, 'volumes[6]')!, /not an absolute container path|not ro or rw/);
    assert.match(refusal(refusals, 'volumes[7]')!, /driver nfs-plugin/);
  });
});

describe('compose service keys → container definition fields', () => {
  it('tmpfs → linuxParameters.tmpfs (size in MiB; ECS needs one)', () => {
    const { c, refusals } = one({ tmpfs: ['/run:size=64m,mode=1777', '/tmp:rw,noexec,size=1g'], volumes: [{ type: 'tmpfs', target: '/t', tmpfs: { size: 1048576 } }] });
    assert.deepEqual(refusals, []);
    assert.deepEqual(c.linuxParameters?.tmpfs, [{ containerPath: '/t', size: 1 }, { containerPath: '/run', size: 64, mountOptions: ['mode=1777'] }, { containerPath: '/tmp', size: 1024, mountOptions: ['rw', 'noexec'] }]);
    assert.match(refusal(one({ tmpfs: '/tmp' }).refusals, 'tmpfs')!, /ECS tmpfs mounts need a size: write "\/tmp:size=64m"/);
  });
  it('extra_hosts (list with : or =, IPv6 in brackets, map) → extraHosts; host-gateway refused', () => {
    assert.deepEqual(one({ extra_hosts: ['db.local:10.0.0.5', 'v6=[::1]', 'x:::2'] }).c.extraHosts,
      [{ hostname: 'db.local', ipAddress: '10.0.0.5' }, { hostname: 'v6', ipAddress: '::1' }, { hostname: 'x', ipAddress: '::2' }]);
    assert.deepEqual(one({ extra_hosts: { a: '1.2.3.4' } }).c.extraHosts, [{ hostname: 'a', ipAddress: '1.2.3.4' }]);
    assert.match(refusal(one({ extra_hosts: ['host.docker.internal:host-gateway'] }).refusals, 'extra_hosts')!, /host-gateway/);
  });
  it('sysctls (map or list) → systemControls', () => {
    assert.deepEqual(one({ sysctls: { 'net.core.somaxconn': 1024 } }).c.systemControls, [{ namespace: 'net.core.somaxconn', value: '1024' }]);
    assert.deepEqual(one({ sysctls: ['net.ipv4.tcp_syncookies=0'] }).c.systemControls, [{ namespace: 'net.ipv4.tcp_syncookies', value: '0' }]);
  });
  it('hostname, dns, dns_search → hostname, dnsServers, dnsSearchDomains; domainname, dns_opt and hostname with host networking refused', () => {
    const { c, refusals } = one({ hostname: 'box', dns: '9.9.9.9', dns_search: ['a.example', 'b.example'] });
    assert.deepEqual(refusals, []);
    assert.equal(c.hostname, 'box');
    assert.deepEqual(c.dnsServers, ['9.9.9.9']);
    assert.deepEqual(c.dnsSearchDomains, ['a.example', 'b.example']);
    const r = one({ hostname: 'h', network_mode: 'host', domainname: 'example.com', dns_opt: ['ndots:2'] }).refusals;
    assert.match(refusal(r, 'hostname')!, /host networking/);
    assert.match(refusal(r, 'domainname')!, /put the full name in hostname/);
    assert.match(refusal(r, 'dns_opt')!, /no DNS resolver options/);
  });
  it('tty, stdin_open → pseudoTerminal, interactive; shm_size → sharedMemorySize (MiB)', () => {
    const { c } = one({ tty: true, stdin_open: true, shm_size: '256m' });
    assert.equal(c.pseudoTerminal, true);
    assert.equal(c.interactive, true);
    assert.equal(c.linuxParameters?.sharedMemorySize, 256);
    assert.equal(one({ shm_size: 67108864 }).c.linuxParameters?.sharedMemorySize, 64);
  });
  it('security_opt → dockerSecurityOptions in ECS\'s spelling; seccomp and no-new-privileges:false refused', () => {
    assert.deepEqual(one({ security_opt: ['no-new-privileges:true', 'apparmor=unconfined', 'label:disable', 'label=type:svirt_apache_t'] }).c.dockerSecurityOptions,
      ['no-new-privileges', 'apparmor:unconfined', 'label:disable', 'label:type:svirt_apache_t']);
    const r = one({ security_opt: ['seccomp:unconfined', 'no-new-privileges:false'] }).refusals;
    assert.equal(r.length, 2);
    assert.match(r[0], /cannot set a seccomp profile/);
    assert.match(r[1], /always sets no-new-privileges/);
  });
  it('devices → linuxParameters.devices (rwm → read, write, mknod); CDI names refused', () => {
    const { c } = one({ devices: ['/dev/fuse', '/dev/snd:/dev/audio:rw', { source: '/dev/kvm', target: '/dev/kvm', permissions: 'rwm' }] });
    assert.deepEqual(c.linuxParameters?.devices, [
      { hostPath: '/dev/fuse', containerPath: '/dev/fuse' }, { hostPath: '/dev/snd', containerPath: '/dev/audio', permissions: ['read', 'write'] },
      { hostPath: '/dev/kvm', containerPath: '/dev/kvm', permissions: ['read', 'write', 'mknod'] },
    ]);
    assert.match(refusal(one({ devices: ['nvidia.com/gpu=all'] }).refusals, 'devices[0]')!, /CDI/);
  });
  it('pid: host, ipc: host|none → task pidMode, ipcMode; private/shareable are the default; sharing another service\'s refused', () => {
    const { td } = one({ pid: 'host', ipc: 'host' });
    assert.equal(td.pidMode, 'host');
    assert.equal(td.ipcMode, 'host');
    assert.equal(one({ ipc: 'none' }).td.ipcMode, 'none');
    const p = one({ ipc: 'private' });
    assert.deepEqual([p.td.ipcMode, p.refusals], [undefined, []]);
    assert.match(refusal(one({ pid: 'service:db' }).refusals, 'pid')!, /one task/);
    assert.match(refusal(one({ ipc: 'container:x' }).refusals, 'ipc')!, /one task/);
  });
  it('init, cap_add/cap_drop and the new linuxParameters sit together', () => {
    assert.deepEqual(one({ init: true, cap_add: ['SYS_PTRACE'], shm_size: '1g' }).c.linuxParameters, { capabilities: { add: ['SYS_PTRACE'] }, initProcessEnabled: true, sharedMemorySize: 1024 });
  });
  it('memswap_limit → maxSwap (the swap above the memory limit); mem_swappiness → swappiness only with it', () => {
    const { c, refusals } = one({ mem_limit: '256m', memswap_limit: '1g', mem_swappiness: 10 });
    assert.deepEqual(refusals, []);
    assert.deepEqual(c.linuxParameters, { maxSwap: 768, swappiness: 10 });
    assert.equal(one({ mem_limit: '256m', memswap_limit: '256m' }).c.linuxParameters?.maxSwap, 0);
    assert.match(refusal(one({ memswap_limit: '1g' }).refusals, 'memswap_limit')!, /set deploy.resources.limits.memory/);
    assert.match(refusal(one({ mem_limit: '1g', memswap_limit: -1 }).refusals, 'memswap_limit')!, /unlimited swap/);
    assert.match(refusal(one({ mem_swappiness: 10 }).refusals, 'mem_swappiness')!, /only together with maxSwap/);
  });
});
