/**
 * awsvpc on the ECS side (pure): the task's network configuration as stored, ECS's checks of an
 * `awsvpcConfiguration` that need no lookup, and how a task's elastic network interface appears in
 * DescribeTasks (`attachments`, `containers[].networkInterfaces`).
 *
 * Attachment status is derived from the task's statuses, so it has no writer of its own:
 *
 *   task PROVISIONING/PENDING ─► ATTACHING    (address leased at placement; the agent wires the
 *                                               namespace before it creates the containers)
 *   task ACTIVATING/RUNNING   ─► ATTACHED
 *   desired STOPPED, not yet STOPPED ─► DETACHING
 *   task STOPPED              ─► DELETED      (the address lease is deleted with the STOPPED report)
 */
import type { Attachment, NetworkConfiguration, NetworkInterface } from '@aws-sdk/client-ecs';

export interface TaskEni {
  attachmentId: string;
  networkInterfaceId: string;
  subnetId: string;
  vpcId: string;
  /** The subnet's CIDR (the agent's address prefix and the bridge's network). */
  subnetCidr: string;
  privateIpv4Address: string;
  macAddress: string;
  privateDnsName: string;
}

/** A task's (or service's) resolved awsvpc configuration. */
export interface AwsvpcConfig {
  subnets: string[];
  securityGroups: string[];
  assignPublicIp: 'ENABLED' | 'DISABLED';
}

/** A configuration checked against EC2, with its subnets' zones (tasks go only to instances in them). */
export interface ResolvedNetwork extends AwsvpcConfig {
  availabilityZones: string[];
}

/** Stored on the task: the configuration (API), and the interface leased for it (placement). */
export interface TaskNetwork extends AwsvpcConfig {
  eni?: TaskEni;
}

export const AWSVPC_LIMITS = { subnets: 16, securityGroups: 5 };

/** ECS's checks of networkConfiguration against the task definition's network mode. Returns the problem or undefined. */
export function networkConfigurationProblem(networkMode: string | undefined, nc: NetworkConfiguration | undefined, launchType: string | undefined): string | undefined {
  const cfg = nc?.awsvpcConfiguration;
  if ((networkMode ?? 'bridge') !== 'awsvpc') {
    return cfg ? 'Network Configuration is not valid for the given `networkMode` of this task definition.' : undefined;
  }
  if (!cfg) return "Network Configuration must be provided when networkMode 'awsvpc' is specified.";
  const subnets = cfg.subnets ?? [];
  if (subnets.length === 0) return 'subnets can not be empty.';
  if (subnets.length > AWSVPC_LIMITS.subnets) return `subnets can have at most ${AWSVPC_LIMITS.subnets} items.`;
  if ((cfg.securityGroups ?? []).length > AWSVPC_LIMITS.securityGroups) return `securityGroups can have at most ${AWSVPC_LIMITS.securityGroups} items.`;
  if (cfg.assignPublicIp === 'ENABLED' && (launchType ?? 'EC2') === 'EC2') return 'Assign public IP is not supported for this launch type.';
  return undefined;
}

export type AttachmentStatus = 'ATTACHING' | 'ATTACHED' | 'DETACHING' | 'DELETED';

export function attachmentStatus(t: { lastStatus: string; desiredStatus: string }): AttachmentStatus {
  if (t.lastStatus === 'STOPPED' || t.lastStatus === 'DELETED') return 'DELETED';
  if (t.desiredStatus === 'STOPPED' || ['DEACTIVATING', 'STOPPING', 'DEPROVISIONING'].includes(t.lastStatus)) return 'DETACHING';
  if (t.lastStatus === 'ACTIVATING' || t.lastStatus === 'RUNNING') return 'ATTACHED';
  return 'ATTACHING';
}

/** The ElasticNetworkInterface attachment, details in the order ECS lists them. */
export function eniAttachment(eni: TaskEni, status: AttachmentStatus): Attachment {
  return {
    id: eni.attachmentId,
    type: 'ElasticNetworkInterface',
    status,
    details: [
      { name: 'subnetId', value: eni.subnetId },
      { name: 'networkInterfaceId', value: eni.networkInterfaceId },
      { name: 'macAddress', value: eni.macAddress },
      { name: 'privateDnsName', value: eni.privateDnsName },
      { name: 'privateIPv4Address', value: eni.privateIpv4Address },
    ],
  };
}

export const containerNetworkInterfaces = (eni: TaskEni | undefined): NetworkInterface[] =>
  eni ? [{ attachmentId: eni.attachmentId, privateIpv4Address: eni.privateIpv4Address }] : [];
