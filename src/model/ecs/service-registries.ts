/**
 * An ECS service's `serviceRegistries` (Cloud Map): what CreateService and UpdateService accept, and the
 * Cloud Map instance each running task becomes (docs/service-discovery.md, "ECS services").
 *
 * The checks, as ECS makes them (its messages where clients have reported them):
 *   - one registry per service; its ARN a Cloud Map service ARN that exists
 *   - the registry has an SRV record:
 *       bridge/host network mode: containerName and containerPort (the host port bound to them is the
 *       SRV port)
 *       awsvpc: `port`, or containerName and containerPort, not both
 *   - the registry has no SRV record: no port and no containerPort; bridge/host tasks have no address of
 *     their own, so an A/AAAA-only registry needs awsvpc
 *   - containerName names a container of the task definition and containerPort one of its portMappings
 */
import type { ServiceRegistry } from '@aws-sdk/client-ecs';
import { invalidParameter } from '../errors.js';
import type { ServiceRecord as CloudMapService } from '../servicediscovery/records.js';

export interface RegistryTaskDefinition {
  networkMode?: string;
  containerDefinitions: readonly { name?: string; portMappings?: readonly { containerPort?: number }[] }[];
}

/** `arn:aws:servicediscovery:<region>:<account>:service/srv-…` → the srv- id, or undefined when malformed. */
export function registryServiceId(arn: string | undefined): string | undefined {
  return /^arn:aws[a-z-]*:servicediscovery:[a-z0-9-]+:\d{12}:service\/(srv-[a-z0-9]+)$/.exec(arn ?? '')?.[1];
}

/**
 * Checks `serviceRegistries` against the task definition and the Cloud Map services they name
 * (`lookup` returns the service for an srv- id, undefined when there is none). Throws ECS's
 * InvalidParameterException.
 */
export function checkServiceRegistries(
  registries: readonly ServiceRegistry[] | undefined,
  def: RegistryTaskDefinition,
  lookup: (serviceId: string) => CloudMapService | undefined,
): void {
  if (!registries || registries.length === 0) return;
  if (registries.length > 1) throw invalidParameter('Only one service registry is supported per service: serviceRegistries can have at most one entry.');
  const r = registries[0]!;
  const id = registryServiceId(r.registryArn);
  if (!id) throw invalidParameter(`The format of the supplied service registry ARN is invalid: ${r.registryArn ?? ''}.`);
  const svc = lookup(id);
  if (!svc) throw invalidParameter(`The service registry ${r.registryArn} does not exist: create it with servicediscovery CreateService first.`);
  const mode = def.networkMode ?? 'bridge';
  const srv = svc.dnsConfig?.DnsRecords.some((d) => d.Type === 'SRV') ?? false;
  if ((r.containerName === undefined) !== (r.containerPort === undefined)) {
    throw invalidParameter(`The values specified for serviceRegistries require both 'containerName' and 'containerPort', or neither. Add the missing value and retry.`);
  }
  if (r.port !== undefined && r.containerName !== undefined) {
    throw invalidParameter('Specify a value for either \'port\' or the \'containerName\' and \'containerPort\' combination, but not both. Remove one and retry.');
  }
  if (srv) {
    if (mode !== 'awsvpc' && r.containerName === undefined) {
      throw invalidParameter(`The values specified for serviceRegistries require a value for 'containerName' and 'containerPort' with the ${mode} network mode. Add the values and retry.`);
    }
    if (mode !== 'awsvpc' && r.port !== undefined) {
      throw invalidParameter(`The values specified for serviceRegistries do not require a value for 'port' with the ${mode} network mode (the SRV port is the host port bound to 'containerName' and 'containerPort'). Remove the value and retry.`);
    }
    if (mode === 'awsvpc' && r.port === undefined && r.containerName === undefined) {
      throw invalidParameter('The values specified for serviceRegistries require a value for either \'port\' or the \'containerName\' and \'containerPort\' combination. Add the values and retry.');
    }
  } else {
    if (r.containerPort !== undefined) throw invalidParameter('The values specified for serviceRegistries do not require a value for \'containerPort\'. Remove the value and retry.');
    if (r.port !== undefined) throw invalidParameter('The values specified for serviceRegistries do not require a value for \'port\'. Remove the value and retry.');
    if (mode !== 'awsvpc' && svc.dnsConfig) {
      throw invalidParameter(`The service registry ${r.registryArn} has only A or AAAA records, which need the task's own address: use the awsvpc network mode, or a registry with an SRV record and containerName/containerPort for the ${mode} network mode.`);
    }
  }
  if (r.containerName !== undefined) {
    const c = def.containerDefinitions.find((x) => x.name === r.containerName);
    if (!c) throw invalidParameter(`The container ${r.containerName} does not exist in the task definition.`);
    if (!(c.portMappings ?? []).some((p) => p.containerPort === r.containerPort)) {
      throw invalidParameter(`The container ${r.containerName} did not have a container port ${r.containerPort} defined.`);
    }
  }
}

/** What a task gives its Cloud Map instance: an address, and a port when the registry needs one. */
export interface TaskEndpoint { address: string; port?: number }

/**
 * The attributes ECS registers for a task (as `aws servicediscovery list-instances` shows them for an ECS
 * task): its address, the SRV port, the first health status for custom health checks, and where it runs.
 */
export function instanceAttributes(o: {
  endpoint: TaskEndpoint; registry: CloudMapService; region: string; availabilityZone?: string; cluster: string; serviceName: string; family: string; healthy: boolean;
}): Record<string, string> {
  return {
    AWS_INSTANCE_IPV4: o.endpoint.address,
    ...(o.endpoint.port !== undefined ? { AWS_INSTANCE_PORT: String(o.endpoint.port) } : {}),
    ...(o.registry.healthCheckCustomConfig ? { AWS_INIT_HEALTH_STATUS: o.healthy ? 'HEALTHY' : 'UNHEALTHY' } : {}),
    ...(o.availabilityZone ? { AVAILABILITY_ZONE: o.availabilityZone } : {}),
    REGION: o.region, ECS_CLUSTER_NAME: o.cluster, ECS_SERVICE_NAME: o.serviceName, ECS_TASK_DEFINITION_FAMILY: o.family,
  };
}
