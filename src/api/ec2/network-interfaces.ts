/** DescribeNetworkInterfaces: one interface per awsvpc task holding an address (its lease record). */
import type { DescribeNetworkInterfacesRequest, DescribeNetworkInterfacesResult, NetworkInterface } from '@aws-sdk/client-ec2';
import { ec2Keys, type NetworkInterfaceRecord, type SecurityGroupRecord } from '../../model/ec2/records.js';
import { listJson } from '../../store/json.js';
import type { Handler } from '../types.js';
import { allInterfaces, ec2Error, filterBy, requireAll } from './common.js';

export const describeNetworkInterfaces: Handler<DescribeNetworkInterfacesRequest, DescribeNetworkInterfacesResult> = async (input, ctx) => {
  let enis = await allInterfaces(ctx.store);
  if (input.NetworkInterfaceIds?.length) {
    requireAll(input.NetworkInterfaceIds, enis, (e) => e.networkInterfaceId, (id) => ec2Error('InvalidNetworkInterfaceID.NotFound', `The networkInterface ID '${id}' does not exist`));
    enis = enis.filter((e) => input.NetworkInterfaceIds!.includes(e.networkInterfaceId));
  }
  const description = (e: NetworkInterfaceRecord) => `arn:aws:ecs:${ctx.region}:${ctx.accountId}:attachment/${e.attachmentId}`;
  enis = filterBy(enis, input.Filters, (e) => ({
    'network-interface-id': [e.networkInterfaceId], 'subnet-id': [e.subnetId], 'vpc-id': [e.vpcId], 'availability-zone': [e.availabilityZone],
    'private-ip-address': [e.privateIpAddress], 'addresses.private-ip-address': [e.privateIpAddress], 'private-dns-name': [e.privateDnsName],
    'mac-address': [e.macAddress], 'group-id': e.securityGroups, status: ['in-use'], 'interface-type': ['interface'], description: [description(e)],
    'requester-managed': ['true'], 'owner-id': [ctx.accountId], 'attachment.status': ['attached'],
  }), () => []);
  const groups = new Map((await listJson<SecurityGroupRecord>(ctx.store, ec2Keys.securityGroups())).map((g) => [g.groupId, g.groupName]));
  const view = (e: NetworkInterfaceRecord): NetworkInterface => ({
    NetworkInterfaceId: e.networkInterfaceId, SubnetId: e.subnetId, VpcId: e.vpcId, AvailabilityZone: e.availabilityZone,
    Description: description(e), Groups: e.securityGroups.map((g) => ({ GroupId: g, GroupName: groups.get(g) })),
    InterfaceType: 'interface', MacAddress: e.macAddress, OwnerId: ctx.accountId, PrivateDnsName: e.privateDnsName,
    PrivateIpAddress: e.privateIpAddress, PrivateIpAddresses: [{ Primary: true, PrivateIpAddress: e.privateIpAddress, PrivateDnsName: e.privateDnsName }],
    RequesterId: 'wharf-ecs', RequesterManaged: true, SourceDestCheck: true, Status: 'in-use', Ipv6Addresses: [], TagSet: [],
    Attachment: { AttachmentId: `ela-attach-${e.networkInterfaceId.slice(4)}`, DeviceIndex: 1, Status: 'attached', AttachTime: new Date(e.createdAt), DeleteOnTermination: false },
  });
  return { NetworkInterfaces: enis.map(view) };
};
