/**
 * AWS Cloud Map (awsJson1_1, X-Amz-Target Route53AutoNaming_v20170314.<Op>, signing name
 * servicediscovery): namespaces, services, instances, discovery, operations and tags
 * (docs/service-discovery.md). Records live in the region's store (model/servicediscovery/records.ts).
 */
import sdModel from '../../model/aws/servicediscovery.json' with { type: 'json' };
import type { ServiceModel } from '../../protocol/service-model.js';
import type { ServiceDefinition } from '../types.js';
import {
  createHttpNamespace, createPrivateDnsNamespace, createPublicDnsNamespace, deleteNamespace, getNamespace, listNamespaces, updateHttpNamespace,
  updatePrivateDnsNamespace,
} from './namespaces.js';
import { createService, deleteService, getService, listServices, updateService } from './services.js';
import {
  deregisterInstance, discoverInstances, discoverInstancesRevision, getInstance, getInstancesHealthStatus, listInstances, registerInstance,
  updateInstanceCustomHealthStatus,
} from './instances.js';
import { getOperation, listOperations } from './operations.js';
import { listTagsForResource, tagResource, untagResource } from './tags.js';

export function serviceDiscoveryService(): ServiceDefinition {
  return {
    name: 'servicediscovery',
    signingName: 'servicediscovery',
    model: sdModel as unknown as ServiceModel,
    validationError: 'InvalidInput',
    serverError: 'InternalFailure',
    handlers: {
      CreateHttpNamespace: createHttpNamespace,
      CreatePrivateDnsNamespace: createPrivateDnsNamespace,
      CreatePublicDnsNamespace: createPublicDnsNamespace,
      GetNamespace: getNamespace,
      ListNamespaces: listNamespaces,
      UpdateHttpNamespace: updateHttpNamespace,
      UpdatePrivateDnsNamespace: updatePrivateDnsNamespace,
      DeleteNamespace: deleteNamespace,
      CreateService: createService,
      GetService: getService,
      ListServices: listServices,
      UpdateService: updateService,
      DeleteService: deleteService,
      RegisterInstance: registerInstance,
      DeregisterInstance: deregisterInstance,
      GetInstance: getInstance,
      ListInstances: listInstances,
      GetInstancesHealthStatus: getInstancesHealthStatus,
      UpdateInstanceCustomHealthStatus: updateInstanceCustomHealthStatus,
      DiscoverInstances: discoverInstances,
      DiscoverInstancesRevision: discoverInstancesRevision,
      GetOperation: getOperation,
      ListOperations: listOperations,
      TagResource: tagResource,
      UntagResource: untagResource,
      ListTagsForResource: listTagsForResource,
    },
  };
}
