/**
 * pidMode `task` and ipcMode `task`: the task's containers share one PID namespace and/or one IPC
 * namespace. As ECS's agent does, a pause container holds them and every container of the task joins it
 * (`pidMode: container:<pause>`, `ipcMode: container:<pause>`):
 *
 *   bridge / host / none   a namespace pause container, ECS's `~internal~ecs~pause~namespace`, made just
 *                          for this (network none, IPC `shareable` when ipcMode is task), created and
 *                          started before the task's containers, stopped once they all have stopped,
 *                          removed last with them at cleanup.
 *   awsvpc                 the task's network pause container (src/agent/network/task-networks.ts),
 *                          created `shareable` for ipcMode task, already holds a namespace set the
 *                          containers join; no second pause container. (ECS's agent makes a second one
 *                          there too; one is enough, and it is stopped and removed as it is today.)
 *
 * The pause process (busybox sleep) is PID 1 of the shared PID namespace: `ps` in any container shows it
 * and every container's processes. When it ends the kernel kills everything left in the namespace, so it
 * is stopped only after the task's containers.
 *
 * Idempotent: the container has a deterministic name and labels, so an agent that restarts finds it
 * (listContainers) instead of making a second one; the task actor's removal lists by the task's label.
 */
import type { TaskSpec } from '../protocol/agent-messages.js';
import { LABELS } from '../protocol/agent-messages.js';
import { HOST_ID_LABEL, containerLabels, runtimeName } from './container-spec.js';
import { ensurePauseImage } from './network/pause-image.js';
import type { RuntimeDriver } from './runtime/driver.js';
import { isRuntimeError } from './runtime/runtime-error.js';

/** ECS's name for the pidMode/ipcMode `task` pause container, as a container-name label. */
export const NAMESPACE_PAUSE_CONTAINER = '~internal~ecs~pause~namespace';

/** Whether the task's containers share a namespace through a pause container. */
export function sharesTaskNamespaces(spec: Pick<TaskSpec, 'pidMode' | 'ipcMode'>): boolean {
  return spec.pidMode === 'task' || spec.ipcMode === 'task';
}

/** Whether a container (by its container-name label) is one of the agent's pause containers (removed last). */
export function isPauseContainer(containerName: string | undefined): boolean {
  return containerName !== undefined && containerName.startsWith('~internal~ecs~pause');
}

const pauseName = (spec: Pick<TaskSpec, 'taskArn' | 'family' | 'revision'>) => runtimeName(spec, 'internalecspausenamespace');

/** The task's namespace pause container, if there is one. */
export async function findNamespacePause(driver: RuntimeDriver, spec: TaskSpec, hostId: string): Promise<string | undefined> {
  const found = await driver.listContainers({ [LABELS.taskArn]: spec.taskArn, [LABELS.containerName]: NAMESPACE_PAUSE_CONTAINER, [HOST_ID_LABEL]: hostId });
  return (found.find((c) => c.name === pauseName(spec)) ?? found[0])?.id;
}

/** Makes (or finds) the task's namespace pause container and has it running; returns its id. */
export async function ensureNamespacePause(driver: RuntimeDriver, spec: TaskSpec, hostId: string): Promise<string> {
  let id = await findNamespacePause(driver, spec, hostId);
  if (!id) {
    const image = await ensurePauseImage(driver);
    const name = pauseName(spec);
    try {
      id = await driver.createContainer({
        name, image, networkMode: 'none',
        labels: containerLabels(spec, { name: NAMESPACE_PAUSE_CONTAINER }, hostId),
        // Others may join its IPC namespace only if it is shareable (Docker's default is private).
        ...(spec.ipcMode === 'task' ? { ipcMode: 'shareable' as const } : {}),
        // The pause process needs nothing: no privileges, a tiny memory limit.
        memoryMiB: 16, capDrop: ['ALL'], readonlyRootfs: true,
      });
    } catch (e) {
      if (!(isRuntimeError(e, 'create-failed') && /already in use/i.test(e.message))) throw e;
      id = (await driver.inspect(name)).id;
    }
  }
  const st = await driver.inspect(id);
  if (!st.running) {
    if (st.exitCode !== null) throw new Error(`the task's namespace pause container ${id.slice(0, 12)} has exited`);
    await driver.startContainer(id);
  }
  return id;
}

/** Stops the task's namespace pause container (after its containers); a missing one is fine. */
export async function stopNamespacePause(driver: RuntimeDriver, spec: TaskSpec, hostId: string): Promise<void> {
  const id = await findNamespacePause(driver, spec, hostId);
  if (id) await driver.stopContainer(id, { timeoutSeconds: 0 });
}
