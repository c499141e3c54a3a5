/**
 * `networkConfiguration.awsvpcConfiguration` as RunTask, StartTask, CreateService and UpdateService
 * check it: ECS's own messages, and the subnet and security group lookups it does against EC2 (whose
 * error it quotes, e.g. "Error retrieving subnet information for [subnet-1]: The subnet ID 'subnet-1'
 * does not exist (ErrorCode: InvalidSubnetID.NotFound)"). Nothing is written here.
 */
import type { NetworkConfiguration, ServiceRegistry } from '@aws-sdk/client-ecs';
import { invalidParameter } from '../../model/errors.js';
import { networkConfigurationProblem, type ResolvedNetwork } from '../../model/ecs/awsvpc.js';
import { elbKeys, type TargetGroupRecord } from '../../model/elbv2/records.js';
import { ec2Keys, type SecurityGroupRecord, type SubnetRecord } from '../../model/ec2/records.js';
import { checkServiceRegistries, type RegistryTaskDefinition } from '../../model/ecs/service-registries.js';
import { sdKeys, type ServiceRecord as CloudMapService } from '../../model/servicediscovery/records.js';
import { getJson, listJson } from '../../store/json.js';
import type { Store } from '../../store/store.js';


/** undefined for non-awsvpc definitions (after checking no configuration was given for them). */
export async function resolveNetworkConfiguration(store: Store, networkMode: string | undefined, nc: NetworkConfiguration | undefined, launchType?: string): Promise<ResolvedNetwork | undefined> {
  const problem = networkConfigurationProblem(networkMode, nc, launchType);
  if (problem) throw invalidParameter(problem);
  const cfg = nc?.awsvpcConfiguration;
  if (!cfg) return undefined;
  const subnetIds = [...new Set(cfg.subnets ?? [])];
  const subnets: SubnetRecord[] = [];
  for (const id of subnetIds) {
    const s = /^subnet-[0-9a-f]+$/.test(id) ? (await getJson<SubnetRecord>(store, ec2Keys.subnet(id)))?.value : undefined;
    if (!s) throw invalidParameter(`Error retrieving subnet information for [${id}]: The subnet ID '${id}' does not exist (ErrorCode: InvalidSubnetID.NotFound)`);
    subnets.push(s);
  }
  const vpcId = subnets[0].vpcId;
  if (subnets.some((s) => s.vpcId !== vpcId)) throw invalidParameter('The subnets must all belong to the same VPC.');
  let groupIds = [...new Set(cfg.securityGroups ?? [])];
  for (const id of groupIds) {
    const g = /^sg-[0-9a-f]+$/.test(id) ? (await getJson<SecurityGroupRecord>(store, ec2Keys.securityGroup(id)))?.value : undefined;
    if (!g) throw invalidParameter(`Error retrieving security group information for [${id}]: The security group '${id}' does not exist (ErrorCode: InvalidGroup.NotFound)`);
    if (g.vpcId !== vpcId) throw invalidParameter(`Security group ${id} does not belong to the VPC ${vpcId} of the subnets.`);
  }
  if (groupIds.length === 0) {
    // ECS uses the VPC's default security group when none is given.
    const def = (await listJson<SecurityGroupRecord>(store, ec2Keys.securityGroups())).find((g) => g.vpcId === vpcId && g.groupName === 'default');
    groupIds = def ? [def.groupId] : [];
  }
  return {
    subnets: subnetIds, securityGroups: groupIds, assignPublicIp: cfg.assignPublicIp === 'ENABLED' ? 'ENABLED' : 'DISABLED',
    availabilityZones: [...new Set(subnets.map((s) => s.availabilityZone))].sort(),
  };
}

/**
 * ECS refuses a target group whose target type does not fit the network mode: awsvpc tasks are
 * registered by address (`ip`), bridge/host tasks by instance (`instance`).
 */
export async function checkTargetTypes(store: Store, networkMode: string | undefined, loadBalancers: readonly { targetGroupArn?: string }[] | undefined): Promise<void> {
  const mode = networkMode ?? 'bridge';
  const tgs = (await listJson<TargetGroupRecord>(store, elbKeys.tgs()));
  for (const lb of loadBalancers ?? []) {
    const tg = tgs.find((t) => t.arn === lb.targetGroupArn);
    if (!tg) continue;
    const wrong = mode === 'awsvpc' ? tg.targetType !== 'ip' : tg.targetType === 'ip' && mode !== 'host';
    if (wrong) throw invalidParameter(`The provided target group ${tg.arn} has target type ${tg.targetType}, which is incompatible with the ${mode} network mode specified in the task definition.`);
  }
}

/** serviceRegistries against the task definition and the region's Cloud Map services (model/ecs/service-registries.ts). */
export async function checkRegistries(store: Store, registries: readonly ServiceRegistry[] | undefined, def: RegistryTaskDefinition): Promise<void> {
  if (!registries?.length) return;
  const services = new Map((await listJson<CloudMapService>(store, sdKeys.services())).map((s) => [s.id, s]));
  checkServiceRegistries(registries, def, (id) => services.get(id));
}

/** The placement constraint that keeps an awsvpc task on instances in its subnets' zones. */
export function zoneConstraint(net: ResolvedNetwork): { type: 'memberOf'; expression: string } {
  return { type: 'memberOf', expression: `attribute:ecs.availability-zone in [${net.availabilityZones.join(', ')}]` };
}

/** How ECS shows a service's (or deployment's) configuration: as resolved (default group filled in). */
export function networkConfigurationView(net: ResolvedNetwork | undefined): NetworkConfiguration | undefined {
  return net ? { awsvpcConfiguration: { subnets: net.subnets, securityGroups: net.securityGroups, assignPublicIp: net.assignPublicIp } } : undefined;
}
