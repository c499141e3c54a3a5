/**
 * What Wharf does with every member of RegisterTaskDefinition's input, newest AWS model (botocore 1.43,
 * src/model/aws/ecs.json). Pure data plus one walk; registration calls `refusedField` and fails with the
 * entry's message, so no member is stored and then silently ignored at run time.
 *
 * The naive approach — validate the fields Wharf knows and store the rest — is how task definitions
 * "registered and then did not run as written" (issue 13): a published definition with `mountPoints`
 * or `linuxParameters.tmpfs` registered, ran, and the container saw none of it. Instead every path the
 * model has must have an entry here (field-support.test.ts walks the model and fails on a missing one,
 * so regenerating the models forces a decision about each new member), and docs/ecs-coverage.md is
 * generated from this table (scripts/gen-coverage.mjs; a test checks it is current).
 *
 * Statuses:
 * - honoured: the agent or control plane does what ECS does with it.
 * - placement: accepted, and a task needing it is placed only on an instance that advertises the
 *   capability (requiresAttributes); Wharf's agent does not advertise it, so RunTask fails with ECS's
 *   placement failure (reason ATTRIBUTE) — what ECS itself does on a cluster without such instances.
 * - metadata: stored and echoed; by ECS's own design it changes nothing about how the container runs
 *   (it feeds another feature, named in the note).
 * - refused: registration fails with ClientException and `message` (when `when` holds for the value, or
 *   whenever the member is present).
 */

export type FieldSupport =
  | { readonly status: 'honoured'; readonly note?: string }
  | { readonly status: 'placement'; readonly note: string }
  | { readonly status: 'metadata'; readonly note: string }
  | { readonly status: 'refused'; readonly message: string; readonly when?: (value: unknown) => boolean; readonly note?: string };

const honoured = (note?: string): FieldSupport => ({ status: 'honoured', note });
const metadata = (note: string): FieldSupport => ({ status: 'metadata', note });
const placement = (note: string): FieldSupport => ({ status: 'placement', note });
const refused = (message: string, when?: (value: unknown) => boolean, note?: string): FieldSupport => ({ status: 'refused', message, when, note });

const C = 'containerDefinitions[].';
const L = `${C}linuxParameters.`;

/**
 * Keyed by the member's path in RegisterTaskDefinitionRequest: `a.b` for structure members, `[]` after
 * a list. A structure's entry covers the structure; its members have entries of their own.
 */
export const TASK_DEFINITION_FIELDS: Readonly<Record<string, FieldSupport>> = {
  family: honoured(),
  taskRoleArn: honoured('credentials served to the task on 169.254.170.2 (task role)'),
  executionRoleArn: honoured('image pulls from Wharf\'s registry, awslogs, secrets'),
  networkMode: honoured('bridge, host, none, awsvpc'),
  containerDefinitions: honoured(),
  [`${C}name`]: honoured(),
  [`${C}image`]: honoured(),
  [`${C}repositoryCredentials`]: honoured('the image is pulled with the username and password in the named Secrets Manager secret, read with the execution role'),
  [`${C}repositoryCredentials.credentialsParameter`]: honoured(),
  [`${C}cpu`]: honoured('CPU shares (minimum 2)'),
  [`${C}memory`]: honoured('hard limit; no extra swap unless maxSwap says so'),
  [`${C}memoryReservation`]: honoured('soft limit and placement'),
  [`${C}links`]: refused(
    "Wharf does not support container 'links' yet: containers of a bridge task reach each other through their host ports; in awsvpc mode they share localhost.",
    undefined, 'refused until links are implemented'),
  [`${C}portMappings`]: honoured(),
  [`${C}portMappings[].containerPort`]: honoured(),
  [`${C}portMappings[].hostPort`]: honoured('0 or absent in bridge mode = a dynamic host port'),
  [`${C}portMappings[].protocol`]: honoured(),
  [`${C}portMappings[].name`]: metadata('names the port for Service Connect and load balancer target selection'),
  [`${C}portMappings[].appProtocol`]: metadata('Service Connect only'),
  [`${C}portMappings[].containerPortRange`]: refused(
    "Wharf does not support 'containerPortRange' port mappings yet: map each port with containerPort.",
    undefined, 'refused until port ranges are implemented'),
  [`${C}essential`]: honoured(),
  [`${C}restartPolicy`]: honoured('the agent restarts the container in place'),
  [`${C}restartPolicy.enabled`]: honoured(),
  [`${C}restartPolicy.ignoredExitCodes`]: honoured(),
  [`${C}restartPolicy.restartAttemptPeriod`]: honoured(),
  [`${C}entryPoint`]: honoured(),
  [`${C}command`]: honoured(),
  [`${C}environment`]: honoured(),
  [`${C}environment[].name`]: honoured(),
  [`${C}environment[].value`]: honoured(),
  [`${C}environmentFiles`]: refused(
    "Wharf does not support 'environmentFiles' yet: they are read from Amazon S3 and Wharf has no object store. Put the variables in 'environment', or in 'secrets' (Secrets Manager or SSM parameters).",
    undefined, 'refused until Wharf has an object store'),
  [`${C}environmentFiles[].value`]: refused("Wharf does not support 'environmentFiles' yet."),
  [`${C}environmentFiles[].type`]: refused("Wharf does not support 'environmentFiles' yet."),
  [`${C}mountPoints`]: honoured(),
  [`${C}mountPoints[].sourceVolume`]: honoured(),
  [`${C}mountPoints[].containerPath`]: honoured(),
  [`${C}mountPoints[].readOnly`]: honoured(),
  [`${C}volumesFrom`]: honoured('every mount of the source container; it is created first'),
  [`${C}volumesFrom[].sourceContainer`]: honoured(),
  [`${C}volumesFrom[].readOnly`]: honoured(),
  [`${C}linuxParameters`]: honoured(),
  [`${L}capabilities`]: honoured(),
  [`${L}capabilities.add`]: honoured(),
  [`${L}capabilities.drop`]: honoured(),
  [`${L}devices`]: honoured('host devices passed through (Docker --device)'),
  [`${L}devices[].hostPath`]: honoured(),
  [`${L}devices[].containerPath`]: honoured('default: hostPath'),
  [`${L}devices[].permissions`]: honoured('read, write, mknod → the device cgroup\'s rwm'),
  [`${L}initProcessEnabled`]: honoured('an init process is PID 1: it forwards signals and reaps zombies'),
  [`${L}sharedMemorySize`]: honoured('size of /dev/shm, MiB'),
  [`${L}tmpfs`]: honoured(),
  [`${L}tmpfs[].containerPath`]: honoured(),
  [`${L}tmpfs[].size`]: honoured('MiB'),
  [`${L}tmpfs[].mountOptions`]: honoured(),
  [`${L}maxSwap`]: honoured('swap on top of the memory limit, MiB; 0 = none; without it a container gets no swap'),
  [`${L}swappiness`]: honoured('default 60, applies only with maxSwap (as ECS documents)'),
  [`${C}secrets`]: honoured('resolved by the control plane at task start'),
  [`${C}secrets[].name`]: honoured(),
  [`${C}secrets[].valueFrom`]: honoured('Secrets Manager ARN (with json-key/stage/id) or SSM parameter'),
  [`${C}dependsOn`]: honoured(),
  [`${C}dependsOn[].containerName`]: honoured(),
  [`${C}dependsOn[].condition`]: honoured('START, COMPLETE, SUCCESS, HEALTHY'),
  [`${C}startTimeout`]: honoured('how long dependsOn may wait'),
  [`${C}stopTimeout`]: honoured('SIGTERM, then SIGKILL after this many seconds'),
  [`${C}versionConsistency`]: metadata("Wharf pulls the image by its reference on every start and reports the digest it ran ('disabled' behaviour); 'enabled' does not pin a deployment to one digest yet"),
  [`${C}hostname`]: honoured('bridge and none modes (ECS refuses it with awsvpc and host)'),
  [`${C}user`]: honoured(),
  [`${C}workingDirectory`]: honoured(),
  [`${C}disableNetworking`]: honoured('the container gets no network (its own empty namespace)'),
  [`${C}privileged`]: honoured('EC2 only; Fargate refuses it'),
  [`${C}readonlyRootFilesystem`]: honoured(),
  [`${C}dnsServers`]: honoured('/etc/resolv.conf nameservers'),
  [`${C}dnsSearchDomains`]: honoured('/etc/resolv.conf search'),
  [`${C}extraHosts`]: honoured('/etc/hosts entries'),
  [`${C}extraHosts[].hostname`]: honoured(),
  [`${C}extraHosts[].ipAddress`]: honoured(),
  [`${C}dockerSecurityOptions`]: refused("Wharf does not support 'credentialspec' docker security options: gMSA authentication needs an Active Directory domain.", (v) => Array.isArray(v) && v.some((o) => typeof o === 'string' && o.startsWith('credentialspec')), 'no-new-privileges (Wharf\'s default anyway), apparmor:PROFILE, label:VALUE are passed to the runtime'),
  [`${C}interactive`]: honoured('stdin stays open'),
  [`${C}pseudoTerminal`]: honoured('a TTY; its output is logged as one stream'),
  [`${C}dockerLabels`]: honoured('Wharf\'s own com.amazonaws.ecs.* labels win on a clash'),
  [`${C}ulimits`]: honoured(),
  [`${C}ulimits[].name`]: honoured(),
  [`${C}ulimits[].softLimit`]: honoured(),
  [`${C}ulimits[].hardLimit`]: honoured(),
  [`${C}logConfiguration`]: honoured(),
  [`${C}logConfiguration.logDriver`]: placement('awslogs (shipped to Wharf\'s CloudWatch Logs), json-file and none run; the other drivers need an instance advertising com.amazonaws.ecs.capability.logging-driver.<driver>, which Wharf\'s agent does not'),
  [`${C}logConfiguration.options`]: honoured('awslogs options; awslogs-create-group takes every value Go\'s strconv.ParseBool takes'),
  [`${C}logConfiguration.secretOptions`]: placement('used only by the log drivers that need a capability Wharf\'s agent does not advertise (splunk, fluentd, …)'),
  [`${C}logConfiguration.secretOptions[].name`]: placement('see secretOptions'),
  [`${C}logConfiguration.secretOptions[].valueFrom`]: placement('see secretOptions'),
  [`${C}healthCheck`]: honoured('run by the agent through exec'),
  [`${C}healthCheck.command`]: honoured(),
  [`${C}healthCheck.interval`]: honoured(),
  [`${C}healthCheck.timeout`]: honoured(),
  [`${C}healthCheck.retries`]: honoured(),
  [`${C}healthCheck.startPeriod`]: honoured(),
  [`${C}systemControls`]: honoured('namespaced sysctls'),
  [`${C}systemControls[].namespace`]: honoured(),
  [`${C}systemControls[].value`]: honoured(),
  [`${C}resourceRequirements`]: placement('GPU needs an instance advertising ecs.capability.nvidia-driver; Wharf\'s agent does not'),
  [`${C}resourceRequirements[].value`]: placement('see resourceRequirements'),
  [`${C}resourceRequirements[].type`]: refused(
    "Amazon Elastic Inference is no longer available: 'InferenceAccelerator' resource requirements cannot be used.",
    (v) => v === 'InferenceAccelerator', 'GPU: placement, as resourceRequirements'),
  [`${C}firelensConfiguration`]: refused("Wharf does not support FireLens ('firelensConfiguration') yet."),
  [`${C}firelensConfiguration.type`]: refused("Wharf does not support FireLens ('firelensConfiguration') yet."),
  [`${C}firelensConfiguration.options`]: refused("Wharf does not support FireLens ('firelensConfiguration') yet."),
  [`${C}credentialSpecs`]: refused("Wharf does not support 'credentialSpecs': gMSA authentication needs an Active Directory domain.", (v) => Array.isArray(v) && v.length > 0),
  volumes: honoured(),
  'volumes[].name': honoured(),
  'volumes[].host': honoured('empty: a task-scoped volume, removed with the task'),
  'volumes[].host.sourcePath': honoured('bind mount; the directory must exist; sensitive paths (the runtime socket, /etc/shadow, /proc, directories containing them) are refused unless the instance opts in; an instance may set an allow-list'),
  'volumes[].dockerVolumeConfiguration': honoured('a runtime volume'),
  'volumes[].dockerVolumeConfiguration.scope': honoured('task (default): made for the task, removed with its containers; shared: named like the volume, outlives the task'),
  'volumes[].dockerVolumeConfiguration.autoprovision': honoured('shared scope: create it when missing; without it a missing volume fails the task'),
  'volumes[].dockerVolumeConfiguration.driver': placement('local runs; another driver needs an instance advertising ecs.capability.docker-plugin.<driver>, which Wharf\'s agent does not'),
  'volumes[].dockerVolumeConfiguration.driverOpts': honoured('passed to the driver (local: type, device, o)'),
  'volumes[].dockerVolumeConfiguration.labels': honoured(),
  'volumes[].efsVolumeConfiguration': refused("Wharf does not support EFS volumes ('efsVolumeConfiguration') yet."),
  'volumes[].efsVolumeConfiguration.fileSystemId': refused("Wharf does not support EFS volumes ('efsVolumeConfiguration') yet."),
  'volumes[].efsVolumeConfiguration.rootDirectory': refused("Wharf does not support EFS volumes ('efsVolumeConfiguration') yet."),
  'volumes[].efsVolumeConfiguration.transitEncryption': refused("Wharf does not support EFS volumes ('efsVolumeConfiguration') yet."),
  'volumes[].efsVolumeConfiguration.transitEncryptionPort': refused("Wharf does not support EFS volumes ('efsVolumeConfiguration') yet."),
  'volumes[].efsVolumeConfiguration.authorizationConfig': refused("Wharf does not support EFS volumes ('efsVolumeConfiguration') yet."),
  'volumes[].efsVolumeConfiguration.authorizationConfig.accessPointId': refused("Wharf does not support EFS volumes ('efsVolumeConfiguration') yet."),
  'volumes[].efsVolumeConfiguration.authorizationConfig.iam': refused("Wharf does not support EFS volumes ('efsVolumeConfiguration') yet."),
  'volumes[].s3filesVolumeConfiguration': refused("Wharf does not support S3 Files volumes ('s3filesVolumeConfiguration'): Wharf has no object store."),
  'volumes[].s3filesVolumeConfiguration.fileSystemArn': refused("Wharf does not support S3 Files volumes ('s3filesVolumeConfiguration')."),
  'volumes[].s3filesVolumeConfiguration.rootDirectory': refused("Wharf does not support S3 Files volumes ('s3filesVolumeConfiguration')."),
  'volumes[].s3filesVolumeConfiguration.transitEncryptionPort': refused("Wharf does not support S3 Files volumes ('s3filesVolumeConfiguration')."),
  'volumes[].s3filesVolumeConfiguration.accessPointArn': refused("Wharf does not support S3 Files volumes ('s3filesVolumeConfiguration')."),
  'volumes[].fsxWindowsFileServerVolumeConfiguration': refused("Wharf does not support FSx for Windows File Server volumes: Wharf runs Linux containers only."),
  'volumes[].fsxWindowsFileServerVolumeConfiguration.fileSystemId': refused('Wharf does not support FSx for Windows File Server volumes.'),
  'volumes[].fsxWindowsFileServerVolumeConfiguration.rootDirectory': refused('Wharf does not support FSx for Windows File Server volumes.'),
  'volumes[].fsxWindowsFileServerVolumeConfiguration.authorizationConfig': refused('Wharf does not support FSx for Windows File Server volumes.'),
  'volumes[].fsxWindowsFileServerVolumeConfiguration.authorizationConfig.credentialsParameter': refused('Wharf does not support FSx for Windows File Server volumes.'),
  'volumes[].fsxWindowsFileServerVolumeConfiguration.authorizationConfig.domain': refused('Wharf does not support FSx for Windows File Server volumes.'),
  'volumes[].configuredAtLaunch': refused("Wharf does not support volumes configured at launch ('configuredAtLaunch'): they are Amazon EBS volumes.", (v) => v === true),
  placementConstraints: honoured(),
  'placementConstraints[].type': honoured('memberOf'),
  'placementConstraints[].expression': honoured('cluster query language'),
  requiresCompatibilities: honoured('EC2, FARGATE, EXTERNAL, MANAGED_INSTANCES'),
  cpu: honoured('units or vCPU; Fargate sizes checked'),
  memory: honoured('MiB or GB'),
  tags: honoured(),
  'tags[].key': honoured(),
  'tags[].value': honoured(),
  pidMode: honoured("host; task: the task's containers share one PID namespace, held by a pause container"),
  ipcMode: honoured("host, none; task: the task's containers share one IPC namespace (/dev/shm), held by a pause container"),
  proxyConfiguration: refused("Wharf does not support 'proxyConfiguration': it configures an AWS App Mesh proxy, and App Mesh is not available."),
  'proxyConfiguration.type': refused("Wharf does not support 'proxyConfiguration'."),
  'proxyConfiguration.containerName': refused("Wharf does not support 'proxyConfiguration'."),
  'proxyConfiguration.properties': refused("Wharf does not support 'proxyConfiguration'."),
  'proxyConfiguration.properties[].name': refused("Wharf does not support 'proxyConfiguration'."),
  'proxyConfiguration.properties[].value': refused("Wharf does not support 'proxyConfiguration'."),
  inferenceAccelerators: refused("Amazon Elastic Inference is no longer available: 'inferenceAccelerators' cannot be used.", (v) => Array.isArray(v) && v.length > 0),
  'inferenceAccelerators[].deviceName': refused("Amazon Elastic Inference is no longer available: 'inferenceAccelerators' cannot be used."),
  'inferenceAccelerators[].deviceType': refused("Amazon Elastic Inference is no longer available: 'inferenceAccelerators' cannot be used."),
  ephemeralStorage: metadata('validated (21–200 GiB) and echoed; a Fargate size, the space a task\'s writable layers may use is not limited yet'),
  'ephemeralStorage.sizeInGiB': metadata('see ephemeralStorage'),
  runtimePlatform: honoured('placement: the instance\'s ecs.os-family and ecs.cpu-architecture must match, else RunTask fails with reason ATTRIBUTE'),
  'runtimePlatform.cpuArchitecture': honoured('X86_64 → x86_64, ARM64 → arm64 (placement)'),
  'runtimePlatform.operatingSystemFamily': honoured('placement: Wharf\'s agents are LINUX'),
  enableFaultInjection: refused("Wharf does not support 'enableFaultInjection' yet.", (v) => v === true),
};

/** A present value of member `path` that its entry refuses: the first one, depth first, or undefined. */
export function refusedField(input: unknown, table: Readonly<Record<string, FieldSupport>> = TASK_DEFINITION_FIELDS): { path: string; message: string } | undefined {
  let found: { path: string; message: string } | undefined;
  const visit = (value: unknown, path: string): void => {
    if (found || value === undefined || value === null) return;
    if (path) {
      const entry = table[path];
      if (entry?.status === 'refused' && (entry.when ? entry.when(value) : true)) {
        found = { path, message: entry.message };
        return;
      }
      // A member refused only for some values (`when`) is not descended into unless a child says so.
    }
    if (Array.isArray(value)) {
      for (const x of value) visit(x, `${path}[]`);
    } else if (typeof value === 'object' && !isMapMember(path, table)) {
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) visit(v, path ? `${path}.${k}` : k);
    }
  };
  visit(input, '');
  return found;
}

/** Map members (dockerLabels, options, driverOpts…) have free keys: their entry covers the whole map. */
function isMapMember(path: string, table: Readonly<Record<string, FieldSupport>>): boolean {
  return path !== '' && !Object.keys(table).some((k) => k.startsWith(`${path}.`) || k.startsWith(`${path}[]`));
}
