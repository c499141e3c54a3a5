/**
 * The runtime driver's closed error vocabulary, and how each code becomes an ECS stop reason.
 *
 * ECS reports container failures with the agent's own error names as a prefix of `stoppedReason` /
 * container `reason` (aws/amazon-ecs-agent agent/engine/errors.go): e.g.
 * `CannotPullContainerError: pull image manifest has been retried 5 time(s): …`. Adapters throw
 * RuntimeError with one of these codes and a message a human can act on; the task actor calls
 * `ecsReason(err)` and never inspects runtime-specific error text.
 */

export type RuntimeErrorCode =
  | 'unavailable' // the endpoint does not answer (socket missing, connection refused)
  | 'not-found' // no such container
  | 'image-not-found' // create: image not present locally
  | 'pull-failed'
  | 'create-failed'
  | 'start-failed'
  | 'stop-failed'
  | 'remove-failed'
  | 'inspect-failed'
  | 'exec-failed'
  | 'volume-failed' // create/inspect of a volume (ECS agent: CannotCreateVolumeError)
  | 'volume-remove-failed'
  | 'timeout'
  | 'aborted';

/** ECS error name per code; `Record` over the union, so a new code without a name fails to compile. */
const ECS_NAMES: Record<RuntimeErrorCode, string> = {
  unavailable: 'DockerClientConfigError',
  'not-found': 'CannotInspectContainerError',
  'image-not-found': 'CannotCreateContainerError',
  'pull-failed': 'CannotPullContainerError',
  'create-failed': 'CannotCreateContainerError',
  'start-failed': 'CannotStartContainerError',
  'stop-failed': 'CannotStopContainerError',
  'remove-failed': 'CannotRemoveContainerError',
  'inspect-failed': 'CannotInspectContainerError',
  'exec-failed': 'CannotStartContainerError',
  'volume-failed': 'CannotCreateVolumeError',
  'volume-remove-failed': 'CannotRemoveVolumeError',
  timeout: 'DockerTimeoutError',
  aborted: 'DockerTimeoutError',
};

/** Retryable: the same call may succeed later without anything changing in the spec. */
const RETRYABLE: Record<RuntimeErrorCode, boolean> = {
  unavailable: true,
  'not-found': false,
  'image-not-found': false,
  'pull-failed': true,
  'create-failed': false,
  'start-failed': false,
  'stop-failed': true,
  'remove-failed': true,
  'inspect-failed': true,
  'exec-failed': false,
  'volume-failed': false,
  'volume-remove-failed': true,
  timeout: true,
  aborted: false,
};

/** ECS's reason for a container killed by the OOM killer (amazon-ecs-agent OutOfMemoryError). */
export const OOM_REASON = 'OutOfMemoryError: Container killed due to memory usage';

export class RuntimeError extends Error {
  override readonly name = 'RuntimeError';
  constructor(
    readonly code: RuntimeErrorCode,
    message: string,
    opts: { cause?: unknown; statusCode?: number } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.statusCode = opts.statusCode;
  }
  readonly statusCode: number | undefined;
  get retryable(): boolean {
    return RETRYABLE[this.code];
  }
  get ecsName(): string {
    return ECS_NAMES[this.code];
  }
}

export function isRuntimeError(e: unknown, code?: RuntimeErrorCode): e is RuntimeError {
  return e instanceof RuntimeError && (code === undefined || e.code === code);
}

/** `CannotPullContainerError: <message>`; non-RuntimeErrors become `CannotStartContainerError: …`. */
export function ecsReason(e: unknown): string {
  if (e instanceof RuntimeError) return `${e.ecsName}: ${e.message}`;
  return `CannotStartContainerError: ${e instanceof Error ? e.message : String(e)}`;
}
