/**
 * The AWS services this server speaks. Each capability adds its ServiceDefinition here. Every handler has
 * the one signature `(input, ctx)`: what it needs beyond its input is on the request context, made in
 * server.ts (ApiDeps) and resolved to the request's region by the dispatcher (RegionalBackends).
 */
import type { ServiceDefinition } from '../api/types.js';
import { ecsService } from '../api/ecs/index.js';
import { ecrService } from '../api/ecr/index.js';
import { elbv2Service } from '../api/elbv2/index.js';
import { logsService } from '../api/logs/index.js';
import { cloudwatchService } from '../api/cloudwatch/index.js';
import { ec2Service } from '../api/ec2/index.js';
import { iamService } from '../api/iam/index.js';
import { stsService } from '../api/sts/index.js';
import { secretsManagerService } from '../api/secretsmanager/index.js';
import { ssmService } from '../api/ssm/index.js';
import { wharfService } from '../api/wharf/index.js';
import { applicationAutoScalingService } from '../api/application-autoscaling/index.js';
import { eventsService } from '../api/events/index.js';
import { serviceDiscoveryService } from '../api/servicediscovery/index.js';
import { schedulerService } from '../api/scheduler/index.js';

export function buildServices(): ServiceDefinition[] {
  return [ecsService(), ecrService(), elbv2Service(), logsService(), cloudwatchService(), iamService(), stsService(),
    secretsManagerService(), ssmService(), wharfService(), ec2Service(), applicationAutoScalingService(), eventsService(), serviceDiscoveryService(),
    schedulerService()];
}
