/**
 * What every API handler sees. A handler is `(input, ctx) => output`: it validates meaning (the codec
 * and the model already checked types, required members, enums and limits), reads and writes the
 * store with version checks, and returns a plain object. It never touches HTTP.
 */
import type { FargatePoolLimits } from '../model/ecs/capacity.js';
import type { Logger } from 'pino';
import type { ErrorCode } from '../model/errors.js';
import type { EnumWording, ServiceModel } from '../protocol/service-model.js';
import type { Store } from '../store/store.js';
import type { Caller, IamDirectory } from '../iam/directory.js';
import type { SecretBox } from '../iam/secret-box.js';
import type { PlacementCaches } from '../controllers/shared/placement-commit.js';
import type { RevisionAllocator } from './ecs/revision-allocator.js';
import type { ElbConfig } from './elbv2/common.js';
import type { LogsBackend } from './logs/backend.js';
import type { CloudWatchBackend } from './cloudwatch/backend.js';
import type { Registry } from '../registry/registry.js';
import type { TrackingAlarmTiming } from '../model/autoscaling/target-tracking.js';

/** The authenticated caller (a user, or a role session): see iam/directory.ts. */
export type Principal = Caller;

/** One authorization check: the action (default: the service's IAM prefix and the operation) on one resource. */
export interface AuthzItem {
  readonly action?: string;
  /** The resource ARN, or '*' for actions AWS does not scope to a resource. */
  readonly resource: string;
  /** Condition keys for this check (lower-cased), besides the global ones. */
  readonly context?: Readonly<Record<string, string | readonly string[] | undefined>>;
}

/** What an operation is authorized against; undefined (or a missing entry) means `prefix:Operation` on '*'. */
export type Authorizer = (operation: string, input: Record<string, unknown>, ctx: RequestContext) => readonly AuthzItem[] | Promise<readonly AuthzItem[]> | undefined;

/** Process-wide dependencies, chosen by the server's entry point. */
export interface ApiDeps {
  readonly store: Store;
  readonly region: string;
  readonly accountId: string;
  /** The endpoint clients use (http://host:port), for URIs in replies (ECR repositoryUri, …). */
  readonly publicEndpoint: string;
  readonly clock: () => Date;
  /** IAM's records, in memory (users, roles, policies, keys, sessions). */
  readonly iam: IamDirectory;
  /**
   * Test-only fault points (docs/control-plane.md): the server's entry point sets this when
   * WHARF_TEST_FAULT names a point; a handler calls it where a crash would hurt most. Absent in production.
   */
  readonly faultPoint?: (name: string) => void;
  /** Encrypts Secrets Manager and Parameter Store values at rest (key file outside the store). */
  readonly secretBox?: SecretBox;
  /** The server's placement caches, one per region (RunTask and StartTask place through them). */
  readonly placement: PlacementCaches;
  /** Allocates task definition revisions in group-committed batches (RegisterTaskDefinition). */
  readonly revisions: RevisionAllocator;
  /**
   * The managed Fargate pool's bounds and the one region it serves: FARGATE launches beyond them, or in
   * another region, are refused as Fargate refuses them (docs/fargate.md).
   */
  readonly fargatePool?: FargatePoolLimits & { region: string };
  /** Where load balancer listeners bind, and the host-port probe (ELBv2). */
  readonly elb: ElbConfig;
  /** The timing of the CloudWatch alarms target tracking scaling policies make (Application Auto Scaling). */
  readonly targetTrackingAlarms: TrackingAlarmTiming;
  /** A region's backends; the dispatcher puts them on each request's context (RegionalBackends). */
  readonly backendsFor: (region: string) => RegionalBackends;
}

/** The backends of the request's region that live outside the store. */
export interface RegionalBackends {
  /** ECR: the region's registry. */
  readonly registry: Registry;
  /** CloudWatch Logs: the region's log groups and events. */
  readonly logs: LogsBackend;
  /** CloudWatch: the region's metrics and alarms. */
  readonly metrics: CloudWatchBackend;
}

export interface RequestContext extends ApiDeps, RegionalBackends {
  readonly requestId: string;
  readonly principal: Principal;
  /** The time the request arrived; use it for every timestamp the request writes. */
  readonly now: Date;
  readonly log: Logger;
}

// Handlers are typed per action with the AWS SDK's own request/response types.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Handler<I = any, O = any> = (input: I, ctx: RequestContext) => Promise<O>;

export interface ServiceDefinition {
  /** Our short name, for logs and metrics. */
  readonly name: string;
  /** The SigV4 signing name in the credential scope (ecs, ecr, logs, monitoring, elasticloadbalancing…). */
  readonly signingName: string;
  readonly model: ServiceModel;
  /** The error name this service gives constraint violations. */
  readonly validationError: ErrorCode;
  /** The error name this service gives its own faults. */
  readonly serverError: ErrorCode;
  /** The service's own words for some bad enum values (see ValidationOptions.enumWording). */
  readonly enumWording?: EnumWording;
  readonly handlers: Readonly<Record<string, Handler>>;
  /** The service prefix in IAM actions (default: signingName; CloudWatch signs as `monitoring`, acts as `cloudwatch`). */
  readonly iamPrefix?: string;
  /** The resources (and condition keys) each operation is authorized against. */
  readonly authorize?: Authorizer;
}

