/**
 * The closed error vocabulary. Every error Wharf puts on the AWS wire is named here once, with its HTTP
 * status and fault, so a handler cannot invent a name a client will not recognise, and a missing entry
 * fails to compile (`ApiError` takes only `ErrorCode`). Names are AWS's own; each service's modeled
 * errors come from its service model (ECS's 28, ECR's, CloudWatch Logs', …) plus the framework errors
 * every AWS endpoint shares (signature, throttling, serialization).
 */

export interface ErrorSpec {
  readonly status: number;
  readonly fault: 'client' | 'server';
  /** Whether a client may retry the same request unchanged. */
  readonly retryable?: boolean;
}

const c400: ErrorSpec = { status: 400, fault: 'client' };
const c403: ErrorSpec = { status: 403, fault: 'client' };
const c404: ErrorSpec = { status: 404, fault: 'client' };

export const ERRORS = {
  // Framework errors shared by all AWS JSON/query endpoints.
  MissingAuthenticationTokenException: c403,
  MissingAuthenticationToken: c403,
  IncompleteSignatureException: c403,
  IncompleteSignature: c403,
  InvalidSignatureException: c403,
  SignatureDoesNotMatch: c403,
  UnrecognizedClientException: c403,
  InvalidClientTokenId: c403,
  ExpiredTokenException: c400,
  ExpiredToken: c403,
  AccessDeniedException: c400,
  AccessDenied: c403,
  UnknownOperationException: c400,
  InvalidAction: c400,
  SerializationException: c400,
  ValidationException: c400,
  ValidationError: c400,
  MissingParameter: c400,
  InvalidParameterValue: c400,
  InvalidParameterCombination: c400,
  RequestEntityTooLargeException: { status: 413, fault: 'client' },
  UnsupportedMediaTypeException: { status: 415, fault: 'client' },
  ThrottlingException: { status: 400, fault: 'client', retryable: true },
  InternalFailure: { status: 500, fault: 'server', retryable: true },
  ServiceUnavailable: { status: 503, fault: 'server', retryable: true },

  // Amazon ECS (all modeled errors; ServerException is the only server fault).
  ServerException: { status: 500, fault: 'server', retryable: true },
  ClientException: c400,
  InvalidParameterException: c400,
  ClusterNotFoundException: c400,
  ServiceNotFoundException: c400,
  ServiceNotActiveException: c400,
  TaskSetNotFoundException: c400,
  ServiceDeploymentNotFoundException: c400,
  TargetNotFoundException: c400,
  TargetNotConnectedException: c400,
  AttributeLimitExceededException: c400,
  LimitExceededException: c400,
  ResourceNotFoundException: c400,
  ResourceInUseException: c400,
  ClusterContainsContainerInstancesException: c400,
  ClusterContainsServicesException: c400,
  ClusterContainsTasksException: c400,
  ClusterContainsCapacityProviderException: c400,
  PlatformUnknownException: c400,
  PlatformTaskDefinitionIncompatibilityException: c400,
  UnsupportedFeatureException: c400,
  BlockedException: c400,
  ConflictException: c400,
  NamespaceNotFoundException: c400,
  UpdateInProgressException: c400,
  MissingVersionException: c400,
  NoUpdateAvailableException: c400,

  // Amazon ECR.
  RepositoryNotFoundException: c400,
  RepositoryAlreadyExistsException: c400,
  RepositoryNotEmptyException: c400,
  RepositoryPolicyNotFoundException: c400,
  ImageNotFoundException: c400,
  ImageAlreadyExistsException: c400,
  ImageTagAlreadyExistsException: c400,
  ImageDigestDoesNotMatchException: c400,
  LayersNotFoundException: c400,
  LayerInaccessibleException: c400,
  InvalidLayerException: c400,
  LifecyclePolicyNotFoundException: c400,
  LifecyclePolicyPreviewNotFoundException: c400,
  LifecyclePolicyPreviewInProgressException: c400,
  InvalidTagParameterException: c400,
  TooManyTagsException: c400,
  ReferencedImagesNotFoundException: c400,

  // CloudWatch Logs.
  ResourceAlreadyExistsException: c400,
  InvalidSequenceTokenException: c400,
  DataAlreadyAcceptedException: c400,
  OperationAbortedException: c400,
  MalformedQueryException: c400,
  UnrecognizedClientExceptionLogs: c400,

  ServiceUnavailableException: { status: 500, fault: 'server', retryable: true },
  // CloudWatch (query-compatible names).
  InternalServiceError: { status: 500, fault: 'server', retryable: true },
  ResourceNotFound: c404,
  InvalidNextToken: c400,
  LimitExceeded: c400,
  InvalidFormat: c400,

  // IAM and STS (awsQuery; codes as the wire carries them).
  NoSuchEntity: c404,
  EntityAlreadyExists: { status: 409, fault: 'client' },
  DeleteConflict: { status: 409, fault: 'client' },
  MalformedPolicyDocument: c400,
  InvalidInput: c400,
  UnmodifiableEntity: c400,
  ServiceFailure: { status: 500, fault: 'server', retryable: true },
  PackedPolicyTooLarge: c400,

  // Secrets Manager and SSM Parameter Store (awsJson1_1).
  InvalidRequestException: c400,
  ResourceExistsException: c400,
  DecryptionFailure: c400,
  EncryptionFailure: c400,
  ParameterNotFound: c400,
  ParameterAlreadyExists: c400,
  ParameterVersionNotFound: c400,
  ParameterLimitExceeded: c400,
  ParameterMaxVersionLimitExceeded: c400,
  UnsupportedParameterType: c400,
  InvalidKeyId: c400,
  InternalServerError: { status: 500, fault: 'server', retryable: true },

  // ELBv2 (awsQuery; codes as the wire carries them).
  DuplicateLoadBalancerName: c400,
  DuplicateTargetGroupName: c400,
  DuplicateListener: c400,
  LoadBalancerNotFound: c400,
  TargetGroupNotFound: c400,
  ListenerNotFound: c400,
  RuleNotFound: c400,
  PriorityInUse: c400,
  InvalidTarget: c400,
  InvalidConfigurationRequest: c400,
  InvalidLoadBalancerAction: c400,
  IncompatibleProtocols: c400,
  TooManyTargets: c400,
  TooManyRules: c400,
  TooManyTags: c400,
  DuplicateTagKeys: c400,
  ResourceInUse: c400,
  OperationNotPermitted: c400,
  TargetGroupAssociationLimit: c400,
  UnsupportedProtocol: c400,
  TooManyTargetGroups: c400,
  TooManyListeners: c400,
  TooManyLoadBalancers: c400,
  TooManyActions: c400,
  TooManyRegistrationsForTargetId: c400,
  HealthUnavailable: { status: 500, fault: 'server', retryable: true },
  InvalidScheme: c400,
  CertificateNotFound: c400,

  // Application Auto Scaling (its modeled errors; ValidationException, LimitExceededException,
  // ResourceNotFoundException and TooManyTagsException are shared with the services above).
  ObjectNotFoundException: c400,
  ConcurrentUpdateException: { status: 500, fault: 'server', retryable: true },
  FailedResourceAccessException: c400,
  InternalServiceException: { status: 500, fault: 'server', retryable: true },
  InvalidNextTokenException: c400,

  // Amazon EventBridge (its modeled errors beyond the shared ValidationException, ResourceNotFoundException,
  // ResourceAlreadyExistsException and LimitExceededException).
  InvalidEventPatternException: c400,
  ConcurrentModificationException: c400,
  ManagedRuleException: c400,
  InternalException: { status: 500, fault: 'server', retryable: true },

  // EventBridge Scheduler (restJson1: the wire status comes from the model's error shapes, 404, 409, …;
  // ValidationException, ConflictException, ResourceNotFoundException and ThrottlingException are shared).
  InternalServerException: { status: 500, fault: 'server', retryable: true },
  ServiceQuotaExceededException: { status: 402, fault: 'client' },

  // AWS Cloud Map (awsJson1_1; its modeled errors, names as the wire carries them; InvalidInput,
  // ResourceInUse, ResourceNotFoundException and TooManyTagsException are shared with the services above).
  NamespaceNotFound: c400,
  NamespaceAlreadyExists: c400,
  ServiceNotFound: c400,
  ServiceAlreadyExists: c400,
  InstanceNotFound: c400,
  OperationNotFound: c400,
  CustomHealthNotFound: c400,
  DuplicateRequest: c400,
  ResourceLimitExceeded: c400,
  RequestLimitExceeded: { status: 400, fault: 'client', retryable: true },

  // EC2 (codes as the wire carries them, dots included; every EC2 client error is HTTP 400).
  'InvalidVpcID.NotFound': c400,
  'InvalidVpcID.Malformed': c400,
  'InvalidSubnetID.NotFound': c400,
  'InvalidSubnetID.Malformed': c400,
  'InvalidGroup.NotFound': c400,
  'InvalidGroupId.Malformed': c400,
  'InvalidGroup.Duplicate': c400,
  'InvalidGroup.Reserved': c400,
  'InvalidPermission.Duplicate': c400,
  'InvalidPermission.NotFound': c400,
  'InvalidPermission.Malformed': c400,
  'InvalidSecurityGroupRuleId.NotFound': c400,
  'InvalidNetworkInterfaceID.NotFound': c400,
  'InvalidNetworkInterfaceID.Malformed': c400,
  'InvalidVpc.Range': c400,
  'InvalidSubnet.Range': c400,
  'InvalidSubnet.Conflict': c400,
  'InvalidID': c400,
  'InvalidFilter': c400,
  DependencyViolation: c400,
  CannotDelete: c400,
  VPCIdNotSpecified: c400,
  UnknownParameter: c400,
  InternalError: { status: 500, fault: 'server', retryable: true },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERRORS;

export class ApiError extends Error {
  readonly spec: ErrorSpec;
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Extra members serialized next to `message` (e.g. ConflictException's resourceIds). */
    readonly extra?: Readonly<Record<string, unknown>>,
  ) {
    super(message);
    this.name = code;
    this.spec = ERRORS[code];
  }
  get status(): number {
    return this.spec.status;
  }
}

export const isApiError = (e: unknown): e is ApiError => e instanceof ApiError;

/** Shorthands for the errors handlers raise most. */
export const clientError = (message: string) => new ApiError('ClientException', message);
export const invalidParameter = (message: string) => new ApiError('InvalidParameterException', message);
