/**
 * What the control plane resolves when it hands a task to an agent (ECS's task IAM, done where the
 * records are): the task role's session credentials, and the container `secrets` read with the
 * execution role's permissions. Nothing resolved here is stored: it rides the agent's TaskSpec.
 *
 *   taskRoleArn       role must exist and trust ecs-tasks.amazonaws.com ─► an STS session for the role
 *                     (6 h, reissued when less than 1 h is left), session name = the task id; the
 *                     dispatcher resends a running task's spec when its credentials come due, so the
 *                     agent serves fresh ones before the old ones expire
 *   secrets           executionRoleArn must be assumable the same way; each valueFrom is authorized as
 *                     that role (secretsmanager:GetSecretValue / ssm:GetParameters) and read
 *   repositoryCredentials  the same, for a Secrets Manager secret holding {"username","password"}: the
 *                     agent pulls that container's image from its registry with them
 *   any failure       initError = ECS's stoppedReason (ResourceInitializationError: …); the agent stops
 *                     the task with TaskFailedToStart before pulling anything
 */
import { createHmac } from 'node:crypto';
import type { Store } from '../store/store.js';
import { parameterArn, parameterNameOf, parseSecretValueFrom } from '../model/secrets.js';
import { awslogsStreamName } from '../model/ecs/awslogs-stream.js';
import { credentialsHostOf, parseImageRef } from '../model/ecs/image-ref.js';
import type { RegistryCredentials } from '../protocol/agent-messages.js';
import type { Caller, IamDirectory } from './directory.js';
import { evaluateTrust, notAuthorizedMessage, parsePolicy } from './policy.js';
import { assumedRoleArn, type SessionRecord } from './records.js';
import type { SecretBox } from './secret-box.js';
import { findParameter, findSecret, openParameter, openSecretVersion, pickSecretVersion } from './secret-values.js';
import { issueSession } from './sessions.js';

export interface TaskStartInput {
  readonly taskArn: string;
  readonly taskRoleArn?: string;
  readonly executionRoleArn?: string;
  readonly containers: readonly {
    readonly name?: string;
    readonly image?: string;
    readonly secrets?: readonly { readonly name?: string; readonly valueFrom?: string }[];
    readonly repositoryCredentials?: { readonly credentialsParameter?: string };
    readonly logConfiguration?: { readonly logDriver?: string; readonly options?: Readonly<Record<string, string>> };
  }[];
}

export interface TaskStartOutput {
  endpointId: string;
  taskRoleCredentials?: { roleArn: string; accessKeyId: string; secretAccessKey: string; token: string; expiration: number };
  secretEnvironment?: Record<string, Record<string, string>>;
  /** Registry credentials from containers' repositoryCredentials, by the image's registry host. */
  repositoryAuth?: RegistryCredentials[];
  initError?: string;
}

/** A task role session lasts 6 h (WHARF_TASK_CREDENTIALS_SECONDS); it is reissued when less than min(1 h, half of it) is left. */
const SESSION_SECONDS = 6 * 3600;
export const reissueBelowMs = (sessionSeconds: number): number => Math.min(3600_000, (sessionSeconds * 1000) / 2);
const TASKS = 'ecs-tasks.amazonaws.com';
const PREFIX = 'ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: ';

class StartError extends Error {}

export class TaskStartResolver {
  private readonly sessions = new Map<string, SessionRecord>();

  private readonly sessionSeconds: number;
  private readonly reissueBelow: number;

  constructor(private readonly o: {
    store: Store; iam: IamDirectory; box?: SecretBox; accountId: string; region: string; endpointKey: string; sessionSeconds?: number;
    /** The repository an image names in Wharf's own registry (undefined: another registry). */
    ownRepository?: (image: string) => string | undefined;
  }) {
    this.sessionSeconds = o.sessionSeconds ?? SESSION_SECONDS;
    this.reissueBelow = reissueBelowMs(this.sessionSeconds);
  }

  /** The per-task id in the credentials and metadata URIs: unguessable, stable across reconnects. */
  endpointId(taskArn: string): string {
    return createHmac('sha256', this.o.endpointKey).update(taskArn).digest('hex').slice(0, 32);
  }

  /** Forgets a stopped task's session (its credentials expire on their own). */
  forget(taskArn: string): void {
    this.sessions.delete(taskArn);
  }

  async resolve(input: TaskStartInput, now: Date): Promise<TaskStartOutput> {
    const out: TaskStartOutput = { endpointId: this.endpointId(input.taskArn) };
    const taskId = input.taskArn.slice(input.taskArn.lastIndexOf('/') + 1);
    try {
      if (input.taskRoleArn) {
        const roleName = this.assumable(input.taskRoleArn);
        let s = this.sessions.get(input.taskArn);
        if (!s || s.roleName !== roleName || s.expiration - now.getTime() < this.reissueBelow) {
          s = await issueSession(this.o.store, this.o.iam, { kind: 'role', roleName, sessionName: taskId, durationSeconds: this.sessionSeconds }, now);
          this.sessions.set(input.taskArn, s);
        }
        out.taskRoleCredentials = { roleArn: input.taskRoleArn, accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey, token: s.sessionToken, expiration: s.expiration };
      }
      if (input.executionRoleArn) await this.executionRoleChecks(input.executionRoleArn, input, taskId);
      const withSecrets = input.containers.filter((c) => c.secrets?.length);
      const withAuth = input.containers.filter((c) => c.repositoryCredentials?.credentialsParameter);
      if (withSecrets.length || withAuth.length) {
        if (!input.executionRoleArn) {
          throw new StartError(`${PREFIX}the task definition names ${withSecrets.length ? 'secrets' : 'repositoryCredentials'} but no executionRoleArn to retrieve them with`);
        }
        const caller = this.executionCaller(input.executionRoleArn, taskId);
        if (withSecrets.length) out.secretEnvironment = {};
        for (const c of withSecrets) {
          const env: Record<string, string> = {};
          for (const s of c.secrets ?? []) env[s.name ?? ''] = await this.secretValue(caller, s.valueFrom ?? '');
          out.secretEnvironment![c.name ?? ''] = env;
        }
        for (const c of withAuth) {
          const arn = c.repositoryCredentials!.credentialsParameter!;
          const asm = (cause: string) => new StartError(`${PREFIX}asm fetching secret from the service for ${arn}: ${cause}`);
          if (!arn.includes(':secretsmanager:')) throw asm('repositoryCredentials.credentialsParameter must be the ARN of a Secrets Manager secret');
          let auth: unknown;
          try { auth = JSON.parse(await this.secretValue(caller, arn)); } catch (e) { if (e instanceof StartError) throw e; auth = undefined; }
          const { username, password } = (auth ?? {}) as { username?: unknown; password?: unknown };
          if (typeof username !== 'string' || typeof password !== 'string' || !username || !password) {
            throw asm('the secret is not registry credentials: it must be JSON with "username" and "password" strings');
          }
          const serveraddress = credentialsHostOf(c.image ?? '');
          (out.repositoryAuth ??= []).push({ serveraddress, username, password });
        }
      }
    } catch (e) {
      if (!(e instanceof StartError)) throw e;
      return { endpointId: out.endpointId, initError: e.message };
    }
    return out;
  }

  /**
   * What ECS does with the execution role before anything starts: pulls from ECR (Wharf's registry) and
   * awslogs streams are made with its permissions, so a role without them fails the task as ECS does.
   */
  private async executionRoleChecks(roleArn: string, input: TaskStartInput, taskId: string): Promise<void> {
    const own = input.containers.flatMap((c) => {
      const repo = c.image ? this.o.ownRepository?.(c.image) : undefined;
      return repo ? [{ image: c.image!, repo }] : [];
    });
    const logs = input.containers.filter((c) => c.logConfiguration?.logDriver === 'awslogs' && c.logConfiguration.options?.['awslogs-group']);
    if (own.length === 0 && logs.length === 0) return;
    const caller = this.executionCaller(roleArn, taskId);
    for (const { image, repo } of own) {
      const resource = `arn:aws:ecr:${this.o.region}:${this.o.accountId}:repository/${repo}`;
      if (this.denied(caller, 'ecr:BatchGetImage', resource) || this.denied(caller, 'ecr:GetDownloadUrlForLayer', resource)) {
        const ref = parseImageRef(image);
        throw new StartError(`CannotPullContainerError: pull image manifest has been retried 1 time(s): failed to resolve ref ${image}: pulling from host ${ref.host} failed with status code [manifests ${ref.reference}]: 403 Forbidden`);
      }
    }
    for (const c of logs) {
      const o = c.logConfiguration!.options!;
      const region = o['awslogs-region'] ?? this.o.region;
      // Without a prefix the stream is named after the runtime container, which does not exist yet: any stream of the group.
      const stream = awslogsStreamName(o['awslogs-stream-prefix'], c.name ?? '', input.taskArn, '*');
      const resource = `arn:aws:logs:${region}:${this.o.accountId}:log-group:${o['awslogs-group']}:log-stream:${stream}`;
      const denied = this.denied(caller, 'logs:CreateLogStream', resource) ?? this.denied(caller, 'logs:PutLogEvents', resource);
      if (denied) {
        throw new StartError(`ResourceInitializationError: failed to validate logger args: create stream has been retried 1 times: failed to create Cloudwatch log stream: ${denied} : exit status 1`);
      }
    }
  }

  /** The execution role as the caller ECS acts as (an assumed-role session named after the task). */
  private executionCaller(roleArn: string, taskId: string): Caller {
    const role = this.assumable(roleArn);
    return { accessKeyId: '', arn: assumedRoleArn(this.o.accountId, role, taskId), userId: `${role}:${taskId}`, type: 'assumed-role', roleName: role, sessionName: taskId, bootstrap: false, tags: [] };
  }

  /** The role name, when the role exists and trusts ECS tasks; else the error ECS gives for it. */
  private assumable(roleArn: string): string {
    const name = roleArn.slice(roleArn.lastIndexOf('/') + 1);
    const role = this.o.iam.roles.get(name);
    const trusted = role && role.arn === roleArn && evaluateTrust(parsePolicy(role.assumeRolePolicyDocument, 'trust'), 'sts:AssumeRole', { arn: TASKS, accountId: this.o.accountId, service: TASKS }, {});
    if (!trusted) {
      throw new StartError(`ECS was unable to assume the role '${roleArn}' that was provided for this task. Please verify that the role being passed has the proper trust relationship and permissions and that your IAM user has permissions to pass this role.`);
    }
    return name;
  }

  private denied(caller: Caller, action: string, resource: string): string | undefined {
    const d = this.o.iam.authorize(caller, { action, resource, context: {} }).decision;
    if (d === 'Allow') return undefined;
    return `AccessDeniedException: ${notAuthorizedMessage(caller.arn, action, resource, d)}`;
  }

  private async secretValue(caller: Caller, valueFrom: string): Promise<string> {
    if (!this.o.box) throw new StartError(`${PREFIX}this server has no secrets key`);
    if (valueFrom.includes(':secretsmanager:')) {
      const asm = (cause: string) => new StartError(`${PREFIX}unable to retrieve secret from asm: service call has been retried 1 time(s): ${cause}`);
      const ref = parseSecretValueFrom(valueFrom);
      if (!ref) throw asm('an invalid ARN format for the AWS Secrets Manager secret was specified. Specify a valid ARN and try again.');
      const found = await findSecret(this.o.store, ref.secretId);
      const denied = this.denied(caller, 'secretsmanager:GetSecretValue', found?.value.arn ?? ref.secretId);
      if (denied) throw asm(denied);
      if (!found || found.value.deletedDate !== undefined) throw asm(`ResourceNotFoundException: The task can't retrieve the secret with ARN '${ref.secretId}' from AWS Secrets Manager. Check whether the secret exists in the specified Region`);
      const v = pickSecretVersion(found.value, { versionId: ref.versionId, versionStage: ref.versionStage });
      if (!v) throw asm(`ResourceNotFoundException: Secrets Manager can't find the specified secret value for ${ref.versionId ? `VersionId: ${ref.versionId}` : `staging label: ${ref.versionStage ?? 'AWSCURRENT'}`}`);
      const text = openSecretVersion(this.o.box, found.value, v).toString('utf8');
      if (!ref.jsonKey) return text;
      let obj: unknown;
      try { obj = JSON.parse(text); } catch { obj = undefined; }
      if (!obj || typeof obj !== 'object' || !(ref.jsonKey in obj)) throw asm(`retrieved secret from Secrets Manager did not contain json key ${ref.jsonKey}`);
      const val = (obj as Record<string, unknown>)[ref.jsonKey];
      return typeof val === 'string' ? val : JSON.stringify(val);
    }
    const ssm = (cause: string) => new StartError(`${PREFIX}unable to retrieve secrets from ssm: service call has been retried 1 time(s): ${cause}`);
    const name = parameterNameOf(valueFrom);
    const denied = this.denied(caller, 'ssm:GetParameters', parameterArn(this.o.region, this.o.accountId, name));
    if (denied) throw ssm(denied);
    const p = await findParameter(this.o.store, name);
    if (!p) throw ssm(`invalid parameters: ${name}`);
    return openParameter(this.o.box, p.value);
  }
}
