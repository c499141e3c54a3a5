/** The AWS services this server speaks. Each capability adds its ServiceDefinition here. */
import type { ServiceDefinition } from '../api/types.js';
import { ecsService } from '../api/ecs/index.js';
import type { PluginDeps } from './plugins.js';
import { ecrService } from '../api/ecr/index.js';
import { registryFor } from '../registry/registry.js';
import { elbv2Service } from '../api/elbv2/index.js';
import { logsService } from '../api/logs/index.js';
import { cloudwatchService } from '../api/cloudwatch/index.js';
import { telemetryFor } from '../telemetry/telemetry.js';
import { iamService } from '../api/iam/index.js';
import { stsService } from '../api/sts/index.js';
import { secretsManagerService } from '../api/secretsmanager/index.js';
import { ssmService } from '../api/ssm/index.js';
import { wharfService } from '../api/wharf/index.js';

export function buildServices(deps: PluginDeps): ServiceDefinition[] {
  // Load balancer listeners bind this host address (WHARF_LB_BIND_ADDRESS, default loopback).
  return [ecsService(), ecrService(registryFor(deps)), elbv2Service({ bindAddress: deps.config.tuning.lbBindAddress }),
    logsService(telemetryFor(deps).logs), cloudwatchService(telemetryFor(deps).metrics), iamService(), stsService(), secretsManagerService(), ssmService(), wharfService()];
}
