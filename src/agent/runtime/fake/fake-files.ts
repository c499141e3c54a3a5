/**
 * The few files a container's kernel and runtime write from its spec, as the fake runtime shows them to
 * `cat` (the conformance suite reads the same paths in real containers): hostname, hosts, resolv.conf,
 * /proc/mounts (tmpfs and /dev/shm), namespaced sysctls, capabilities, devices, cgroup v1 memory files.
 * Formats follow what Podman 4.3 writes (checked on this machine).
 */
import type { ContainerSpec } from '../driver.js';

/** Linux capability numbers (capability.h) for the names a test uses. */
const CAP_BITS: Record<string, number> = {
  CHOWN: 0, DAC_OVERRIDE: 1, FOWNER: 3, FSETID: 4, KILL: 5, SETGID: 6, SETUID: 7, SETPCAP: 8, NET_BIND_SERVICE: 10,
  NET_RAW: 13, NET_ADMIN: 12, SYS_CHROOT: 18, SYS_PTRACE: 19, SYS_ADMIN: 21, SYS_TIME: 25, MKNOD: 27, AUDIT_WRITE: 29, SETFCAP: 31,
};
/** Podman's default capability set. */
const DEFAULT_CAPS = ['CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'NET_BIND_SERVICE', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT'];
const MiB = 1024 * 1024;

function capMask(spec: ContainerSpec): string {
  const norm = (c: string) => c.toUpperCase().replace(/^CAP_/, '');
  let caps = new Set(spec.privileged ? Object.keys(CAP_BITS) : DEFAULT_CAPS);
  for (const c of spec.capAdd ?? []) norm(c) === 'ALL' ? (caps = new Set(Object.keys(CAP_BITS))) : caps.add(norm(c));
  for (const c of spec.capDrop ?? []) norm(c) === 'ALL' ? caps.clear() : caps.delete(norm(c));
  let mask = 0n;
  for (const c of caps) if (CAP_BITS[c] !== undefined) mask |= 1n << BigInt(CAP_BITS[c]);
  return mask.toString(16).padStart(16, '0');
}

export function fakeFile(spec: ContainerSpec, id: string, path: string): string | undefined {
  const hostname = spec.hostname ?? id.slice(0, 12);
  switch (path) {
    case '/etc/hostname':
      return `${hostname}\n`;
    case '/etc/hosts':
      return [...(spec.extraHosts ?? []).map((h) => `${h.ip}\t${h.hostname}`), '127.0.0.1\tlocalhost', `10.88.0.2\t${hostname}`].join('\n') + '\n';
    case '/etc/resolv.conf':
      return [...(spec.dnsSearch?.length ? [`search ${spec.dnsSearch.join(' ')}`] : []), ...(spec.dns?.length ? spec.dns : ['10.88.0.1']).map((d) => `nameserver ${d}`)].join('\n') + '\n';
    case '/proc/mounts':
      return [
        ...(spec.tmpfs ?? []).map((t) => `tmpfs ${t.containerPath} tmpfs ${['rw', 'nosuid', 'nodev', ...(t.mountOptions ?? []).filter((o) => o !== 'rw'), 'relatime', `size=${t.sizeMiB * 1024}k`].join(',')} 0 0`),
        `shm /dev/shm tmpfs rw,nosuid,nodev,noexec,relatime,size=${(spec.shmSizeMiB ?? 64) * 1024}k 0 0`,
        ...(spec.mounts ?? []).map((m) => `/dev/vda1 ${m.target} ext4 ${m.readOnly ? 'ro' : 'rw'},relatime 0 0`),
      ].join('\n') + '\n';
    case '/proc/self/status':
      return `CapEff:\t${capMask(spec)}\nNoNewPrivs:\t${spec.noNewPrivileges === false ? 0 : 1}\n`;
    case '/dev/null':
      return '';
    case '/proc/1/cmdline':
      // The host's init with pidMode host; else the container's own PID 1: its init or its command.
      return spec.pidMode === 'host' ? '/sbin/init\n' : spec.init ? '/run/podman-init\n' : `${[...(spec.entryPoint ?? []), ...(spec.command ?? [])].join('\u0000')}\n`;
    case '/sys/fs/cgroup/memory/memory.swappiness':
      return `${spec.maxSwapMiB !== undefined ? spec.swappiness ?? 60 : 60}\n`;
    case '/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes':
      return spec.memoryMiB === undefined ? '9223372036854771712\n' : `${(spec.memoryMiB + (spec.maxSwapMiB ?? 0)) * MiB}\n`;
  }
  if (path.startsWith('/proc/sys/')) {
    const key = path.slice('/proc/sys/'.length).replace(/\//g, '.');
    return spec.sysctls?.[key] !== undefined ? `${spec.sysctls[key]}\n` : undefined;
  }
  if (spec.devices?.some((d) => (d.containerPath ?? d.hostPath) === path)) return '';
  return undefined;
}
