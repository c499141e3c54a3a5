/** Amazon EC2 (the EC2 query protocol, 2016-11-15): the VPC operations an ECS user touches. */
import ec2Model from '../../model/aws/ec2.json' with { type: 'json' };
import type { ServiceModel } from '../../protocol/service-model.js';
import type { Handler, ServiceDefinition } from '../types.js';
import { createVpc, deleteVpc, describeVpcs } from './vpcs.js';
import { createSubnet, deleteSubnet, describeSubnets } from './subnets.js';
import { createSecurityGroup, deleteSecurityGroup, describeSecurityGroups } from './security-groups.js';
import {
  authorizeSecurityGroupEgress, authorizeSecurityGroupIngress, describeSecurityGroupRules, revokeSecurityGroupEgress, revokeSecurityGroupIngress,
} from './security-group-rules.js';
import { describeNetworkInterfaces } from './network-interfaces.js';
import { describeAvailabilityZones } from './zones.js';
import { createTags, deleteTags, describeTags } from './tags.js';

const table: Record<string, Handler> = {
  DescribeVpcs: describeVpcs,
  CreateVpc: createVpc,
  DeleteVpc: deleteVpc,
  DescribeSubnets: describeSubnets,
  CreateSubnet: createSubnet,
  DeleteSubnet: deleteSubnet,
  DescribeSecurityGroups: describeSecurityGroups,
  CreateSecurityGroup: createSecurityGroup,
  DeleteSecurityGroup: deleteSecurityGroup,
  AuthorizeSecurityGroupIngress: authorizeSecurityGroupIngress,
  AuthorizeSecurityGroupEgress: authorizeSecurityGroupEgress,
  RevokeSecurityGroupIngress: revokeSecurityGroupIngress,
  RevokeSecurityGroupEgress: revokeSecurityGroupEgress,
  DescribeSecurityGroupRules: describeSecurityGroupRules,
  DescribeNetworkInterfaces: describeNetworkInterfaces,
  DescribeAvailabilityZones: describeAvailabilityZones,
  CreateTags: createTags,
  DeleteTags: deleteTags,
  DescribeTags: describeTags,
};

export function ec2Service(): ServiceDefinition {
  return {
    name: 'ec2',
    signingName: 'ec2',
    model: ec2Model as unknown as ServiceModel,
    validationError: 'InvalidParameterValue',
    serverError: 'InternalError',
    handlers: table,
  };
}
