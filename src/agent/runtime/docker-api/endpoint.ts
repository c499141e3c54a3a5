/**
 * Finding the Docker Engine API endpoint: DOCKER_HOST if set, else the first socket that exists of
 * /var/run/docker.sock (Docker) and /run/podman/podman.sock (Podman's compatible service, started by
 * scripts/setup-runtime.sh). Only entry points call this with the real environment; tests pass their own.
 */
import { existsSync } from 'node:fs';

export type Endpoint =
  | { kind: 'unix'; socketPath: string }
  | { kind: 'tcp'; host: string; port: number; protocol: 'http' | 'https' };

export const DOCKER_SOCKET = '/var/run/docker.sock';
export const PODMAN_SOCKET = '/run/podman/podman.sock';
export const DEFAULT_SOCKETS = [DOCKER_SOCKET, PODMAN_SOCKET];

export function parseDockerHost(value: string): Endpoint {
  if (value.startsWith('unix://')) return { kind: 'unix', socketPath: value.slice('unix://'.length) };
  if (value.startsWith('/')) return { kind: 'unix', socketPath: value };
  const m = /^(tcp|http|https):\/\/([^:/]+|\[[^\]]+\]):(\d+)\/?$/.exec(value);
  if (!m) throw new Error(`DOCKER_HOST=${value} is not unix:///path, tcp://host:port, http(s)://host:port`);
  return { kind: 'tcp', host: m[2].replace(/^\[|\]$/g, ''), port: Number(m[3]), protocol: m[1] === 'https' ? 'https' : 'http' };
}

export function discoverEndpoint(
  env: Record<string, string | undefined>,
  opts: { sockets?: string[]; exists?: (p: string) => boolean } = {},
): Endpoint {
  if (env.DOCKER_HOST) return parseDockerHost(env.DOCKER_HOST);
  const exists = opts.exists ?? existsSync;
  const sockets = opts.sockets ?? DEFAULT_SOCKETS;
  const found = sockets.find((s) => exists(s));
  if (!found) {
    throw new Error(
      `no container runtime socket: DOCKER_HOST is unset and none of ${sockets.join(', ')} exists; ` +
        'run scripts/setup-runtime.sh (as root) to start Podman\'s service',
    );
  }
  return { kind: 'unix', socketPath: found };
}

export function describeEndpoint(e: Endpoint): string {
  return e.kind === 'unix' ? `unix://${e.socketPath}` : `${e.protocol}://${e.host}:${e.port}`;
}
