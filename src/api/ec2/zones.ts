/** DescribeAvailabilityZones: the zones of the container instances and of the subnets, plus the server's default zone. */
import type { DescribeAvailabilityZonesRequest, DescribeAvailabilityZonesResult } from '@aws-sdk/client-ec2';
import { keys } from '../../model/ecs/keys.js';
import type { ContainerInstanceRecord } from '../../model/ecs/task-records.js';
import { DEFAULT_ZONE, ec2Keys, type SubnetRecord } from '../../model/ec2/records.js';
import { listJson } from '../../store/json.js';
import type { Handler, RequestContext } from '../types.js';
import { ec2Error, filterBy, requireAll, zoneId } from './common.js';


export async function knownZones(ctx: Pick<RequestContext, 'store'>): Promise<string[]> {
  const zones = new Set<string>([DEFAULT_ZONE]);
  for (const i of await listJson<ContainerInstanceRecord>(ctx.store, keys.containerInstances())) {
    const z = i.attributes.find((a) => a.name === 'ecs.availability-zone')?.value;
    if (z && i.status !== 'INACTIVE') zones.add(z);
  }
  for (const s of await listJson<SubnetRecord>(ctx.store, ec2Keys.subnets())) zones.add(s.availabilityZone);
  return [...zones].sort();
}

export const describeAvailabilityZones: Handler<DescribeAvailabilityZonesRequest, DescribeAvailabilityZonesResult> = async (input, ctx) => {
  const all = (await knownZones(ctx)).map((z) => ({
    ZoneName: z, ZoneId: zoneId(z), State: 'available' as const, RegionName: ctx.region, Messages: [], OptInStatus: 'opt-in-not-required' as const,
    GroupName: ctx.region, NetworkBorderGroup: ctx.region, ZoneType: 'availability-zone',
  }));
  let zones = all;
  if (input.ZoneNames?.length) {
    requireAll(input.ZoneNames, all, (z) => z.ZoneName, (n) => ec2Error('InvalidParameterValue', `Invalid availability zone: [${n}]`));
    zones = zones.filter((z) => input.ZoneNames!.includes(z.ZoneName));
  }
  if (input.ZoneIds?.length) zones = zones.filter((z) => input.ZoneIds!.includes(z.ZoneId));
  zones = filterBy(zones, input.Filters, (z) => ({
    'zone-name': [z.ZoneName], 'zone-id': [z.ZoneId], state: [z.State], 'region-name': [z.RegionName], 'group-name': [z.GroupName],
    'opt-in-status': [z.OptInStatus], 'zone-type': [z.ZoneType], 'network-border-group': [z.NetworkBorderGroup],
  }), () => []);
  return { AvailabilityZones: zones };
};
