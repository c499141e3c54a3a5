/** The AWS services this server speaks. Each capability adds its ServiceDefinition here. */
import { regionalService, type ServiceDefinition } from '../api/types.js';
import { ecsService } from '../api/ecs/index.js';
import { ecrService } from '../api/ecr/index.js';
import type { Registry } from '../registry/registry.js';
import { elbv2Service } from '../api/elbv2/index.js';
import { portFree } from '../lb/ports.js';
import { logsService } from '../api/logs/index.js';
import { cloudwatchService } from '../api/cloudwatch/index.js';
import { ec2Service } from '../api/ec2/index.js';
import type { Telemetry } from '../telemetry/telemetry.js';
import { iamService } from '../api/iam/index.js';
import { stsService } from '../api/sts/index.js';
import { secretsManagerService } from '../api/secretsmanager/index.js';
import { ssmService } from '../api/ssm/index.js';
import { wharfService } from '../api/wharf/index.js';
import { applicationAutoScalingService } from '../api/application-autoscaling/index.js';
import type { TrackingAlarmTiming } from '../model/autoscaling/target-tracking.js';

export interface ServiceDeps {
  /** The configured (home) region: the one `wharf` prints; every other region is served too. */
  readonly homeRegion: string;
  /** Host address load balancer listeners bind (WHARF_LB_BIND_ADDRESS, default loopback). */
  readonly lbBindAddress: string;
  readonly registry: Registry;
  readonly telemetry: Telemetry;
  /** The timing of the alarms target tracking policies make (WHARF_TARGET_TRACKING_ALARMS, docs/autoscaling.md). */
  readonly targetTrackingAlarms: TrackingAlarmTiming;
}

export function buildServices(deps: ServiceDeps): ServiceDefinition[] {
  const home = deps.homeRegion;
  // ECS and ELBv2 keep everything in the store, which each request's context already scopes to its
  // region; ECR, CloudWatch Logs and metrics have backends of their own, one per region.
  // Load balancer listeners bind this host address (WHARF_LB_BIND_ADDRESS, default loopback).
  return [ecsService(), regionalService(home, (r) => ecrService(deps.registry.forRegion(r))),
    elbv2Service({ bindAddress: deps.lbBindAddress, portFree }),
    regionalService(home, (r) => logsService(deps.telemetry.region(r).logs)),
    regionalService(home, (r) => cloudwatchService(deps.telemetry.region(r).metrics)), iamService(), stsService(),
    secretsManagerService(), ssmService(), wharfService(), ec2Service(),
    // Application Auto Scaling: records in the region's store, target tracking alarms in its CloudWatch.
    regionalService(home, (r) => applicationAutoScalingService({ alarms: deps.telemetry.region(r).metrics, timing: deps.targetTrackingAlarms }))];
}
