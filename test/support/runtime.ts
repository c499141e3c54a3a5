/**
 * The container runtime end-to-end tests and benchmarks run against, and engine-neutral helpers on it
 * (the Docker Engine API, which Docker and Podman's compatible service both speak — never the `podman` or
 * `docker` command, which would tie a test to one engine).
 *
 * The environment picks it exactly as it picks the agent's: DOCKER_HOST if set, else Docker's socket
 * (/var/run/docker.sock) if it exists, else Podman's (/run/podman/podman.sock). So
 *   DOCKER_HOST=unix:///run/wharf-docker/docker.sock node scripts/run-tests.mjs run-task
 * runs the file against the dockerd that scripts/setup-docker.sh started.
 */
import Docker from 'dockerode';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { discoverEndpoint, type Endpoint } from '../../src/agent/runtime/docker-api/endpoint.js';
import { loadIntoRuntime as loadIntoPodman } from '../../src/cli/busybox-image.js';
import { lines } from '../../src/agent/runtime/docker-api/log-demux.js';

export const runtimeEndpoint: Endpoint = discoverEndpoint(process.env);

let client: Docker | undefined;
function engine(): Docker {
  client ??= runtimeEndpoint.kind === 'unix'
    ? new Docker({ socketPath: runtimeEndpoint.socketPath })
    : new Docker({ host: runtimeEndpoint.host, port: runtimeEndpoint.port, protocol: runtimeEndpoint.protocol });
  return client;
}

let podman: boolean | undefined;
/** Whether the endpoint is Podman's compatible service (it names itself in GET /version). */
export async function isPodman(): Promise<boolean> {
  if (podman === undefined) {
    const v = await engine().version() as Docker.DockerVersion & { Components?: { Name: string }[] };
    podman = (v.Components ?? []).some((c) => /podman/i.test(c.Name));
  }
  return podman;
}

/** Ids of the containers (running or not, unless `running`) that carry `label=value`. */
export async function containersWithLabel(label: string, value: string, opts: { running?: boolean } = {}): Promise<string[]> {
  const list = await engine().listContainers({ all: !opts.running, filters: { label: [`${label}=${value}`] } });
  return list.map((c) => c.Id);
}

/** When the container's main process exited, as the runtime recorded it (null while it runs). */
export async function containerFinishedAt(id: string): Promise<Date | null> {
  const j = await engine().getContainer(id).inspect();
  const t = new Date(j.State.FinishedAt);
  return j.State.Running || Number.isNaN(t.getTime()) || t.getFullYear() < 2000 ? null : t;
}

/** Names of the volumes carrying `label=value`. */
export async function volumesWithLabel(label: string, value: string): Promise<string[]> {
  const r = await engine().listVolumes({ filters: { label: [`${label}=${value}`] } });
  return (r.Volumes ?? []).filter((v) => v.Labels?.[label] === value).map((v) => v.Name);
}

/** Whether a volume by that name exists. */
export async function volumeExists(name: string): Promise<boolean> {
  return engine().getVolume(name).inspect().then(() => true, () => false);
}

/** Removes a volume (test cleanup; errors ignored). */
export async function removeVolume(name: string): Promise<void> {
  await engine().getVolume(name).remove().catch(() => undefined);
}

/** Sends a signal to a container's main process. */
export async function killContainer(id: string, signal = 'KILL'): Promise<void> {
  await engine().getContainer(id).kill({ signal });
}

/** Removes (forcibly) every container carrying `label=value`; for test cleanup, so errors are ignored. */
export async function removeContainersWithLabel(label: string, value: string): Promise<void> {
  // Twice: an awsvpc task's pause container cannot go while its containers still share its namespace.
  for (let round = 0; round < 2; round++) {
    const ids = await containersWithLabel(label, value).catch(() => [] as string[]);
    await Promise.all(ids.map((id) => engine().getContainer(id).remove({ force: true }).catch(() => undefined)));
  }
}

/**
 * Puts an OCI image layout into the runtime's local images without a registry; returns the name the
 * runtime knows it by. Podman: skopeo into containers-storage. Docker: skopeo into the daemon behind the
 * endpoint (docker-daemon: transport).
 */
export async function loadIntoRuntime(layoutDir: string, name: string, opts: { tag?: string } = {}): Promise<string> {
  if (await isPodman()) return loadIntoPodman(layoutDir, name, opts);
  if (runtimeEndpoint.kind !== 'unix') throw new Error('loading an image into a Docker engine over TCP is not supported by the tests');
  await promisify(execFile)('skopeo', ['copy', '-q', '--dest-daemon-host', `unix://${runtimeEndpoint.socketPath}`, `oci:${layoutDir}:${opts.tag ?? 'latest'}`, `docker-daemon:${name}`], { maxBuffer: 16 << 20 });
  return name;
}

/** Runs a command in a running container and waits for it; fails if it exits non-zero. */
export async function execInContainer(id: string, cmd: string[]): Promise<void> {
  const exec = await engine().getContainer(id).exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({});
  stream.resume();
  await new Promise<void>((res, rej) => { stream.once('end', () => res()); stream.once('error', rej); });
  const { ExitCode } = await exec.inspect();
  if (ExitCode !== 0) throw new Error(`${cmd.join(' ')} in ${id} exited ${ExitCode}`);
}

/** A container's output so far (stdout and stderr, one string), running or stopped. */
export async function containerLogs(id: string): Promise<string> {
  const raw = (await engine().getContainer(id).logs({ stdout: true, stderr: true, follow: false })) as unknown as Buffer;
  const out: string[] = [];
  for await (const l of lines((async function* () { yield raw; })(), { timestamps: false })) out.push(l.line);
  return out.join('\n');
}
