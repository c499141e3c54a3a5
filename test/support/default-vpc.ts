/**
 * The test server's default VPC as a walkthrough finds it (EC2's is-default filter): its id, its first
 * subnet, and its `default` security group — what awsvpc tests put their tasks in.
 */
import { EC2Client, DescribeSecurityGroupsCommand, DescribeSubnetsCommand, DescribeVpcsCommand } from '@aws-sdk/client-ec2';
import type { TestServer } from './server.js';

export async function defaultVpc(server: TestServer): Promise<{ vpcId: string; subnetId: string; groupId: string }> {
  const ec2 = new EC2Client({ endpoint: server.endpoint, region: server.region, credentials: server.credentials, maxAttempts: 1 });
  const vpcId = (await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'is-default', Values: ['true'] }] }))).Vpcs![0]!.VpcId!;
  const subnetId = (await ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] }))).Subnets![0]!.SubnetId!;
  const groupId = (await ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }, { Name: 'group-name', Values: ['default'] }] }))).SecurityGroups![0]!.GroupId!;
  return { vpcId, subnetId, groupId };
}
